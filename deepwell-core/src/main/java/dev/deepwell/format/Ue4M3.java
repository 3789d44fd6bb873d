package dev.deepwell.format;

/**
 * UE4M3, the NVFP4 block-scale format ({@code CUDA_R_8F_UE4M3}, "an unsigned {@code nv_fp8_e4m3}"): the
 * non-negative half of {@link Fp8E4M3} stored in a byte whose top bit is always 0. Codes 0x00-0x7E are the values
 * 0 to 448, 0x7F is NaN.
 *
 * <p>{@link #encode} is {@code cvt.rn.satfinite.e4m3x2.f32} restricted to non-negative inputs: round to nearest
 * even, values beyond 448 and +Inf saturate to 448 ({@code 0x7E}), NaN gives {@code 0x7F}, and -0.0 gives +0.
 */
public final class Ue4M3 {

    /** Largest finite value. */
    public static final float MAX = 448f;

    static final int NAN_CODE = 0x7F;

    private Ue4M3() {
    }

    /**
     * Round to nearest even, saturating at 448.
     *
     * @throws IllegalArgumentException if {@code x} is negative (-0.0 is accepted and encodes to +0)
     */
    public static int encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_CODE;
        }
        if (x < 0f) {
            throw new IllegalArgumentException("UE4M3 is unsigned: x must be >= 0, got " + x);
        }
        return Math.min(MiniFloat.rneMagnitude(abs, Fp8E4M3.MANTISSA_BITS, Fp8E4M3.BIAS), Fp8E4M3.MAX_MAGNITUDE);
    }

    /**
     * Exact FP32 value of a code in [0, 0x7F]; 0x7F decodes to NaN.
     *
     * @throws IllegalArgumentException if {@code code} is outside [0, 0x7F] (for example a set sign bit)
     */
    public static float decode(int code) {
        if ((code & ~0x7F) != 0) {
            throw new IllegalArgumentException("UE4M3 codes must be in [0, 0x7F], got 0x" + Integer.toHexString(code));
        }
        return Fp8E4M3.decode((byte) code);
    }
}
