package dev.deepwell.kernel;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The mirror of deepwell-cuda's Blackwell block-scaled GEMM tables, MXFP8 and NVFP4 only:
 * src/gemm/gemm_sm100_blockscaled.cu (backend DW_GEMM_BACKEND_CUTLASS_SM100: tcgen05 MMA,
 * accumulators in tensor memory; sm_100a machine code, which loads on compute capability 10.0
 * only) and src/gemm/gemm_sm120_blockscaled.cu (DW_GEMM_BACKEND_CUTLASS_SM120: block-scaled
 * warp MMA; sm_120a, compute capability 12.0 only). The order is the C ABI's variant numbering.
 *
 * <p>A variant's tile is the part of D <em>one SM</em> computes: a 2-SM kernel's 256-row MMA tile
 * is split across the two SMs of a cluster pair, so it is listed as 128 rows. The tile choice
 * (fewest rounds x tile area, {@link GemmTileChoice}; gemm_blockscaled_dispatch.cpp natively)
 * then ties a 2-SM kernel with a 1-SM kernel of its half tile and prefers the earlier one.
 */
public final class BlackwellGemmKernels {

  /** Schedule of a kernel whose MMA tile one SM computes alone. */
  public static final String ONE_SM = "1sm";
  /** Schedule of a kernel whose MMA tile the two SMs of a cluster pair share (tcgen05 cta_group::2). */
  public static final String TWO_SM = "2sm";

  private static final List<GemmVariant> SM100 = List.of(
      variant(GemmInput.MXFP8, 0, "cutlass_sm100_mxfp8_2sm_256x256x128_c2x1", 128, 256, TWO_SM, 100),
      variant(GemmInput.MXFP8, 1, "cutlass_sm100_mxfp8_1sm_128x128x128_c1x1", 128, 128, ONE_SM, 100),
      variant(GemmInput.NVFP4, 0, "cutlass_sm100_nvfp4_2sm_256x256x256_c2x1", 128, 256, TWO_SM, 100),
      variant(GemmInput.NVFP4, 1, "cutlass_sm100_nvfp4_1sm_128x128x256_c1x1", 128, 128, ONE_SM, 100));

  private static final List<GemmVariant> SM120 = List.of(
      variant(GemmInput.MXFP8, 0, "cutlass_sm120_mxfp8_coop_128x128x128_c1x1", 128, 128,
          GemmKernelCatalog.COOPERATIVE, 120),
      variant(GemmInput.NVFP4, 0, "cutlass_sm120_nvfp4_coop_128x128x128_c1x1", 128, 128,
          GemmKernelCatalog.COOPERATIVE, 120));

  private BlackwellGemmKernels() {}

  /**
   * The block-scaled CUTLASS kernels a full build offers on a device of compute capability
   * {@code smVersion}: sm_100 and sm_120 have theirs, every other architecture none.
   */
  public static List<GemmVariant> variants(int smVersion) {
    if (smVersion < 0) {
      throw new IllegalArgumentException("smVersion must be >= 0, got " + smVersion);
    }
    return smVersion == 100 ? SM100 : smVersion == 120 ? SM120 : List.of();
  }

  /** Whether {@code smVersion} is an architecture these kernels are built for (100 or 120). */
  public static boolean isBuiltFor(int smVersion) {
    return smVersion == 100 || smVersion == 120;
  }

  /**
   * The {@link StandardKernels} id of the block-scaled CUTLASS family for {@code in} on
   * {@code smVersion} ("cutlass.sm100.gemm.mxfp8", ...), if there is one.
   */
  public static Optional<String> descriptorId(GemmInput in, int smVersion) {
    Objects.requireNonNull(in, "input");
    if (!isBuiltFor(smVersion) || (in != GemmInput.MXFP8 && in != GemmInput.NVFP4)) {
      return Optional.empty();
    }
    return Optional.of("cutlass.sm" + smVersion + ".gemm." + in.name().toLowerCase(java.util.Locale.ROOT));
  }

  private static GemmVariant variant(GemmInput in, int index, String name, int tileM, int tileN, String schedule,
      int sm) {
    return new GemmVariant(KernelProvider.CUTLASS, in, index, name, tileM, tileN, schedule,
        descriptorId(in, sm).orElseThrow());
  }
}
