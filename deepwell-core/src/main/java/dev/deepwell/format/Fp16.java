package dev.deepwell.format;

/**
 * IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits, with subnormals, infinities and NaNs.
 *
 * <p>{@link #encode} rounds to nearest, ties to even, like PTX {@code cvt.rn.f16.f32} and the host path of
 * {@code __float2half_rn} in {@code cuda_fp16.hpp}: values that round past 65504 (that is, |x| >= 65520) become
 * +-Inf, subnormals are produced down to 2^-24 (|x| <= 2^-25 gives a signed zero), and every NaN becomes the
 * canonical NaN {@code 0x7FFF}. This NaN choice differs from Java's {@code Float.floatToFloat16}, which keeps
 * the sign and payload.
 */
public final class Fp16 {

    static final int MANTISSA_BITS = 10;
    static final int BIAS = 15;
    static final int MAX_MAGNITUDE = 0x7BFF;
    static final int INF_MAGNITUDE = 0x7C00;
    static final short CANONICAL_NAN = 0x7FFF;

    private Fp16() {
    }

    /** Rounds {@code x} to the nearest binary16, ties to even; overflow gives +-Inf. */
    public static short encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return CANONICAL_NAN;
        }
        int magnitude = MiniFloat.rneMagnitude(abs, MANTISSA_BITS, BIAS);
        if (magnitude > MAX_MAGNITUDE) {
            magnitude = INF_MAGNITUDE;
        }
        return (short) (((bits >>> 16) & 0x8000) | magnitude);
    }

    /** Exact FP32 value of a binary16 code. */
    public static float decode(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> MANTISSA_BITS) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            // Subnormal or zero: mantissa * 2^-24 is exact in float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + (127 - BIAS)) << 23) | (mantissa << 13));
    }
}
