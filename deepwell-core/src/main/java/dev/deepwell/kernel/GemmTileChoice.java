package dev.deepwell.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which CUTLASS tile configuration runs a problem: the rules of deepwell-cuda's
 * src/gemm/gemm_sm90_select.cpp (measured on H100, docs/PERFORMANCE.md), stated over tile
 * shapes and schedules rather than variant numbers so that a reordered table keeps its meaning.
 * A GPU test compares this choice with the native planner's on the benchmark shapes.
 *
 * <p>Where no rule decides, the model of a persistent kernel: its time is about rounds x (time
 * of one tile), a round giving each SM one tile, so a large tile wins only while there are
 * enough tiles to fill the SMs. Cost = ceil(tiles / SMs) x tile area; ties go to the earlier
 * variant. Stream-K variants (schedule {@link GemmKernelCatalog#STREAM_K}) are not among those:
 * {@code GemmStreamKModel} decides whether one replaces the data-parallel choice.
 *
 * <p>NVFP4 weights x BF16 activations (our sm90 kernel, listed under CUTLASS) have a rule of their
 * own, the native planner's (measured; {@link #nvfp4Weight}).
 */
public final class GemmTileChoice {

  /** A chosen variant and the rule that chose it. */
  public record Choice(GemmVariant variant, String why) {
    public Choice {
      Objects.requireNonNull(variant, "variant");
      Objects.requireNonNull(why, "why");
    }
  }

  private GemmTileChoice() {}

  /**
   * The variant of {@code variants} (one provider and input, by index) for an M x N x K problem
   * on {@code sms} SMs.
   */
  public static Choice choose(List<GemmVariant> variants, GemmProblem p, int sms) {
    Objects.requireNonNull(variants, "variants");
    Objects.requireNonNull(p, "problem");
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("no variants to choose from");
    }
    if (sms <= 0) {
      throw new IllegalArgumentException("sms must be > 0, got " + sms);
    }
    if (variants.size() == 1 || !variants.get(0).isTiled()) {
      return new Choice(variants.get(0), "the only configuration");
    }
    if (variants.get(0).input() == GemmInput.NVFP4_WEIGHT) {
      return nvfp4Weight(variants, p, sms);
    }
    if (variants.get(0).input() == GemmInput.MXFP8) {
      Choice fused = mxfp8Fused(variants, p, sms);
      if (fused != null) {
        return fused;
      }
    }
    // The rules choose among the data-parallel variants, those before the first stream-K one (the
    // native tables list stream-K last); then the stream-K model may replace that choice.
    List<GemmVariant> dataParallel = new ArrayList<>();
    for (GemmVariant v : variants) {
      if (!isDataParallel(v)) {
        break;
      }
      dataParallel.add(v);
    }
    if (dataParallel.isEmpty()) {
      return new Choice(variants.get(0), "no data-parallel configuration: the first");
    }
    return deepwell(variants, separateReduction(variants,
        splitK(variants, GemmStreamKModel.consider(variants, dataParallelChoice(dataParallel, p, sms), p, sms), p, sms),
        p, sms), p, sms);
  }

  /**
   * Whether a variant gives each output tile one CTA: not stream-K, split-K, the separate reduction
   * or Deepwell's kernel (gemm_sm90_select.cpp's data_parallel).
   */
  private static boolean isDataParallel(GemmVariant v) {
    String s = v.schedule();
    return !s.equals(GemmKernelCatalog.STREAM_K) && !s.equals(GemmKernelCatalog.SPLIT_K)
        && !s.equals(GemmKernelCatalog.SPLIT_K_REDUCE) && !s.equals(GemmKernelCatalog.DEEPWELL);
  }

  /** K, in k-tiles of 64, from which Deepwell's BF16 kernel is considered. */
  static final long DEEPWELL_MIN_K_TILES = 64;
  /** The most rounds of SMs its work units may take. */
  static final long DEEPWELL_MAX_ROUNDS = 2;

  /**
   * Deepwell's BF16 kernel (schedule {@link GemmKernelCatalog#DEEPWELL}: 128x112 and 128x96 tiles, its
   * own split-K) where, with K of at least 64 k-tiles of 64, one of its tiles takes one or two rounds
   * of SMs (tiles x {@link #deepwellSplits} K ranges) and fills them to at least 90% (fill = M x N x
   * ranges over rounds x SMs x tile area: edge tiles count only their inside; the fullest tile, the
   * wider on ties), unless {@code chosen} is a data-parallel CUTLASS tile that fills the SMs as well;
   * else {@code chosen}. As gemm_sm90_select.cpp's consider_deepwell; H200 (2026-11-28): 2304x768x16384
   * 606-660 TFLOP/s (128x112) against the ping-pong 128x128's 537-623, 768x768x16384 472-474 against
   * split-K 3's 435-437, 768x2048x16384 637-640 (128x96) against stream-K's 567-568; left to CUTLASS
   * where it fills no better (4096x768x16384: 128x192 and 128x96 both 97%) or where the edge tiles are
   * mostly empty (768x512x16384: 349-351 against the separate reduction's 395-400).
   */
  private static Choice deepwell(List<GemmVariant> vs, Choice chosen, GemmProblem p, int sms) {
    long kTiles = GemmVariant.ceilDiv(p.k(), 64);
    if (p.m() > Integer.MAX_VALUE || p.n() > Integer.MAX_VALUE || p.k() > Integer.MAX_VALUE
        || kTiles < DEEPWELL_MIN_K_TILES) {
      return chosen;
    }
    GemmVariant best = null;
    long bestNum = 0;
    long bestDen = 1;
    long bestSplits = 0;
    long bestRounds = 0;
    for (GemmVariant v : vs) {
      if (!v.schedule().equals(GemmKernelCatalog.DEEPWELL)) {
        continue;
      }
      long tiles = v.tiles(p.m(), p.n());
      long splits = deepwellSplits(tiles, kTiles, sms);
      long rounds = GemmVariant.ceilDiv(tiles * splits, sms);
      if (rounds > DEEPWELL_MAX_ROUNDS) {
        continue;
      }
      // (at most two rounds of tiles: M x N x splits is small, the products below too)
      long num = p.m() * p.n() * splits;
      long den = rounds * sms * v.tileM() * v.tileN();
      if (10 * num < 9 * den) {
        continue;
      }
      if (best == null || bestNum * den < num * bestDen) {
        best = v;
        bestNum = num;
        bestDen = den;
        bestSplits = splits;
        bestRounds = rounds;
      }
    }
    if (best == null) {
      return chosen;
    }
    GemmVariant c = chosen.variant();
    if (isDataParallel(c)) {
      long chosenDen = GemmVariant.ceilDiv(c.tiles(p.m(), p.n()), sms) * sms * c.tileM() * c.tileN();
      if (p.m() * p.n() * bestDen >= bestNum * chosenDen) {
        return chosen;
      }
    }
    long tiles = best.tiles(p.m(), p.n());
    return new Choice(best, "Deepwell's BF16 kernel: " + tiles + " tiles of " + best.tileM() + "x" + best.tileN()
        + " x " + bestSplits + " K range" + (bestSplits == 1 ? "" : "s") + " = " + tiles * bestSplits
        + " units, their output fills " + (100 * bestNum / bestDen) + "% of " + bestRounds + " round"
        + (bestRounds == 1 ? "" : "s") + " of " + sms + " SMs (instead of " + c.name() + ")");
  }

  /**
   * The K ranges of Deepwell's BF16 kernel for {@code tiles} output tiles of {@code kTiles} 64-deep
   * k-tiles on {@code sms} SMs: as many as fill one round where the tiles alone fill less (SMs /
   * tiles), each at least 16 k-tiles, at most 16, none empty; 1 for K = 0. gemm_sm90_select.cpp's
   * sm90_deepwell_splits.
   */
  static long deepwellSplits(long tiles, long kTiles, int sms) {
    if (tiles <= 0 || kTiles <= 0) {
      return 1;
    }
    long s = tiles < sms ? sms / tiles : 1;
    s = Math.max(1, Math.min(Math.min(s, kTiles / 16), 16));
    return GemmVariant.ceilDiv(kTiles, GemmVariant.ceilDiv(kTiles, s));
  }

  /**
   * MXFP8 on sm_90, as gemm_sm90_select.cpp's sm90_mxfp8_way: the fused kernel (A dequantized in
   * registers, only B through a pass) where K % 16 == 0 (its TMA rows), N <= 1024 and aligned as the
   * dequantizing way needs, and either M >= 4096 or the problem is a long-K weight gradient (M >=
   * 256, K >= 8192) whose work units fill at least 70% of their rounds of SMs. Its tile (128x256,
   * 128x192 or 128x128, the least cost {@link Mxfp8FusedSplit} models, the wider on ties) and split-K
   * by the model. Measured on
   * H100 (docs/PERFORMANCE.md): it won the 7 benchmark shapes with N <= 1024 and M >= 4096 and,
   * with the model's split-K, 9 weight gradients of N <= 1024 (+6% to +37% over the dequantizing
   * way); it lost 2304x1024x16384 (55% of the SMs) and 1280x768x4096, which the bounds exclude.
   * From M = 256 (H200, 2026-11-28): 256x768x16384 to 640x640x8192, +2% to +27% over the dequantizing
   * way. Null where the dequantizing way runs (or the catalogue lacks the tile).
   */
  static Choice mxfp8Fused(List<GemmVariant> variants, GemmProblem p, int sms) {
    long nAlign = p.output() == GemmOutput.FP32 ? 4 : 8;
    if (p.k() % 16 != 0 || p.n() > 1024 || p.n() % nAlign != 0 || p.m() < 256) {
      return null;
    }
    // The tile of least modeled cost; ties to the wider.
    int tileN = 256;
    Mxfp8FusedSplit best = Mxfp8FusedSplit.of(p.m(), p.n(), p.k(), 256, sms);
    StringBuilder others = new StringBuilder();
    for (int t : new int[] {192, 128}) {
      Mxfp8FusedSplit c = Mxfp8FusedSplit.of(p.m(), p.n(), p.k(), t, sms);
      if (c.cost() < best.cost()) {
        others.append(others.isEmpty() ? "" : ", ").append(best.cost()).append(" for 128x").append(tileN);
        best = c;
        tileN = t;
      } else {
        others.append(others.isEmpty() ? "" : ", ").append(c.cost()).append(" for 128x").append(t);
      }
    }
    long units = GemmVariant.ceilDiv(p.m(), 128) * GemmVariant.ceilDiv(p.n(), tileN) * best.splits();
    long rounds = GemmVariant.ceilDiv(units, sms);
    String why;
    if (p.m() >= 4096) {
      why = "MXFP8 with N=" + p.n() + " <= 1024 and M=" + p.m() + " >= 4096";
    } else if (p.k() >= 8192 && 10 * units >= 7 * rounds * sms) {
      why = "MXFP8 weight gradient (N=" + p.n() + " <= 1024, M=" + p.m() + " >= 256, K=" + p.k() + " >= 8192; "
          + units + " units fill >= 70% of " + rounds + " round" + (rounds == 1 ? "" : "s") + " of " + sms + " SMs)";
    } else {
      return null;
    }
    GemmVariant fused = find(variants, 128, tileN, GemmKernelCatalog.FUSED);
    if (fused == null) {
      return null;
    }
    return new Choice(fused, why + ": A dequantized in registers, only B through a pass (the fused kernel), 128x"
        + tileN + " tiles with " + best.splits() + " K range" + (best.splits() == 1 ? "" : "s") + " (modeled "
        + best.cost() + " against " + others + ")");
  }

  /**
   * NVFP4 weights on sm_90, as gemm_sm90_select.cpp's sm90_nvfp4w_choose_variant chooses among the
   * kernel's tiles (256, 128 and 64 token rows, all 128 weight rows wide): the narrowest tile that
   * holds M up to 128 tokens, beyond that the 256-row tile where its tiles fill at least half of the
   * SMs (the kernel splits K to fill the rest), else the 128-row one. Measured (H100, 2026-11-27,
   * docs/PERFORMANCE.md): the cost of a k-tile hardly depends on the tile's token rows, so the
   * tallest tile that M fills wins, unless it leaves most SMs to split-K.
   */
  private static Choice nvfp4Weight(List<GemmVariant> vs, GemmProblem p, int sms) {
    GemmVariant tall = byTileM(vs, 256);
    GemmVariant mid = byTileM(vs, 128);
    GemmVariant small = byTileM(vs, 64);
    if (p.m() <= 64 && small != null) {
      return new Choice(small, "NVFP4 weights: M=" + p.m() + " fits the 64-token tile");
    }
    if (p.m() <= 128 && mid != null) {
      return new Choice(mid, "NVFP4 weights: M=" + p.m() + " fits the 128-token tile");
    }
    long tallTiles = tall == null ? 0 : tall.tiles(p.m(), p.n());
    if (tall != null && (2 * tallTiles >= sms || mid == null)) {
      return new Choice(tall, "NVFP4 weights: " + tallTiles + " tiles of 256x128 fill at least half of " + sms
          + " SMs");
    }
    GemmVariant chosen = mid != null ? mid : vs.get(0);
    return new Choice(chosen, "NVFP4 weights: " + tallTiles + " tiles of 256x128 would leave more than half of "
        + sms + " SMs to split-K; the 128-token tile");
  }

  private static GemmVariant byTileM(List<GemmVariant> vs, int tileM) {
    for (GemmVariant v : vs) {
      if (v.tileM() == tileM) {
        return v;
      }
    }
    return null;
  }

  /** K, in whole k-tiles of the split-K variant, from which the split-K rule applies (8192 / 64). */
  static final long SPLIT_K_MIN_ITERATIONS = 128;

  /**
   * The first split-K variant (s parts per tile) whose grid, its tiles rounded up to whole clusters
   * (as CUTLASS launches them) times s, fits one round of SMs while its s x T useful CTAs fill more
   * than half of them, for K of at least 128 k-tiles (8192 for the 64-deep BF16 tile; counted in k-tiles so
   * that MXFP8, which plans BF16 kernels for K rounded up to 8, chooses alike), unless the separate
   * reduction applies and would run fewer k-iterations of wall time by its own model; else
   * {@code chosen}. As gemm_sm90_select.cpp: H100, 768x768x16384, 36 tiles x 3 = 108 CTAs on 132
   * SMs, split-K 3 451.7 TFLOP/s against stream-K's 418.8; H200 (2026-11-28), split-K 3 against the
   * separate reduction: 896x768x16384 320 / 511 (2x2 clusters: 144 CTAs, two rounds), 768x512x16384
   * 329 / 404, 1024x512x16384 411 / 465, 640x640x8192 229 / 258; ties kept by split-K 3
   * (768x768x16384 452 / 449, 768x640x16384 385 / 331).
   */
  private static Choice splitK(List<GemmVariant> vs, Choice chosen, GemmProblem p, int sms) {
    if (p.m() > Integer.MAX_VALUE || p.n() > Integer.MAX_VALUE || p.k() > Integer.MAX_VALUE) {
      return chosen;
    }
    for (GemmVariant v : vs) {
      int s = GemmKernelCatalog.splits(v);
      int depth = GemmKernelCatalog.tileK(v);
      if (!v.schedule().equals(GemmKernelCatalog.SPLIT_K) || s <= 1 || depth <= 0
          || GemmVariant.ceilDiv(p.k(), depth) < SPLIT_K_MIN_ITERATIONS) {
        continue;
      }
      long ctas = s * v.tiles(p.m(), p.n());
      long launched = s * GemmKernelCatalog.launchedTiles(v, p.m(), p.n());
      // useful CTAs fill more than half of the SMs; the launch, whole clusters, at most all of them
      if (2 * ctas > sms && launched <= sms) {
        long splitIterations = GemmVariant.ceilDiv(GemmVariant.ceilDiv(p.k(), depth), s);
        SeparateReduction r = SeparateReduction.of(vs, p, sms);
        if (r != null && r.wallIterations() < splitIterations) {
          return chosen;
        }
        return new Choice(v, "split-K " + s + ": " + v.tiles(p.m(), p.n()) + " tiles of " + v.tileM() + "x" + v.tileN()
            + " x " + s + " parts = " + ctas + " CTAs"
            + (launched != ctas ? " (" + launched + " launched in whole clusters)" : "") + " fill one round of " + sms
            + " SMs (K " + p.k() + ": "
            + GemmVariant.ceilDiv(p.k(), depth) + " k-tiles >= " + SPLIT_K_MIN_ITERATIONS + "; instead of "
            + chosen.variant().name() + ")");
      }
    }
    return chosen;
  }

  /**
   * The separate-reduction variant where its rule's bounds hold for {@code p} (at most half as many
   * 128x256 tiles as SM pairs, K of at least {@link #REDUCE_MIN_ITERATIONS} k-tiles of 64), with what
   * its model counts; null where they do not hold or {@code vs} does not offer it. Both rules ask it,
   * as gemm_sm90_select.cpp's separate_reduction.
   */
  private record SeparateReduction(GemmVariant variant, long pairs, long tiles, long iterations) {

    static SeparateReduction of(List<GemmVariant> vs, GemmProblem p, int sms) {
      long pairs = Math.max(1, sms / 2);
      long tiles = GemmVariant.ceilDiv(p.m(), 128) * GemmVariant.ceilDiv(p.n(), 256);
      long iterations = GemmVariant.ceilDiv(p.k(), 64);
      if (2 * tiles > pairs || iterations < REDUCE_MIN_ITERATIONS) {
        return null;
      }
      return vs.stream().filter(v -> v.schedule().equals(GemmKernelCatalog.SPLIT_K_REDUCE)).findFirst()
          .map(v -> new SeparateReduction(v, pairs, tiles, iterations)).orElse(null);
    }

    long splits() {
      return reduceSplits(tiles, iterations, pairs);
    }

    /** k-iterations of wall time: waves x K range. */
    long wallIterations() {
      long s = splits();
      return GemmVariant.ceilDiv(tiles * s, pairs) * GemmVariant.ceilDiv(iterations, s);
    }
  }

  /** K, in k-tiles of 64, from which the separate-reduction rule applies. */
  static final long REDUCE_MIN_ITERATIONS = 32;

  /**
   * The split-K-with-a-separate-reduction variant (schedule {@link GemmKernelCatalog#SPLIT_K_REDUCE})
   * where the output has at most half as many 128x256 tiles as the GPU has SM pairs and K at least
   * 32 k-tiles of 64, unless the split-K rule has chosen; else {@code chosen}. As
   * gemm_sm90_select.cpp; H100 (2026-11-27): 512x512x16384 291 TFLOP/s against stream-K's 218,
   * 1024x1024x16384 558-564 against 521-523, 768x768x4096 240 against 208-210; it lost where the
   * output had more tiles (768x2048x16384, 2304x768x16384) and tied split-K 3 on 768x768x16384.
   */
  private static Choice separateReduction(List<GemmVariant> vs, Choice chosen, GemmProblem p, int sms) {
    if (chosen.variant().schedule().equals(GemmKernelCatalog.SPLIT_K) || p.m() > Integer.MAX_VALUE
        || p.n() > Integer.MAX_VALUE || p.k() > Integer.MAX_VALUE) {
      return chosen;
    }
    SeparateReduction r = SeparateReduction.of(vs, p, sms);
    if (r == null) {
      return chosen;
    }
    return new Choice(r.variant(), "split-K with a separate reduction: " + r.tiles() + " tiles of 128x256 for "
        + r.pairs() + " SM pairs (at most half) and K " + p.k() + " >= " + 64 * REDUCE_MIN_ITERATIONS + ", "
        + r.splits() + " K ranges per tile (instead of " + chosen.variant().name() + ")");
  }

  /**
   * The separate-reduction variant's K ranges per tile for {@code tiles} 128x256 output tiles of
   * {@code iterations} 64-deep k-tiles on {@code clusters} clusters of two SMs: gemm_sm90_select.cpp's
   * sm90_reduce_splits (the native side asks the runtime how many clusters stay resident; SMs / 2
   * on the H100). The S <= 16 with the least ceil(P S / C) x ceil(I / S) x 4 + P S: waves of k-iterations,
   * plus each piece's FP32 slot written and read back (about a quarter of a k-iteration spread over
   * the GPU); 1 where the tiles alone fill the clusters, 0 for K = 0.
   */
  static long reduceSplits(long tiles, long iterations, long clusters) {
    if (iterations <= 0) {
      return 0;
    }
    long c = Math.max(1, clusters);
    if (tiles >= c) {
      return 1;
    }
    long best = 1;
    long bestCost = reduceCost(tiles, iterations, c, 1);
    for (long s = 2; s <= REDUCE_MAX_SPLITS && s <= iterations; s++) {
      long cost = reduceCost(tiles, iterations, c, s);
      if (cost < bestCost) {
        best = s;
        bestCost = cost;
      }
    }
    return best;
  }

  /** {@link #reduceSplits}'s cost of {@code s} K ranges, x REDUCE_PIECE_COST_DEN to stay in integers. */
  private static long reduceCost(long tiles, long iterations, long clusters, long s) {
    return GemmVariant.ceilDiv(tiles * s, clusters) * GemmVariant.ceilDiv(iterations, s) * REDUCE_PIECE_COST_DEN
        + tiles * s;
  }

  /** A piece's slot written and read back costs 1 / this of a k-iteration (sm90_reduce_splits's kPieceCostDen). */
  private static final long REDUCE_PIECE_COST_DEN = 4;
  /** The most K ranges per tile (sm90_reduce_splits's kMaxSplits). */
  private static final long REDUCE_MAX_SPLITS = 16;

  private static Choice dataParallelChoice(List<GemmVariant> variants, GemmProblem p, int sms) {
    switch (variants.get(0).input()) {
      case BF16:
        return bf16(variants, p, sms);
      case FP8_TENSOR:
        return fp8Tensor(variants, p, sms);
      case FP8_BLOCK128:
        return fp8Block(variants, p, sms);
      case MXFP8: // the BF16 tiles on dequantized copies, chosen by the BF16 rules
        return bf16(variants, p, sms);
      default:
        return fewestRounds(variants, p, sms, v -> true);
    }
  }

  private static Choice bf16(List<GemmVariant> vs, GemmProblem p, int sms) {
    GemmVariant wide = find(vs, 128, 256, GemmKernelCatalog.COOPERATIVE);
    GemmVariant pingpong = find(vs, 128, 128, GemmKernelCatalog.PINGPONG);
    GemmVariant tall = find(vs, 256, 128, GemmKernelCatalog.COOPERATIVE);
    if (vs.size() < 3 || wide == null || pingpong == null || tall == null) {
      return fewestRounds(vs, p, sms, v -> true);
    }
    long wideTiles = wide.tiles(p.m(), p.n());
    if (wideTiles < sms) {
      // The fewest rounds x tile area among the data-parallel tiles, ping-pong 128x128 on ties
      // (gemm_sm90_select.cpp): 128x192 fills one round where the others leave many SMs idle
      // (4096x768x16384: 128 tiles for 132 SMs).
      Choice c = fewestRounds(vs, p, sms, v -> true, pingpong);
      return new Choice(c.variant(), wideTiles + " tiles of 128x256 cannot fill " + sms + " SMs: " + c.why());
    }
    if (p.k() <= 1024) {
      return new Choice(pingpong, "short K (" + p.k()
          + "): ping-pong hides each tile's epilogue behind the other warpgroup's mainloop");
    }
    if (p.n() <= 1024 && p.k() <= 4096) {
      // gemm_sm90_select.cpp: measured on an H200 (2026-11-28: 16384x768x2048 621-626 TFLOP/s against
      // 256x128's 569-573, 8192x768x2048 596-600 against 442-447; tied at K = 32768).
      return new Choice(pingpong, "narrow N (" + p.n() + ") and K = " + p.k()
          + " <= 4096: ping-pong hides each tile's epilogue behind the other warpgroup's mainloop");
    }
    if (p.n() <= 1024) {
      return new Choice(tall, "narrow N (" + p.n() + "): 256x128 splits N into more tiles than 128x256");
    }
    if (p.k() <= 2048 && p.n() >= 2048) {
      // gemm_sm90_select.cpp: measured on H100 (8192x8192x2048: 633-645 TFLOP/s against 553-573;
      // past K = 2048 it ties or loses).
      return new Choice(pingpong, "wide N (" + p.n() + ") and K = " + p.k()
          + " <= 2048: ping-pong hides each tile's epilogue behind the other warpgroup's mainloop");
    }
    return new Choice(wide, "large problem: the 128x256 cooperative tile");
  }

  private static Choice fp8Tensor(List<GemmVariant> vs, GemmProblem p, int sms) {
    GemmVariant wide = find(vs, 128, 192, GemmKernelCatalog.COOPERATIVE);
    if (vs.size() < 3 || wide == null || wide.tiles(p.m(), p.n()) < sms) {
      return fewestRounds(vs, p, sms, v -> true);
    }
    return new Choice(wide, "enough 128x192 tiles to fill " + sms + " SMs: the 128x192 cooperative tile");
  }

  private static Choice fp8Block(List<GemmVariant> vs, GemmProblem p, int sms) {
    // The scaled promotion doubles the accumulator registers, which caps the tile at 128x128
    // (cooperative); it measured best or equal on every benchmark shape, so it runs whenever its
    // tiles fill the SMs, and the rounds model decides the small problems (as
    // gemm_sm90_select.cpp does natively).
    GemmVariant coop = find(vs, 128, 128, GemmKernelCatalog.COOPERATIVE);
    if (vs.size() >= 2 && coop != null && coop.tiles(p.m(), p.n()) >= sms) {
      return new Choice(coop, "enough 128x128 tiles to fill " + sms + " SMs: the 128x128 cooperative tile");
    }
    return fewestRounds(vs, p, sms, v -> true);
  }

  private static Choice fewestRounds(List<GemmVariant> vs, GemmProblem p, int sms, Predicate<GemmVariant> allowed) {
    return fewestRounds(vs, p, sms, allowed, null);
  }

  /** The fewest rounds x tile area among the allowed variants; on ties {@code preferred}, else the earliest. */
  private static Choice fewestRounds(List<GemmVariant> vs, GemmProblem p, int sms, Predicate<GemmVariant> allowed,
      GemmVariant preferred) {
    GemmVariant best = null;
    long bestCost = 0;
    long bestRounds = 0;
    for (GemmVariant v : vs) {
      if (!allowed.test(v)) {
        continue;
      }
      long rounds = GemmVariant.ceilDiv(v.tiles(p.m(), p.n()), sms);
      long cost = rounds * v.tileM() * v.tileN();
      if (best == null || cost < bestCost || (cost == bestCost && v.equals(preferred))) {
        best = v;
        bestCost = cost;
        bestRounds = rounds;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no variant is allowed among " + vs);
    }
    return new Choice(best, "fewest rounds x tile area: " + best.tiles(p.m(), p.n()) + " tiles of " + best.tileM()
        + "x" + best.tileN() + " in " + bestRounds + " round(s) on " + sms + " SMs");
  }

  private static GemmVariant find(List<GemmVariant> vs, int m, int n, String schedule) {
    for (GemmVariant v : vs) {
      if (v.hasTile(m, n) && v.schedule().equals(schedule)) {
        return v;
      }
    }
    return null;
  }
}
