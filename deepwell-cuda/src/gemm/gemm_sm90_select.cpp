// Which sm90 configuration runs a problem. Host code only, kept apart from the kernels so that
// retuning it from new measurements recompiles one small file.
//
// The rules come from H100 measurements of every configuration on the benchmark shapes
// (docs/PERFORMANCE.md, "GEMM (issue 5)"); where they do not decide, a simple model does: a
// persistent kernel's time is about rounds x (time of one tile), where a round gives each SM one
// tile, so a large tile wins only while there are enough tiles to fill the SMs.
#include "gemm_internal.h"

namespace dw::gemm {
namespace {

int64_t tile_count(const dw_gemm_desc& d, Sm90Tile t) { return ceil_div(d.m, t.m) * ceil_div(d.n, t.n); }

// The variant with the fewest rounds x tile area, preferring earlier variants on ties.
int fewest_rounds(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  int best = 0;
  int64_t best_cost = 0;
  for (int v = 0; v < count; ++v) {
    const int64_t cost = ceil_div(tile_count(d, tiles[v]), sms) * tiles[v].m * tiles[v].n;
    if (v == 0 || cost < best_cost) {
      best = v;
      best_cost = cost;
    }
  }
  return best;
}

// BF16 variants: 0 cooperative 128x256, 1 ping-pong 128x128, 2 cooperative 256x128.
int choose_bf16(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  if (count < 3) return fewest_rounds(dev, d, tiles, count);
  // Too few big tiles to fill the SMs: the smaller ping-pong tile.
  if (tile_count(d, tiles[0]) < dev.sm_count) return 1;
  // Short K and a wide output: each tile's epilogue (its store of D) is long next to its
  // mainloop; ping-pong hides one warpgroup's epilogue behind the other's mainloop
  // (16384x4096x768: 621 vs 546 TFLOP/s; 16384x32768x768: 564 vs 487).
  if (d.k <= 1024 && d.n >= 2048) return 1;
  // Narrow N (768): 256x128 splits N into 6 tiles instead of 3 (16384x768x2048: 635 vs 621).
  if (d.n <= 1024) return 2;
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

}  // namespace

int sm90_choose_variant(const DeviceInfo& dev, const dw_gemm_desc& desc, const Sm90Tile* tiles, int count) {
  switch (desc.input) {
    case DW_GEMM_IN_BF16: return choose_bf16(dev, desc, tiles, count);
    case DW_GEMM_IN_FP8_TENSOR: return choose_fp8_tensor(dev, desc, tiles, count);
    case DW_GEMM_IN_FP8_BLOCK128: return choose_fp8_block(dev, desc, tiles, count);
    default: return fewest_rounds(dev, desc, tiles, count);
  }
}

// Larger swizzles (rasterizing in groups of 2-8 tiles for L2 reuse) measured no better than 1 on
// the benchmark shapes, and up to 2x worse on the narrow ones.
int sm90_choose_swizzle(const DeviceInfo& dev, const dw_gemm_desc& desc, Sm90Tile tile) {
  (void)dev;
  (void)desc;
  (void)tile;
  return 1;
}

}  // namespace dw::gemm
