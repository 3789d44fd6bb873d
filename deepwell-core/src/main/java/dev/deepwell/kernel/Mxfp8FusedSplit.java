package dev.deepwell.kernel;

/**
 * The split-K of Deepwell's sm90 MXFP8 fused kernel and the time the planner expects of it:
 * deepwell-cuda's gemm_sm90_select.cpp {@code sm90_mxfp8_fused_split}, to the unit, so that the
 * Java choice of the kernel's tile is the native planner's.
 *
 * <p>A model fitted to an H100 sweep (2026-11-28, docs/PERFORMANCE.md session 17: both tiles with
 * 1-8 splits on eight shapes, 128 timings, median error 2.5%). Work units (tile, K range) run
 * {@code rounds} at a time on the SMs; the cost, in units of 10 ns, is rounds x k-tiles per range x
 * 69 (128x256 tile), 46 (128x128) or, not measured, 58 (128x192), plus, when K is split, 700 and the FP32 partial sums' 8 bytes
 * per split and output element at 53 per 10^6 bytes. Splits are at most 16, each at least 16
 * k-tiles of 64, an even number of them (the kernel alternates two fragment sets), none empty;
 * with more than one split all units fit one round.
 *
 * @param splits the K ranges per output tile
 * @param splitKTiles 64-deep k-tiles per range (even)
 * @param cost the model's time of the call, less B's pass (the same for every choice), in 10 ns
 */
public record Mxfp8FusedSplit(int splits, int splitKTiles, long cost) {

  static final long K_TILE_COST_256 = 69;
  static final long K_TILE_COST_128 = 46;
  /** Not measured: the two above read as 23 per k-tile (A's dequantization) + 23 per 128 columns. */
  static final long K_TILE_COST_192 = 58;
  static final long SPLIT_COST = 700;
  static final long PARTIAL_COST_NUM = 424;
  static final long PARTIAL_COST_DEN = 1_000_000;
  static final long MAX_SPLITS = 16;
  static final long MIN_SPLIT_K_TILES = 16;

  /** The model's best split for an M x N x K problem on 128 x {@code tileN} tiles and {@code sms} SMs. */
  public static Mxfp8FusedSplit of(long m, long n, long k, int tileN, int sms) {
    if (tileN != 128 && tileN != 192 && tileN != 256) {
      throw new IllegalArgumentException(
          "the fused MXFP8 kernel has 128x256, 128x192 and 128x128 tiles, not 128x" + tileN);
    }
    if (m <= 0 || n <= 0 || k <= 0) {
      throw new IllegalArgumentException("m, n and k must be > 0, got " + m + "x" + n + "x" + k);
    }
    if (sms <= 0) {
      throw new IllegalArgumentException("sms must be > 0, got " + sms);
    }
    long kTiles = GemmVariant.ceilDiv(k, 64);
    long tiles = GemmVariant.ceilDiv(m, 128) * GemmVariant.ceilDiv(n, tileN);
    long perKTile = tileN == 256 ? K_TILE_COST_256 : tileN == 192 ? K_TILE_COST_192 : K_TILE_COST_128;
    long maxSplits = Math.min(kTiles / MIN_SPLIT_K_TILES, MAX_SPLITS);
    Mxfp8FusedSplit best = null;
    for (long s = 1; s == 1 || s <= maxSplits; s++) {
      long range = (GemmVariant.ceilDiv(kTiles, s) + 1) / 2 * 2;
      long splits = GemmVariant.ceilDiv(kTiles, range);
      long units = tiles * splits;
      if (splits > 1 && units > sms) {
        break;
      }
      long cost = GemmVariant.ceilDiv(units, sms) * range * perKTile;
      if (splits > 1) {
        cost += SPLIT_COST + splits * m * n * PARTIAL_COST_NUM / PARTIAL_COST_DEN;
      }
      if (best == null || cost < best.cost) {
        best = new Mxfp8FusedSplit((int) splits, (int) range, cost);
      }
    }
    return best;
  }
}
