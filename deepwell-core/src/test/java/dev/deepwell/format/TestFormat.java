package dev.deepwell.format;

import java.math.BigDecimal;

/**
 * Test-side description of each small float format, with a reference decoder and a reference round-to-nearest-even
 * encoder that share nothing with the code under test: values come from the bit fields through {@link Math#scalb}
 * in double, and rounding picks the nearest entry of the sorted table of all representable magnitudes.
 */
enum TestFormat {
    E4M3_SATFINITE(4, 3, 7, 0x7E, Specials.FN, true, true, 0x7F, -1,
            x -> Fp8E4M3.encode(x) & 0xFF, c -> Fp8E4M3.decode((byte) c)),
    E4M3_NOSAT(4, 3, 7, 0x7E, Specials.FN, true, false, 0x7F, 0x7F,
            x -> Fp8E4M3.encode(x, Saturation.NONE) & 0xFF, c -> Fp8E4M3.decode((byte) c)),
    E5M2_SATFINITE(5, 2, 15, 0x7B, Specials.IEEE, true, true, 0x7F, -1,
            x -> Fp8E5M2.encode(x) & 0xFF, c -> Fp8E5M2.decode((byte) c)),
    E5M2_NOSAT(5, 2, 15, 0x7B, Specials.IEEE, true, false, 0x7F, 0x7C,
            x -> Fp8E5M2.encode(x, Saturation.NONE) & 0xFF, c -> Fp8E5M2.decode((byte) c)),
    E2M1(2, 1, 1, 0x7, Specials.NONE, true, true, 0x7, -1, Fp4E2M1::encode, Fp4E2M1::decode),
    UE4M3(4, 3, 7, 0x7E, Specials.FN, false, true, 0x7F, -1, Ue4M3::encode, Ue4M3::decode),
    FP16(5, 10, 15, 0x7BFF, Specials.IEEE, true, false, 0x7FFF, 0x7C00,
            x -> Fp16.encode(x) & 0xFFFF, c -> Fp16.decode((short) c)),
    BF16(8, 7, 127, 0x7F7F, Specials.IEEE, true, false, 0x7FFF, 0x7F80,
            x -> Bf16.encode(x) & 0xFFFF, c -> Bf16.decode((short) c));

    enum Specials { NONE, FN, IEEE }

    interface FloatEncoder { int encode(float x); }
    interface CodeDecoder { float decode(int code); }

    final int expBits;
    final int manBits;
    final int bias;
    final int maxMagnitude;
    final Specials specials;
    final boolean signed;
    final boolean saturating;
    final int nanCode;
    /** Magnitude code of the non-saturated overflow result; -1 for always-saturating encoders. */
    final int overflowMagnitude;
    final FloatEncoder encoder;
    final CodeDecoder decoder;
    /** Exact values of magnitude codes 0..maxMagnitude, ascending. */
    final double[] magnitudes;

    TestFormat(int expBits, int manBits, int bias, int maxMagnitude, Specials specials, boolean signed,
            boolean saturating, int nanCode, int overflowMagnitude, FloatEncoder encoder, CodeDecoder decoder) {
        this.expBits = expBits;
        this.manBits = manBits;
        this.bias = bias;
        this.maxMagnitude = maxMagnitude;
        this.specials = specials;
        this.signed = signed;
        this.saturating = saturating;
        this.nanCode = nanCode;
        this.overflowMagnitude = overflowMagnitude;
        this.encoder = encoder;
        this.decoder = decoder;
        this.magnitudes = new double[maxMagnitude + 1];
        for (int m = 0; m <= maxMagnitude; m++) {
            magnitudes[m] = referenceValue(m);
        }
    }

    int encode(float x) {
        return encoder.encode(x);
    }

    float decode(int code) {
        return decoder.decode(code);
    }

    /** Number of codes; unsigned UE4M3 uses only the 7 low bits of its byte. */
    int codeCount() {
        return 1 << (expBits + manBits + (signed ? 1 : 0));
    }

    int signBit() {
        return signed ? 1 << (expBits + manBits) : 0;
    }

    /** Value of a code computed from its fields in double: (1 + m/2^M) * 2^(e-bias), or m * 2^(1-bias-M). */
    double referenceValue(int code) {
        int magnitudeBits = expBits + manBits;
        int magnitude = code & ((1 << magnitudeBits) - 1);
        boolean negative = signed && ((code >>> magnitudeBits) & 1) != 0;
        int e = magnitude >>> manBits;
        int m = magnitude & ((1 << manBits) - 1);
        double v;
        if (specials == Specials.IEEE && e == (1 << expBits) - 1) {
            v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (specials == Specials.FN && magnitude == (1 << magnitudeBits) - 1) {
            v = Double.NaN;
        } else if (e == 0) {
            v = Math.scalb((double) m, 1 - bias - manBits);
        } else {
            v = Math.scalb(1.0 + m / (double) (1 << manBits), e - bias);
        }
        return negative ? -v : v;
    }

    /** The ulp of the top binade: the step from the largest finite value to the first value past it. */
    double topUlp() {
        return magnitudes[maxMagnitude] - magnitudes[maxMagnitude - 1];
    }

    /** Largest magnitude code whose value is <= a (a finite, >= 0). */
    int floorMagnitude(double a) {
        int lo = 0;
        int hi = maxMagnitude;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (magnitudes[mid] <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Reference RNE encoding; code maxMagnitude+1 stands for "past the largest finite value". */
    int referenceEncode(float x) {
        if (Float.isNaN(x)) {
            return nanCode;
        }
        int sign = (Math.copySign(1f, x) < 0) ? signBit() : 0;
        double a = Math.abs((double) x);
        int magnitude;
        if (Double.isInfinite(a)) {
            magnitude = maxMagnitude + 1;
        } else {
            int lo = floorMagnitude(a);
            double loValue = magnitudes[lo];
            double hiValue = lo == maxMagnitude ? loValue + topUlp() : magnitudes[lo + 1];
            double mid = (loValue + hiValue) / 2;
            if (a < mid) {
                magnitude = lo;
            } else if (a > mid) {
                magnitude = lo + 1;
            } else {
                magnitude = (lo & 1) == 0 ? lo : lo + 1;
            }
        }
        if (magnitude > maxMagnitude) {
            magnitude = saturating ? maxMagnitude : overflowMagnitude;
        }
        return sign | magnitude;
    }

    /** 2^24 * (a - lo) / (hi - lo), exactly, for a finite a in [0, max). */
    static BigDecimal scaledFraction(double a, double lo, double hi) {
        // hi - lo is a power of two, so dividing by it is an exact multiplication by 2^24 / (hi - lo).
        return new BigDecimal(a).subtract(new BigDecimal(lo)).multiply(new BigDecimal(0x1p24 / (hi - lo)));
    }

    static TestFormat[] withStochastic() {
        return new TestFormat[] {E4M3_SATFINITE, E5M2_SATFINITE, E2M1};
    }

    int encodeStochastic(float x, int random24) {
        switch (this) {
            case E4M3_SATFINITE:
                return Fp8E4M3.encodeStochastic(x, random24) & 0xFF;
            case E5M2_SATFINITE:
                return Fp8E5M2.encodeStochastic(x, random24) & 0xFF;
            case E2M1:
                return Fp4E2M1.encodeStochastic(x, random24);
            default:
                throw new UnsupportedOperationException(name() + " has no stochastic encoder");
        }
    }
}
