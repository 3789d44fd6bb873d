package dev.deepwell.bench.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.kernel.GemmInput;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark's case list (no GPU needed; the measurements themselves are never a unit test). */
class GemmBenchmarkTest {

  @Test
  void casesAreTheCubesAndEachTokenShapeWithItsTransposes() {
    List<GemmBenchmark.Case> cases = GemmBenchmark.cases(List.of(GemmInput.BF16), Set.of("fwd", "dgrad", "wgrad"));
    assertThat(cases).hasSize(2 + 3 * 5);
    assertThat(cases.get(0)).isEqualTo(new GemmBenchmark.Case("4096^3", "fwd", 4096, 4096, 4096, GemmInput.BF16));
    assertThat(cases.get(1).m()).isEqualTo(8192);
    // 16384 x 2304 x 768: dgrad (M, K, N), wgrad (N, K, M)
    assertThat(cases.subList(2, 5)).containsExactly(
        new GemmBenchmark.Case("16384x2304x768", "fwd", 16384, 2304, 768, GemmInput.BF16),
        new GemmBenchmark.Case("16384x2304x768", "dgrad", 16384, 768, 2304, GemmInput.BF16),
        new GemmBenchmark.Case("16384x2304x768", "wgrad", 2304, 768, 16384, GemmInput.BF16));
    assertThat(cases).extracting(GemmBenchmark.Case::shape).contains("16384x32768x768", "16384x768x2048");
    assertThat(cases.get(cases.size() - 1).problem().flops()).isEqualTo(2.0 * 32768 * 768 * 16384);
    assertThat(GemmBenchmark.cases(List.of(GemmInput.BF16, GemmInput.FP8_TENSOR), Set.of("fwd"))).hasSize(2 * 7);
  }

  @Test
  void formatsByName() {
    assertThat(GemmBenchmark.format("fp8-block128")).isEqualTo(GemmInput.FP8_BLOCK128);
    assertThatThrownBy(() -> GemmBenchmark.format("fp16")).hasMessageContaining("unknown format 'fp16'");
  }
}
