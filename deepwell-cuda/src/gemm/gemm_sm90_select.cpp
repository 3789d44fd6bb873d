// Which sm90 configuration runs a problem. Host code only, kept apart from the kernels so that
// retuning it from new measurements recompiles one small file.
//
// The rules come from H100 measurements of every configuration on the benchmark shapes
// (docs/PERFORMANCE.md, "GEMM (issue 5)"); where they do not decide, a simple model does: a
// persistent kernel's time is about rounds x (time of one tile), where a round gives each SM one
// tile, so a large tile wins only while there are enough tiles to fill the SMs.
#include <climits>

#include "gemm_internal.h"
#include "gemm_sm90_nvfp4w.h"

namespace dw::gemm {
namespace {

int64_t tile_count(const dw_gemm_desc& d, Sm90Tile t) { return ceil_div(d.m, t.m) * ceil_div(d.n, t.n); }

// A CUTLASS configuration that gives each tile one CTA (no stream-K or split-K, not our own kernel).
bool data_parallel(Sm90Tile t) { return !t.stream_k && !t.separate_reduction && !t.deepwell; }

// ---------------------------------------------------------------------------------------------
// Stream-K: variants whose tile has stream_k set. In each family's table they follow the
// data-parallel ones; the rules further down choose among those first, then this model decides
// whether a stream-K variant replaces that choice.
//
// Model, in MACs per SM along the critical path (S SMs; a tile is m x n and k deep; T tiles;
// I = ceil(K / k) k-iterations per tile):
//   data-parallel: each round gives every SM one whole tile, so
//     cost_dp = ceil(T / S) x I x (m n k).
//   stream-K: CUTLASS cuts the T x I k-iterations into u = min(S, floor(T I / 8)) equal shares,
//     one per SM (8: the fewest iterations it gives a share), the longest ceil(T I / u)
//     iterations. A tile split among shares is finished by the share holding its last k-tiles,
//     after the others have passed their FP32 partial sums along through the workspace in K
//     order (the deterministic turnstile): about p = ceil(u / T) passes per tile, each ~R
//     k-iterations of time (a 128x128 tile's 64 KiB written and read back through L2, against
//     ~512 clocks per BF16 128x128x64 or FP8 128x128x128 step). So
//     cost_sk = (ceil(T I / u) + R p) x (m n k).
//     R = 8 for the 64-deep tiles (BF16, and MXFP8 on them): H100 runs of 2026-11-26 fit it, and
//     with R = 4 the model gave 2304x768x16384 to stream-K (580 TFLOP/s) where the data-parallel
//     ping-pong 128x128 ran 612-618 in the same runs (session 6). R = 4 for the 128-deep FP8
//     tiles, although ~6 fits FP8 block: more would give FP8 768x768x16384 to a data-parallel
//     tile that measured 20-30% slower than stream-K, a case the coarse model cannot separate.
// Stream-K is taken when cost_sk < 7/8 cost_dp: the model leaves out that the cooperative kernel
// runs a tile somewhat slower than ping-pong and that each run first clears the workspace's flags
// (a memset), so stream-K must win clearly. It is considered only where the data-parallel choice
// takes fewer than 8 rounds (from 8 on its last round idles at most 1/8 of the SM time) and for
// I > 8 (below that CUTLASS runs the tiles data-parallel anyway).
//
// On 132 SMs this takes, of the benchmark's GEMMs, only weight gradients with small outputs at
// K = 16384: BF16 768x2048 (768x768 goes on to split-K below; 2304x768 stays with ping-pong
// 128x128 in one round, 4096x768 with 128x192), FP8 768x768, 768x2048 and 4096x768; none of the
// forward or data-gradient GEMMs (all within 3% of whole rounds). GemmTileChoice (deepwell-core) mirrors this rule; a GPU test
// compares the two.
// ---------------------------------------------------------------------------------------------

constexpr int64_t kStreamKMinIterations = 8;  // CUTLASS's min_iters_per_sk_unit_
// R: one pass of a tile's partial sums, in k-iterations of the tile's depth (see above).
constexpr int64_t fixup_iterations(int64_t tile_k) { return tile_k <= 64 ? 8 : 4; }
constexpr int64_t kStreamKMaxRounds = 8;
constexpr int64_t kGainNum = 7, kGainDen = 8;  // stream-K must cost less than 7/8

int64_t data_parallel_cost(const dw_gemm_desc& d, Sm90Tile t, int64_t sms) {
  return ceil_div(tile_count(d, t), sms) * ceil_div(d.k, t.k) * t.k * t.m * t.n;
}

// -1 where CUTLASS would run the tiles data-parallel (I <= 8).
int64_t stream_k_cost(const dw_gemm_desc& d, Sm90Tile t, int64_t sms) {
  const int64_t tiles = tile_count(d, t), iters = ceil_div(d.k, t.k);
  if (iters <= kStreamKMinIterations) return -1;
  const int64_t total = tiles * iters;
  const int64_t units = total / kStreamKMinIterations < sms ? total / kStreamKMinIterations : sms;
  const int64_t peers = ceil_div(units, tiles);
  return (ceil_div(total, units) + fixup_iterations(t.k) * peers) * t.k * t.m * t.n;
}

// `dp` is the data-parallel choice: it, or the cheapest stream-K variant that beats it (the
// earlier one on ties).
int consider_stream_k(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count, int dp) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  // No kernel takes sizes past 32 bits (check_shape refuses them); this also bounds the products.
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX || tiles[dp].k <= 0) return dp;
  if (ceil_div(tile_count(d, tiles[dp]), sms) >= kStreamKMaxRounds) return dp;
  const int64_t dp_cost = data_parallel_cost(d, tiles[dp], sms);
  int best = dp;
  int64_t best_cost = 0;
  for (int v = 0; v < count; ++v) {
    if (!tiles[v].stream_k || tiles[v].splits > 1 || tiles[v].k <= 0) continue;
    const int64_t cost = stream_k_cost(d, tiles[v], sms);
    if (cost < 0 || kGainDen * cost >= kGainNum * dp_cost) continue;
    if (best == dp || cost < best_cost) {
      best = v;
      best_cost = cost;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Split-K (variants with splits = s > 1: the stream-K kernel cutting each tile's K loop into s
// parts, summed in a fixed order) replaces whatever the rules above chose when its grid (the tiles
// rounded up to whole clusters, as CUTLASS launches them, times s) fits one round of SMs while its
// useful CTAs (s per output tile) fill more than half of them, K is at least 8192 in whole k-tiles
// (ceil(K / k) >= 8192 / 64 = 128 for the 64-deep BF16 tile: the MXFP8 family, planning the BF16
// kernels for K rounded up to 8, then chooses alike), and the separate reduction below, where it
// applies, would not run fewer k-iterations of wall time by its own model (rounds x K range,
// against ceil(I / s)). Fit to
// H100 (2026-11-26): BF16 768x768x16384, 36 tiles of 128x128 x 3 = 108 CTAs on 132 SMs: split-K 3
// 451.7 TFLOP/s, stream-K 418.8; with 96-108 tiles (2304x768, 768x2048) split-K 3 lost, and this
// rule leaves them alone. The cluster rounding and the comparison, H200 (2026-11-28,
// docs/PERFORMANCE.md session 18), split-K 3 / separate reduction, TFLOP/s: 896x768x16384 320 / 511
// and 1024x640x16384 322 / 349 (2x2 clusters: 8 x 6 x 3 = 144 CTAs, two rounds), 768x512x16384
// 329 / 404, 512x768x16384 327 / 397, 1024x512x16384 411 / 465, 640x640x8192 229 / 258 (the
// reduction's 5, 5, 4 and 4 ranges against 3: fewer iterations), and where both models tie split-K
// 3 stays: 768x640x16384 385 / 331, 768x768x16384 452 / 449, 768x768x8192 363 / 363.
// GemmTileChoice mirrors it.
// ---------------------------------------------------------------------------------------------
constexpr int64_t kSplitKMinIterations = 128;
constexpr int64_t kReduceMinIterations = 32;  // the separate reduction's K bound, below

// The tiles a CUTLASS launch covers: the tile grid rounded up to whole clusters.
int64_t launched_tiles(const dw_gemm_desc& d, Sm90Tile t) {
  const int64_t cm = t.cluster_m > 0 ? t.cluster_m : 1, cn = t.cluster_n > 0 ? t.cluster_n : 1;
  return ceil_div(ceil_div(d.m, t.m), cm) * cm * ceil_div(ceil_div(d.n, t.n), cn) * cn;
}

// The separate-reduction variant where its rule's bounds hold for a problem (at most half as many
// 128x256 tiles as the GPU has SM pairs, K of at least kReduceMinIterations k-tiles of 64), with
// what its model counts; variant -1 where they do not hold or no variant offers it. Both rules
// below ask it, so that they read the same bounds.
struct SeparateReduction {
  int variant = -1;
  int64_t pairs = 0, tiles = 0, iterations = 0;
  // k-iterations of wall time: waves x K range, with sm90_reduce_splits' split count.
  int64_t wall_iterations() const {
    const int64_t s = sm90_reduce_splits(tiles, iterations, pairs);
    return ceil_div(tiles * s, pairs) * ceil_div(iterations, s);
  }
};

SeparateReduction separate_reduction(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles,
                                     int count) {
  SeparateReduction r;
  r.pairs = dev.sm_count >= 2 ? dev.sm_count / 2 : 1;
  r.tiles = ceil_div(d.m, 128) * ceil_div(d.n, 256);
  r.iterations = ceil_div(d.k, 64);
  if (2 * r.tiles > r.pairs || r.iterations < kReduceMinIterations) return r;
  for (int v = 0; v < count && r.variant < 0; ++v)
    if (tiles[v].separate_reduction) r.variant = v;
  return r;
}

int consider_split_k(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count, int chosen) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX) return chosen;
  for (int v = 0; v < count; ++v) {
    const int64_t s = tiles[v].splits;
    if (!tiles[v].stream_k || s <= 1 || tiles[v].k <= 0 || ceil_div(d.k, tiles[v].k) < kSplitKMinIterations) continue;
    // Useful CTAs must fill more than half of the SMs; the launch, whole clusters, at most all.
    if (2 * s * tile_count(d, tiles[v]) > sms && s * launched_tiles(d, tiles[v]) <= sms) {
      const SeparateReduction r = separate_reduction(dev, d, tiles, count);
      if (r.variant >= 0 && r.wall_iterations() < ceil_div(ceil_div(d.k, tiles[v].k), s)) return chosen;
      return v;
    }
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Split-K with a separate reduction (the variant with separate_reduction: (tile, K range) pieces of
// the grouped ping-pong kernel into FP32 slots, added by a second kernel; it picks its own split
// count) replaces the choice when the output has at most half as many 128x256 tiles as the GPU has
// SM pairs and K has at least 32 k-tiles of 64 (kReduceMinIterations), unless the split-K 3 rule
// above has taken it.
// H100, 2026-11-27 (docs/PERFORMANCE.md), TFLOP/s against what the rules chose before:
// 512x512x16384 291 vs 218 (stream-K), 1024x1024x16384 558-564 vs 521-523 (stream-K),
// 768x768x4096 240 vs 208-210; 768x768x16384 442 vs split-K 3's 449-450 (left to split-K 3);
// with more tiles it lost: 768x2048x16384 514-521 vs 573 (stream-K), 2304x768x16384 522-532 vs
// 576-616 (ping-pong). GemmTileChoice mirrors it.
// ---------------------------------------------------------------------------------------------
int consider_separate_reduction(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count,
                                int chosen) {
  if (tiles[chosen].splits > 1 || d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX) return chosen;
  const int v = separate_reduction(dev, d, tiles, count).variant;
  return v >= 0 ? v : chosen;
}

// ---------------------------------------------------------------------------------------------
// Deepwell's BF16 wgmma kernel (the variants with `deepwell`: 128x112 and 128x96 tiles, K cut into
// sm90_deepwell_splits ranges added inside the kernel). Its fill of a problem: the output its work
// units compute, M x N x ranges (tiles cut by the edge of D count only their inside), over the
// rounds x SMs x tile area they occupy. It replaces the choice above where, with K of at least 64
// k-tiles of 64, one of its tiles takes one or two rounds of SMs at a fill of at least 90% (the
// fullest tile, the wider on ties) and the choice is not a data-parallel CUTLASS tile that fills the
// SMs as well. Those are the outputs that divide badly into 128-wide tiles: 2304x768 is 126 tiles of
// 128x112 (93% filled) against 108 of 128x128 (82%); 768x2048 is 132 tiles of 128x96 (97%) against 96
// of 128x128. Narrower tiles cost more per product (2304x768x16384, H200: 606-660 TFLOP/s for 128x112
// on 126 SMs against 547-609 for the same kernel's 128x128 tile on 108), so they win only where they
// fill clearly more. H200 (2026-11-28, docs/PERFORMANCE.md session 19), TFLOP/s against this
// planner's previous choice in the same invocations:
//   128x112: 2304x768x16384 606-660 / 537-623 (ping-pong), 2304x768x8192 576 / 520, 2304x768x4096
//   533 / 491, 1152x1536x16384 610 / 542, 1152x768x16384 (63 tiles x 2 ranges) 538 / 458 (separate
//   reduction), 4608x768x8192 (two rounds) 587 / 564 (stream-K), 2304x1536x8192 585 / 567,
//   768x768x16384 (42 x 3) 472-474 / 435-437 (split-K 3), 768x768x8192 381-382 / 360-361;
//   128x96: 768x2048x16384 637-640 / 567-568 (stream-K), 768x2048x8192 613-617 / 499, 1536x1024x16384
//   631 / 564-567, 3072x1024x8192 (two rounds) 591-593 / 545-548.
// Left to CUTLASS: equal fills (4096x768x16384: 128x192 and 128x96 both 97%, 638-641 / 650-651;
// 1536x2048x8192: 128x192 637-639 / 609; 768x4096x8192 634-636 / 631), more rounds (9216x768x4096:
// tied), and outputs whose edge tiles are mostly empty, which a count of whole tiles had taken in a
// first form of this rule and lost (768x512x16384: 30 tiles, 6 of them 64/112 empty, x 4 ranges:
// 349-351 against the separate reduction's 395-400; 1024x512x16384 386 / 454-460; 768x1024x16384
// 422 / 477-481; 1360x1240x27808 465-498 / 501). GemmTileChoice mirrors it.
// ---------------------------------------------------------------------------------------------
constexpr int64_t kDeepwellMinKTiles = 64;
constexpr int64_t kDeepwellMaxRounds = 2;
constexpr int64_t kDeepwellFillNum = 9, kDeepwellFillDen = 10;
constexpr int64_t kDeepwellMinSplitKTiles = 16, kDeepwellMaxSplits = 16;

// A fill as the fraction num / den (see above).
struct Fill {
  int64_t num = 0, den = 1;
  bool below(const Fill& o) const { return num * o.den < o.num * den; }  // both small: no overflow
};

int consider_deepwell(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count, int chosen) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  const int64_t k_tiles = ceil_div(d.k, 64);
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX || k_tiles < kDeepwellMinKTiles) return chosen;
  int best = -1;
  Fill best_fill;
  for (int v = 0; v < count; ++v) {
    if (!tiles[v].deepwell) continue;
    const int64_t t = tile_count(d, tiles[v]), s = sm90_deepwell_splits(t, k_tiles, sms);
    const int64_t rounds = ceil_div(t * s, sms);
    if (rounds > kDeepwellMaxRounds) continue;
    // (at most two rounds of tiles: M x N x s <= 2 x SMs x tile area, small)
    const Fill f{d.m * d.n * s, rounds * sms * tiles[v].m * tiles[v].n};
    if (kDeepwellFillDen * f.num < kDeepwellFillNum * f.den) continue;
    if (best < 0 || best_fill.below(f)) {
      best = v;
      best_fill = f;
    }
  }
  if (best < 0) return chosen;
  const Sm90Tile c = tiles[chosen];
  if (data_parallel(c)) {
    // (M x N is at most two rounds of Deepwell's tiles here, so this fraction is small too)
    const Fill cf{d.m * d.n, ceil_div(tile_count(d, c), sms) * sms * c.m * c.n};
    if (!cf.below(best_fill)) return chosen;
  }
  return best;
}

// How many variants precede the first stream-K one (or the first that is not CUTLASS's).
int data_parallel_count(const Sm90Tile* tiles, int count) {
  int n = 0;
  while (n < count && data_parallel(tiles[n])) ++n;
  return n;
}

// The variant with the fewest rounds x tile area; on ties `preferred`, else the earliest.
int fewest_rounds(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count,
                  int preferred = 0) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  auto cost = [&](int v) { return ceil_div(tile_count(d, tiles[v]), sms) * tiles[v].m * tiles[v].n; };
  int best = preferred;
  for (int v = 0; v < count; ++v)
    if (cost(v) < cost(best)) best = v;
  return best;
}

// BF16 variants: 0 cooperative 128x256, 1 ping-pong 128x128, 2 cooperative 256x128, 3 cooperative
// 128x192.
int choose_bf16(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  if (count < 3) return fewest_rounds(dev, d, tiles, count);
  // Too few big tiles to fill the SMs: the fewest rounds x tile area among all of them, ping-pong
  // 128x128 on ties (it hides each tile's epilogue). 128x192 exists for this case: 4096x768x16384
  // fills one round with it (693 TFLOP/s against 603 for stream-K 128x128, H100).
  if (tile_count(d, tiles[0]) < dev.sm_count) return fewest_rounds(dev, d, tiles, count, 1);
  // Short K: each tile's epilogue (its store of D) is long next to its mainloop; ping-pong hides
  // one warpgroup's epilogue behind the other's mainloop, whatever N (16384x4096x768: 621 vs 546
  // TFLOP/s; 16384x32768x768: 564 vs 487; and, against 256x128, H100 2026-11-27 two rounds:
  // 16384x768x768 527.7 / 528.0 vs 501.4 / 499.5, 8192x768x768 472.5 / 469.3 vs 396.1 / 390.2,
  // 32768x768x768 555 vs 513, 16384x1024x768 558 vs 517; from K = 2048 on 256x128 wins again).
  if (d.k <= 1024) return 1;
  // Narrow N (768) and K up to 4096: ping-pong again, on an H200 (2026-11-28, three invocations,
  // TFLOP/s against 256x128): 16384x768x2048 621-626 vs 569-573, 16384x768x2304 613-615 vs 579-582,
  // 16384x768x4096 632-635 vs 613-616, 32768x768x2048 640-641 vs 576-580, 8192x768x2048 596-600 vs
  // 442-447 (256x128 there: 192 tiles, 1.45 rounds), 16384x1024x2048 648-654 vs 587-592; tied at
  // K = 32768. (An H100 of 2026-11-26 had 256x128 ahead at 16384x768x2048, 635 vs 621, one run.)
  // Past K = 4096, 256x128 splits N into 6 tiles instead of 3.
  if (d.n <= 1024) return d.k <= 4096 ? 1 : 2;
  // Wide N and K up to 2048: ping-pong still wins (H100 2026-11-27, against the 128x256 tile:
  // 8192x8192x2048 640.9 / 645.0 / 641.1 vs 572.7 / 567.8 / 553.2, 4096x4096x2048 676.7 / 685.4 /
  // 716.5 vs 652.8 / 606.9 / 625.3, 11140x9040x1520 558.5 vs 541.4, 2471x2408x1120 485.3 vs 390.9
  // and stream-K's 354.2). Past 2048 it ties or loses: 4096x4096x3072 675-686 vs 655-678,
  // 5816x2568x2448 516.0 vs 534.6, 4096x4096x8192 703 vs 759.
  if (d.k <= 2048 && d.n >= 2048) return 1;
  return 0;
}

// FP8 per-tensor variants: 0 cooperative 128x192, 1 cooperative 128x128, 2 ping-pong 64x128.
// 128x192 measured best or equal on every benchmark shape.
int choose_fp8_tensor(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  if (count < 3 || tile_count(d, tiles[0]) < dev.sm_count) return fewest_rounds(dev, d, tiles, count);
  return 0;
}

// FP8 block-scaled variants: 0 cooperative 128x128, 1 ping-pong 64x128. The cooperative one
// measured best or equal on every benchmark shape.
int choose_fp8_block(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  if (count < 2 || tile_count(d, tiles[0]) < dev.sm_count) return fewest_rounds(dev, d, tiles, count);
  return 0;
}

// The rules above, among the data-parallel variants (the first `count` of `tiles`).
int choose_data_parallel(const DeviceInfo& dev, const dw_gemm_desc& desc, const Sm90Tile* tiles, int count) {
  switch (desc.input) {
    case DW_GEMM_IN_BF16: return choose_bf16(dev, desc, tiles, count);
    case DW_GEMM_IN_FP8_TENSOR: return choose_fp8_tensor(dev, desc, tiles, count);
    case DW_GEMM_IN_FP8_BLOCK128: return choose_fp8_block(dev, desc, tiles, count);
    default: return fewest_rounds(dev, desc, tiles, count);
  }
}

}  // namespace

int sm90_choose_variant(const DeviceInfo& dev, const dw_gemm_desc& desc, const Sm90Tile* tiles, int count) {
  const int dp_count = data_parallel_count(tiles, count);
  if (dp_count == 0) return 0;
  const int dp = choose_data_parallel(dev, desc, tiles, dp_count);
  const int chosen = consider_split_k(dev, desc, tiles, count, consider_stream_k(dev, desc, tiles, count, dp));
  return consider_deepwell(dev, desc, tiles, count, consider_separate_reduction(dev, desc, tiles, count, chosen));
}

int sm90_deepwell_splits(int64_t tiles, int64_t k_tiles, int64_t sms) {
  if (tiles <= 0 || k_tiles <= 0) return 1;
  int64_t s = tiles < sms ? sms / tiles : 1;
  if (s > k_tiles / kDeepwellMinSplitKTiles) s = k_tiles / kDeepwellMinSplitKTiles;
  if (s > kDeepwellMaxSplits) s = kDeepwellMaxSplits;
  if (s < 1) s = 1;
  return static_cast<int>(ceil_div(k_tiles, ceil_div(k_tiles, s)));  // none of the ranges empty
}

// Larger swizzles (rasterizing in groups of 2-8 tiles for L2 reuse) measured no better than 1 on
// the benchmark shapes, and up to 2x worse on the narrow ones.
int sm90_choose_swizzle(const DeviceInfo& dev, const dw_gemm_desc& desc, Sm90Tile tile) {
  (void)dev;
  (void)desc;
  (void)tile;
  return 1;
}

// The MXFP8 fused kernel's split-K, a model fitted to H100 measurements (2026-11-28, session 17,
// docs/PERFORMANCE.md: both tiles with 1-8 splits forced on eight shapes of N <= 2048 and K of
// 4096-16384, 128 timings, median error 2.5%, and the model's choice the fastest measured on all
// eight). Time, in units of 10 ns, of work units (tile, K range) run `rounds` at a time:
//   rounds x split_k_tiles x 69 (128x256 tile) or 46 (128x128 tile)  -- one 64-deep k-tile
//   + with splits > 1: 700 (the reduction's launch and the split's fixed costs)
//                      + splits x M x N x 8 bytes of FP32 partial sums at 0.53 us per MB (written, read back).
// The 128x128 tile costs 2/3 of the 128x256 per k-tile for half the work (A is dequantized once
// per tile, so per product twice as often). B's pass (~0.3 us per MB moved) is the same for every
// choice and left out. Splits are at most 16 and each at least kMinSplitKTiles k-tiles (1024 of
// K); with splits > 1 all units fit one round of SMs (so that a split never queues behind
// another, and units stay within the tiles' count times 16).
constexpr int64_t kFusedKTileCost256 = 69, kFusedKTileCost128 = 46, kFusedSplitCost = 700;
// 128x192: the two above read as a fixed 23 per k-tile (A's dequantization, the same for every
// width) + 23 per 128 columns, so 23 + 34.5 -> 58; on an H200 (2026-11-28) the model then picked the
// fastest of the three tiles on all seven N <= 1024 shapes timed (4096x768x16384 +14% and
// 8192x768x16384 +18% over 128x256).
constexpr int64_t kFusedKTileCost192 = 58;
constexpr int64_t kFusedPartialCostNum = 424, kFusedPartialCostDen = 1000000;  // per (splits x M x N): 8 bytes, 53 per 10^6 bytes
constexpr int64_t kFusedMaxSplits = 16, kFusedMinSplitKTiles = 16;

Sm90FusedSplit sm90_mxfp8_fused_split(const DeviceInfo& dev, int64_t m, int64_t n, int64_t k, int tile_n) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  const int64_t k_tiles = ceil_div(k, 64), tiles = ceil_div(m, 128) * ceil_div(n, tile_n);
  const int64_t per_k_tile =
      tile_n == 256 ? kFusedKTileCost256 : tile_n == 192 ? kFusedKTileCost192 : kFusedKTileCost128;
  int64_t max_splits = k_tiles / kFusedMinSplitKTiles;
  if (max_splits > kFusedMaxSplits) max_splits = kFusedMaxSplits;
  Sm90FusedSplit best;
  for (int64_t s = 1; s == 1 || s <= max_splits; ++s) {
    const int64_t range = (ceil_div(k_tiles, s) + 1) / 2 * 2;  // even: the kernel alternates two fragment sets
    const int64_t splits = ceil_div(k_tiles, range);             // none empty
    const int64_t units = tiles * splits;
    if (splits > 1 && units > sms) break;
    int64_t cost = ceil_div(units, sms) * range * per_k_tile;
    // (splits > 1 keeps M x N within one round of tiles, so the product cannot overflow)
    if (splits > 1) cost += kFusedSplitCost + splits * m * n * kFusedPartialCostNum / kFusedPartialCostDen;
    if (s == 1 || cost < best.cost) best = {static_cast<int>(splits), static_cast<int>(range), cost};
  }
  return best;
}

// MXFP8: the fused kernel (A dequantized in registers, only B through a pass) where N <= 1024
// and either the activations are many (M >= 4096) or the product is a long-K weight gradient
// (M >= 256, K >= 8192) whose modeled units fill at least 70% of their rounds of SMs; its tile
// (128x256, 128x192 or 128x128) and split-K by the model above, the wider tile on ties. Measured (H100):
//   2026-11-27, the 16 benchmark shapes: it won the 7 with N <= 1024 and M >= 4096 (16384x768xK
//   for K = 768..32768, 4096x768x16384, 32768x768x16384) and lost the 9 others with the split-K of
//   then;
//   2026-11-28, with this split-K, against the dequantizing way in the same calls: won
//   768x768x16384 (+11-13%), 2304x768x16384 (+8-18%), 1024x1024x16384 (+10%), 2048x1024x8192
//   (+10%), 1536x768x16384 (+6%), 768x1024x8192 (+11%), 1024x768x32768 (+23%), 3072x1024x16384
//   (+10%), 768x512x16384 (+37%); lost 2304x1024x16384 (-13%: 72 tiles of 128x256, 55% of the
//   SMs) and 1280x768x4096 (-4%), whence the fill and K bounds; tied 768x2048x16384 (N = 2048).
//   With the 128x192 tile (H200, same day): 4096x768x16384 +17%, 3072x768x8192 +3% (now over the
//   70% bound), 768x768x16384 +2%; 2304x1024x16384 (108 units of 128x192, the last column tile a
//   third empty) -6% against the pass and 1024x768x32768 -3% against 128x256: the model does not
//   count empty columns yet.
//   M from 256 (it was 768; H200, 2026-11-28, session 18, against the dequantizing way, whose BF16
//   kernels had just become faster there, same invocations): 640x640x8192 +27%, 512x512x16384 +17%,
//   640x768x16384 +6%, 512x768x16384 +9%, 384x768x16384 +5%, 256x768x16384 +4%, 512x1024x16384 +2%
//   (the model's tile; the fastest of the three on five of the seven, within 4% on the others).
// The wgmma kernel (0.21-0.47x our BF16) is never chosen.
Sm90Mxfp8Way sm90_mxfp8_way(const DeviceInfo& dev, const dw_gemm_desc& desc) {
  // N aligned as the dequantizing way needs it too (the fused kernel takes any N when forced), so
  // that AUTO and the Java mirror (GemmTileChoice) refuse and choose alike.
  const bool aligned_n = desc.n % (desc.output == DW_GEMM_OUT_F32 ? 4 : 8) == 0;
  if (desc.k % 16 != 0 || desc.n > 1024 || !aligned_n || desc.m < 256) return Sm90Mxfp8Way::kDequantize;
  // The tile of least modeled cost; ties to the wider.
  int tile_n = 256;
  Sm90FusedSplit best = sm90_mxfp8_fused_split(dev, desc.m, desc.n, desc.k, 256);
  for (const int t : {192, 128}) {
    const Sm90FusedSplit c = sm90_mxfp8_fused_split(dev, desc.m, desc.n, desc.k, t);
    if (c.cost < best.cost) best = c, tile_n = t;
  }
  if (desc.m < 4096) {
    if (desc.k < 8192) return Sm90Mxfp8Way::kDequantize;
    const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
    const int64_t units = ceil_div(desc.m, 128) * ceil_div(desc.n, tile_n) * best.splits;
    if (10 * units < 7 * ceil_div(units, sms) * sms) return Sm90Mxfp8Way::kDequantize;
  }
  return tile_n == 256 ? Sm90Mxfp8Way::kFused128x256
                       : tile_n == 192 ? Sm90Mxfp8Way::kFused128x192 : Sm90Mxfp8Way::kFused128x128;
}

// The split count of the separate-reduction variant: a model in k-iterations of wall time,
// ceil(P S / C) waves of ceil(I / S) iterations, plus the slots' traffic (each piece's 128 KiB of
// FP32 partial sums written and read back: ~3 TB/s against ~0.38 us per 128x128x64 iteration on
// every SM, about 1/4 iteration spread over the GPU), S <= 16. H100, 2026-11-27: S swept 1-16 on six
// shapes, the model's S was the fastest measured on each (docs/PERFORMANCE.md).
int64_t sm90_reduce_splits(int64_t tiles, int64_t iterations, int64_t clusters) {
  constexpr int64_t kPieceCostDen = 4, kMaxSplits = 16;
  if (iterations <= 0) return 0;
  if (clusters < 1) clusters = 1;
  if (tiles >= clusters) return 1;
  auto cost = [&](int64_t s) {  // x kPieceCostDen, to stay in integers
    return ceil_div(tiles * s, clusters) * ceil_div(iterations, s) * kPieceCostDen + tiles * s;
  };
  int64_t best = 1;
  for (int64_t s = 2; s <= kMaxSplits && s <= iterations; ++s)
    if (cost(s) < cost(best)) best = s;
  return best;
}

// NVFP4 weights on Hopper (gemm_sm90_nvfp4w.cu): the narrowest token tile that holds M up to
// 128 tokens (64 or 128), the 256-token tile beyond that where its tiles fill at least half of the
// SMs (it splits K to fill the rest), else the 128-token one. H100, 2026-11-27, every tile timed on
// 24 shapes, M = 16 .. 8192 x four Llama-class weights (docs/PERFORMANCE.md, session 15): the
// per-k-tile cost is nearly the same for all three tiles (the weights' decoding and the wgmma
// latency chain), so the 256-token tile wins wherever M fills it (2.0-2.2x the 64-token one at
// M >= 2048), while at 16-32 tokens the 64-token tile is 1.1-1.9x the taller ones; 512 tokens on
// 4096 weight rows (64 tiles of 256, split-K 2) ran the 128-token tile 1.04-1.3x faster. It picks
// the fastest tile on 23 of the 24 shapes (128x4096x4096: the 64-token tile, 9% faster).
int sm90_nvfp4w_choose_variant(const DeviceInfo& dev, const dw_gemm_desc& desc) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  if (desc.m <= nvfp4w_tile_m(2)) return 2;
  if (desc.m <= nvfp4w_tile_m(1)) return 1;
  const int64_t tall_tiles = ceil_div(desc.m, nvfp4w_tile_m(0)) * ceil_div(desc.n, kNvfp4wTileN);
  return 2 * tall_tiles >= sms ? 0 : 1;
}

}  // namespace dw::gemm
