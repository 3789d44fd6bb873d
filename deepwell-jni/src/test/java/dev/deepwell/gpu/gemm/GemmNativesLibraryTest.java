package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.KernelProvider;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GEMM entry points that need the native library but no GPU: the plan size and the variant
 * counts of this build, against the mirror catalogue. Skips (visibly) without the library.
 */
class GemmNativesLibraryTest {

  private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();

  @BeforeAll
  static void requireLibrary() {
    NativeLoadResult status = NativeLibrary.status();
    boolean loaded = status.state().libraryLoaded();
    if (!loaded && SKIP_PRINTED.compareAndSet(false, true)) {
      System.out.println("[deepwell] GEMM native-library tests skipped: " + status.summary());
    }
    assumeTrue(loaded, () -> "native library not loaded: " + status.summary());
    boolean current = true;
    try {
      GemmNatives.planInfoSize();
    } catch (UnsatisfiedLinkError stale) {
      // build-native.sh checks that every native method is defined, so only an old build lacks these
      current = false;
      System.out.println("[deepwell] GEMM native-library tests skipped: the loaded libdeepwell.so predates the GEMM "
          + "glue (rebuild it): " + stale.getMessage());
    }
    assumeTrue(current, "the loaded libdeepwell.so has no GEMM entry points");
  }

  @Test
  void variantCountsOfThisBuildMatchTheMirror() {
    GemmKernelCatalog mirror = GemmKernelCatalog.standard();
    for (GemmInput in : GemmInput.values()) {
      int cutlass = GemmNatives.variantCount(GemmAbi.BACKEND_CUTLASS_SM90, GemmAbi.input(in));
      // 0 in a build without CUTLASS; otherwise exactly the mirror's table
      assertThat(cutlass).as("CUTLASS %s", in).isIn(0, mirror.variants(KernelProvider.CUTLASS, in).size());
      assertThat(GemmNatives.variantCount(GemmAbi.BACKEND_CUBLASLT, GemmAbi.input(in))).as("cuBLASLt %s", in)
          .isEqualTo(mirror.variants(KernelProvider.CUBLASLT, in).size());
      assertThat(GemmNatives.variantCount(GemmAbi.BACKEND_REFERENCE, GemmAbi.input(in))).isEqualTo(1);
      assertThat(GemmNatives.variantCount(GemmAbi.BACKEND_GEMV, GemmAbi.input(in))).as("GEMV %s", in)
          .isEqualTo(mirror.variants(KernelProvider.DEEPWELL_GPU, in).size());
    }
    // The Blackwell block-scaled backends: 0 without CUTLASS, else exactly their mirror tables.
    for (int sm : new int[] {100, 120}) {
      GemmKernelCatalog blackwell = GemmKernelCatalog.standard(sm);
      for (GemmInput in : GemmInput.values()) {
        assertThat(GemmNatives.variantCount(GemmAbi.cutlassBackend(sm), GemmAbi.input(in))).as("CUTLASS sm%d %s", sm, in)
            .isIn(0, blackwell.variants(KernelProvider.CUTLASS, in).size());
      }
    }
    assertThat(GemmNatives.variantCount(GemmAbi.BACKEND_AUTO, 0)).isZero();
    assertThat(GemmNatives.variantCount(GemmAbi.BACKEND_REFERENCE, 99)).isZero();
  }

  @Test
  void planInfoIsAPlainStructOfTheExpectedSize() {
    // dw_gemm_desc (3 x 8 + 8 x 4 = 56: scale_layout took the padding) + device, backend,
    // variant, swizzle (16)
    // + workspace (8) + name (64) + opaque (80) = 224 bytes on x86-64
    assertThat(GemmNatives.planInfoSize()).isEqualTo(224);
  }
}
