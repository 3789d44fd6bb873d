package dev.deepwell.format;

/**
 * UE8M0, the MX block-scale format: an unsigned 8-bit biased exponent (bias 127) encoding 2^(code-127), no
 * mantissa, no sign and no zero; code 0 is 2^-127, 0xFE is 2^127 and 0xFF is NaN.
 *
 * <p>The encoders match PTX {@code cvt.rz.satfinite.ue8m0x2.f32} / {@code cvt.rp.satfinite.ue8m0x2.f32} and the host
 * path of {@code __nv_cvt_float_to_e8m0} in {@code cuda_fp8.hpp} (which goes through a bfloat16 rounded in the same
 * direction): the sign of the input is ignored, NaN gives 0xFF, and saturation keeps huge finite values and +-Inf
 * at 0xFE (2^127).
 */
public final class E8M0 {

    /** The NaN code. */
    public static final int NAN_CODE = 0xFF;

    static final int MAX_CODE = 0xFE;
    static final int BIAS = 127;
    private static final float[] DECODE = buildDecodeTable();

    private E8M0() {
    }

    /** 2^(code-127) for the low 8 bits of {@code code}; 0xFF decodes to NaN and code 0 to the subnormal 2^-127. */
    public static float decode(int code) {
        return DECODE[code & 0xFF];
    }

    /** The code of 2^unbiasedExp, clamping the exponent to the representable range [-127, 127]. */
    public static int fromExponent(int unbiasedExp) {
        return Math.max(-BIAS, Math.min(BIAS, unbiasedExp)) + BIAS;
    }

    /**
     * Largest power of two not above |x| (the float's biased exponent field), like
     * {@code cvt.rz.satfinite.ue8m0x2.f32}. Zero and subnormal floats give 0 (2^-127), +-Inf gives 0xFE, NaN 0xFF.
     */
    public static int encodeRoundDown(float x) {
        int abs = Float.floatToRawIntBits(x) & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_CODE;
        }
        int exponentField = abs >>> 23;
        return exponentField == 0xFF ? MAX_CODE : exponentField;
    }

    /**
     * Smallest power of two not below |x|, like {@code cvt.rp.satfinite.ue8m0x2.f32}: the biased exponent plus one
     * when the mantissa is non-zero. Zero gives 0 (2^-127 is the smallest code); a subnormal float gives 0 up to
     * 2^-127 and 1 above; anything above 2^127, +-Inf included, saturates to 0xFE; NaN gives 0xFF.
     */
    public static int encodeRoundUp(float x) {
        int abs = Float.floatToRawIntBits(x) & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_CODE;
        }
        if (abs >= 0x7F00_0000) {
            return MAX_CODE;
        }
        int exponentField = abs >>> 23;
        if (exponentField == 0) {
            return abs > 0x0040_0000 ? 1 : 0;
        }
        return (abs & 0x007F_FFFF) == 0 ? exponentField : exponentField + 1;
    }

    private static float[] buildDecodeTable() {
        float[] table = new float[256];
        for (int code = 0; code < NAN_CODE; code++) {
            table[code] = Math.scalb(1f, code - BIAS);
        }
        table[NAN_CODE] = Float.NaN;
        return table;
    }
}
