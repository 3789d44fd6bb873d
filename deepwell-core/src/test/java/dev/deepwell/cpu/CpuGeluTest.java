package dev.deepwell.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepwell.kernel.GemmActivation;
import org.junit.jupiter.api.Test;

/**
 * The CPU executor's GELU (standalone op and GEMM epilogue) is the C ABI's exact erf form, not
 * GPT-2's tanh approximation, so CPU and GPU results of a graph agree fused or not.
 */
class CpuGeluTest {

  @Test
  void itIsTheExactErfForm() {
    // 0.5 x (1 + erf(x / sqrt 2)) = x Phi(x); Phi from the normal table (A&S 26.2): Phi(1) =
    // 0.8413447460685429, Phi(2) = 0.9772498680518208, Phi(0.5) = 0.6914624612740131.
    assertThat(CpuExecutor.gelu(1f)).isEqualTo((float) 0.8413447460685429);
    assertThat(CpuExecutor.gelu(-1f)).isEqualTo((float) -(1 - 0.8413447460685429));
    assertThat(CpuExecutor.gelu(2f)).isEqualTo((float) (2 * 0.9772498680518208));
    assertThat(CpuExecutor.gelu(0.5f)).isEqualTo((float) (0.5 * 0.6914624612740131));
    assertThat(CpuExecutor.gelu(0f)).isZero();
    // The far tails: x for large x, -0 (not a cancellation error) for very negative x.
    assertThat(CpuExecutor.gelu(30f)).isEqualTo(30f);
    assertThat(CpuExecutor.gelu(-30f)).isCloseTo(0f, within(1e-30f));
    assertThat(CpuExecutor.gelu(Float.NaN)).isNaN();
  }

  @Test
  void itIsNotTheTanhApproximation() {
    float x = 2.7f; // where the two differ most, by 4.7e-4
    double tanhForm = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    assertThat(Math.abs(CpuExecutor.gelu(x) - tanhForm)).isGreaterThan(4e-4);
  }

  @Test
  void itMatchesTheGemmEpiloguesDefinitionAndTheIndependentReference() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      float x = (float) r.nextDouble(-8, 8);
      assertThat(CpuExecutor.gelu(x)).isEqualTo((float) GemmActivation.GELU.apply(x));
      double reference = 0.5 * x * (1 + ReferenceTransformer.erf(x / Math.sqrt(2)));
      assertThat((double) CpuExecutor.gelu(x)).isCloseTo(reference, within(1e-6 * Math.max(1, Math.abs(x))));
    }
  }
}
