package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stochastic-rounding rule: round |x| up iff (float) random24 < frac * 2^24. The number of random24 values
 * that round up is therefore exactly ceil(frac * 2^24), which is checked at its boundary against an exact
 * BigDecimal fraction.
 */
class StochasticRoundingTest {

    private static final int RANDOM_LIMIT = 1 << 24;

    static TestFormat[] formats() {
        return TestFormat.withStochastic();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void roundUpCountIsExactlyCeilOfTheScaledFraction(TestFormat format) {
        SplittableRandom random = new SplittableRandom(0x5700L + format.ordinal());
        double max = format.magnitudes[format.maxMagnitude];
        int minExponent = 1 - format.bias - format.manBits - 4;
        int maxExponent = Math.getExponent(max);
        for (int i = 0; i < 50_000; i++) {
            float magnitude = Math.scalb(1f + random.nextFloat(), random.nextInt(minExponent, maxExponent + 1));
            if (magnitude >= max) {
                continue;
            }
            float x = random.nextBoolean() ? -magnitude : magnitude;
            int sign = x < 0 ? format.signBit() : 0;
            int lo = format.floorMagnitude(magnitude);
            double loValue = format.magnitudes[lo];
            if (loValue == magnitude) {
                continue; // grid points are covered separately
            }
            BigDecimal scaled = TestFormat.scaledFraction(magnitude, loValue, format.magnitudes[lo + 1]);
            int upCount = scaled.setScale(0, RoundingMode.CEILING).intValueExact();
            assertThat(upCount).isBetween(1, RANDOM_LIMIT - 1);
            assertThat(format.encodeStochastic(x, upCount - 1)).as("%s x=%s r=%d", format, x, upCount - 1)
                    .isEqualTo(sign | (lo + 1));
            assertThat(format.encodeStochastic(x, upCount)).as("%s x=%s r=%d", format, x, upCount)
                    .isEqualTo(sign | lo);
            assertThat(format.encodeStochastic(x, 0)).as("random24 = 0 rounds away from zero").isEqualTo(sign | (lo + 1));
            assertThat(format.encodeStochastic(x, RANDOM_LIMIT - 1)).as("random24 = 2^24-1 rounds toward zero")
                    .isEqualTo(sign | lo);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void exactGridPointsNeverMove(TestFormat format) {
        int[] randoms = {0, 1, 1 << 23, RANDOM_LIMIT - 1, 12345, 0xABCDEF};
        for (int m = 0; m <= format.maxMagnitude; m++) {
            float value = (float) format.magnitudes[m];
            for (int r : randoms) {
                assertThat(format.encodeStochastic(value, r)).as("%s %s r=%d", format, value, r).isEqualTo(m);
                assertThat(format.encodeStochastic(-value, r)).isEqualTo(format.signBit() | m);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void saturationNanAndInfinityFollowTheNearestEncoder(TestFormat format) {
        double max = format.magnitudes[format.maxMagnitude];
        float[] beyond = {Math.nextUp((float) max), (float) (max * 1.1), Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (int r : new int[] {0, RANDOM_LIMIT - 1, 777}) {
            for (float x : beyond) {
                assertThat(format.encodeStochastic(x, r)).as("%s %s", format, x).isEqualTo(format.maxMagnitude);
                assertThat(format.encodeStochastic(-x, r)).isEqualTo(format.signBit() | format.maxMagnitude);
            }
            assertThat(format.encodeStochastic(Float.NaN, r)).isEqualTo(format.nanCode);
            assertThat(format.encodeStochastic(Float.intBitsToFloat(0xFFC0_0001), r)).isEqualTo(format.nanCode);
            assertThat(format.encodeStochastic(-0f, r)).isEqualTo(format.signBit());
            // Smaller than 2^-24 of the smallest subnormal: no random24 can exceed the scaled fraction except 0.
            float tiny = Float.MIN_VALUE;
            assertThat(format.encodeStochastic(tiny, r)).isEqualTo(r == 0 ? 1 : 0);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void empiricalMeanIsUnbiased(TestFormat format) {
        double max = format.magnitudes[format.maxMagnitude];
        double minSubnormal = format.magnitudes[1];
        float[] inputs = {(float) (minSubnormal * 0.3), (float) (minSubnormal * 1.7), 1.1f, -1.3f, 2.9f,
            (float) (max * 0.93), -(float) (max * 0.77), 0.3f};
        SplittableRandom random = new SplittableRandom(0x3EA4L + format.ordinal());
        int draws = 100_000;
        for (float x : inputs) {
            double a = Math.abs((double) x);
            int lo = format.floorMagnitude(a);
            double ulp = format.magnitudes[lo + 1] - format.magnitudes[lo];
            double p = (a - format.magnitudes[lo]) / ulp;
            double sum = 0;
            for (int i = 0; i < draws; i++) {
                sum += format.decode(format.encodeStochastic(x, random.nextInt(RANDOM_LIMIT)));
            }
            double mean = sum / draws;
            // 5 standard errors of a Bernoulli(p) mean in units of ulp, plus the 2^-24 quantization of p.
            double bound = 5 * ulp * Math.sqrt(p * (1 - p) / draws) + ulp * 0x1p-24;
            assertThat(mean).as("%s mean of SR(%s)", format, x).isCloseTo(x, org.assertj.core.data.Offset.offset(bound));
        }
    }
}
