package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.ir.TensorFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which kernel a GEMM problem gets, and the recorded reason of every fallback. */
class GemmKernelSelectorTest {

  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard();
  private static final GemmTarget H100 = GemmTarget.named("h100");

  private static GemmSelection select(GemmProblem p) {
    return select(p, H100, 256);
  }

  private static GemmSelection select(GemmProblem p, GemmTarget t, int align) {
    return GemmKernelSelector.select(p, CATALOG, t, align, GemmPreference.AUTO);
  }

  private static GemmProblem bf16(long m, long n, long k) {
    return GemmProblem.builder(m, n, k, GemmInput.BF16).build();
  }

  /** Asked of CUTLASS: with M <= CUBLASLT_FIRST_MAX_M the chain would try cuBLASLt first. */
  private static GemmSelection cutlass(GemmProblem p) {
    return GemmKernelSelector.select(p, CATALOG, H100, 256, GemmPreference.provider(KernelProvider.CUTLASS));
  }

  @Test
  void h100TargetHas132Sms() {
    assertThat(H100.smVersion()).isEqualTo(90);
    assertThat(H100.multiprocessors()).isEqualTo(132);
  }

  @Test
  void alignedBf16OnHopperIsCutlassFirstChoice() {
    GemmSelection s = select(bf16(4096, 4096, 4096));
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.variant().name()).isEqualTo("cutlass_sm90_bf16_coop_128x256x64_c2x1");
    assertThat(s.reason()).startsWith("first choice: cutlass").contains("large problem");
    assertThat(s.rejected()).isEmpty();
    assertThat(s.isFallback()).isFalse();
  }

  @Test
  void tileChoiceFollowsTheMeasuredRulesOnTheBenchmarkShapes() {
    String wide = "cutlass_sm90_bf16_coop_128x256x64_c2x1";
    String pingpong = "cutlass_sm90_bf16_pingpong_128x128x64_c2x1";
    String tall = "cutlass_sm90_bf16_coop_256x128x64_c1x2";
    assertThat(select(bf16(8192, 8192, 8192)).variant().name()).isEqualTo(wide);
    // short K, any N: ping-pong
    assertThat(select(bf16(16384, 2304, 768)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 4096, 768)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 32768, 768)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 768, 768)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 768, 1024)).variant().name()).isEqualTo(pingpong);
    // narrow N up to K = 4096: ping-pong (H200, 2026-11-28); past it the 256x128 tile
    assertThat(select(bf16(16384, 768, 1088)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 768, 2048)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(16384, 768, 4096)).reason()).contains("narrow N (768) and K = 4096 <= 4096");
    assertThat(select(bf16(16384, 768, 4160)).variant().name()).isEqualTo(tall);
    assertThat(select(bf16(16384, 768, 8192)).variant().name()).isEqualTo(tall);
    // wide N (>= 2048) up to K = 2048: ping-pong; from K = 2049, or with N below 2048, not
    GemmSelection wideShortK = select(bf16(8192, 8192, 2048));
    assertThat(wideShortK.variant().name()).isEqualTo(pingpong);
    assertThat(wideShortK.reason()).contains("wide N (8192) and K = 2048 <= 2048");
    assertThat(select(bf16(4096, 2048, 1536)).variant().name()).isEqualTo(pingpong);
    assertThat(select(bf16(4096, 4096, 3072)).variant().name()).isEqualTo(wide);
    assertThat(select(bf16(4096, 4096, 2112)).variant().name()).isEqualTo(wide);
    assertThat(select(bf16(8192, 2040, 2048)).variant().name()).isEqualTo(wide);
    // too few 128x256 tiles (2) to fill 132 SMs (K = 512 is too short for stream-K, which takes
    // 256x256x4096: GemmStreamKChoiceTest)
    GemmSelection small = cutlass(bf16(256, 256, 512));
    assertThat(small.variant().name()).isEqualTo(pingpong);
    assertThat(small.reason()).contains("2 tiles of 128x256 cannot fill 132 SMs");
  }

  @Test
  void fp8TileChoiceUsesTheRoundsModelWhenTilesAreFew() {
    GemmProblem big = GemmProblem.builder(4096, 4096, 4096, GemmInput.FP8_TENSOR).build();
    assertThat(cutlass(big).variant().name()).isEqualTo("cutlass_sm90_fp8_tensor_coop_128x192x128_c2x1");
    // 256 x 256: every tile fits in one round, so the smallest tile area wins (64x128: 8192).
    GemmProblem small = GemmProblem.builder(256, 256, 4096, GemmInput.FP8_TENSOR).build();
    GemmSelection s = cutlass(small);
    assertThat(s.variant().name()).isEqualTo("cutlass_sm90_fp8_tensor_pingpong_64x128x128_c1x2");
    assertThat(s.reason()).contains("8 tiles of 64x128 in 1 round(s) on 132 SMs");
    // Block128, 4096^2: 1024 tiles of 128x128 (8 rounds, cost 131072) tie with 2048 of 64x128
    // (16 rounds, cost 131072): the earlier variant wins the tie.
    // (Asked of CUTLASS: on Hopper the chain tries cuBLASLt first for block-scaled FP8.)
    GemmPreference cutlass = GemmPreference.provider(KernelProvider.CUTLASS);
    GemmProblem block = GemmProblem.builder(4096, 4096, 4096, GemmInput.FP8_BLOCK128).build();
    assertThat(GemmKernelSelector.select(block, CATALOG, H100, 256, cutlass).variant().name())
        .isEqualTo("cutlass_sm90_fp8_block128_coop_128x128x128_c1x2");
    // 132 x 256: 128x128 needs 4 tiles (cost 16384), 64x128 needs 6 (cost 8192).
    GemmProblem blockSmall = GemmProblem.builder(132, 256, 512, GemmInput.FP8_BLOCK128).build();
    assertThat(GemmKernelSelector.select(blockSmall, CATALOG, H100, 256, cutlass).variant().name())
        .isEqualTo("cutlass_sm90_fp8_block128_pingpong_64x128x128_c1x2");
  }

  @Test
  void unalignedVocabularyFallsBackToCublasLtWithTheReason() {
    GemmSelection s = select(bf16(512, 50257, 768));
    assertThat(s.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(s.reason()).startsWith("fallback to cublaslt after 1 backend(s)");
    assertThat(s.rejected()).containsExactly(
        "cutlass: N=50257 must be a multiple of 8 (16-byte rows of the bf16 output for TMA)");
  }

  @Test
  void fp32OutputNeedsNMultipleOf4Only() {
    // K = 32, below CUBLASLT_FIRST_MIN_K: CUTLASS comes first in the chain
    GemmProblem p = GemmProblem.builder(512, 52, 32, GemmInput.BF16).output(GemmOutput.FP32).build();
    assertThat(select(p).provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(select(GemmProblem.builder(512, 50, 32, GemmInput.BF16).output(GemmOutput.FP32).build()).rejected())
        .singleElement().asString().contains("N=50 must be a multiple of 4");
  }

  @Test
  void fp8WithRaggedKEndsOnTheReferenceKernel() {
    GemmProblem p = GemmProblem.builder(512, 128, 100, GemmInput.FP8_TENSOR).build();
    GemmSelection s = select(p);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.variant().name()).isEqualTo("reference_fp8_tensor");
    assertThat(s.rejected()).containsExactly( // FP8 on Hopper: cuBLASLt is asked first
        "cublaslt: FP8: K=100 must be a multiple of 16",
        "cutlass: K=100 must be a multiple of 16 (16-byte rows of A and B for TMA)");
    assertThat(s.reason()).contains("fallback to reference-gpu after 2 backend(s)");
  }

  @Test
  void epiloguesCublasLtLacksGoToTheReferenceKernel() {
    GemmProblem gelu = GemmProblem.builder(512, 50257, 768, GemmInput.BF16).activation(GemmActivation.GELU).build();
    GemmSelection s = select(gelu);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected().get(1)).isEqualTo(
        "cublaslt: no GELU epilogue (cuBLASLt's GELU is the tanh form and it has no SiLU)");
    GemmProblem scaledBias = GemmProblem.builder(512, 50257, 768, GemmInput.BF16).bias(true).outScale(0.5f).build();
    assertThat(select(scaledBias).rejected().get(1)).contains("outScale=0.5 with a bias cannot be expressed");
    // With aligned shapes CUTLASS takes every epilogue.
    GemmProblem all = GemmProblem.builder(512, 256, 128, GemmInput.BF16).activation(GemmActivation.SILU).bias(true)
        .residual(true).outScale(0.5f).alpha(2f).build();
    assertThat(select(all).provider()).isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void blockScaledFp8OnHopperTriesCublasLtBeforeCutlass() {
    GemmProblem big = GemmProblem.builder(4096, 4096, 4096, GemmInput.FP8_BLOCK128).build();
    assertThat(GemmKernelSelector.chain(big, H100)).containsExactly(KernelProvider.DEEPWELL_GPU,
        KernelProvider.CUBLASLT, KernelProvider.CUTLASS, KernelProvider.REFERENCE_GPU, KernelProvider.CPU);
    assertThat(GemmKernelSelector.chain(big, GemmTarget.named("b200"))).containsExactly(KernelProvider.values());
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.FP8_BLOCK128, 90, 4, 128, 128, 132)).isTrue();
    GemmSelection s = select(GemmProblem.builder(4096, 4096, 4096, GemmInput.FP8_BLOCK128).build());
    assertThat(s.variant().name()).isEqualTo("cublaslt_fp8_block128");
    assertThat(s.reason()).startsWith("first choice: cublaslt");
    assertThat(s.rejected()).isEmpty();
  }

  @Test
  void fp8AndSomeBf16OnHopperTryCublasLtFirst() {
    long max = GemmKernelSelector.CUBLASLT_FIRST_MAX_M;
    long minK = GemmKernelSelector.CUBLASLT_FIRST_MIN_K;
    // FP8 per tensor: always on Hopper
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.FP8_TENSOR, 90, 16384, 32768, 768, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.FP8_TENSOR, 90, 1, 64, 64, 132)).isTrue();
    // BF16: small M ...
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 1, 4096, 4096, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, max, 4096, 4096, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, max + 1, 16384, 4096, 132)).isFalse(); // 384 tiles
    // ... or an output of at most one round of 128x128 tiles (small wgrads, small projections)
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 768, 768, 16384, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 2304, 768, 16384, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 768, 2048, 16384, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 768, 768, 4096, 132)).isTrue(); // 1.9x
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 1024, 1024, 512, 132)).isTrue(); // 64 tiles
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 512, 512, 64, 132)).isTrue(); // 2.0x
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 768, 2048, minK, 132)).isTrue();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 768, 2048, minK - 1, 132)).isFalse();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 4096, 768, 16384, 132)).isFalse(); // 192 tiles
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 2304, 768, 16384, 100)).isFalse(); // 108 > 100
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 90, 8192, 8192, 8192, 132)).isFalse();
    // MXFP8 has no cuBLASLt kernel on Hopper; other architectures keep the plain order.
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.MXFP8, 90, 1, 64, 64, 132)).isFalse();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.BF16, 100, 1, 64, 64, 132)).isFalse();
    assertThat(GemmKernelSelector.cublasLtFirst(GemmInput.FP8_TENSOR, 100, 1, 64, 64, 132)).isFalse();

    GemmSelection decode = select(bf16(16, 4096, 4096));
    assertThat(decode.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(decode.reason()).startsWith("first choice: cublaslt");
    assertThat(decode.rejected()).isEmpty();
    assertThat(select(bf16(max + 1, 16384, 4096)).provider()).isEqualTo(KernelProvider.CUTLASS);
    // What cuBLASLt cannot run still goes to CUTLASS, with cuBLASLt's reason recorded.
    GemmSelection silu = select(GemmProblem.builder(16, 4096, 4096, GemmInput.BF16)
        .activation(GemmActivation.SILU).build());
    assertThat(silu.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(silu.rejected()).singleElement().asString().startsWith("cublaslt: no SILU epilogue");
    GemmTarget noLt = H100.withUnavailable(KernelProvider.CUBLASLT, "libcublasLt is missing");
    assertThat(select(bf16(16, 4096, 4096), noLt, 256).provider()).isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void blockScaledFp8WithoutCublasLtNeedsMMultipleOf4ForCutlass() {
    GemmTarget noLt = H100.withUnavailable(KernelProvider.CUBLASLT, "libcublasLt is missing");
    GemmSelection s = select(GemmProblem.builder(130, 256, 512, GemmInput.FP8_BLOCK128).build(), noLt, 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected()).containsExactly("cublaslt: libcublasLt is missing",
        "cutlass: M=130 must be a multiple of 4 (16-byte rows of the M-major scale_a for TMA)");
  }

  @Test
  void blockScaledFp8OnCublasLtNeedsKMultipleOf16() {
    GemmProblem p = GemmProblem.builder(128, 256, 520, GemmInput.FP8_BLOCK128).build();
    GemmSelection s = select(p);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected()).contains("cublaslt: FP8: K=520 must be a multiple of 16");
  }

  @Test
  void blockScaledFp8OnCublasLtNeedsMMultipleOf4LikeTheNativeSide() {
    // The decode shapes the GPU test compares with native AUTO: cuBLASLt (and CUTLASS) refuse
    // M % 4 != 0, the reference kernel runs them; M = 256 stays on cuBLASLt.
    for (long m : new long[] {1, 255, 257}) {
      GemmSelection s = select(GemmProblem.builder(m, 4096, 4096, GemmInput.FP8_BLOCK128).build());
      assertThat(s.provider()).as("M=%d", m).isEqualTo(KernelProvider.REFERENCE_GPU);
      assertThat(s.rejected()).as("M=%d", m).contains("cublaslt: FP8 block: M=" + m + " must be a multiple of 4 "
          + "(gemm_cublaslt.cpp)");
    }
    assertThat(select(GemmProblem.builder(256, 4096, 4096, GemmInput.FP8_BLOCK128).build()).provider())
        .isEqualTo(KernelProvider.CUBLASLT);
  }

  @Test
  void microscaledFormatsHaveNoHopperKernelAndUseTheReference() {
    for (GemmInput in : new GemmInput[] {GemmInput.NVFP4}) {
      GemmSelection s = select(GemmProblem.builder(256, 256, 256, in).build());
      assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
      assertThat(s.rejected()).containsExactly("cutlass: no " + in.displayName() + " kernel in this build",
          "cublaslt: no " + in.displayName() + " kernel in this build");
    }
  }

  @Test
  void mxfp8OnHopperIsEmulatedOnTheBf16TilesChosenByTheBf16RulesOrFused() {
    KernelDescriptor family = KernelRegistry.standard().kernel("cutlass.sm90.gemm.mxfp8");
    assertThat(family.emulated()).isTrue();
    assertThat(family.arch().exact()).containsExactly(90);
    // one MXFP8 configuration per BF16 one, same order, tile and schedule
    List<GemmVariant> bf16 = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16);
    List<GemmVariant> all = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.MXFP8);
    assertThat(all).hasSize(bf16.size() + 4);  // + the wgmma kernel and the fused kernel's three tiles
    List<GemmVariant> mx = all.subList(0, bf16.size());
    for (int i = 0; i < mx.size(); i++) {
      // gemm_sm90_mxfp8.cu's set_family_name: "mxfp8_deq_" after "cutlass_sm90_", else in front
      String b = bf16.get(i).name();
      assertThat(mx.get(i).name()).isEqualTo(
          b.startsWith("cutlass_sm90_") ? b.replace("_bf16_", "_mxfp8_deq_bf16_") : "mxfp8_deq_" + b);
      assertThat(mx.get(i).tileM()).isEqualTo(bf16.get(i).tileM());
      assertThat(mx.get(i).tileN()).isEqualTo(bf16.get(i).tileN());
      assertThat(mx.get(i).schedule()).isEqualTo(bf16.get(i).schedule());
    }
    assertThat(mx.get(0).name()).isEqualTo("cutlass_sm90_mxfp8_deq_bf16_coop_128x256x64_c2x1");
    assertThat(CATALOG.counts(GemmInput.MXFP8)).doesNotContainKey(KernelProvider.CUBLASLT);
    assertThatThrownBy(() -> GemmKernelCatalog.mxfp8OnBf16(mx.get(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CUTLASS BF16 configuration");
    GemmSelection s = select(GemmProblem.builder(4096, 4096, 4096, GemmInput.MXFP8).build());
    assertThat(s.provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(s.variant().descriptorId()).isEqualTo("cutlass.sm90.gemm.mxfp8");
    assertThat(s.reason()).startsWith("first choice: cutlass").contains("large problem");
    assertThat(s.rejected()).isEmpty();
    // Where the fused kernel is not chosen (N > 1024, or M < 4096 without a long K), the BF16
    // choice on the copies.
    long[][] shapes = {{4096, 4096, 4096}, {8192, 8192, 8192}, {16384, 2304, 768}, {16384, 4096, 768},
        {16384, 32768, 768}, {2304, 768, 4080}, {768, 2048, 16384}, {256, 256, 4096}, {1000, 1000, 1000}};
    for (long[] sh : shapes) {
      GemmVariant plain = cutlass(bf16(sh[0], sh[1], sh[2])).variant();
      String emulated = select(GemmProblem.builder(sh[0], sh[1], sh[2], GemmInput.MXFP8).build()).variant().name();
      assertThat(emulated).as("%dx%dx%d", sh[0], sh[1], sh[2]).isEqualTo(GemmKernelCatalog.mxfp8OnBf16(plain).name());
    }
  }

  @Test
  void mxfp8WgmmaKernelFollowsTheEmulationAndRunsOnlyWhenForced() {
    List<GemmVariant> mx = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.MXFP8);
    GemmVariant wgmma = mx.get(mx.size() - 4);
    assertThat(wgmma.name()).isEqualTo("sm90_mxfp8_wgmma_128x128x128_promote32");
    assertThat(wgmma.index()).isEqualTo(mx.size() - 4);
    assertThat(wgmma.schedule()).isEqualTo(GemmKernelCatalog.PROMOTE_32);
    assertThat(wgmma.tileM()).isEqualTo(128);
    assertThat(wgmma.tileN()).isEqualTo(128);
    // The tile rules never take it (measured 0.21-0.47x our BF16, below both other ways): not for
    // large, narrow, short, long-K or tiny problems.
    long[][] shapes = {{8192, 8192, 8192}, {16384, 768, 768}, {2304, 768, 16384}, {768, 768, 16384}, {128, 128, 128},
        {1, 8, 16}, {16384, 32768, 768}};
    for (long[] sh : shapes) {
      GemmSelection s = select(GemmProblem.builder(sh[0], sh[1], sh[2], GemmInput.MXFP8).build());
      assertThat(s.variant().name()).as("%dx%dx%d", sh[0], sh[1], sh[2]).doesNotContain("wgmma");
    }
    assertThat(GemmKernelSelector.select(GemmProblem.builder(64, 64, 64, GemmInput.MXFP8).build(), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.CUTLASS, wgmma.index())).variant()).isEqualTo(wgmma);
  }

  @Test
  void mxfp8FusedKernelTakesNarrowOutputsOfManyRows() {
    List<GemmVariant> mx = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.MXFP8);
    GemmVariant wide = mx.get(mx.size() - 3), square = mx.get(mx.size() - 2), mid = mx.get(mx.size() - 1);
    assertThat(mid.name()).isEqualTo("sm90_mxfp8_fused_bf16_128x192x64");
    assertThat(mid.tileN()).isEqualTo(192);
    assertThat(wide.name()).isEqualTo("sm90_mxfp8_fused_bf16_128x256x64");
    assertThat(square.name()).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");
    assertThat(List.of(wide.schedule(), square.schedule())).containsOnly(GemmKernelCatalog.FUSED);
    assertThat(wide.tileN()).isEqualTo(256);
    assertThat(square.tileN()).isEqualTo(128);
    // The 7 benchmark shapes with N <= 1024 and M >= 4096, where it measured faster than the
    // dequantizing pass (H100): the 128x256 configuration, except 4096x768x16384, whose 96 tiles of
    // 128x256 leave 27% of the SMs idle where 128 of 128x192 do not (H200: 611.6 against 536.0).
    long[][] fused = {{16384, 768, 768}, {16384, 768, 2048}, {16384, 768, 2304}, {16384, 768, 4096},
        {16384, 768, 32768}, {4096, 768, 16384}, {32768, 768, 16384}};
    for (long[] sh : fused) {
      GemmSelection s = select(GemmProblem.builder(sh[0], sh[1], sh[2], GemmInput.MXFP8).build());
      assertThat(s.variant()).as("%dx%dx%d", sh[0], sh[1], sh[2]).isEqualTo(sh[0] == 4096 ? mid : wide);
      assertThat(s.reason()).contains("fused kernel");
    }
    // Boundaries: M one row short, N past 1024, K not a multiple of 16, N not 8-aligned for BF16
    // output (the dequantizing way's rule, so both planners refuse alike) -> the emulation.
    long[][] others = {{4095, 768, 768}, {16384, 1032, 768}, {16384, 768, 776}, {16384, 1020, 768}};
    for (long[] sh : others) {
      GemmSelection s = select(GemmProblem.builder(sh[0], sh[1], sh[2], GemmInput.MXFP8).build());
      assertThat(s.variant().schedule()).as("%dx%dx%d", sh[0], sh[1], sh[2]).isNotEqualTo(GemmKernelCatalog.FUSED);
    }
    GemmProblem f32 = GemmProblem.builder(16384, 1020, 768, GemmInput.MXFP8).output(GemmOutput.FP32).build();
    assertThat(select(f32).variant()).isEqualTo(wide);
    assertThatThrownBy(() -> GemmKernelCatalog.mxfp8Fused(9, 160)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("128x160");
  }

  @Test
  void mxfp8OnHopperTakesAnyKButNeedsAlignedOutputRows() {
    // K is zero-padded in the BF16 copies: K = 7 or 100 stays on CUTLASS, unlike FP8 per tensor.
    for (long k : new long[] {7, 100, 1000}) {
      GemmSelection s = select(GemmProblem.builder(77, 264, k, GemmInput.MXFP8).build());
      assertThat(s.provider()).as("K=%d", k).isEqualTo(KernelProvider.CUTLASS);
    }
    GemmSelection vocab = select(GemmProblem.builder(64, 50257, 768, GemmInput.MXFP8).build());
    assertThat(vocab.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(vocab.rejected()).containsExactly(
        "cutlass: N=50257 must be a multiple of 8 (16-byte rows of the bf16 output for TMA)",
        "cublaslt: no mxfp8 kernel in this build");
    GemmProblem f32 = GemmProblem.builder(64, 52, 768, GemmInput.MXFP8).output(GemmOutput.FP32).build();
    assertThat(select(f32).provider()).isEqualTo(KernelProvider.CUTLASS);
    assertThat(select(GemmProblem.builder(64, 64, 64, GemmInput.MXFP8).build(), H100, 8).rejected().get(0))
        .isEqualTo("cutlass: needs 16-byte aligned operands (TMA), these are aligned to 8 byte(s)");
    assertThat(select(GemmProblem.builder(64, 64, 64, GemmInput.MXFP8).build(), GemmTarget.named("b200"), 256)
        .rejected().get(0)).startsWith("cutlass: needs sm_90, target is b200");
  }

  @Test
  void misalignedPointersPassOverTheTmaKernels() {
    GemmSelection s = select(bf16(512, 256, 32), H100, 8); // K < CUBLASLT_FIRST_MIN_K: CUTLASS first
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected()).containsExactly(
        "cutlass: needs 16-byte aligned operands (TMA), these are aligned to 8 byte(s)",
        "cublaslt: needs 16-byte aligned operands, these are aligned to 8 byte(s)");
    assertThat(select(bf16(512, 256, 32), H100, 16).provider()).isEqualTo(KernelProvider.CUTLASS);
  }

  @Test
  void otherArchitecturesSkipTheSm90Kernels() {
    GemmSelection s = select(bf16(256, 256, 256), GemmTarget.named("b200"), 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(s.rejected()).singleElement().asString().startsWith("cutlass: needs sm_90, target is b200 (sm_100");
    // FP8 cuBLASLt needs sm_89, and the reference kernel is built for sm_90+ only (sm_90a/100a/
    // 120a machine code, compute_90 PTX): an sm_80 GPU runs the GEMM on the host.
    GemmSelection ampere = select(GemmProblem.builder(256, 256, 256, GemmInput.FP8_TENSOR).build(),
        GemmTarget.gpu("a100", 80, 108), 256);
    assertThat(ampere.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(ampere.rejected()).anySatisfy(r -> assertThat(r).startsWith("cublaslt: needs sm_89+"));
    assertThat(ampere.rejected()).anySatisfy(r -> assertThat(r).startsWith("reference-gpu: needs sm_90+"));
  }

  @Test
  void theCpuTargetRunsEverythingOnTheCpuWithTheReasons() {
    GemmSelection s = select(bf16(64, 64, 64), GemmTarget.cpu(), 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(s.variant().name()).isEqualTo("cpu_bf16");
    assertThat(s.rejected()).containsExactly("cutlass: target cpu has no GPU", "cublaslt: target cpu has no GPU",
        "reference-gpu: target cpu has no GPU");
    assertThat(s.reason()).doesNotContain("not the GPU");
  }

  @Test
  void mnMajorOperandsAndEmptyReductionsRunOnTheHostOfAGpuTarget() {
    GemmProblem nn = GemmProblem.builder(64, 64, 64, GemmInput.BF16)
        .layout(OperandMajor.K_MAJOR, OperandMajor.MN_MAJOR).build();
    GemmSelection s = select(nn);
    assertThat(s.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(s.rejected()).hasSize(3).allSatisfy(r -> assertThat(r).contains("reads K-major operands only"));
    assertThat(s.reason()).endsWith("runs on the host CPU, not the GPU");
    GemmSelection k0 = select(bf16(64, 64, 0));
    assertThat(k0.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(k0.rejected().get(0)).contains("K=0: an empty reduction");
    GemmSelection m0 = select(bf16(0, 64, 64));
    assertThat(m0.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(m0.rejected().get(0)).contains("M=0, N=64: nothing to compute");
  }

  @Test
  void rowsBeyondTheReferenceGridGoToTheCpu() {
    long rows = GemmKernelSelector.REFERENCE_MAX_ROWS + 1;
    GemmSelection s = select(GemmProblem.builder(rows, 3, 5, GemmInput.MXFP8).build());
    assertThat(s.provider()).isEqualTo(KernelProvider.CPU);
    assertThat(s.rejected().get(2)).isEqualTo("reference-gpu: M=" + rows
        + " exceeds the reference kernel's 4194240 rows (grid limit)");
  }

  @Test
  void aProblemTooLargeEvenForTheCpuIsAnError() {
    GemmProblem huge = GemmProblem.builder(100_000, 100_000, 100_000, GemmInput.BF16)
        .layout(OperandMajor.MN_MAJOR, OperandMajor.K_MAJOR).build();
    assertThatThrownBy(() -> select(huge)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no kernel for GEMM bf16 M=100000")
        .hasMessageContaining("cpu: an operand of");
  }

  @Test
  void unavailableAndDisabledBackendsAreRecordedWithTheirReasons() {
    GemmTarget noLt = H100.withUnavailable(KernelProvider.CUBLASLT, "libcublasLt is missing (libcublasLt.so.13)");
    GemmSelection s = select(bf16(512, 50257, 768), noLt, 256);
    assertThat(s.provider()).isEqualTo(KernelProvider.REFERENCE_GPU);
    assertThat(s.rejected().get(1)).isEqualTo("cublaslt: libcublasLt is missing (libcublasLt.so.13)");

    KernelRegistry registry = KernelRegistry.standard().withProviderDisabled(KernelProvider.CUTLASS,
        "measuring cuBLASLt alone");
    GemmSelection r = registry.selectGemm(bf16(4096, 4096, 4096), CATALOG, H100, 256, GemmPreference.AUTO);
    assertThat(r.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(r.rejected()).containsExactly("cutlass: disabled (measuring cuBLASLt alone)");
    assertThatThrownBy(() -> H100.withUnavailable(KernelProvider.CPU, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("always available");
  }

  @Test
  void aBuildWithoutSomeKernelsPassesOverTheirBackend() {
    List<GemmVariant> l = new ArrayList<>();
    for (GemmVariant v : CATALOG.variants()) {
      if (v.provider() != KernelProvider.CUTLASS) {
        l.add(v);
      }
    }
    GemmSelection s = GemmKernelSelector.select(bf16(4096, 4096, 4096), GemmKernelCatalog.of(l), H100, 256,
        GemmPreference.AUTO);
    assertThat(s.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(s.rejected()).containsExactly("cutlass: no bf16 kernel in this build");
  }

  @Test
  void aPreferredBackendOrVariantIsTakenOrRefusedWithTheReason() {
    GemmSelection lt = GemmKernelSelector.select(bf16(4096, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUBLASLT));
    assertThat(lt.provider()).isEqualTo(KernelProvider.CUBLASLT);
    assertThat(lt.rejected()).isEmpty();
    assertThat(lt.reason()).startsWith("asked for cublaslt");
    GemmSelection v2 = GemmKernelSelector.select(bf16(4096, 4096, 4096), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.CUTLASS, 2));
    assertThat(v2.variant().name()).isEqualTo("cutlass_sm90_bf16_coop_256x128x64_c1x2");
    assertThat(v2.reason()).contains("variant 2 as asked");
    assertThatThrownBy(() -> GemmKernelSelector.select(bf16(64, 50257, 768), CATALOG, H100, 256,
        GemmPreference.provider(KernelProvider.CUTLASS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cutlass cannot run GEMM bf16 M=64 N=50257 K=768")
        .hasMessageContaining("N=50257 must be a multiple of 8");
    assertThatThrownBy(() -> GemmKernelSelector.select(bf16(64, 64, 64), CATALOG, H100, 256,
        GemmPreference.variant(KernelProvider.CUTLASS, 9)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 9 bf16 variant(s), variant 9");
    assertThatThrownBy(() -> new GemmPreference(null, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GemmKernelSelector.select(bf16(64, 64, 64), CATALOG, H100, 12, GemmPreference.AUTO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
  }

  @Test
  void everyCatalogueEntryNamesAStandardKernelFamily() {
    for (GemmVariant v : CATALOG.variants()) {
      KernelDescriptor d = KernelRegistry.standard().kernel(v.descriptorId());
      assertThat(d.provider()).as(v.name()).isEqualTo(v.provider());
      assertThat(d.op().isGemm()).isTrue();
      assertThat(d.inputFormats()).as(v.name()).contains(v.input().aFormat());
      assertThat(d.weightFormats()).as(v.name()).contains(v.input().bFormat());
    }
    assertThat(CATALOG.counts(GemmInput.BF16)).containsEntry(KernelProvider.CUTLASS, 9)
        .containsEntry(KernelProvider.CUBLASLT, 1).containsEntry(KernelProvider.REFERENCE_GPU, 1)
        .containsEntry(KernelProvider.CPU, 1);
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.MXFP8)).contains("cutlass.sm90.gemm.mxfp8");
    assertThat(GemmKernelCatalog.cutlassDescriptorId(GemmInput.NVFP4)).isEmpty();
  }

  @Test
  void catalogueChecksItsNumberingAndReadsTilesFromNames() {
    GemmVariant v = GemmKernelCatalog.parseCutlass(GemmInput.BF16, 0, "cutlass_sm90_bf16_pingpong_128x64x64_c1x1",
        "cutlass.sm90.gemm.bf16").orElseThrow();
    assertThat(v.tileM()).isEqualTo(128);
    assertThat(v.tileN()).isEqualTo(64);
    assertThat(v.schedule()).isEqualTo(GemmKernelCatalog.PINGPONG);
    assertThat(GemmKernelCatalog.parseCutlass(GemmInput.BF16, 0, "mystery_kernel", "x")).isEmpty();
    GemmVariant gap = new GemmVariant(KernelProvider.CUTLASS, GemmInput.BF16, 1, "x_128x128x64_coop", 128, 128,
        GemmKernelCatalog.COOPERATIVE, "cutlass.sm90.gemm.bf16");
    assertThatThrownBy(() -> GemmKernelCatalog.of(List.of(gap)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without gaps");
  }

  @Test
  void graphFormatsMapToGemmInputs() {
    assertThat(GemmInput.of(TensorFormat.FP8_BLOCK_1X128, TensorFormat.FP8_BLOCK_128X128))
        .contains(GemmInput.FP8_BLOCK128);
    assertThat(GemmInput.of(TensorFormat.NVFP4, TensorFormat.NVFP4_2D)).contains(GemmInput.NVFP4);
    assertThat(GemmInput.of(TensorFormat.BF16, TensorFormat.MXFP8)).isEmpty();
  }
}
