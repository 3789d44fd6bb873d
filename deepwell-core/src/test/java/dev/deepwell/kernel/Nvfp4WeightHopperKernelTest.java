package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.TensorFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our sm90 NVFP4-weight kernel (BF16 activations x NVFP4 weights past the decode GEMV's M, listed
 * in the CUTLASS sm90 family): its three tiles in the catalogue, the native planner's rounds rule
 * among them (expectations computed by hand), and its place in the chain between the GEMV and
 * the reference kernel.
 */
class Nvfp4WeightHopperKernelTest {

  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard();
  private static final GemmTarget H100 = GemmTarget.named("h100");
  private static final String TALL = "sm90_nvfp4w_fused_bf16_256x128x64";
  private static final String MID = "sm90_nvfp4w_fused_bf16_128x128x64";
  private static final String SHORT = "sm90_nvfp4w_fused_bf16_64x128x64";
  private static final String FAMILY = "cutlass.sm90.gemm.nvfp4_weight";

  private static GemmProblem problem(long m, long n, long k) {
    return GemmProblem.builder(m, n, k, GemmInput.NVFP4_WEIGHT).build();
  }

  private static GemmSelection select(GemmProblem p, GemmTarget t, int align) {
    return GemmKernelSelector.select(p, CATALOG, t, align, GemmPreference.AUTO);
  }

  private static GemmTileChoice.Choice choose(long m, long n, int sms) {
    return GemmTileChoice.choose(CATALOG.variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT),
        problem(m, n, 4096), sms);
  }

  @Test
  void theCatalogueListsTheThreeTilesInTheNativeOrder() {
    List<GemmVariant> vs = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT);
    assertThat(vs).extracting(GemmVariant::name).containsExactly(TALL, MID, SHORT);
    assertThat(vs).extracting(GemmVariant::index).containsExactly(0, 1, 2);
    assertThat(vs).extracting(GemmVariant::tileM).containsExactly(256, 128, 64);
    assertThat(vs).extracting(GemmVariant::tileN).containsExactly(128, 128, 128);
    assertThat(vs).extracting(GemmVariant::schedule).containsOnly(GemmKernelCatalog.FUSED);
    assertThat(vs).extracting(GemmVariant::descriptorId).containsOnly(FAMILY);
    assertThat(vs).extracting(GemmKernelCatalog::tileK).containsOnly(64);
    assertThat(vs).containsExactly(GemmKernelCatalog.nvfp4WeightFused(0, 256),
        GemmKernelCatalog.nvfp4WeightFused(1, 128), GemmKernelCatalog.nvfp4WeightFused(2, 64));
    assertThatThrownBy(() -> GemmKernelCatalog.nvfp4WeightFused(0, 192))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 192x128");
    // the GEMV and the reference kernel keep their places; cuBLASLt still has nothing
    assertThat(CATALOG.counts(GemmInput.NVFP4_WEIGHT)).containsEntry(KernelProvider.CUTLASS, 3)
        .containsEntry(KernelProvider.DEEPWELL_GPU, 1).containsEntry(KernelProvider.REFERENCE_GPU, 1)
        .containsEntry(KernelProvider.CPU, 1).doesNotContainKey(KernelProvider.CUBLASLT);
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.NVFP4_WEIGHT)).contains(FAMILY);
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.NVFP4_WEIGHT, 90)).contains(FAMILY);
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.NVFP4_WEIGHT, 100)).isEmpty();
  }

  @Test
  void onlyHopperOffersIt() {
    assertThat(GemmKernelCatalog.standard(90).variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT))
        .extracting(GemmVariant::name).containsExactly(TALL, MID, SHORT);
    for (int sm : new int[] {0, 89, 100, 103, 120}) {
      GemmKernelCatalog c = GemmKernelCatalog.standard(sm);
      assertThat(c.variants(KernelProvider.CUTLASS, GemmInput.NVFP4_WEIGHT)).as("sm %d", sm).isEmpty();
      assertThat(c.variants(KernelProvider.DEEPWELL_GPU, GemmInput.NVFP4_WEIGHT)).as("sm %d", sm)
          .containsExactly(GemmKernelCatalog.GEMV_NVFP4_WEIGHT);
    }
  }

  @Test
  void itsDescriptorIsHopperBf16TimesNvfp4Weights() {
    KernelDescriptor d = KernelRegistry.standard().kernel(FAMILY);
    assertThat(d.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(d.arch().exact()).containsExactly(90);
    assertThat(d.inputFormats()).containsExactly(TensorFormat.BF16);
    assertThat(d.weightFormats()).containsExactlyInAnyOrder(TensorFormat.NVFP4, TensorFormat.NVFP4_2D);
    assertThat(d.outputFormats()).containsExactlyInAnyOrder(TensorFormat.BF16, TensorFormat.FP32);
    assertThat(d.fusions()).containsExactlyInAnyOrder(Fusion.GELU, Fusion.SILU, Fusion.RESIDUAL_ADD);
    assertThat(d.alignment()).isEqualTo(1); // any N; K is checked on its own
    assertThat(d.emulated()).isFalse();
  }

  @Test
  void theTileIsTheNarrowestThatHoldsMThenTheTallestThatFillsHalfTheSms() {
    // up to 64 tokens the 64-row tile, whatever N (one token, 17, 64 on 50257 weight rows)
    assertThat(choose(1, 4096, 132).variant().name()).isEqualTo(SHORT);
    assertThat(choose(17, 50257, 132).variant().name()).isEqualTo(SHORT);
    GemmTileChoice.Choice sixtyFour = choose(64, 14336, 132);
    assertThat(sixtyFour.variant().name()).isEqualTo(SHORT);
    assertThat(sixtyFour.why()).isEqualTo("NVFP4 weights: M=64 fits the 64-token tile");
    // 65 .. 128 tokens the 128-row tile, even where 64-row tiles would fill more SMs (128 x 14336)
    assertThat(choose(65, 4096, 132).variant().name()).isEqualTo(MID);
    assertThat(choose(128, 14336, 132).variant().name()).isEqualTo(MID);
    // 512 x 14336: 2 x 112 = 224 tiles of 256 rows >= 66: the tallest
    GemmTileChoice.Choice big = choose(512, 14336, 132);
    assertThat(big.variant().name()).isEqualTo(TALL);
    assertThat(big.why()).isEqualTo("NVFP4 weights: 224 tiles of 256x128 fill at least half of 132 SMs");
    // 512 x 8192: 2 x 64 = 128 tiles >= 66: the tallest; 512 x 4096: 64 tiles < 66: 128 rows
    assertThat(choose(512, 8192, 132).variant().name()).isEqualTo(TALL);
    GemmTileChoice.Choice few = choose(512, 4096, 132);
    assertThat(few.variant().name()).isEqualTo(MID);
    assertThat(few.why()).isEqualTo("NVFP4 weights: 64 tiles of 256x128 would leave more than half of 132 SMs "
        + "to split-K; the 128-token tile");
    // ... and on 128 SMs those 64 tiles are half: the tallest
    assertThat(choose(512, 4096, 128).variant().name()).isEqualTo(TALL);
    // 129 tokens on 4096 rows: 32 tiles of 256 rows, too few: 128 rows
    assertThat(choose(129, 4096, 132).variant().name()).isEqualTo(MID);
    assertThat(choose(2048, 14336, 132).variant().name()).isEqualTo(TALL);
  }

  @Test
  void pastTheGemvHopperRunsIt() {
    GemmSelection decode = select(problem(16, 4096, 4096), H100, 256);
    assertThat(decode.provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
    GemmSelection s = select(problem(17, 4096, 4096), H100, 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.variant().name()).isEqualTo(SHORT);
    assertThat(s.variant().descriptorId()).isEqualTo(FAMILY);
    assertThat(s.rejected()).containsExactly("deepwell-gpu: M=17 exceeds the decode GEMV's 16 rows "
        + "(DW_GEMM_GEMV_MAX_M; larger M is compute, not weight streaming)");
    assertThat(s.reason()).isEqualTo("fallback to cutlass after 1 backend(s) could not run it; NVFP4 weights: "
        + "M=17 fits the 64-token tile");
    assertThat(select(problem(2048, 14336, 4096), H100, 256).variant().name()).isEqualTo(TALL);
    assertThat(select(problem(300, 4096, 4096), H100, 256).variant().name()).isEqualTo(MID);
    // any N, both outputs, every epilogue; 16-byte alignment is enough
    GemmProblem all = GemmProblem.builder(512, 50257, 768, GemmInput.NVFP4_WEIGHT).output(GemmOutput.FP32)
        .activation(GemmActivation.GELU).bias(true).residual(true).alpha(0.5f).outScale(2f).build();
    GemmSelection any = select(all, H100, 16);
    assertThat(any.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(any.rejected()).hasSize(1);
    GemmProblem silu = problem(64, 1000, 32).toBuilder().activation(GemmActivation.SILU).build();
    assertThat(select(silu, H100, 256).provider()).isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void whatItCannotReadFallsToTheReferenceWithTheReason() {
    GemmSelection ragged = select(problem(64, 4096, 100), H100, 256);
    assertThat(ragged.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(ragged.rejected()).containsExactly(
        "deepwell-gpu: M=64 exceeds the decode GEMV's 16 rows (DW_GEMM_GEMV_MAX_M; larger M is compute, not weight "
            + "streaming)",
        "cutlass: K=100 must be a multiple of 32 (16-byte rows of the NVFP4 weights for TMA)",
        "cublaslt: no nvfp4-weight kernel in this build");
    assertThat(ragged.reason()).startsWith("fallback to reference-gpu after 3 backend(s)");
    // K = 48: a multiple of the 16-value scale block, not of the 32 values of a 16-byte row
    assertThat(select(problem(64, 4096, 48), H100, 256).rejected().get(1))
        .isEqualTo("cutlass: K=48 must be a multiple of 32 (16-byte rows of the NVFP4 weights for TMA)");
    GemmSelection misaligned = select(problem(64, 4096, 4096), H100, 8);
    assertThat(misaligned.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(misaligned.rejected().get(1))
        .isEqualTo("cutlass: needs 16-byte aligned operands (TMA), these are aligned to 8 byte(s)");
    // a decode size the GEMV cannot read either: both refusals, then the reference
    GemmSelection decode = select(problem(4, 256, 100), H100, 256);
    assertThat(decode.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(decode.rejected()).hasSize(3);
    assertThat(decode.rejected().get(1)).startsWith("cutlass: K=100");
    GemmSelection onCpu = select(problem(64, 4096, 4096), GemmTarget.cpu(), 256);
    assertThat(onCpu.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(onCpu.rejected()).contains("cutlass: target cpu has no GPU");
  }

  @Test
  void otherArchitecturesRunTheReference() {
    GemmTarget b200 = GemmTarget.named("b200");
    // planned for the device: the sm_100 catalogue has no such kernel
    GemmSelection s = GemmKernelSelector.select(problem(512, 4096, 4096), GemmKernelCatalog.standard(100), b200, 256,
        GemmPreference.AUTO);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected().get(1)).isEqualTo("cutlass: no nvfp4-weight kernel in this build");
    // the full catalogue on a Blackwell target: refused by architecture
    GemmSelection full = select(problem(512, 4096, 4096), b200, 256);
    assertThat(full.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(full.rejected().get(1)).isEqualTo("cutlass: needs sm_90, target is b200 (sm_100, 148 SMs)");
    // decode sizes still run the GEMV there
    assertThat(select(problem(8, 4096, 4096), b200, 256).provider()).isEqualTo(KernelProvider.DEEPWELL_GPU);
  }

  @Test
  void forcingAVariantOrTheBackend() {
    GemmSelection tall = GemmKernelSelector.select(problem(17, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.CUTLASS, 0));
    assertThat(tall.variant().name()).isEqualTo(TALL);
    assertThat(tall.reason()).isEqualTo("asked for cutlass: variant 0 as asked");
    // asked for CUTLASS at a decode size: the rule's tile, the GEMV not considered
    GemmSelection one = GemmKernelSelector.select(problem(1, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS));
    assertThat(one.variant().name()).isEqualTo(SHORT);
    assertThat(one.rejected()).isEmpty();
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(64, 4096, 100), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cutlass cannot run GEMM nvfp4-weight M=64")
        .hasMessageContaining("K=100 must be a multiple of 32");
    // the native plan's 32-bit bounds: M and N up to 2^31 - 257, K up to 2^31 - 65
    long mMax = Integer.MAX_VALUE - 256;
    assertThat(GemmKernelSelector.select(problem(mMax, 128, 64), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS)).variant().descriptorId()).isEqualTo(FAMILY);
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(mMax + 1, 128, 64), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("M and N must stay below 2^31 - 256, K below 2^31 - 64");
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(64, 128, Integer.MAX_VALUE - 31), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("K below 2^31 - 64");
    assertThatThrownBy(() -> GemmKernelSelector.select(problem(64, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.CUTLASS, 3)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 3 nvfp4-weight variant(s)");
  }
}
