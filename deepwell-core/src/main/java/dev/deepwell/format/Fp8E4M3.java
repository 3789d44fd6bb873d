package dev.deepwell.format;

import java.util.Objects;

/**
 * FP8 E4M3 in its "fn" variant (OCP FP8, NVIDIA {@code __nv_fp8_e4m3}): 1 sign, 4 exponent (bias 7), 3 mantissa
 * bits; no infinities, a single NaN magnitude {@code 0x7F}, largest finite 448 ({@code 0x7E}), smallest subnormal
 * 2^-9 ({@code 0x01}).
 *
 * <p>Matches PTX {@code cvt.rn.satfinite.e4m3x2.f32} and the host path of {@code __nv_cvt_float_to_fp8(x, sat,
 * __NV_E4M3)} in {@code cuda_fp8.hpp}:
 * <ul>
 *   <li>rounding: to nearest, ties to even, subnormals included; |x| &lt;= 2^-10 gives a zero of x's sign;</li>
 *   <li>{@link Saturation#SATFINITE}: |x| beyond 448 (and +-Inf) clamps to +-448;</li>
 *   <li>{@link Saturation#NONE}: |x| &gt; 464 (max + half ulp; 464 itself ties to even 448) and +-Inf give the NaN
 *       code with x's sign ({@code 0x7F}/{@code 0xFF});</li>
 *   <li>NaN input: always {@code 0x7F}; the header's float path canonicalizes NaN to {@code 0x7FFFFFFF} before
 *       converting, which drops the sign.</li>
 * </ul>
 */
public final class Fp8E4M3 {

    /** Largest finite value. */
    public static final float MAX = 448f;

    static final int MANTISSA_BITS = 3;
    static final int BIAS = 7;
    static final int MAX_MAGNITUDE = 0x7E;
    static final byte NAN_CODE = 0x7F;
    private static final int MAX_BITS = Float.floatToRawIntBits(MAX);
    private static final float[] DECODE = buildDecodeTable();

    private Fp8E4M3() {
    }

    /** Round to nearest even with {@link Saturation#SATFINITE}. */
    public static byte encode(float x) {
        return encodeNearest(x, true);
    }

    /** Round to nearest even with the given overflow behaviour. */
    public static byte encode(float x, Saturation saturation) {
        Objects.requireNonNull(saturation, "saturation");
        return encodeNearest(x, saturation == Saturation.SATFINITE);
    }

    /**
     * Stochastic rounding with {@link Saturation#SATFINITE}: rounds |x| up to the next representable magnitude iff
     * {@code (float) random24 < frac * 2^24}, where {@code frac} is the position of |x| between its round-toward-zero
     * neighbour and the next magnitude up (see {@link MiniFloat#stochasticMagnitude}). NaN gives {@code 0x7F}.
     *
     * @param random24 uniform random integer in [0, 2^24)
     * @throws IllegalArgumentException if {@code random24} is outside [0, 2^24)
     */
    public static byte encodeStochastic(float x, int random24) {
        MiniFloat.checkRandom24(random24);
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_CODE;
        }
        int magnitude = MiniFloat.stochasticMagnitude(abs, random24, MANTISSA_BITS, BIAS, MAX_MAGNITUDE, MAX_BITS);
        return (byte) (((bits >>> 24) & 0x80) | magnitude);
    }

    /** Exact FP32 value of a code; {@code 0x7F} and {@code 0xFF} decode to NaN. */
    public static float decode(byte code) {
        return DECODE[code & 0xFF];
    }

    private static byte encodeNearest(float x, boolean saturate) {
        int bits = Float.floatToRawIntBits(x);
        int abs = bits & 0x7FFF_FFFF;
        if (abs > 0x7F80_0000) {
            return NAN_CODE;
        }
        int magnitude = MiniFloat.rneMagnitude(abs, MANTISSA_BITS, BIAS);
        if (magnitude > MAX_MAGNITUDE) {
            magnitude = saturate ? MAX_MAGNITUDE : NAN_CODE;
        }
        return (byte) (((bits >>> 24) & 0x80) | magnitude);
    }

    private static float[] buildDecodeTable() {
        float[] table = new float[256];
        for (int magnitude = 0; magnitude < 128; magnitude++) {
            float value = magnitude == NAN_CODE ? Float.NaN : MiniFloat.magnitudeValue(magnitude, MANTISSA_BITS, BIAS);
            table[magnitude] = value;
            table[magnitude | 0x80] = -value;
        }
        return table;
    }
}
