package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Round-to-nearest-even at every FP32 boundary between neighbouring codes, the saturation thresholds, signed zero,
 * subnormal underflow, NaN and infinities.
 */
class RoundingBoundaryTest {

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void midpointsTieToEvenAndTheirNeighboursRoundToTheNearerCode(TestFormat format) {
        for (int lo = 0; lo < format.maxMagnitude; lo++) {
            double loValue = format.magnitudes[lo];
            double hiValue = format.magnitudes[lo + 1];
            float mid = (float) ((loValue + hiValue) / 2);
            assertThat((double) mid).as("midpoint is exact in FP32").isEqualTo((loValue + hiValue) / 2);
            int even = (lo & 1) == 0 ? lo : lo + 1;
            checkBothSigns(format, mid, even);
            checkBothSigns(format, Math.nextUp(mid), lo + 1);
            checkBothSigns(format, Math.nextDown(mid), lo);
            // The neighbours of each code itself stay on that code.
            checkBothSigns(format, Math.nextUp((float) loValue), lo);
            checkBothSigns(format, Math.nextDown((float) hiValue), lo + 1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void overflowThresholdIsMaxPlusHalfUlpWithTiesToEven(TestFormat format) {
        float max = (float) format.magnitudes[format.maxMagnitude];
        float threshold = (float) (format.magnitudes[format.maxMagnitude] + format.topUlp() / 2);
        int overflow = format.saturating ? format.maxMagnitude : format.overflowMagnitude;
        int atThreshold = (format.maxMagnitude & 1) == 0 ? format.maxMagnitude : overflow;
        checkBothSigns(format, max, format.maxMagnitude);
        checkBothSigns(format, Math.nextDown(threshold), format.maxMagnitude);
        checkBothSigns(format, threshold, atThreshold);
        checkBothSigns(format, Math.nextUp(threshold), overflow);
        checkBothSigns(format, Float.MAX_VALUE, overflow);
        int infinity = format.saturating ? format.maxMagnitude : format.overflowMagnitude;
        checkBothSigns(format, Float.POSITIVE_INFINITY, infinity);
    }

    @Test
    void documentedThresholdsOfTheFp8Formats() {
        assertThat(Fp8E4M3.encode(464f, Saturation.NONE)).isEqualTo((byte) 0x7E);
        assertThat(Fp8E4M3.encode(Math.nextUp(464f), Saturation.NONE)).isEqualTo((byte) 0x7F);
        assertThat(Fp8E4M3.encode(-Math.nextUp(464f), Saturation.NONE)).isEqualTo((byte) 0xFF);
        assertThat(Fp8E4M3.encode(1e30f, Saturation.SATFINITE)).isEqualTo((byte) 0x7E);
        assertThat(Fp8E4M3.encode(Float.NEGATIVE_INFINITY, Saturation.SATFINITE)).isEqualTo((byte) 0xFE);
        assertThat(Fp8E4M3.encode(Float.NEGATIVE_INFINITY, Saturation.NONE)).isEqualTo((byte) 0xFF);

        assertThat(Fp8E5M2.encode(Math.nextDown(61440f), Saturation.NONE)).isEqualTo((byte) 0x7B);
        assertThat(Fp8E5M2.encode(61440f, Saturation.NONE)).isEqualTo((byte) 0x7C);
        assertThat(Fp8E5M2.encode(-61440f, Saturation.NONE)).isEqualTo((byte) 0xFC);
        assertThat(Fp8E5M2.encode(61440f, Saturation.SATFINITE)).isEqualTo((byte) 0x7B);
        assertThat(Fp8E5M2.encode(Float.POSITIVE_INFINITY, Saturation.NONE)).isEqualTo((byte) 0x7C);
        assertThat(Fp8E5M2.encode(Float.NEGATIVE_INFINITY, Saturation.SATFINITE)).isEqualTo((byte) 0xFB);

        assertThat(Fp16.encode(Math.nextDown(65520f))).isEqualTo((short) 0x7BFF);
        assertThat(Fp16.encode(65520f)).isEqualTo((short) 0x7C00);
        assertThat(Bf16.encode(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void signedZeroAndUnderflowKeepTheSign(TestFormat format) {
        float halfMinSubnormal = (float) (format.magnitudes[1] / 2);
        checkBothSigns(format, 0f, 0);
        checkBothSigns(format, Float.MIN_VALUE, 0);
        if (format != TestFormat.BF16) {
            // BF16 shares FP32's exponent range, so FP32's smallest normal is representable there.
            checkBothSigns(format, Float.MIN_NORMAL, 0);
        }
        checkBothSigns(format, halfMinSubnormal, 0);
        checkBothSigns(format, Math.nextUp(halfMinSubnormal), 1);
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void everyNanInputGivesTheCanonicalNanCode(TestFormat format) {
        int[] nanBits = {0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x7FA0_0000,
            0xFFE0_0000, 0x7F90_0000};
        for (int bits : nanBits) {
            assertThat(format.encode(Float.intBitsToFloat(bits)))
                    .as("%s NaN 0x%08x", format, bits).isEqualTo(format.nanCode);
        }
    }

    @Test
    void fp8NanCodeIsPositiveAsInTheHeaderFloatPath() {
        // cuda_fp8.hpp's float conversion canonicalizes NaN to 0x7FFFFFFF first, so sign and payload are lost.
        float negativeNan = Float.intBitsToFloat(0xFFA0_0000);
        assertThat(Fp8E4M3.encode(negativeNan, Saturation.NONE)).isEqualTo((byte) 0x7F);
        assertThat(Fp8E5M2.encode(negativeNan, Saturation.NONE)).isEqualTo((byte) 0x7F);
        assertThat(Fp4E2M1.encode(negativeNan)).isEqualTo(0x7);
    }

    private static void checkBothSigns(TestFormat format, float magnitude, int expectedMagnitude) {
        assertThat(format.encode(magnitude)).as("%s encode(%s)", format, magnitude).isEqualTo(expectedMagnitude);
        if (format.signed) {
            assertThat(format.encode(-magnitude)).as("%s encode(%s)", format, -magnitude)
                    .isEqualTo(format.signBit() | expectedMagnitude);
        }
    }
}
