package dev.deepwell.kernel;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When a stream-K CUTLASS configuration replaces the data-parallel choice: the model of
 * deepwell-cuda's src/gemm/gemm_sm90_select.cpp, mirrored exactly (a GPU test compares the two
 * planners' choices).
 *
 * <p>In MACs per SM along the critical path, for S SMs, a tile of m x n and depth k, T tiles and
 * I = ceil(K / k) k-iterations per tile:
 * <ul>
 *   <li>data-parallel: every round gives each SM one whole tile, cost = ceil(T / S) x I x mnk;
 *   <li>stream-K: CUTLASS cuts the T x I iterations into u = min(S, floor(T I / 8)) equal shares
 *       (at least 8 iterations each), the longest ceil(T I / u); a tile's shares then pass their
 *       FP32 partial sums along in K order (deterministic), about p = ceil(u / T) passes of R
 *       iterations each (8 for 64-deep tiles, 4 for 128-deep). cost = (ceil(T I / u) + R p) x mnk.
 * </ul>
 * Stream-K is taken when its cost is below 7/8 of the data-parallel one, only where the
 * data-parallel choice takes fewer than 8 rounds and for I > 8 (CUTLASS runs shorter K
 * data-parallel anyway). Among several stream-K variants the cheapest wins, the earlier on ties.
 */
final class GemmStreamKModel {

  /** CUTLASS's fewest k-iterations per stream-K share (min_iters_per_sk_unit_). */
  static final long MIN_ITERATIONS = 8;
  /**
   * R: the time of one pass of a tile's partial sums, in k-iterations of a tile {@code depth} deep:
   * 8 for the 64-deep (BF16) tiles, 4 for the 128-deep FP8 ones (gemm_sm90_select.cpp says why).
   */
  static long fixupIterations(int depth) {
    return depth <= 64 ? 8 : 4;
  }
  /** From this many data-parallel rounds on, stream-K is not considered. */
  static final long MAX_ROUNDS = 8;
  /** Stream-K must cost less than GAIN_NUM / GAIN_DEN of the data-parallel choice. */
  static final long GAIN_NUM = 7;
  static final long GAIN_DEN = 8;

  private GemmStreamKModel() {}

  /**
   * {@code dataParallel}, or the cheapest stream-K variant of {@code variants} that beats it by
   * the model.
   */
  static GemmTileChoice.Choice consider(List<GemmVariant> variants, GemmTileChoice.Choice dataParallel,
      GemmProblem p, int sms) {
    Objects.requireNonNull(variants, "variants");
    Objects.requireNonNull(dataParallel, "dataParallel");
    Objects.requireNonNull(p, "problem");
    if (sms <= 0) {
      throw new IllegalArgumentException("sms must be > 0, got " + sms);
    }
    GemmVariant dp = dataParallel.variant();
    int dpDepth = GemmKernelCatalog.tileK(dp);
    // No kernel takes sizes past 32 bits; this also bounds the products below.
    if (p.m() > Integer.MAX_VALUE || p.n() > Integer.MAX_VALUE || p.k() > Integer.MAX_VALUE || dpDepth <= 0
        || !dp.isTiled()) {
      return dataParallel;
    }
    long rounds = GemmVariant.ceilDiv(dp.tiles(p.m(), p.n()), sms);
    if (rounds >= MAX_ROUNDS) {
      return dataParallel;
    }
    long dpCost = dataParallelCost(dp, dpDepth, p, sms);
    GemmVariant best = null;
    long bestCost = 0;
    for (GemmVariant v : variants) {
      int depth = GemmKernelCatalog.tileK(v);
      if (!v.schedule().equals(GemmKernelCatalog.STREAM_K) || depth <= 0) {
        continue;
      }
      long cost = streamKCost(v, depth, p, sms);
      if (cost < 0 || GAIN_DEN * cost >= GAIN_NUM * dpCost) {
        continue;
      }
      if (best == null || cost < bestCost) {
        best = v;
        bestCost = cost;
      }
    }
    if (best == null) {
      return dataParallel;
    }
    long tiles = best.tiles(p.m(), p.n());
    long iterations = GemmVariant.ceilDiv(p.k(), GemmKernelCatalog.tileK(best));
    long units = units(tiles * iterations, sms);
    return new GemmTileChoice.Choice(best, String.format(Locale.ROOT, "stream-K: %s leaves %d of %d SM-rounds "
        + "idle; %d tiles of %dx%d x %d k-iterations in %d shares of <= %d, %d pass(es) of partial sums: model "
        + "cost %.2f of data-parallel", dp.name(), rounds * sms - dp.tiles(p.m(), p.n()), rounds * sms, tiles,
        best.tileM(), best.tileN(), iterations, units, GemmVariant.ceilDiv(tiles * iterations, units),
        GemmVariant.ceilDiv(units, tiles), (double) bestCost / dpCost));
  }

  /** ceil(T / S) x I x mnk for variant {@code v} of depth {@code depth}. */
  static long dataParallelCost(GemmVariant v, int depth, GemmProblem p, int sms) {
    return GemmVariant.ceilDiv(v.tiles(p.m(), p.n()), sms) * GemmVariant.ceilDiv(p.k(), depth) * depth * v.tileM()
        * v.tileN();
  }

  /** (ceil(T I / u) + R p) x mnk, or -1 where CUTLASS would run the tiles data-parallel (I <= 8). */
  static long streamKCost(GemmVariant v, int depth, GemmProblem p, int sms) {
    long tiles = v.tiles(p.m(), p.n());
    long iterations = GemmVariant.ceilDiv(p.k(), depth);
    if (iterations <= MIN_ITERATIONS) {
      return -1;
    }
    long total = tiles * iterations;
    long units = units(total, sms);
    long peers = GemmVariant.ceilDiv(units, tiles);
    return (GemmVariant.ceilDiv(total, units) + fixupIterations(depth) * peers) * depth * v.tileM() * v.tileN();
  }

  private static long units(long totalIterations, int sms) {
    return Math.min(sms, totalIterations / MIN_ITERATIONS);
  }
}
