package dev.deepwell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad arguments fail loudly and name themselves; FP4 packing round-trips. */
class ArgumentValidationTest {

    @Test
    void nullSaturationIsRejected() {
        assertThatThrownBy(() -> Fp8E4M3.encode(1f, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("saturation");
        assertThatThrownBy(() -> Fp8E5M2.encode(1f, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("saturation");
    }

    @Test
    void random24OutsideItsRangeIsRejected() {
        for (int bad : new int[] {-1, 1 << 24, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> Fp8E4M3.encodeStochastic(1f, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("random24");
            assertThatThrownBy(() -> Fp8E5M2.encodeStochastic(1f, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("random24");
            assertThatThrownBy(() -> Fp4E2M1.encodeStochastic(1f, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("random24");
        }
    }

    @Test
    void ue4m3RejectsNegativeInputsAndCodesWithTheTopBit() {
        for (float negative : new float[] {-1f, -Float.MIN_VALUE, Float.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> Ue4M3.encode(negative)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("x must be >= 0");
        }
        for (int bad : new int[] {0x80, 0xFF, -1, 0x100}) {
            assertThatThrownBy(() -> Ue4M3.decode(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("UE4M3 codes");
        }
    }

    @Test
    void fp4PackRoundTripsEveryPairLowNibbleFirst() {
        for (int low = 0; low < 16; low++) {
            for (int high = 0; high < 16; high++) {
                byte packed = Fp4E2M1.pack(low, high);
                assertThat(packed & 0xFF).isEqualTo(high * 16 + low);
                assertThat(Fp4E2M1.low(packed)).isEqualTo(low);
                assertThat(Fp4E2M1.high(packed)).isEqualTo(high);
            }
        }
    }

    @Test
    void fp4PackRejectsCodesOutsideFourBits() {
        assertThatThrownBy(() -> Fp4E2M1.pack(16, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lowCode=16");
        assertThatThrownBy(() -> Fp4E2M1.pack(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("highCode=-1");
    }
}
