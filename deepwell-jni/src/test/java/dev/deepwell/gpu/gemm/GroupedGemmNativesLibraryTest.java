package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.kernel.GemmInput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grouped GEMM entry points that need the native library but no GPU: the plan size and the
 * variant counts of this build. Skips (visibly) without the library.
 */
class GroupedGemmNativesLibraryTest {

  @BeforeAll
  static void requireLibrary() {
    NativeLoadResult status = NativeLibrary.status();
    boolean loaded = status.state().libraryLoaded();
    if (!loaded) {
      System.out.println("[deepwell] grouped GEMM native-library tests skipped: " + status.summary());
    }
    assumeTrue(loaded, () -> "native library not loaded: " + status.summary());
    boolean current = true;
    try {
      GroupedGemmNatives.planInfoSize();
    } catch (UnsatisfiedLinkError stale) {
      // build-native.sh checks that every native method is defined, so only an old build lacks these
      current = false;
      System.out.println("[deepwell] grouped GEMM native-library tests skipped: the loaded libdeepwell.so predates "
          + "the grouped GEMM glue (rebuild it): " + stale.getMessage());
    }
    assumeTrue(current, "the loaded libdeepwell.so has no grouped GEMM entry points");
  }

  @Test
  void planInfoIsAPlainStructOfTheExpectedSize() {
    // dw_gemm_grouped_desc: groups, has_bias (8) + max_total_m, n, k (24) + input, output,
    // activation, alpha, out_scale (20) = 52, padded to 56; then device, backend, variant,
    // swizzle (16) + workspace_bytes (8) + name (64) = 144 bytes on x86-64
    assertThat(GroupedGemmNatives.planInfoSize()).isEqualTo(144);
  }

  @Test
  void variantCountsOfThisBuild() {
    for (GemmInput in : new GemmInput[] {GemmInput.BF16, GemmInput.FP8_BLOCK128}) {
      assertThat(GroupedGemmNatives.variantCount(GemmAbi.BACKEND_REFERENCE, GemmAbi.input(in))).isEqualTo(1);
      // 0 in a build without CUTLASS, else the family's two configurations
      assertThat(GroupedGemmNatives.variantCount(GemmAbi.BACKEND_CUTLASS_SM90, GemmAbi.input(in))).isIn(0, 2);
      assertThat(GroupedGemmNatives.variantCount(GemmAbi.BACKEND_CUBLASLT, GemmAbi.input(in))).isZero();
    }
    assertThat(GroupedGemmNatives.variantCount(GemmAbi.BACKEND_REFERENCE, GemmAbi.input(GemmInput.MXFP8))).isZero();
    assertThat(GroupedGemmNatives.variantCount(GemmAbi.BACKEND_AUTO, 0)).isZero();
  }
}
