package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * UE8M0 against its definition: round-down is the largest power of two not above |x|, round-up the smallest not
 * below, both clamped to [2^-127, 2^127], computed from {@link Math#getExponent(double)} of the exact double.
 */
class E8M0Test {

    @Test
    void everyCodeDecodesToItsPowerOfTwo() {
        for (int code = 0; code < 255; code++) {
            assertThat((double) E8M0.decode(code)).as("code %d", code).isEqualTo(Math.pow(2, code - 127));
            assertThat(E8M0.decode(code | 0xF00)).as("only the low 8 bits count").isEqualTo(E8M0.decode(code));
        }
        assertThat(E8M0.decode(0xFF)).isNaN();
        assertThat(E8M0.decode((byte) 0xFE)).as("a sign-extended byte").isEqualTo(0x1p127f);
    }

    @Test
    void everyCodeReencodesToItselfInBothDirections() {
        for (int code = 0; code < 256; code++) {
            float value = E8M0.decode(code);
            assertThat(E8M0.encodeRoundDown(value)).as("down, code %d", code).isEqualTo(code);
            assertThat(E8M0.encodeRoundUp(value)).as("up, code %d", code).isEqualTo(code);
        }
    }

    @Test
    void fromExponentClampsToTheRepresentableRange() {
        assertThat(E8M0.fromExponent(0)).isEqualTo(127);
        assertThat(E8M0.fromExponent(-127)).isEqualTo(0);
        assertThat(E8M0.fromExponent(127)).isEqualTo(254);
        assertThat(E8M0.fromExponent(-128)).isEqualTo(0);
        assertThat(E8M0.fromExponent(128)).isEqualTo(254);
        assertThat(E8M0.fromExponent(Integer.MIN_VALUE)).isEqualTo(0);
        assertThat(E8M0.fromExponent(Integer.MAX_VALUE)).isEqualTo(254);
        for (int e = -127; e <= 127; e++) {
            assertThat((double) E8M0.decode(E8M0.fromExponent(e))).isEqualTo(Math.pow(2, e));
        }
    }

    @Test
    void specialInputs() {
        for (float zero : new float[] {0f, -0f}) {
            assertThat(E8M0.encodeRoundDown(zero)).isEqualTo(0);
            assertThat(E8M0.encodeRoundUp(zero)).isEqualTo(0);
        }
        for (float inf : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertThat(E8M0.encodeRoundDown(inf)).as("satfinite").isEqualTo(0xFE);
            assertThat(E8M0.encodeRoundUp(inf)).as("satfinite").isEqualTo(0xFE);
        }
        for (int bits : new int[] {0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001}) {
            assertThat(E8M0.encodeRoundDown(Float.intBitsToFloat(bits))).isEqualTo(E8M0.NAN_CODE);
            assertThat(E8M0.encodeRoundUp(Float.intBitsToFloat(bits))).isEqualTo(E8M0.NAN_CODE);
        }
        assertThat(E8M0.encodeRoundDown(Float.MAX_VALUE)).isEqualTo(0xFE);
        assertThat(E8M0.encodeRoundUp(Float.MAX_VALUE)).as("2^128 saturates").isEqualTo(0xFE);
        assertThat(E8M0.encodeRoundUp(Math.nextUp(0x1p-127f))).isEqualTo(1);
        assertThat(E8M0.encodeRoundUp(Float.MIN_VALUE)).isEqualTo(0);
        assertThat(E8M0.encodeRoundDown(Float.MIN_VALUE)).as("subnormal floats give 0").isEqualTo(0);
        assertThat(E8M0.encodeRoundDown(Math.nextDown(Float.MIN_NORMAL))).isEqualTo(0);
    }

    @Test
    void neighboursOfEveryFloatPowerOfTwoMatchTheDefinition() {
        for (int e = -149; e <= 127; e++) {
            float p = Math.scalb(1f, e);
            for (float x : new float[] {p, Math.nextUp(p), Math.nextDown(p), 1.5f * p, -p, -Math.nextUp(p)}) {
                check(x);
            }
        }
    }

    @Test
    void randomFloatsMatchTheDefinition() {
        SplittableRandom random = new SplittableRandom(0xE8E0L);
        for (int i = 0; i < 300_000; i++) {
            check(Float.intBitsToFloat(random.nextInt()));
        }
    }

    private static void check(float x) {
        if (Float.isNaN(x)) {
            return;
        }
        assertThat(E8M0.encodeRoundDown(x)).as("down(%s)", x).isEqualTo(referenceRoundDown(x));
        assertThat(E8M0.encodeRoundUp(x)).as("up(%s)", x).isEqualTo(referenceRoundUp(x));
    }

    private static int referenceRoundDown(float x) {
        double a = Math.abs((double) x);
        if (a == 0) {
            return 0;
        }
        return clamp(Math.getExponent(a) + 127);
    }

    private static int referenceRoundUp(float x) {
        double a = Math.abs((double) x);
        if (a == 0) {
            return 0;
        }
        int e = Math.getExponent(a);
        boolean powerOfTwo = a == Math.scalb(1.0, e);
        return clamp((powerOfTwo ? e : e + 1) + 127);
    }

    private static int clamp(int code) {
        return Math.max(0, Math.min(254, code));
    }
}
