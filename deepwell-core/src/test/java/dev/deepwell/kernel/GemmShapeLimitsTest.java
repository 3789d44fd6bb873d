package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GemmShapeLimitsTest {

  @Test
  void noneRefusesNothing() {
    assertThat(GemmShapeLimits.NONE.refusal(1, 1)).isNull();
    assertThat(GemmShapeLimits.NONE.refusal(Long.MAX_VALUE, 7)).isNull();
  }

  @Test
  void kMultipleRefusesWithItsReasonAndTheValue() {
    GemmShapeLimits tma = GemmShapeLimits.kMultipleOf(32, "16-byte rows for TMA");
    assertThat(tma.refusal(4096, 4096)).isNull();
    assertThat(tma.refusal(1, 32)).isNull();
    assertThat(tma.refusal(4096, 48)).isEqualTo("needs K a multiple of 32 (16-byte rows for TMA), got K=48");
    assertThat(GemmShapeLimits.kMultipleOf(256, "").refusal(1, 100)).isEqualTo("needs K a multiple of 256, got K=100");
  }

  @Test
  void maxMRefusesLargerMAfterTheKRule() {
    GemmShapeLimits gemv = GemmShapeLimits.kMultipleOf(32, "").withMaxM(16, "is a decode GEMV");
    assertThat(gemv.refusal(16, 4096)).isNull();
    assertThat(gemv.refusal(17, 4096)).isEqualTo("is a decode GEMV: M=17 exceeds 16");
    // K is the more fundamental rule: a problem breaking both is refused for K.
    assertThat(gemv.refusal(17, 100)).isEqualTo("needs K a multiple of 32, got K=100");
  }

  @Test
  void badLimitsAreRefused() {
    assertThatThrownBy(() -> GemmShapeLimits.kMultipleOf(0, "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kMultiple must be >= 1, got 0");
    assertThatThrownBy(() -> GemmShapeLimits.NONE.withMaxM(0, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxM must be >= 1, got 0");
    assertThatThrownBy(() -> new GemmShapeLimits(1, null, 1, "")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void onlyGemmDescriptorsCarryLimits() {
    Set<TensorFormat> bf16 = Set.of(TensorFormat.BF16);
    assertThatThrownBy(() -> new KernelDescriptor("x.norm", KernelProvider.REFERENCE_GPU, OpKind.RMSNORM,
        ArchSupport.from(90), bf16, Set.of(), bf16, Set.of(), 1, 0, false, "",
        GemmShapeLimits.kMultipleOf(32, ""))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape limits are for GEMM ops");
    KernelDescriptor plain = new KernelDescriptor("x.gemm", KernelProvider.REFERENCE_GPU, OpKind.LINEAR,
        ArchSupport.from(90), bf16, bf16, bf16, Set.of(), 1, 0, false, "");
    assertThat(plain.shapeLimits()).isEqualTo(GemmShapeLimits.NONE);
  }

  @Test
  void theStandardCatalogueStatesTheGemvAndNvfp4WeightRules() {
    KernelDescriptor gemv = StandardKernels.all().stream()
        .filter(d -> d.id().equals("deepwell.gemv.nvfp4_weight")).findFirst().orElseThrow();
    assertThat(gemv.shapeLimits().kMultiple()).isEqualTo(GemmKernelSelector.GEMV_K_MULTIPLE);
    assertThat(gemv.shapeLimits().maxM()).isEqualTo(GemmKernelSelector.GEMV_MAX_M);
    KernelDescriptor hopper = StandardKernels.all().stream()
        .filter(d -> d.id().equals("cutlass.sm90.gemm.nvfp4_weight")).findFirst().orElseThrow();
    assertThat(hopper.shapeLimits().kMultiple()).isEqualTo(GemmKernelSelector.NVFP4_WEIGHT_K_MULTIPLE);
    assertThat(hopper.shapeLimits().maxM()).isEqualTo(Long.MAX_VALUE);
  }
}
