package dev.deepwell.format;

/**
 * bfloat16: 1 sign, 8 exponent, 7 mantissa bits; the upper half of an FP32.
 *
 * <p>{@link #encode} rounds to nearest, ties to even, exactly like PTX {@code cvt.rn.bf16.f32} and the host path of
 * {@code __float2bfloat16_rn} in {@code cuda_bf16.hpp}: subnormals are kept (no flush to zero), values that round
 * past the largest finite bfloat16 become +-Inf, and every NaN becomes the canonical quiet NaN {@code 0x7FFF}
 * (sign and payload dropped).
 */
public final class Bf16 {

    /** The NaN code produced for every NaN input. */
    static final short CANONICAL_NAN = 0x7FFF;

    private Bf16() {
    }

    /** Rounds {@code x} to the nearest bfloat16, ties to even. */
    public static short encode(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return CANONICAL_NAN;
        }
        // Adding 0x7FFF plus the kept lsb rounds the discarded half to nearest even; a carry propagates into the
        // exponent (up to Inf) and never into the sign since |x| <= Inf here.
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** Exact FP32 value of a bfloat16 code (NaN codes decode to an FP32 NaN with the same payload). */
    public static float decode(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }
}
