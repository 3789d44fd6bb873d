package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GemmProblemTest {

  @Test
  void defaultsAndDerivedValues() {
    GemmProblem p = GemmProblem.builder(16384, 2304, 768, GemmInput.FP8_TENSOR).build();
    assertThat(p.output()).isEqualTo(GemmOutput.BF16);
    assertThat(p.activation()).isEqualTo(GemmActivation.NONE);
    assertThat(p.alpha()).isEqualTo(1f);
    assertThat(p.outScale()).isEqualTo(1f);
    assertThat(p.hasBias()).isFalse();
    assertThat(p.hasResidual()).isFalse();
    assertThat(p.isKMajor()).isTrue();
    assertThat(p.isEmpty()).isFalse();
    assertThat(p.flops()).isEqualTo(2.0 * 16384 * 2304 * 768);
    assertThat(p.toString()).isEqualTo("GEMM fp8-tensor M=16384 N=2304 K=768 -> bf16");
  }

  @Test
  void zeroDimensionsAreAllowedNegativeOnesAreNot() {
    assertThat(GemmProblem.builder(0, 5, 5, GemmInput.BF16).build().isEmpty()).isTrue();
    assertThat(GemmProblem.builder(5, 5, 0, GemmInput.BF16).build().isEmpty()).isFalse();
    assertThatThrownBy(() -> GemmProblem.builder(-1, 5, 5, GemmInput.BF16))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("m must be >= 0, got -1");
    assertThatThrownBy(() -> GemmProblem.builder(1, -5, 5, GemmInput.BF16)).hasMessage("n must be >= 0, got -5");
    assertThatThrownBy(() -> GemmProblem.builder(1, 5, -2, GemmInput.BF16)).hasMessage("k must be >= 0, got -2");
    assertThatThrownBy(() -> GemmProblem.builder(1, 5, 5, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("input");
  }

  @Test
  void scalesMustBeFiniteAndScaledFormatsKMajor() {
    GemmProblem.Builder b = GemmProblem.builder(8, 8, 8, GemmInput.MXFP8);
    assertThatThrownBy(() -> b.alpha(Float.NaN)).hasMessage("alpha must be finite, got NaN");
    assertThatThrownBy(() -> b.outScale(Float.POSITIVE_INFINITY)).hasMessage("outScale must be finite, got Infinity");
    assertThatThrownBy(() -> b.layout(OperandMajor.MN_MAJOR, OperandMajor.K_MAJOR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mxfp8 operands are blocked along K and stored K-major only");
    assertThatThrownBy(() -> b.activation(null)).isInstanceOf(NullPointerException.class);
    GemmProblem nn = GemmProblem.builder(8, 8, 8, GemmInput.BF16).layout(OperandMajor.MN_MAJOR, OperandMajor.MN_MAJOR)
        .build();
    assertThat(nn.isKMajor()).isFalse();
  }

  @Test
  void equalityCoversEveryField() {
    GemmProblem p = GemmProblem.builder(8, 16, 32, GemmInput.BF16).activation(GemmActivation.GELU).bias(true)
        .residual(true).alpha(0.5f).outScale(2f).output(GemmOutput.FP32).build();
    assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(p.toBuilder().alpha(0.25f).build()).isNotEqualTo(p);
    assertThat(p.toBuilder().bias(false).build()).isNotEqualTo(p);
    assertThat(p.toBuilder().activation(GemmActivation.SILU).build()).isNotEqualTo(p);
    assertThat(p.toString()).isEqualTo("GEMM bf16 M=8 N=16 K=32 -> fp32 +gelu +bias +residual alpha=0.5 outScale=2.0");
  }

  @Test
  void activationsInDoublePrecision() {
    // Reference values: erf from Abramowitz & Stegun table 7.1; Phi(x) = (1 + erf(x / sqrt 2)) / 2.
    assertThat(GemmActivation.erf(0.5)).isCloseTo(0.5204998778130465, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(GemmActivation.erf(1)).isCloseTo(0.8427007929497149, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(GemmActivation.erf(2)).isCloseTo(0.9953222650189527, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(GemmActivation.erf(-1.5)).isCloseTo(-0.9661051464753108, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(GemmActivation.erfc(3) / 2.209049699858544e-05).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-13));
    assertThat(GemmActivation.erfc(5) / 1.5374597944280349e-12).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-13));
    // GELU(x) = x Phi(x): Phi(1) = 0.8413447460685429, Phi(-3) = 0.0013498980316300946.
    assertThat(GemmActivation.GELU.apply(1)).isCloseTo(0.8413447460685429, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(GemmActivation.GELU.apply(-3)).isCloseTo(-3 * 0.0013498980316300946,
        org.assertj.core.data.Offset.offset(1e-17));
    assertThat(GemmActivation.GELU.apply(0)).isZero();
    assertThat(GemmActivation.SILU.apply(2)).isCloseTo(2 / (1 + Math.exp(-2)), org.assertj.core.data.Offset.offset(0.0));
    assertThat(GemmActivation.NONE.apply(-7.25)).isEqualTo(-7.25);
    assertThat(GemmActivation.GELU.apply(Double.NaN)).isNaN();
    assertThat(GemmActivation.SILU.apply(Double.NaN)).isNaN();
    // The slopes bound what an error in Y does to D.
    for (GemmActivation a : GemmActivation.values()) {
      double maxSlope = 0;
      for (double x = -8; x <= 8; x += 1e-3) {
        maxSlope = Math.max(maxSlope, Math.abs(a.apply(x + 1e-6) - a.apply(x - 1e-6)) / 2e-6);
      }
      assertThat(maxSlope).as(a.name()).isLessThanOrEqualTo(a.maxSlope() + 1e-6).isGreaterThan(a.maxSlope() - 0.01);
    }
  }
}
