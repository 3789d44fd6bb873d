package dev.deepwell.bench.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.format.Bf16;
import org.junit.jupiter.api.Test;

/** The GFLOP/s figures in docs/PERFORMANCE.md rest on these; not a timing test. */
class CpuGemmBenchmarkTest {

  @Test
  void flopsAreTwiceTheMultiplyAdds() {
    assertThat(CpuGemmBenchmark.flopsPerOperation("512x768x768")).isEqualTo(2.0 * 512 * 768 * 768);
    assertThat(CpuGemmBenchmark.parse("64x2048x768")).containsExactly(64, 2048, 768);
  }

  @Test
  void oneCallComputesTheProductOfTheSeededInputs() {
    CpuGemmBenchmark b = new CpuGemmBenchmark();
    b.shape = "3x5x7";
    b.major = "MN_MAJOR";
    b.setUp();
    float[] d = b.gemm();
    assertThat(d).hasSize(15);
    // A is stored [K, M] and B [K, N] here: D[0][0] = sum_q A[q][0] B[q][0], rounded to BF16.
    float[] a = CpuGemmBenchmark.input(21, 1);
    float[] bb = CpuGemmBenchmark.input(35, 2);
    double dot = 0;
    for (int q = 0; q < 7; q++) {
      dot += (double) a[q * 3] * bb[q * 5];
    }
    assertThat(d[0]).isEqualTo(Bf16.decode(Bf16.encode((float) dot)));
    assertThat(CpuGemmBenchmark.input(4, 1)).isEqualTo(CpuGemmBenchmark.input(4, 1));
  }
}
