package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every code of every 4-, 8- and 16-bit format: decode against the field formula, then re-encode. */
class ExhaustiveCodesTest {

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void everyCodeDecodesToTheValueOfItsBitFields(TestFormat format) {
        for (int code = 0; code < format.codeCount(); code++) {
            double expected = format.referenceValue(code);
            float actual = format.decode(code);
            if (Double.isNaN(expected)) {
                assertThat(actual).as("%s code 0x%x", format, code).isNaN();
            } else {
                assertThat(Double.doubleToRawLongBits(actual))
                        .as("%s code 0x%x decodes to %s, expected %s", format, code, actual, expected)
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void everyCodeReencodesToItselfNanToTheCanonicalNan(TestFormat format) {
        int nanCount = 0;
        for (int code = 0; code < format.codeCount(); code++) {
            float value = format.decode(code);
            int expected;
            if (Float.isNaN(value)) {
                expected = format.nanCode;
                nanCount++;
            } else if (Float.isInfinite(value) && format.saturating) {
                expected = (code & format.signBit()) | format.maxMagnitude;
            } else {
                expected = code;
            }
            assertThat(format.encode(value)).as("%s code 0x%x (value %s)", format, code, value)
                    .isEqualTo(expected);
        }
        assertThat(nanCount).as("NaN codes of %s", format).isEqualTo(expectedNanCodes(format));
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void finiteValuesAreStrictlyIncreasingInTheMagnitudeCode(TestFormat format) {
        for (int m = 1; m <= format.maxMagnitude; m++) {
            assertThat(format.decode(m)).as("%s magnitude 0x%x", format, m).isGreaterThan(format.decode(m - 1));
        }
    }

    @ParameterizedTest
    @EnumSource(TestFormat.class)
    void maxMagnitudeCodeDecodesToTheDocumentedMaximum(TestFormat format) {
        float expected;
        switch (format) {
            case E4M3_SATFINITE: case E4M3_NOSAT: case UE4M3: expected = 448f; break;
            case E5M2_SATFINITE: case E5M2_NOSAT: expected = 57344f; break;
            case E2M1: expected = 6f; break;
            case FP16: expected = 65504f; break;
            case BF16: expected = 0x1.FEp127f; break;
            default: throw new AssertionError(format);
        }
        assertThat(format.decode(format.maxMagnitude)).isEqualTo(expected);
    }

    private static int expectedNanCodes(TestFormat format) {
        int perSign;
        switch (format.specials) {
            case FN: perSign = 1; break;
            case IEEE: perSign = (1 << format.manBits) - 1; break;
            default: perSign = 0;
        }
        return format.signed ? 2 * perSign : perSign;
    }
}
