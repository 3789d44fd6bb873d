package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream-K part of the tile choice ({@link GemmTileChoice}, {@code GemmStreamKModel}): which
 * problems get a stream-K configuration, the model's costs worked by hand, its limits, and a
 * table of choices made by the native planner itself (deepwell-cuda's gemm_sm90_select.cpp).
 */
class GemmStreamKChoiceTest {

  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard();
  private static final int H100_SMS = 132;

  /**
   * The choice among the CUTLASS configurations alone (the rules these tests are about): Deepwell's
   * own BF16 kernel, which has a rule of its own applied after them, left out.
   */
  private static GemmTileChoice.Choice choose(GemmInput in, long m, long n, long k, int sms) {
    List<GemmVariant> cutlass = CATALOG.variants(KernelProvider.CUTLASS, in).stream()
        .filter(v -> !v.schedule().equals(GemmKernelCatalog.DEEPWELL)).toList();
    return GemmTileChoice.choose(cutlass, GemmProblem.builder(m, n, k, in).build(), sms);
  }

  /** The choice among every sm90 variant of {@code in}, as the library's AUTO makes it. */
  private static GemmTileChoice.Choice chooseAll(GemmInput in, long m, long n, long k, int sms) {
    return GemmTileChoice.choose(CATALOG.variants(KernelProvider.CUTLASS, in),
        GemmProblem.builder(m, n, k, in).build(), sms);
  }

  private static String name(GemmInput in, long m, long n, long k) {
    return choose(in, m, n, k, H100_SMS).variant().name();
  }

  private static GemmVariant variant(String name) {
    return CATALOG.variants().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  private static GemmProblem problem(GemmInput in, long m, long n, long k) {
    return GemmProblem.builder(m, n, k, in).build();
  }

  /**
   * Session 12's MXFP8 name of the separate-reduction variant ("cutlass_sm90_mxfp8_deq_bf16_" +
   * the BF16 tile's 38 characters) was 67 bytes: the library reported it cut to 63 and the GPU
   * test comparing the library's kernels with this catalogue failed. Every name must fit.
   */
  @Test
  void everyCatalogueNameFitsTheNativePlanName() {
    for (int sm : new int[] {90, 100, 120}) {
      for (GemmVariant v : GemmKernelCatalog.standard(sm).variants()) {
        assertThat(v.name().length()).as(v.name()).isLessThanOrEqualTo(GemmVariant.MAX_NAME_BYTES);
      }
    }
    String tooLong = "cutlass_sm90_mxfp8_deq_bf16_splitk_reduce_pingpong_128x128x64_c1x2";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GemmVariant(KernelProvider.CUTLASS,
        GemmInput.MXFP8, 6, tooLong, 128, 128, GemmKernelCatalog.SPLIT_K_REDUCE, "cutlass.sm90.gemm.mxfp8"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("63 bytes");
  }

  @Test
  void everyCutlassFamilyListsItsStreamKConfigurationsLast() {
    for (GemmInput in : GemmInput.values()) {
      List<GemmVariant> vs = CATALOG.variants(KernelProvider.CUTLASS, in);
      boolean seen = false;
      for (GemmVariant v : vs) {
        boolean sk = v.schedule().equals(GemmKernelCatalog.STREAM_K) || v.schedule().equals(GemmKernelCatalog.SPLIT_K)
            || v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE) || v.schedule().equals(GemmKernelCatalog.DEEPWELL);
        // (Deepwell's BF16 kernel too: its own rule, after the others.) The MXFP8 wgmma and fused kernels come after them on purpose: the tile rules choose
        // among the variants before the first stream-K one; the fused kernel has its own rule
        // (GemmTileChoice.mxfp8Fused, Mxfp8FusedSplit), the wgmma kernel is run only when forced.
        boolean forcedOnly = v.schedule().equals(GemmKernelCatalog.PROMOTE_32)
            || v.schedule().equals(GemmKernelCatalog.FUSED);
        assertThat(!seen || sk || forcedOnly).as("%s after a stream-K variant", v.name()).isTrue();
        seen |= sk;
      }
    }
    assertThat(variant("cutlass_sm90_bf16_streamk_128x128x64_c2x1").index()).isEqualTo(4);
    assertThat(variant("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2").index()).isEqualTo(3);
    assertThat(variant("cutlass_sm90_fp8_block128_streamk_128x128x128_c1x2").index()).isEqualTo(2);
    assertThat(variant("cutlass_sm90_mxfp8_deq_bf16_streamk_128x128x64_c2x1").index()).isEqualTo(4);
    assertThat(variant("cutlass_sm90_bf16_splitk3_128x128x64_c2x2").index()).isEqualTo(5);
    assertThat(variant("cutlass_sm90_mxfp8_deq_bf16_splitk3_128x128x64_c2x2").index()).isEqualTo(5);
    assertThat(variant("cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2").index()).isEqualTo(6);
    assertThat(variant("cutlass_sm90_mxfp8_deq_bf16_splitk_reduce_128x128x64_c1x2").index()).isEqualTo(6);
  }

  @Test
  void namesGiveTheScheduleAndTheTileDepth() {
    GemmVariant v = GemmKernelCatalog.parseCutlass(GemmInput.FP8_TENSOR, 3,
        "cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2", "cutlass.sm90.gemm.fp8").orElseThrow();
    assertThat(v.schedule()).isEqualTo(GemmKernelCatalog.STREAM_K);
    assertThat(v.tileM()).isEqualTo(128);
    assertThat(v.tileN()).isEqualTo(128);
    assertThat(GemmKernelCatalog.tileK(v)).isEqualTo(128);
    assertThat(GemmKernelCatalog.tileK(variant("cutlass_sm90_bf16_coop_128x256x64_c2x1"))).isEqualTo(64);
    assertThat(GemmKernelCatalog.tileK(GemmKernelCatalog.referenceVariant(GemmInput.BF16))).isZero();
    GemmVariant split = GemmKernelCatalog.parseCutlass(GemmInput.BF16, 5, "cutlass_sm90_bf16_splitk3_128x128x64_c2x2",
        "cutlass.sm90.gemm.bf16").orElseThrow();
    assertThat(split.schedule()).isEqualTo(GemmKernelCatalog.SPLIT_K);
    assertThat(GemmKernelCatalog.splits(split)).isEqualTo(3);
    assertThat(GemmKernelCatalog.splits(v)).isEqualTo(1);
    // a cooperative name stays cooperative
    assertThat(GemmKernelCatalog.parseCutlass(GemmInput.BF16, 0, "cutlass_sm90_bf16_coop_128x256x64_c2x1",
        "cutlass.sm90.gemm.bf16").orElseThrow().schedule()).isEqualTo(GemmKernelCatalog.COOPERATIVE);
  }

  /**
   * The benchmark's GEMMs (GemmBenchmark: forward (16384, N, K), dgrad (16384, K, N), wgrad
   * (N, K, 16384)): stream-K exactly where the output has too few tiles for 132 SMs and K is long.
   */
  @Test
  void onTheBenchmarkShapesOnlySmallOutputWeightGradientsTakeStreamK() {
    long[][] tokenShapes = {{2304, 768}, {768, 768}, {4096, 768}, {768, 2048}, {32768, 768}};
    List<long[]> dense = new ArrayList<>(List.of(new long[] {4096, 4096, 4096}, new long[] {8192, 8192, 8192}));
    for (long[] nk : tokenShapes) {
      dense.add(new long[] {16384, nk[0], nk[1]});
      dense.add(new long[] {16384, nk[1], nk[0]});
    }
    dense.add(new long[] {32768, 768, 16384}); // the LM head's weight gradient: 768 tiles, enough
    for (GemmInput in : new GemmInput[] {GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128,
        GemmInput.MXFP8}) {
      for (long[] s : dense) {
        assertThat(choose(in, s[0], s[1], s[2], H100_SMS).variant().schedule()).as("%s %dx%dx%d", in, s[0], s[1],
            s[2]).isNotEqualTo(GemmKernelCatalog.STREAM_K);
      }
    }
    String bf16 = "cutlass_sm90_bf16_streamk_128x128x64_c2x1";
    // 768x768: 36 tiles x 3 = 108 CTAs fill one round of 132 SMs: split-K 3 (see splitKRule)
    assertThat(name(GemmInput.BF16, 768, 768, 16384)).isEqualTo("cutlass_sm90_bf16_splitk3_128x128x64_c2x2");
    // 2304x768: 108 tiles of 128x128 in one round, 256 k-iterations: stream-K would cost
    // 8 x (210 + 8 x 2) = 1808 >= 7 x 256 = 1792, so the data-parallel ping-pong 128x128 (which ran
    // 612-618 TFLOP/s against stream-K's 580 on an H100, 2026-11-26)
    assertThat(name(GemmInput.BF16, 2304, 768, 16384)).isEqualTo("cutlass_sm90_bf16_pingpong_128x128x64_c2x1");
    // 4096x768: 32 x 4 = 128 tiles of 128x192 fill 97% of one round (data-parallel, 256
    // iterations: 256 x 128 x 192 x 64 MACs; stream-K 128x128 would cost 8 x (373 + 8 x 1) =
    // 3048 > 7 x 256 x 1.5 = 2688 in 128x128x64 units)
    assertThat(name(GemmInput.BF16, 4096, 768, 16384)).isEqualTo("cutlass_sm90_bf16_coop_128x192x64_c2x1");
    assertThat(name(GemmInput.BF16, 768, 2048, 16384)).isEqualTo(bf16);
    // MXFP8 follows it where the fused kernel does not apply (K % 16 != 0; 256 k-tiles all the same)
    assertThat(name(GemmInput.MXFP8, 768, 768, 16376)).isEqualTo("cutlass_sm90_mxfp8_deq_bf16_splitk3_128x128x64_c2x2");
    assertThat(name(GemmInput.MXFP8, 768, 768, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x192x64");
    String fp8 = "cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2";
    assertThat(name(GemmInput.FP8_TENSOR, 768, 768, 16384)).isEqualTo(fp8);
    assertThat(name(GemmInput.FP8_TENSOR, 768, 2048, 16384)).isEqualTo(fp8);
    // 2304x768: 108 tiles of 128x128 in one round, 128 k-iterations: stream-K saves 12%, short of 1/8
    assertThat(name(GemmInput.FP8_TENSOR, 2304, 768, 16384)).isEqualTo("cutlass_sm90_fp8_tensor_coop_128x128x128_c1x2");
    // 4096x768: 128 tiles of 128x192 fill 97% of one round
    assertThat(name(GemmInput.FP8_TENSOR, 4096, 768, 16384)).isEqualTo("cutlass_sm90_fp8_tensor_coop_128x192x128_c2x1");
    String block = "cutlass_sm90_fp8_block128_streamk_128x128x128_c1x2";
    assertThat(name(GemmInput.FP8_BLOCK128, 768, 768, 16384)).isEqualTo(block);
    assertThat(name(GemmInput.FP8_BLOCK128, 4096, 768, 16384)).isEqualTo(block);
    assertThat(name(GemmInput.FP8_BLOCK128, 768, 2048, 16384)).isEqualTo(block);
    assertThat(name(GemmInput.FP8_BLOCK128, 2304, 768, 16384)).isEqualTo("cutlass_sm90_fp8_block128_coop_128x128x128_c1x2");
  }

  @Test
  void theModelsCostsWorkedByHand() {
    // 768x768x16384 BF16 on 132 SMs. Data-parallel (ping-pong 128x128): 36 tiles in one round of
    // 256 k-iterations: 1 x 256 x (128 x 128 x 64) MACs. Stream-K: 36 x 256 = 9216 iterations in
    // 132 shares of <= 70, ceil(132 / 36) = 4 passes of partial sums of R = 8 iterations each:
    // (70 + 4 x 8) x 128 x 128 x 64.
    GemmProblem p = problem(GemmInput.BF16, 768, 768, 16384);
    GemmVariant pingpong = variant("cutlass_sm90_bf16_pingpong_128x128x64_c2x1");
    GemmVariant sk = variant("cutlass_sm90_bf16_streamk_128x128x64_c2x1");
    assertThat(GemmStreamKModel.dataParallelCost(pingpong, 64, p, 132)).isEqualTo(256L * 1048576);
    assertThat(GemmStreamKModel.streamKCost(sk, 64, p, 132)).isEqualTo(102L * 1048576);
    // (without the split-K variants, which the split-K rules take here: see splitKRule)
    List<GemmVariant> noSplit = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16).stream()
        .filter(v -> !v.schedule().equals(GemmKernelCatalog.SPLIT_K)
            && !v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE) && !v.schedule().equals(GemmKernelCatalog.DEEPWELL))
        .toList();
    GemmTileChoice.Choice c = GemmTileChoice.choose(noSplit, p, 132);
    assertThat(c.variant()).isEqualTo(sk);
    assertThat(c.why()).startsWith("stream-K: cutlass_sm90_bf16_pingpong_128x128x64_c2x1 leaves 96 of 132 SM-rounds "
        + "idle; 36 tiles of 128x128 x 256 k-iterations in 132 shares of <= 70, 4 pass(es) of partial sums: "
        + "model cost 0.40 of data-parallel");

    // 2304x768x16384: BF16 (256 iterations, R = 8) 8 x 226 = 1808 >= 7 x 256 = 1792: data-parallel;
    // FP8 per tensor (128 iterations of depth 128, R = 4) 8 x 113 = 904 >= 7 x 128 = 896: likewise.
    GemmProblem q = problem(GemmInput.BF16, 2304, 768, 16384);
    assertThat(GemmStreamKModel.streamKCost(sk, 64, q, 132)).isEqualTo(226L * 1048576);
    GemmProblem q8 = problem(GemmInput.FP8_TENSOR, 2304, 768, 16384);
    GemmVariant sk8 = variant("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2");
    GemmVariant coop8 = variant("cutlass_sm90_fp8_tensor_coop_128x128x128_c1x2");
    assertThat(GemmStreamKModel.streamKCost(sk8, 128, q8, 132)).isEqualTo(113L * 2097152);
    assertThat(GemmStreamKModel.dataParallelCost(coop8, 128, q8, 132)).isEqualTo(128L * 2097152);
  }

  @Test
  void shortKStaysDataParallel() {
    String pingpong = "cutlass_sm90_bf16_pingpong_128x128x64_c2x1";
    String sk = "cutlass_sm90_bf16_streamk_128x128x64_c2x1";
    // one 128x128 tile; I k-iterations: I = 8 CUTLASS would not split; I = 16: 2 shares of 8 and
    // 2 passes of R = 8 cost 24 > 7/8 x 16; I = 24: 3 shares of 8 + 3 passes = 32 > 21. Four tiles
    // of 256x256x4096 (I = 64): 32 shares of 8 + 8 passes = 72 > 56. With R = 8 (64-deep tiles) a
    // single tile never gains from stream-K; the FP8 tiles (R = 4) below still do.
    assertThat(GemmStreamKModel.streamKCost(variant(sk), 64, problem(GemmInput.BF16, 128, 128, 512), 132))
        .isEqualTo(-1);
    assertThat(name(GemmInput.BF16, 128, 128, 512)).isEqualTo(pingpong);
    assertThat(name(GemmInput.BF16, 128, 128, 1024)).isEqualTo(pingpong);
    assertThat(name(GemmInput.BF16, 128, 128, 1536)).isEqualTo(pingpong);
    // (256x256x4096: 64 k-tiles, one 128x256 tile: the separate-reduction rule's, see separateReductionRule)
    assertThat(name(GemmInput.BF16, 256, 256, 4096))
        .isEqualTo("cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2");
    assertThat(GemmStreamKModel.streamKCost(variant(sk), 64, problem(GemmInput.BF16, 128, 128, 1536), 132))
        .isEqualTo(32L * 1048576);
    // ragged K counts whole k-tiles: 1480 is 24 tiles of 64 like 1536
    assertThat(GemmStreamKModel.streamKCost(variant(sk), 64, problem(GemmInput.BF16, 128, 128, 1480), 132))
        .isEqualTo(32L * 1048576);
  }

  @Test
  void fromEightDataParallelRoundsOnStreamKIsNotConsidered() {
    // FP8 per tensor, N = 200: 463 x 2 = 926 tiles of 128x192, 8 rounds on 132 SMs. The model alone
    // would take stream-K here (128x128 tiles pad N less), but the rule stops at 8 rounds.
    GemmProblem p = problem(GemmInput.FP8_TENSOR, 59264, 200, 16384);
    GemmVariant wide = variant("cutlass_sm90_fp8_tensor_coop_128x192x128_c2x1");
    GemmVariant sk = variant("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2");
    assertThat(GemmVariant.ceilDiv(wide.tiles(p.m(), p.n()), 132)).isEqualTo(8);
    assertThat(GemmStreamKModel.streamKCost(sk, 128, p, 132) * 8)
        .isLessThan(GemmStreamKModel.dataParallelCost(wide, 128, p, 132) * 7);
    assertThat(name(GemmInput.FP8_TENSOR, 59264, 200, 16384)).isEqualTo(wide.name());
    // one row of tiles fewer: 924 tiles, 7 rounds, and stream-K is taken
    assertThat(name(GemmInput.FP8_TENSOR, 59136, 200, 16384)).isEqualTo(sk.name());
  }

  @Test
  void splitKRule() {
    String split = "cutlass_sm90_bf16_splitk3_128x128x64_c2x2";
    String sk = "cutlass_sm90_bf16_streamk_128x128x64_c2x1";
    // 3 x T CTAs in (S/2, S] and K of at least 128 k-tiles of 64
    GemmTileChoice.Choice c = choose(GemmInput.BF16, 768, 768, 16384, 132);
    assertThat(c.variant().name()).isEqualTo(split);
    assertThat(c.why()).isEqualTo("split-K 3: 36 tiles of 128x128 x 3 parts = 108 CTAs fill one round of 132 SMs "
        + "(K 16384: 256 k-tiles >= 128; instead of " + sk + ")");
    assertThat(name(GemmInput.BF16, 768, 640, 8192)).isEqualTo(split); // 30 x 3 = 90 > 66, 6 x 6 x 3 = 108 launched
    assertThat(choose(GemmInput.BF16, 768, 640, 8192, 132).why()).contains("90 CTAs (108 launched in whole clusters)");
    assertThat(name(GemmInput.BF16, 768, 768, 8129)).isEqualTo(split); // 128 k-tiles of 64
    // Where the split-K 3 rule does not apply, these small outputs (at most 33 tiles of 128x256) go
    // to the separate-reduction rule; without that variant, to stream-K.
    String reduce = "cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2";
    List<GemmVariant> noReduce = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16).stream()
        .filter(v -> !v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE)
            && !v.schedule().equals(GemmKernelCatalog.DEEPWELL)).toList();
    for (long[] s : new long[][] {{768, 768, 8128}, {512, 512, 16384}, {768, 1024, 16384}}) {
      // 127 k-tiles; 16 x 3 = 48: half the SMs idle; 48 x 3 = 144 > 132
      assertThat(name(GemmInput.BF16, s[0], s[1], s[2])).isEqualTo(reduce);
      assertThat(GemmTileChoice.choose(noReduce, problem(GemmInput.BF16, s[0], s[1], s[2]), 132).variant().name())
          .isEqualTo(sk);
    }
    assertThat(name(GemmInput.BF16, 768, 768, 16384)).isEqualTo(split);
    assertThat(choose(GemmInput.BF16, 768, 768, 16384, 114).variant().name()).isEqualTo(split); // 108 <= 114
    // only the BF16 table has a split-K variant
    assertThat(name(GemmInput.FP8_TENSOR, 768, 768, 16384)).isEqualTo("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2");
  }

  @Test
  void splitKCountsWholeClustersAndYieldsToAFasterSeparateReduction() {
    String split = "cutlass_sm90_bf16_splitk3_128x128x64_c2x2";
    String reduce = "cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2";
    // 896x768: 7 x 6 = 42 tiles x 3 = 126 CTAs, but the 2x2 clusters launch 8 x 6 x 3 = 144 > 132.
    assertThat(GemmKernelCatalog.launchedTiles(variant(split), 896, 768)).isEqualTo(48);
    assertThat(GemmKernelCatalog.launchedTiles(variant(reduce), 896, 768)).isEqualTo(42); // 1x2 clusters of 128x128: 7 x 6
    // H200, 2026-11-28 (docs/PERFORMANCE.md, session 18), TFLOP/s split-K 3 / separate reduction:
    Object[][] measured = {
        {896L, 768L, 16384L, reduce},   // 320 / 511: two rounds of clusters
        {1024L, 640L, 16384L, reduce},  // 322 / 349: 8 x 6 x 3 = 144 launched
        {768L, 512L, 16384L, reduce},   // 329 / 404: 6 x 2 tiles of 128x256 in 5 ranges of 52 k-tiles, against 86
        {512L, 768L, 16384L, reduce},   // 327 / 397: the same, 4 x 3 tiles
        {1024L, 512L, 16384L, reduce},  // 411 / 465: 8 x 2 tiles in 4 ranges of 64
        {640L, 640L, 8192L, reduce},    // 229 / 258: 5 x 3 tiles in 4 ranges of 32, against 43
        {768L, 640L, 16384L, split},    // 385 / 331: 86 k-iterations either way, ties stay with split-K 3
        {768L, 768L, 16384L, split},    // 452 / 449
        {768L, 768L, 8192L, split}};    // 363 / 363
    for (Object[] f : measured) {
      assertThat(name(GemmInput.BF16, (Long) f[0], (Long) f[1], (Long) f[2])).as("%sx%sx%s", f[0], f[1], f[2])
          .isEqualTo(f[3]);
    }
    // Without the separate reduction in the table, split-K 3 keeps the shapes whose launch fits.
    List<GemmVariant> noReduce = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16).stream()
        .filter(v -> !v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE)).toList();
    assertThat(GemmTileChoice.choose(noReduce, problem(GemmInput.BF16, 768, 512, 16384), 132).variant().name())
        .isEqualTo(split);
    assertThat(GemmTileChoice.choose(noReduce, problem(GemmInput.BF16, 896, 768, 16384), 132).variant().name())
        .isNotEqualTo(split);
  }

  @Test
  void withoutStreamKVariantsTheDataParallelRulesDecideAlone() {
    List<GemmVariant> dp = new ArrayList<>();
    for (GemmVariant v : CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16)) {
      if (!v.schedule().equals(GemmKernelCatalog.STREAM_K) && !v.schedule().equals(GemmKernelCatalog.SPLIT_K)
          && !v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE) && !v.schedule().equals(GemmKernelCatalog.DEEPWELL)) {
        dp.add(v);
      }
    }
    GemmTileChoice.Choice c = GemmTileChoice.choose(dp, problem(GemmInput.BF16, 768, 768, 16384), 132);
    assertThat(c.variant().name()).isEqualTo("cutlass_sm90_bf16_pingpong_128x128x64_c2x1");
    assertThat(c.why()).contains("cannot fill 132 SMs");
  }

  @Test
  void mxfp8CountsTheKOfItsPaddedBf16Copies() {
    // The native MXFP8 family plans the BF16 kernels for K rounded up to 8; whole 64-deep
    // k-tiles are the same count either way, so MXFP8 follows the BF16 choice at any K.
    assumeTrue(!NATIVE_CHOICES.isEmpty(), "no deepwell-cuda/tests/gemm/sm90_tile_choices.txt next to this module");
    for (String row : NATIVE_CHOICES) {
      long[] f = java.util.Arrays.stream(row.strip().split(" +")).mapToLong(Long::parseLong).toArray();
      int sms = (int) f[0];
      GemmVariant mx = chooseAll(GemmInput.MXFP8, f[1], f[2], f[3] - 3, sms).variant();
      assertThat(mx.index()).as(row).isEqualTo((int) f[4]);
      assertThat(mx.name()).isEqualTo(GemmKernelCatalog.mxfp8OnBf16(
          CATALOG.variants(KernelProvider.CUTLASS, GemmInput.BF16).get((int) f[4])).name());
    }
  }

  /**
   * Rows "SMs M N K v(bf16) v(fp8-tensor) v(fp8-block128)" of deepwell-cuda/tests/gemm/sm90_tile_choices.txt:
   * the variants the native planner (gemm_sm90_select.cpp) chooses for 40 random small outputs with a
   * long K and 20 general shapes on 132 and 114 SMs (H100 SXM and PCIe), 8 shapes at the edges of the
   * split-K rule and 8 around the split-K 3 / separate-reduction boundary measured on 2026-11-28. The
   * native build checks the planner against the same file (sm90_tile_choice_check), so the Java choice
   * must be the same. Empty where the file is not next to this module (a test is then skipped).
   */
  private static final List<String> NATIVE_CHOICES = nativeChoices();

  private static List<String> nativeChoices() {
    java.nio.file.Path table = NativeChoiceTables.path("sm90_tile_choices.txt");
    if (!java.nio.file.Files.isRegularFile(table)) {
      return List.of();
    }
    try {
      return java.nio.file.Files.readAllLines(table).stream()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theJavaChoiceIsTheNativePlannersOnATableOfRandomShapes() {
    assumeTrue(!NATIVE_CHOICES.isEmpty(), "no deepwell-cuda/tests/gemm/sm90_tile_choices.txt next to this module");
    int rows = 0;
    int streamK = 0;
    int splitK = 0;
    int deepwell = 0;
    for (String row : NATIVE_CHOICES) {
      long[] f = java.util.Arrays.stream(row.strip().split(" +")).mapToLong(Long::parseLong).toArray();
      int sms = (int) f[0];
      GemmInput[] inputs = {GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128};
      for (int i = 0; i < inputs.length; i++) {
        GemmTileChoice.Choice c = chooseAll(inputs[i], f[1], f[2], f[3], sms);
        assertThat(c.variant().index()).as("%s on %d SMs: %s (%s)", row, sms, inputs[i], c.why())
            .isEqualTo((int) f[4 + i]);
        streamK += c.variant().schedule().equals(GemmKernelCatalog.STREAM_K) ? 1 : 0;
        splitK += c.variant().schedule().equals(GemmKernelCatalog.SPLIT_K) ? 1 : 0;
        deepwell += c.variant().schedule().equals(GemmKernelCatalog.DEEPWELL) ? 1 : 0;
      }
      rows++;
    }
    assertThat(rows).isEqualTo(136);
    assertThat(streamK).as("the table exercises both outcomes").isBetween(100, 260);
    assertThat(splitK).as("and the split-K rule").isBetween(1, 40);
    assertThat(deepwell).as("and Deepwell's kernel's").isBetween(5, 40);
  }

  @Test
  void separateReductionRule() {
    String reduce = "cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2";
    // 4 x 2 = 8 tiles of 128x256 for 66 SM pairs, 256 k-tiles (H100: 291 TFLOP/s against stream-K's 218)
    assertThat(name(GemmInput.BF16, 512, 512, 16384)).isEqualTo(reduce);
    assertThat(choose(GemmInput.BF16, 512, 512, 16384, H100_SMS).why()).contains("8 tiles of 128x256 for 66 SM pairs");
    // 8 x 4 = 32 tiles <= 33: taken (558-564 against 521-523)
    assertThat(name(GemmInput.BF16, 1024, 1024, 16384)).isEqualTo(reduce);
    // 64 k-tiles >= 32
    assertThat(name(GemmInput.BF16, 768, 768, 4096)).isEqualTo(reduce);
    // MXFP8's dequantizing way (K % 16 != 0: not the fused kernel) follows on its BF16 copies
    assertThat(name(GemmInput.MXFP8, 512, 512, 16376))
        .isEqualTo("cutlass_sm90_mxfp8_deq_bf16_splitk_reduce_128x128x64_c1x2");
    // 31 k-tiles: too short a K
    assertThat(name(GemmInput.BF16, 512, 512, 1984)).isNotEqualTo(reduce);
    assertThat(name(GemmInput.BF16, 512, 512, 1985)).isEqualTo(reduce);
    // 34 tiles of 128x256 > 66 / 2
    assertThat(name(GemmInput.BF16, 2176, 512, 16384)).isNotEqualTo(reduce);
    assertThat(name(GemmInput.BF16, 2048, 512, 16384)).isEqualTo(reduce);
    // the split-K 3 rule keeps 768x768x16384 (442 against split-K 3's 449-450), and more tiles
    // than half the pairs lose (768x2048x16384, 2304x768x16384)
    assertThat(name(GemmInput.BF16, 768, 768, 16384)).isEqualTo("cutlass_sm90_bf16_splitk3_128x128x64_c2x2");
    assertThat(name(GemmInput.BF16, 768, 2048, 16384)).isEqualTo("cutlass_sm90_bf16_streamk_128x128x64_c2x1");
    assertThat(name(GemmInput.BF16, 2304, 768, 16384)).isEqualTo("cutlass_sm90_bf16_pingpong_128x128x64_c2x1");
    // FP8 has no such variant: unchanged
    assertThat(name(GemmInput.FP8_TENSOR, 512, 512, 16384))
        .isEqualTo("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2");
    // the schedule is read back from a native name
    assertThat(GemmKernelCatalog.parseCutlass(GemmInput.BF16, 6, reduce, "cutlass.sm90.gemm.bf16").orElseThrow()
        .schedule()).isEqualTo(GemmKernelCatalog.SPLIT_K_REDUCE);
  }

  @Test
  void theSplitCountIsTheNativePlannersOnATable() {
    for (String row : NATIVE_REDUCE_SPLITS.strip().split("\\n")) {
      long[] f = java.util.Arrays.stream(row.strip().split(" +")).mapToLong(Long::parseLong).toArray();
      assertThat(GemmTileChoice.reduceSplits(f[0], f[1], f[2])).as(row).isEqualTo(f[3]);
    }
    // the measured shapes' S (H100, 66 pairs): 512x512x16384 8, 1024x1024x16384 2, 768x768x16384 3
    assertThat(GemmTileChoice.reduceSplits(8, 256, 66)).isEqualTo(8);
    assertThat(choose(GemmInput.BF16, 1024, 1024, 16384, H100_SMS).why()).contains("2 K ranges per tile");
  }

  /**
   * Rows "P I C S": gemm_sm90_select.cpp's sm90_reduce_splits built for the host (2026-11-27) for P
   * 128x256 tiles, I k-tiles of 64 and C clusters of two.
   */
  private static final String NATIVE_REDUCE_SPLITS = """
      1 64 57 16
      1 256 57 16
      2 64 57 11
      2 256 57 16
      4 64 57 8
      4 256 57 13
      8 64 57 5
      8 256 57 7
      17 64 57 3
      17 256 57 3
      18 64 57 3
      18 256 57 3
      24 64 57 2
      24 256 57 2
      32 64 57 3
      32 256 57 3
      33 64 57 3
      33 256 57 3
      48 64 57 1
      48 256 57 1
      54 64 57 1
      54 256 57 1
      60 64 57 1
      60 256 57 1
      1 0 66 0
      1 1 66 1
      1 5 66 5
      1 16 66 8
      1 31 66 11
      1 32 66 11
      1 64 66 16
      1 128 66 16
      1 256 66 16
      1 512 66 16
      2 0 66 0
      2 1 66 1
      2 5 66 3
      2 16 66 4
      2 31 66 8
      2 32 66 8
      2 64 66 11
      2 128 66 16
      2 256 66 16
      2 512 66 16
      4 0 66 0
      4 1 66 1
      4 5 66 2
      4 16 66 4
      4 31 66 4
      4 32 66 4
      4 64 66 8
      4 128 66 10
      4 256 66 16
      4 512 66 16
      8 0 66 0
      8 1 66 1
      8 5 66 1
      8 16 66 2
      8 31 66 4
      8 32 66 4
      8 64 66 5
      8 128 66 8
      8 256 66 8
      8 512 66 8
      17 0 66 0
      17 1 66 1
      17 5 66 1
      17 16 66 2
      17 31 66 3
      17 32 66 3
      17 64 66 3
      17 128 66 3
      17 256 66 3
      17 512 66 7
      18 0 66 0
      18 1 66 1
      18 5 66 1
      18 16 66 2
      18 31 66 3
      18 32 66 3
      18 64 66 3
      18 128 66 3
      18 256 66 3
      18 512 66 7
      24 0 66 0
      24 1 66 1
      24 5 66 1
      24 16 66 2
      24 31 66 2
      24 32 66 2
      24 64 66 2
      24 128 66 2
      24 256 66 5
      24 512 66 5
      32 0 66 0
      32 1 66 1
      32 5 66 1
      32 16 66 1
      32 31 66 2
      32 32 66 2
      32 64 66 2
      32 128 66 2
      32 256 66 2
      32 512 66 2
      33 0 66 0
      33 1 66 1
      33 5 66 1
      33 16 66 1
      33 31 66 2
      33 32 66 2
      33 64 66 2
      33 128 66 2
      33 256 66 2
      33 512 66 2
      48 0 66 0
      48 1 66 1
      48 5 66 1
      48 16 66 1
      48 31 66 1
      48 32 66 1
      48 64 66 1
      48 128 66 1
      48 256 66 4
      48 512 66 4
      54 0 66 0
      54 1 66 1
      54 5 66 1
      54 16 66 1
      54 31 66 1
      54 32 66 1
      54 64 66 1
      54 128 66 1
      54 256 66 1
      54 512 66 6
      60 0 66 0
      60 1 66 1
      60 5 66 1
      60 16 66 1
      60 31 66 1
      60 32 66 1
      60 64 66 1
      60 128 66 1
      60 256 66 1
      60 512 66 1
      1 64 74 16
      1 256 74 16
      2 64 74 11
      2 256 74 16
      4 64 74 8
      4 256 74 16
      8 64 74 5
      8 256 74 9
      17 64 74 4
      17 256 74 4
      18 64 74 4
      18 256 74 4
      24 64 74 3
      24 256 74 3
      32 64 74 2
      32 256 74 2
      33 64 74 2
      33 256 74 2
      48 64 74 1
      48 256 74 3
      54 64 74 1
      54 256 74 4
      60 64 74 1
      60 256 74 1
      """;
}
