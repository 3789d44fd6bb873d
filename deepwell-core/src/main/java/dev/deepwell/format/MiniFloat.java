package dev.deepwell.format;

/**
 * Shared arithmetic of the small binary floating-point formats (FP16, FP8 E4M3/E5M2, FP4 E2M1, UE4M3).
 *
 * <p>The format is described by its mantissa width {@code manBits} and exponent {@code bias}; the smallest normal
 * exponent is {@code emin = 1 - bias}. Every method works on magnitudes: a "magnitude code" is the format's code
 * without its sign bit, i.e. {@code (biasedExponent << manBits) | mantissa}. Magnitude codes are monotone in the
 * value they encode and consecutive codes are consecutive representable magnitudes, subnormals included; the
 * encoders rely on that to round by adding one to a code.
 *
 * <p>Methods are static and take the format parameters as arguments so that, once inlined into a format class
 * that passes compile-time constants, the JIT folds them; nothing here allocates.
 */
final class MiniFloat {

    private static final int FLOAT_MANTISSA_BITS = 23;
    private static final int FLOAT_BIAS = 127;

    private MiniFloat() {
    }

    /**
     * Round-to-nearest-even magnitude code of a non-NaN float magnitude (Inf allowed).
     *
     * <p>The result is not saturated: it may exceed the largest finite magnitude code, even by far (for Inf or huge
     * inputs); callers compare it against their own maximum. Because a tie at max + half ulp rounds to the even
     * neighbour, this gives exactly CUDA's overflow thresholds: 464 rounds to 448 in E4M3 (0x7E is even) while 61440
     * rounds up to the first code past 57344 in E5M2 (0x7B is odd).
     *
     * @param absBits raw bits of |x|, at most {@code 0x7F800000}
     */
    static int rneMagnitude(int absBits, int manBits, int bias) {
        int shift = FLOAT_MANTISSA_BITS - manBits;
        int minNormalBits = (FLOAT_BIAS + 1 - bias) << FLOAT_MANTISSA_BITS;
        if (absBits >= minNormalBits) {
            // Re-bias the exponent in place; the top bits then read (targetExponent << manBits) | mantissa and the
            // add below rounds to nearest even, carrying into the exponent when the mantissa overflows.
            int rebiased = absBits - ((FLOAT_BIAS - bias) << FLOAT_MANTISSA_BITS);
            int lsb = (rebiased >>> shift) & 1;
            return (rebiased + (1 << (shift - 1)) - 1 + lsb) >>> shift;
        }
        // Subnormal in the target format: the code is |x| counted in units of the smallest subnormal. Scaling by a
        // power of two is exact; adding 2^23 makes the float adder round to an integer with ties to even (Java float
        // arithmetic is strict IEEE 754), and the integer then sits in the low mantissa bits.
        float units = Float.intBitsToFloat(absBits) * pow2(manBits + bias - 1);
        return Float.floatToRawIntBits(units + 0x1p23f) - Float.floatToRawIntBits(0x1p23f);
    }

    /**
     * Stochastic-rounding magnitude code of a non-NaN float magnitude (Inf allowed), saturating at {@code maxMag}.
     *
     * <p>With {@code lo} = |x| rounded toward zero and {@code hi} the next magnitude up, the fraction
     * {@code frac = (|x| - lo) / (hi - lo)} is obtained exactly as {@code t - floor(t)} where {@code t = |x| * 2^k}
     * and {@code 2^k} makes the ulp at {@code lo} equal to one. The code rounds up iff
     * {@code (float) random24 < frac * 2^24}. All steps are exact in float arithmetic, so a GPU kernel doing the same
     * operations reproduces the decision bit for bit. Since {@code t < 2^24}, {@code frac} is a multiple of
     * 2^-24 whenever |x| is at least one ulp, which makes the rounding unbiased there; for |x| below the smallest
     * subnormal the up-probability is {@code ceil(frac * 2^24) / 2^24}.
     *
     * @param absBits raw bits of |x|, at most {@code 0x7F800000}
     * @param maxBits raw bits of the largest finite value of the format
     * @param random24 uniform random integer in [0, 2^24), already validated
     */
    static int stochasticMagnitude(int absBits, int random24, int manBits, int bias, int maxMag, int maxBits) {
        if (absBits >= maxBits) {
            return maxMag;
        }
        int emin = 1 - bias;
        int exponent = (absBits >>> FLOAT_MANTISSA_BITS) - FLOAT_BIAS;
        int effectiveExponent = Math.max(exponent, emin);
        float t = Float.intBitsToFloat(absBits) * pow2(manBits - effectiveExponent);
        int floorT = (int) t;
        float frac = t - floorT;
        int code = ((effectiveExponent - emin) << manBits) + floorT;
        // Written as a conditional add rather than an if: the outcome is random by design, so a branch would
        // mispredict often; this form compiles to a flag-set/add (measured about 3x faster).
        return code + ((float) random24 < frac * 0x1p24f ? 1 : 0);
    }

    /** Exact value of a magnitude code, computed from its fields; used once per code to build decode tables. */
    static float magnitudeValue(int magnitudeCode, int manBits, int bias) {
        int exponentField = magnitudeCode >>> manBits;
        int mantissa = magnitudeCode & ((1 << manBits) - 1);
        if (exponentField == 0) {
            return Math.scalb((float) mantissa, 1 - bias - manBits);
        }
        return Math.scalb((float) ((1 << manBits) | mantissa), exponentField - bias - manBits);
    }

    /** Fails unless {@code random24} is in [0, 2^24), the range the stochastic-rounding rule is defined on. */
    static void checkRandom24(int random24) {
        if ((random24 & 0xFF00_0000) != 0) {
            throw badRandom24(random24);
        }
    }

    // Out of line: the message concatenation would otherwise bloat the inlined hot path.
    private static IllegalArgumentException badRandom24(int random24) {
        return new IllegalArgumentException("random24 must be in [0, 2^24), got " + random24);
    }

    /** 2^k for k in the normal float exponent range [-126, 127]. */
    private static float pow2(int k) {
        return Float.intBitsToFloat((k + FLOAT_BIAS) << FLOAT_MANTISSA_BITS);
    }
}
