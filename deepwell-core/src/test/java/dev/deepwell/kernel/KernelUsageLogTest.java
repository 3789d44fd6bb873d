package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelUsageLogTest {

  @Test
  void sharesOfOpsAndTimePerBackend() {
    KernelUsageLog log = new KernelUsageLog();
    log.record(KernelProvider.CUTLASS, "cutlass_a", 0.003, List.of());
    log.record(KernelProvider.CUTLASS, "cutlass_b", 0.001, List.of());
    log.record(KernelProvider.CUTLASS, "cutlass_a", 0.002, List.of());
    log.record(KernelProvider.REFERENCE_GPU, "reference_bf16", 0.004,
        List.of("cutlass: N=7 must be a multiple of 8", "cublaslt: no GELU epilogue"));
    KernelSummary s = log.summary();
    assertThat(s.totalOps()).isEqualTo(4);
    assertThat(s.timedOps()).isEqualTo(4);
    assertThat(s.totalSeconds()).isCloseTo(0.010, offset(1e-15));
    KernelSummary.ProviderShare c = s.share(KernelProvider.CUTLASS);
    assertThat(c.ops()).isEqualTo(3);
    assertThat(c.opShare()).isCloseTo(0.75, offset(1e-15));
    assertThat(c.timeShare()).isCloseTo(0.6, offset(1e-12));
    assertThat(s.share(KernelProvider.REFERENCE_GPU).timeShare()).isCloseTo(0.4, offset(1e-12));
    assertThat(s.share(KernelProvider.CPU).ops()).isZero();
    assertThat(s.share(KernelProvider.CPU).timeShare()).isZero();
    assertThat(s.providers()).extracting(KernelSummary.ProviderShare::provider)
        .containsExactly(KernelProvider.CUTLASS, KernelProvider.REFERENCE_GPU);
    assertThat(s.kernels()).extracting(KernelSummary.KernelShare::kernel)
        .containsExactly("cutlass_a", "cutlass_b", "reference_bf16");
    assertThat(s.fallbacks()).containsEntry("cutlass: N=7 must be a multiple of 8", 1L).hasSize(2);
    assertThat(s.toTable()).contains("cutlass").contains("75.0%").contains("60.0%")
        .contains("passed over 1x: cublaslt: no GELU epilogue");
  }

  @Test
  void untimedOpsCountUntilTheirTimeArrives() {
    KernelUsageLog log = new KernelUsageLog();
    log.record(KernelProvider.CUBLASLT, "cublaslt_bf16", Double.NaN, List.of());
    log.record(KernelProvider.CPU, "cpu_bf16", 0.5, List.of());
    KernelSummary before = log.summary();
    assertThat(before.timedOps()).isEqualTo(1);
    assertThat(before.share(KernelProvider.CUBLASLT).opShare()).isEqualTo(0.5);
    assertThat(before.share(KernelProvider.CPU).timeShare()).isEqualTo(1.0);
    log.addTime("cublaslt_bf16", 0.5);
    KernelSummary after = log.summary();
    assertThat(after.timedOps()).isEqualTo(2);
    assertThat(after.share(KernelProvider.CUBLASLT).timeShare()).isEqualTo(0.5);
    assertThatThrownBy(() -> log.addTime("cublaslt_bf16", 0.1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no untimed op left");
    assertThatThrownBy(() -> log.addTime("unknown", 0.1)).hasMessageContaining("no recorded op");
    log.clear();
    assertThat(log.summary().totalOps()).isZero();
    assertThat(log.summary().providers()).isEmpty();
  }

  @Test
  void nothingTimedGivesNoTimeShare() {
    KernelUsageLog log = new KernelUsageLog();
    log.record(KernelProvider.CUTLASS, "k", Double.NaN, List.of());
    assertThat(log.summary().share(KernelProvider.CUTLASS).timeShare()).isNaN();
    assertThat(log.summary().toTable()).contains("(0 of 1 ops timed)");
  }

  @Test
  void badRecordsAreRefused() {
    KernelUsageLog log = new KernelUsageLog();
    assertThatThrownBy(() -> log.record(KernelProvider.CPU, "k", -1, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seconds must be >= 0");
    log.record(KernelProvider.CPU, "k", 0, List.of());
    assertThatThrownBy(() -> log.record(KernelProvider.CUTLASS, "k", 0, List.of()))
        .hasMessageContaining("was recorded under cpu, now under cutlass");
    assertThatThrownBy(() -> log.record(null, "k", 0, List.of())).isInstanceOf(NullPointerException.class);
  }
}
