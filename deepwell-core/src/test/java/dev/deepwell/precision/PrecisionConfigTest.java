package dev.deepwell.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.quant.ScaleRule;
import org.junit.jupiter.api.Test;

class PrecisionConfigTest {

  @Test
  void defaultsAreConservative() {
    PrecisionConfig c = PrecisionConfig.builder().build();
    assertThat(c.defaultCompute()).isEqualTo(Precision.BF16);
    assertThat(c.sensitive()).isEmpty();
    assertThat(c.overrides()).isEmpty();
    assertThat(c.enableAutoFallback()).isFalse();
    assertThat(c.unsupportedPrecision()).isEqualTo(UnsupportedPrecisionMode.ERROR);
    assertThat(c.scaleRule()).isEqualTo(ScaleRule.CEIL);
    assertThat(c.nvfp4TwoDimensionalWeights()).isTrue();
  }

  @Test
  void toBuilderRoundTripsEveryField() {
    PrecisionConfig c = PrecisionConfig.builder().defaultCompute(Precision.NVFP4)
        .sensitive("embedding", "lm_head").override("layers.0", Precision.MXFP8)
        .enableAutoFallback(true).fallbackThreshold(0.05).scaleRule(ScaleRule.OCP)
        .nvfp4TwoDimensionalWeights(false).hadamard(true).stochasticRounding(true)
        .unsupportedPrecision(UnsupportedPrecisionMode.MAP_TO_NATIVE).minGemmSpeedup(1.5).build();
    PrecisionConfig copy = c.toBuilder().build();
    assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c);
    assertThat(copy.toBuilder().sensitive("x").build()).isNotEqualTo(c);
    assertThat(c.overrides()).containsEntry("layers.0", Precision.MXFP8);
  }

  @Test
  void badValuesNameTheField() {
    assertThatThrownBy(() -> PrecisionConfig.builder().fallbackThreshold(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fallbackThreshold");
    assertThatThrownBy(() -> PrecisionConfig.builder().fallbackThreshold(Double.NaN))
        .hasMessageContaining("fallbackThreshold");
    assertThatThrownBy(() -> PrecisionConfig.builder().minGemmSpeedup(-1))
        .hasMessageContaining("minGemmSpeedup");
    assertThatThrownBy(() -> PrecisionConfig.builder().sensitive("  "))
        .hasMessageContaining("sensitive pattern");
    assertThatThrownBy(() -> PrecisionConfig.builder().sensitive((String) null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("sensitive pattern");
    assertThatThrownBy(() -> PrecisionConfig.builder().override("x", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("'x'");
    assertThatThrownBy(() -> PrecisionConfig.builder().defaultCompute(null))
        .hasMessageContaining("defaultCompute");
  }

  @Test
  void precisionParsesCliAndEnumNames() {
    assertThat(Precision.parse("mxfp8")).isEqualTo(Precision.MXFP8);
    assertThat(Precision.parse("FP8_BLOCK")).isEqualTo(Precision.FP8_BLOCK);
    assertThat(Precision.parse(" NvFp4 ")).isEqualTo(Precision.NVFP4);
    assertThatThrownBy(() -> Precision.parse("fp6"))
        .hasMessageContaining("unknown precision 'fp6'").hasMessageContaining("mxfp8, nvfp4");
  }

  @Test
  void precisionPropertiesMatchTheFormats() {
    assertThat(Precision.MXFP8.blockSize()).isEqualTo(32);
    assertThat(Precision.NVFP4.blockSize()).isEqualTo(16);
    assertThat(Precision.NVFP4.alignment()).isEqualTo(32);
    assertThat(Precision.FP8_BLOCK.alignment()).isEqualTo(128);
    assertThat(Precision.BF16.isLowPrecision()).isFalse();
    assertThat(Precision.FP8.isLowPrecision()).isTrue();
    assertThat(Precision.NVFP4.elementBits()).isEqualTo(4);
  }
}
