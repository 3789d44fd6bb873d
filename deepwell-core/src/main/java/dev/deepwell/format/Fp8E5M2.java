package dev.deepwell.format;

import java.util.Objects;

/**
 * FP8 E5M2 (OCP FP8, NVIDIA {@code __nv_fp8_e5m2}): 1 sign, 5 exponent (bias 15), 2 mantissa bits; IEEE-like with
 * infinities ({@code 0x7C}) and NaNs ({@code 0x7D}-{@code 0x7F}), largest finite 57344 ({@code 0x7B}), smallest
 * subnormal 2^-16 ({@code 0x01}).
 *
 * <p>Matches PTX {@code cvt.rn.satfinite.e5m2x2.f32} and the host path of {@code __nv_cvt_float_to_fp8(x, sat,
 * __NV_E5M2)} in {@code cuda_fp8.hpp}:
 * <ul>
 *   <li>rounding: to nearest, ties to even, subnormals included; |x| &lt;= 2^-17 gives a zero of x's sign;</li>
 *   <li>{@link Saturation#SATFINITE}: |x| beyond 57344 (and +-Inf) clamps to +-57344;</li>
 *   <li>{@link Saturation#NONE}: |x| &gt;= 61440 (max + half ulp, which ties away from the odd code 0x7B) and +-Inf
 *       give +-Inf ({@code 0x7C}/{@code 0xFC});</li>
 *   <li>NaN input: always {@code 0x7F}. The header's float path first canonicalizes the NaN to {@code 0x7FFFFFFF},
 *       whose sign is clear and whose top two mantissa bits are set, so {@code sign|0x7E|topBits} is {@code 0x7F}
 *       for every float NaN.</li>
 * </ul>
 */
public final class Fp8E5M2 {

    /** Largest finite value. */
    public static final float MAX = 57344f;

    static final int MANTISSA_BITS = 2;
    static final int BIAS = 15;
    static final int MAX_MAGNITUDE = 0x7B;
    static final int INF_MAGNITUDE = 0x7C;
    static final byte NAN_CODE = 0x7F;
    private static final int MAX_BITS = Float.floatToRawIntBits(MAX);
    private static final float[] DECODE = buildDecodeTable();

    private Fp8E5M2() {
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
     * Stochastic rounding with {@link Saturation#SATFINITE}; same rule as {@link Fp8E4M3#encodeStochastic}.
     * NaN gives {@code 0x7F}.
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

    /** Exact FP32 value of a code; {@code 0x7C} is +Inf, {@code 0x7D}-{@code 0x7F} NaN (and likewise negative). */
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
            magnitude = saturate ? MAX_MAGNITUDE : INF_MAGNITUDE;
        }
        return (byte) (((bits >>> 24) & 0x80) | magnitude);
    }

    private static float[] buildDecodeTable() {
        float[] table = new float[256];
        for (int magnitude = 0; magnitude < 128; magnitude++) {
            float value;
            if (magnitude == INF_MAGNITUDE) {
                value = Float.POSITIVE_INFINITY;
            } else if (magnitude > INF_MAGNITUDE) {
                value = Float.NaN;
            } else {
                value = MiniFloat.magnitudeValue(magnitude, MANTISSA_BITS, BIAS);
            }
            table[magnitude] = value;
            table[magnitude | 0x80] = -value;
        }
        return table;
    }
}
