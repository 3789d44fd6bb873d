package dev.deepwell.format;

/**
 * FP4 E2M1 (OCP MX FP4, NVIDIA {@code __nv_fp4_e2m1}): 1 sign, 2 exponent (bias 1), 1 mantissa bit; magnitudes
 * 0, 0.5, 1, 1.5, 2, 3, 4, 6 and no Inf or NaN. A code is an int whose low 4 bits hold {@code sign<<3 | magnitude};
 * two codes share a byte, low nibble first.
 *
 * <p>Matches PTX {@code cvt.rn.satfinite.e2m1x2.f32} and the host path of {@code __nv_cvt_float_to_fp4(x, __NV_E2M1,
 * cudaRoundNearest)} in {@code cuda_fp4.hpp}: round to nearest, ties to even (0.25 gives 0, 0.75 gives 1, 2.5 gives
 * 2, 5 gives 4); always saturating, so |x| &gt; 6 and +-Inf give +-6 with x's sign; every NaN gives +6
 * ({@code 0x7}); zero keeps its sign (small negatives give {@code 0x8}).
 */
public final class Fp4E2M1 {

    /** Largest finite value. */
    public static final float MAX = 6f;

    static final int MANTISSA_BITS = 1;
    static final int BIAS = 1;
    static final int MAX_MAGNITUDE = 0x7;
    /** Code produced for NaN inputs: +6, as the CUDA conversion does. */
    static final int NAN_RESULT = 0x7;
    private static final int MAX_BITS = Float.floatToRawIntBits(MAX);
    private static final float[] DECODE = buildDecodeTable();

    private Fp4E2M1() {
    }

    /** Round to nearest even, saturating; the code is in the low 4 bits. */
    public static int encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_RESULT;
        }
        int magnitude = Math.min(MiniFloat.rneMagnitude(abs, MANTISSA_BITS, BIAS), MAX_MAGNITUDE);
        return ((bits >>> 28) & 0x8) | magnitude;
    }

    /**
     * Stochastic rounding, saturating; same rule as {@link Fp8E4M3#encodeStochastic}. NaN gives {@code 0x7}.
     *
     * @param random24 uniform random integer in [0, 2^24)
     * @throws IllegalArgumentException if {@code random24} is outside [0, 2^24)
     */
    public static int encodeStochastic(float x, int random24) {
        MiniFloat.checkRandom24(random24);
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_RESULT;
        }
        int magnitude = MiniFloat.stochasticMagnitude(abs, random24, MANTISSA_BITS, BIAS, MAX_MAGNITUDE, MAX_BITS);
        return ((bits >>> 28) & 0x8) | magnitude;
    }

    /** Exact FP32 value of the code in the low 4 bits of {@code code}; higher bits are ignored. */
    public static float decode(int code) {
        return DECODE[code & 0xF];
    }

    /**
     * Packs two codes into one byte, {@code lowCode} in bits 0-3 (the element that comes first in memory, as in
     * {@code __nv_fp4x2_storage_t}) and {@code highCode} in bits 4-7.
     *
     * @throws IllegalArgumentException if a code is outside [0, 15]
     */
    public static byte pack(int lowCode, int highCode) {
        if (((lowCode | highCode) & ~0xF) != 0) {
            throw new IllegalArgumentException(
                    "FP4 codes must be in [0, 15], got lowCode=" + lowCode + ", highCode=" + highCode);
        }
        return (byte) (lowCode | (highCode << 4));
    }

    /** The code in bits 0-3 of a packed byte. */
    public static int low(byte b) {
        return b & 0xF;
    }

    /** The code in bits 4-7 of a packed byte. */
    public static int high(byte b) {
        return (b >>> 4) & 0xF;
    }

    private static float[] buildDecodeTable() {
        float[] table = new float[16];
        for (int magnitude = 0; magnitude < 8; magnitude++) {
            float value = MiniFloat.magnitudeValue(magnitude, MANTISSA_BITS, BIAS);
            table[magnitude] = value;
            table[magnitude | 0x8] = -value;
        }
        return table;
    }
}
