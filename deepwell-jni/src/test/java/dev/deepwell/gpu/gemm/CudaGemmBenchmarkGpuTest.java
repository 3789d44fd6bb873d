package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchShape;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import dev.deepwell.kernel.bench.GemmBenchmarkProvider;
import dev.deepwell.kernel.bench.GemmPass;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The benchmark's mechanics on a real device (small shapes: it checks, it does not measure). */
@Tag("gpu")
class CudaGemmBenchmarkGpuTest {

  @Test
  void aSmallTableRunsEveryContenderAsAGraphAndChecksIt() {
    CudaGemmBenchmark bench = new CudaGemmBenchmark();
    Optional<String> why = bench.unavailableReason();
    why.ifPresent(w -> System.out.println("[deepwell] GEMM benchmark GPU test skipped: " + w));
    assumeTrue(why.isEmpty(), () -> "no usable GPU: " + why.orElse(""));
    GemmBenchSpec spec = GemmBenchSpec.builder()
        .shapes(List.of(GemmBenchShape.of(512, 256, 384)))
        .passes(List.of(GemmPass.FWD, GemmPass.WGRAD))
        .formats(List.of(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128, GemmInput.NVFP4))
        .rounds(3).warmup(1).replayMillis(1).build();
    List<String> started = new ArrayList<>();
    List<List<GemmBenchResult>> groups = new ArrayList<>();
    List<GemmBenchResult> all = bench.run(spec, new GemmBenchmarkProvider.Listener() {
      @Override
      public void started(String device) {
        started.add(device);
      }

      @Override
      public void measured(List<GemmBenchResult> group) {
        groups.add(group);
      }
    });
    assertThat(started).singleElement().asString().contains("GPU 0", "SMs", "L2");
    assertThat(groups).hasSize(2);
    assertThat(all).hasSize(8);
    assertThat(all).extracting(r -> r.benchCase()).containsExactlyElementsOf(spec.cases());
    for (GemmBenchResult r : all) {
      System.out.println("[deepwell] " + r.benchCase() + ": ours " + r.ours() + " / " + r.oursUnavailable()
          + "; cuBLASLt " + r.cublasLt() + " / " + r.cublasLtUnavailable() + "; notes " + r.notes());
      assertThat(r.ours()).as("%s: %s", r.benchCase(), r.oursUnavailable()).isNotNull();
      assertThat(r.ours().provider()).isNotIn(KernelProvider.CUBLASLT, KernelProvider.CPU);
      assertThat(r.ours().graph()).as("captured as a CUDA graph: %s", r.notes()).isTrue();
      assertThat(r.ours().rounds()).isEqualTo(3);
      assertThat(r.ours().operandSets()).as("small copies rotate up to the cap").isGreaterThan(2);
      assertThat(r.notes()).noneMatch(n -> n.startsWith("CHECK FAILED"));
      assertThat(r.oursTflops()).isPositive().isFinite();
      GemmInput in = r.benchCase().input();
      if (in == GemmInput.NVFP4) {
        // No cuBLASLt kernel for this format in the library: the reason, not a time.
        assertThat(r.cublasLt()).isNull();
        assertThat(r.cublasLtUnavailable()).isNotBlank();
      } else if (r.cublasLt() != null) {
        // (FP8 block: cuBLASLt 12.9+ block scaling where its heuristic offers it, e.g. on sm_90.)
        assertThat(r.cublasLt().provider()).isEqualTo(KernelProvider.CUBLASLT);
        assertThat(r.ratioToCublasLt()).isPositive();
      }
    }
  }
}
