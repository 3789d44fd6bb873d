package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.ElementFormat;
import org.junit.jupiter.api.Test;

class QuantFormatAndOptionsTest {

  @Test
  void cliNamesRoundTripAndPropertiesMatchTheContract() {
    for (QuantFormat f : QuantFormat.values()) {
      assertThat(QuantFormat.fromCliName(f.cliName())).isSameAs(f);
    }
    assertThat(QuantFormat.MXFP8_E4M3.cliName()).isEqualTo("mxfp8-e4m3");
    assertThat(QuantFormat.NVFP4_2D.cliName()).isEqualTo("nvfp4-2d");
    assertThat(QuantFormat.FP8_BLOCK.cliName()).isEqualTo("fp8-block");
    int[] blocks = {32, 32, 32, 16, 16, 0, 128};
    for (QuantFormat f : QuantFormat.values()) {
      assertThat(f.blockSize()).as("%s", f).isEqualTo(blocks[f.ordinal()]);
    }
    assertThat(QuantFormat.MXFP8_E5M2.elementFormat()).isEqualTo(ElementFormat.FP8_E5M2);
    assertThat(QuantFormat.MXFP4.elementFormat()).isEqualTo(ElementFormat.FP4_E2M1);
    assertThat(QuantFormat.MXFP4.scaleFormat()).isEqualTo(ElementFormat.E8M0);
    assertThat(QuantFormat.NVFP4.scaleFormat()).isEqualTo(ElementFormat.UE4M3);
    assertThat(QuantFormat.FP8_TENSOR.scaleFormat()).isNull();
    assertThat(QuantFormat.FP8_BLOCK.scaleFormat()).isNull();
    assertThat(QuantFormat.FP8_BLOCK.elementFormat()).isEqualTo(ElementFormat.FP8_E4M3);
  }

  @Test
  void unknownCliNameListsTheValidOnes() {
    assertThatThrownBy(() -> QuantFormat.fromCliName("fp3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fp3'")
        .hasMessageContaining("mxfp8-e4m3, mxfp8-e5m2, mxfp4, nvfp4, nvfp4-2d, fp8-tensor, "
            + "fp8-block");
    assertThatThrownBy(() -> QuantFormat.fromCliName(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
  }

  @Test
  void optionsDefaultsBuilderAndEquality() {
    QuantOptions d = QuantOptions.defaults();
    assertThat(d.axis()).isEqualTo(Axis.ROW);
    assertThat(d.scaleRule()).isEqualTo(ScaleRule.CEIL);
    assertThat(d.scaleLayout()).isEqualTo(ScaleLayout.ROW_MAJOR);
    assertThat(d.stochasticRounding()).isFalse();
    assertThat(d.seed()).isZero();
    assertThat(d.hadamard16()).isFalse();
    assertThat(d.fp8BlockShape()).isEqualTo(Fp8BlockShape.ACT_1X128);

    QuantOptions o = QuantOptions.builder().axis(Axis.COL).scaleRule(ScaleRule.OCP)
        .scaleLayout(ScaleLayout.SWIZZLED_128X4).stochasticRounding(true).seed(-9)
        .hadamard16(true).fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o).isNotEqualTo(d);
    assertThat(o.toBuilder().seed(-8).build()).isNotEqualTo(o);
    assertThat(o.toString()).contains("axis=COL", "seed=-9", "WEIGHT_128X128");
  }

  @Test
  void builderRejectsNulls() {
    QuantOptions.Builder b = QuantOptions.builder();
    assertThatThrownBy(() -> b.axis(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("axis");
    assertThatThrownBy(() -> b.scaleRule(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("scaleRule");
    assertThatThrownBy(() -> b.scaleLayout(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("scaleLayout");
    assertThatThrownBy(() -> b.fp8BlockShape(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("fp8BlockShape");
  }
}
