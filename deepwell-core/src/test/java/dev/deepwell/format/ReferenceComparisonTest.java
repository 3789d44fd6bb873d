package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Random and strided FP32 inputs against the table-search reference encoder of {@link TestFormat}. */
class ReferenceComparisonTest {

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void randomValuesAroundTheFormatRangeMatchTheReference(TestFormat format) {
        SplittableRandom random = new SplittableRandom(0x5EED_0000L + format.ordinal());
        int minExponent = 1 - format.bias - format.manBits - 3;
        int maxExponent = (1 << format.expBits) - format.bias + 1;
        for (int i = 0; i < 200_000; i++) {
            float magnitude = Math.scalb(1f + random.nextFloat(), random.nextInt(minExponent, maxExponent + 1));
            float x = format.signed && random.nextBoolean() ? -magnitude : magnitude;
            check(format, x);
        }
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void randomBitPatternsMatchTheReference(TestFormat format) {
        SplittableRandom random = new SplittableRandom(0xB175_0000L + format.ordinal());
        for (int i = 0; i < 100_000; i++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (!format.signed) {
                x = Math.abs(x);
            }
            check(format, x);
        }
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void stridedSweepOfAllPositiveFloatsMatchesTheReference(TestFormat format) {
        // A prime stride visits every exponent and a spread of mantissa patterns, including float subnormals.
        for (long bits = 0; bits <= 0x7F80_0000L; bits += 4099) {
            check(format, Float.intBitsToFloat((int) bits));
        }
    }

    private static void check(TestFormat format, float x) {
        int expected = format.referenceEncode(x);
        int actual = format.encode(x);
        if (actual != expected) {
            assertThat(Integer.toHexString(actual))
                    .as("%s encode(%s) [bits 0x%08x]", format, x, Float.floatToRawIntBits(x))
                    .isEqualTo(Integer.toHexString(expected));
        }
    }
}
