package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ElementFormatTest {

    @Test
    void metadata() {
        assertThat(ElementFormat.values()).extracting(ElementFormat::bits).containsExactly(16, 16, 8, 8, 4, 8, 8);
        assertThat(ElementFormat.values()).extracting(ElementFormat::signed)
                .containsExactly(true, true, true, true, true, false, false);
        assertThat(ElementFormat.values()).extracting(ElementFormat::maxFinite)
                .containsExactly(0x1.FEp127f, 65504f, 448f, 57344f, 6f, 0x1p127f, 448f);
        assertThat(Arrays.stream(ElementFormat.values()).map(ElementFormat::displayName).distinct().count())
                .isEqualTo(ElementFormat.values().length);
    }

    @ParameterizedTest
    @EnumSource(ElementFormat.class)
    void maxFiniteIsTheLargestFiniteDecodedValue(ElementFormat format) {
        float largest = Float.NEGATIVE_INFINITY;
        for (int code = 0; code < (1 << format.bits()); code++) {
            if (format == ElementFormat.UE4M3 && code > 0x7F) {
                break;
            }
            float v = format.decode(code);
            if (Float.isFinite(v)) {
                largest = Math.max(largest, v);
            }
        }
        assertThat(largest).isEqualTo(format.maxFinite());
    }

    @ParameterizedTest
    @EnumSource(ElementFormat.class)
    void genericEncodeAgreesWithTheFormatClassAndStaysInTheLowBits(ElementFormat format) {
        SplittableRandom random = new SplittableRandom(0xE1E0L + format.ordinal());
        for (int i = 0; i < 20_000; i++) {
            float x = Math.scalb(random.nextFloat(), random.nextInt(-30, 30));
            x = format.signed() && random.nextBoolean() ? -x : x;
            int code = format.encode(x);
            assertThat(code >>> format.bits()).as("%s code 0x%x", format, code).isZero();
            assertThat(code).isEqualTo(specificEncode(format, x));
            assertThat(format.decode(code)).isEqualTo(specificDecode(format, code));
        }
        assertThat(format.encode(Float.NaN) >>> format.bits()).isZero();
    }

    @Test
    void decodeIgnoresBitsAboveTheCode() {
        assertThat(ElementFormat.FP8_E4M3.decode(0x138)).isEqualTo(1f);
        assertThat(ElementFormat.FP4_E2M1.decode(0xF3)).isEqualTo(1.5f);
        assertThat(ElementFormat.BF16.decode(0xF_3F80)).isEqualTo(1f);
        assertThat(ElementFormat.E8M0.decode(-129)).as("only the low 8 bits count").isEqualTo(1f);
    }

    @Test
    void unsignedScaleFormatRejectsNegativesAndSignBits() {
        assertThatThrownBy(() -> ElementFormat.UE4M3.encode(-1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementFormat.UE4M3.decode(0xB8)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ElementFormat.E8M0.encode(-3f)).as("E8M0 ignores the sign, rounds down").isEqualTo(128);
    }

    private static int specificEncode(ElementFormat format, float x) {
        switch (format) {
            case BF16: return Bf16.encode(x) & 0xFFFF;
            case FP16: return Fp16.encode(x) & 0xFFFF;
            case FP8_E4M3: return Fp8E4M3.encode(x, Saturation.SATFINITE) & 0xFF;
            case FP8_E5M2: return Fp8E5M2.encode(x, Saturation.SATFINITE) & 0xFF;
            case FP4_E2M1: return Fp4E2M1.encode(x);
            case E8M0: return E8M0.encodeRoundDown(x);
            case UE4M3: return Ue4M3.encode(x);
            default: throw new AssertionError(format);
        }
    }

    private static float specificDecode(ElementFormat format, int code) {
        switch (format) {
            case BF16: return Bf16.decode((short) code);
            case FP16: return Fp16.decode((short) code);
            case FP8_E4M3: return Fp8E4M3.decode((byte) code);
            case FP8_E5M2: return Fp8E5M2.decode((byte) code);
            case FP4_E2M1: return Fp4E2M1.decode(code);
            case E8M0: return E8M0.decode(code);
            case UE4M3: return Ue4M3.decode(code);
            default: throw new AssertionError(format);
        }
    }
}
