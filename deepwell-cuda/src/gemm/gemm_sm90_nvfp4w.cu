// NVFP4 weights x BF16 activations on sm_90a, any M: the weights are dequantized to BF16 in
// registers inside a BF16 wgmma main loop. Deepwell's own kernel, no CUTLASS: CUTLASS 4.2's sm90
// mixed-input GEMM reads INT4 but not E2M1 weights, and wants scales of at least 2 bytes.
//
// Roles. wgmma takes its A operand from registers, its B from shared memory. The weights are the
// operand decoded in registers, so the kernel computes D^T: its "rows" are weight rows (D's N), its
// "columns" are tokens (D's M), and the epilogue stores the transpose. The activations [M, K] are
// K-major as they are, so TMA reads them straight into the 128-byte swizzled tile the wgmma
// descriptor wants; no copy of either operand is made.
//
// Numerics, as the decode GEMV (gemv_nvfp4_common.cuh): an E2M1 nibble placed in BF16 bits [8:6]
// (sign to 15) is exactly value * 2^-126; one bf16x2 multiply by c = ue4m3 * 2^119 (exact: 4
// significant bits) gives value * ue4m3 * 2^-7, exact in BF16 (at most 6 significant bits, no
// underflow). So the BF16 operands are exactly the dequantized weights times 2^-7; the tensor
// cores sum in FP32 and the epilogue multiplies by 2^7, the tensor scale and alpha. A NaN scale
// code becomes a NaN c (E4M3 -> FP16 keeps NaN), so its block's products and that weight row's
// outputs are NaN, as in the reference kernel.
//
// K order. A thread's A fragment (wgmma m64nNk16, per k16 step s) holds k = 16s + 2q + {0,1} and
// 16s + 8 + 2q + {0,1} (q = lane % 4) of two rows: over a k-tile of 64, bytes q, q + 4, ..., q + 28
// of a row's 32 bytes of codes. The weights' byte order is the format's, and the activations'
// tile is read as stored, so nothing is permuted: each thread loads its rows' 32 bytes (a quad of
// threads reads the same bytes: a broadcast) and picks its bytes with byte permutes. One scale
// byte covers exactly one k16 step.
//
// Structure (the MXFP8 fused kernel's, gemm_sm90_mxfp8_fused.cu): persistent CTAs of 12 warps, one
// 128-weight-row x kTileT-token tile at a time, a ring of 64-deep k-tiles:
//   warp 8 (one lane)  TMA: the activations (kTileT rows x 64 BF16, 128-byte swizzle), the weights
//                      (128 rows x 32 bytes, no swizzle) and the k-tile's 512-byte scale tile
//                      (the 128x4 tiled layout, re-laid from row-major into the workspace
//                      before each call by gemm_scale_layout.cu);
//   warps 0-7          two warpgroups of 64 weight rows: per k-tile four 16-byte loads and two
//                      4-byte scale loads, 16 decoded pairs into the next fragment set while the
//                      wgmmas of the current one run, four m64nTk16 RS wgmmas; the epilogue
//                      stages 32 tokens x 16 weight rows per warp and stores them transposed.
// Split-K as the MXFP8 fused kernel does it, where the tiles fill less than half of the SMs
// (few tokens on few weight rows): FP32 partial sums, then a reduction with the epilogue.
// MEASURED (H100, 2026-11-28, docs/PERFORMANCE.md session 15), against the best BF16 kernel on BF16
// weights of the same values: 1.15-1.24x at 16-32 tokens on 8K-14K-row weights (3.6x fewer weight
// bytes), 0.52-0.97x at 128-512 tokens, 0.78-0.89x from 2048 tokens (545-630 TFLOP/s: wgmma with A
// from registers, as in the MXFP8 fused kernel); the decode GEMV stays AUTO's choice up to 16 tokens.
//
// Shapes: any M and N, K a multiple of 32 (16-byte rows of codes for TMA); K's last k-tile may be
// half (TMA zero fill for codes and activations, zero padding scales from the tiling).
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_bf16.h>

#include <cstdint>

#include "gemm_blockscaled.h"  // relayout_scales, swizzled_scale_bytes: the 128x4 tiles
#include "gemm_sm90_nvfp4w.h"
#include "gemm_sm90_ptx.cuh"
#include "mxfp8_dequant.cuh"  // dequant_pair: E4M3 pairs -> BF16 pairs times a float, NaN kept

namespace dw::gemm {
namespace {

using namespace sm90;

constexpr const char* kOperation = "sm90 NVFP4-weight GEMM";

constexpr int kTileW = 128;           // weight rows per tile (the kernel's M)
constexpr int kTileK = 64;            // values of K per k-tile
constexpr int kRowBytes = kTileK / 2;  // a weight row's codes per k-tile
constexpr int kScaleTileBytes = 512;  // UE4M3 of 128 rows x 64 of K in the 128x4 layout
constexpr int kGroupM = 8;
constexpr int kMaxSmem = 227 * 1024;

// One stage: the activations' tile first (1024-aligned for the swizzle), the weights', the scales'.
template <int kTileT>
struct Config {
  static constexpr int kXBytes = kTileT * kTileK * 2;
  static constexpr int kWBytes = kTileW * kRowBytes;
  static constexpr int kOffX = 0, kOffW = kXBytes, kOffS = kOffW + kWBytes;
  static constexpr int kStageBytes = (kOffS + kScaleTileBytes + 1023) / 1024 * 1024;
  static constexpr int kEpilogueBytes = kConsumerWarps * kEpilogueWarpBytes;
  static constexpr int kStagesFit = (kMaxSmem - 1024 - 16 * 16 - kEpilogueBytes) / kStageBytes;
  static constexpr int kStages = kStagesFit > 8 ? 8 : kStagesFit;
  static constexpr int kTxBytes = kXBytes + kWBytes + kScaleTileBytes;
  static constexpr int kEpilogueOffset = kStages * kStageBytes + 16 * kStages;
  static constexpr size_t kSmemBytes = 1024 + size_t(kEpilogueOffset) + kEpilogueBytes;
  static_assert(kXBytes % 1024 == 0 && kStages >= 4 && kSmemBytes <= kMaxSmem, "stage layout");
};

struct Params {
  const uint8_t* scales;       // tiled: [ceil(N/128)][k_tiles][512]
  const float* tensor_scale;   // the weights' FP32 tensor scale (device)
  EpilogueArgs epi;            // D's problem: m tokens, n weight rows
  int k_tiles;
  int tiles_w, tiles_t;        // weight-row tiles, token tiles
  int splits, split_k_tiles;   // split-K as in gemm_sm90_mxfp8_fused.cu
  float* partial;
};

__device__ __forceinline__ SplitWorkUnit work_unit(int u, const Params& p) {
  return split_work_unit<kGroupM>(u, p.tiles_w, p.tiles_t, p.splits, p.split_k_tiles, p.k_tiles);
}

// ---- producer -----------------------------------------------------------------------------------

template <int kTileT>
using Ring = StageRing<Config<kTileT>::kStages, Config<kTileT>::kStageBytes>;

template <int kTileT>
__device__ __forceinline__ void produce_tiles(const CUtensorMap& map_x, const CUtensorMap& map_w, const Params& p,
                                              const Ring<kTileT>& ring, int units) {
  using C = Config<kTileT>;
  prefetch_tensor_map(&map_x);
  prefetch_tensor_map(&map_w);
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    const uint8_t* scales = p.scales + static_cast<int64_t>(w.tm) * p.k_tiles * kScaleTileBytes;
    for (int kt = w.k_begin; kt < w.k_end; ++kt, ring.advance(stage, phase)) {
      mbar_wait(ring.empty(stage), phase ^ 1u);
      const uint32_t st = ring.stage(stage), full = ring.full(stage);
      mbar_arrive_expect_tx(full, C::kTxBytes);
      tma_load_2d(st + C::kOffX, &map_x, kt * kTileK, w.tn * kTileT, full);
      tma_load_2d(st + C::kOffW, &map_w, kt * kRowBytes, w.tm * kTileW, full);
      bulk_load(st + C::kOffS, scales + static_cast<int64_t>(kt) * kScaleTileBytes, kScaleTileBytes, full);
    }
  }
}

// ---- consumers: decoding ------------------------------------------------------------------------

__device__ __forceinline__ uint32_t bf16x2_mul(uint32_t a, uint32_t b) {
  const __nv_bfloat162 z = __hmul2(*reinterpret_cast<const __nv_bfloat162*>(&a),
                                   *reinterpret_cast<const __nv_bfloat162*>(&b));
  return *reinterpret_cast<const uint32_t*>(&z);
}

// The two bytes of g (bits 0-7: k = k0, k0 + 1; bits 8-15: k0 + 8, k0 + 9) as two bf16x2 of
// value * 2^-126, the lower k in the low half. Each byte's high nibble goes 12 bits up, to 16 bits
// above its low nibble; a nibble v alone in its field times (2^6 + 2^12) leaves its magnitude in
// bits [8:6] and its sign in bit 15 of that half (the GEMV's decoding, gemv_nvfp4_common.cuh).
__device__ __forceinline__ void decode_two_bytes(uint32_t g, uint32_t& lo, uint32_t& hi) {
  constexpr uint32_t kKeep = 0x81C081C0u;
  const uint32_t w = (g & 0x0F0Fu) | ((g << 12) & 0x0F0F0000u);
  lo = ((w & 0x000F000Fu) * 0x1040u) & kKeep;
  hi = (((w >> 8) & 0x000F000Fu) * 0x1040u) & kKeep;
}

// A row's four scale bytes (k16 steps 0-3 of the k-tile) as c = scale * 2^119 in both halves of a
// bf16x2 each.
__device__ __forceinline__ void decode_scales(uint32_t word, uint32_t (&c)[4]) {
  constexpr float k2p119 = 6.646139978924579e35f;  // 2^119
  const uint32_t c01 = dequant_pair(word, k2p119), c23 = dequant_pair(word >> 16, k2p119);
  c[0] = __byte_perm(c01, 0u, 0x1010);
  c[1] = __byte_perm(c01, 0u, 0x3232);
  c[2] = __byte_perm(c23, 0u, 0x1010);
  c[3] = __byte_perm(c23, 0u, 0x3232);
}

// One row's fragments of a k-tile: rows' bytes q + 4i (i = 2s + h) picked from its 32 bytes.
__device__ __forceinline__ void row_fragments(const uint8_t* row, uint32_t scale_word, uint32_t select,
                                              uint32_t (&lo)[4], uint32_t (&hi)[4]) {
  const uint4 a = *reinterpret_cast<const uint4*>(row);
  const uint4 b = *reinterpret_cast<const uint4*>(row + 16);
  const uint32_t words[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
  uint32_t c[4];
  decode_scales(scale_word, c);
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    uint32_t l, h;
    decode_two_bytes(__byte_perm(words[2 * s], words[2 * s + 1], select), l, h);
    lo[s] = bf16x2_mul(l, c[s]);
    hi[s] = bf16x2_mul(h, c[s]);
  }
}

// Where a consumer thread reads in a stage.
struct FragmentSource {
  int w_top, w_bottom;  // byte offsets of its two rows in the weight tile
  int s_top, s_bottom;  // byte offsets of their scale words in the scale tile
  uint32_t select;      // byte permute picking byte q of two words
};

template <int kTileT>
__device__ __forceinline__ void load_fragments(const uint8_t* st, const FragmentSource& src, uint32_t (&f)[4][4]) {
  using C = Config<kTileT>;
  uint32_t tl[4], th[4], bl[4], bh[4];
  row_fragments(st + C::kOffW + src.w_top, *reinterpret_cast<const uint32_t*>(st + C::kOffS + src.s_top), src.select,
                tl, th);
  row_fragments(st + C::kOffW + src.w_bottom, *reinterpret_cast<const uint32_t*>(st + C::kOffS + src.s_bottom),
                src.select, bl, bh);
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[s][0] = tl[s];  // (top, k 2q..)
    f[s][1] = bl[s];  // (bottom, k 2q..)
    f[s][2] = th[s];  // (top, k 2q + 8..)
    f[s][3] = bh[s];  // (bottom, k 2q + 8..)
  }
}

template <int kTileT>
__device__ __forceinline__ void mma_k_tile(float (&acc)[kTileT / 2], const uint32_t (&f)[4][4], uint32_t x_tile) {
  const uint64_t db = sw128_desc(x_tile);
  wgmma_fence();
#pragma unroll
  for (int s = 0; s < 4; ++s) wgmma_bf16_rs<kTileT>(acc, f[s], db + 2 * s);
  wgmma_commit();
}

// ---- consumers: the transposed epilogue ---------------------------------------------------------

// A warp's 16 weight rows (w_base..) x kTileT tokens (t_base..) of D^T into D [M][N]: 32 tokens at
// a time through the warp's staging, then one token per lane, its 16 consecutive outputs of D.
template <class OutT, int kTileT>
__device__ __forceinline__ void store_transposed(const EpilogueArgs& e, const float (&acc)[kTileT / 2], int w_base,
                                                 int t_base, int lane, float* stage) {
  // 16-byte stores of 16 outputs need D's rows 16-byte aligned and the 16 weight rows inside N.
  const bool plain = plain_vector_stores<OutT>(e) && w_base + 16 <= e.n;
#pragma unroll
  for (int chunk = 0; chunk < kTileT / kEpilogueChunk; ++chunk) {
    stage_fragment_chunk<kTileT>(acc, chunk, lane, stage);
    __syncwarp();
    const int token = t_base + chunk * kEpilogueChunk + lane;
    if (token < e.m) {
      const int64_t row_off = static_cast<int64_t>(token) * e.n;
      if (plain) {
        float v[16];
#pragma unroll
        for (int w = 0; w < 16; ++w) v[w] = e.out_scale * (e.alpha * stage[w * kEpilogueStride + lane]);
        OutT* d = static_cast<OutT*>(e.d) + row_off + w_base;
        if constexpr (sizeof(OutT) == 4) {
#pragma unroll
          for (int i = 0; i < 4; ++i)
            reinterpret_cast<float4*>(d)[i] = make_float4(v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]);
        } else {
          uint32_t packed[8];
#pragma unroll
          for (int i = 0; i < 8; ++i) {
            const __nv_bfloat162 pair = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
            packed[i] = *reinterpret_cast<const uint32_t*>(&pair);
          }
          reinterpret_cast<uint4*>(d)[0] = make_uint4(packed[0], packed[1], packed[2], packed[3]);
          reinterpret_cast<uint4*>(d)[1] = make_uint4(packed[4], packed[5], packed[6], packed[7]);
        }
      } else {
#pragma unroll 1
        for (int w = 0; w < 16; ++w) {
          const int n = w_base + w;
          if (n >= e.n) break;
          e.store<OutT>(stage[w * kEpilogueStride + lane], row_off + n, n);
        }
      }
    }
    __syncwarp();
  }
}

// ---- the kernel ---------------------------------------------------------------------------------

template <class OutT, int kTileT>
__global__ void __launch_bounds__(kThreads, 1)
    nvfp4w_gemm(const __grid_constant__ CUtensorMap map_x, const __grid_constant__ CUtensorMap map_w, const Params p) {
  using C = Config<kTileT>;
  extern __shared__ uint8_t smem_raw[];
  uint8_t* smem = align_smem_1024(smem_raw);
  const Ring<kTileT> ring{smem_addr(smem)};
  ring.init(kConsumerWarps);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  const int units = p.tiles_w * p.tiles_t * p.splits;
  if (warp >= kConsumerWarps) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kProducerRegs));
    if (warp == kTmaWarp && lane == 0) produce_tiles<kTileT>(map_x, map_w, p, ring, units);
    return;
  }
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kConsumerRegs));

  // The decoded weights are value * scale * 2^-7: the epilogue's 2^7, with the tensor scale.
  EpilogueArgs epi = p.epi;
  epi.alpha = p.epi.alpha * (*p.tensor_scale * 128.0f);

  const int row_base = (warp / 4) * 64 + (warp % 4) * 16;
  const int top = row_base + lane / 4, q = lane % 4;
  auto scale_offset = [](int row) { return (row % 32) * 16 + ((row / 32) % 4) * 4; };
  const FragmentSource src{top * kRowBytes, (top + 8) * kRowBytes, scale_offset(top), scale_offset(top + 8),
                           static_cast<uint32_t>(q | ((q + 4) << 4))};
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    float acc[kTileT / 2];
#pragma unroll
    for (int i = 0; i < kTileT / 2; ++i) acc[i] = 0.0f;

    const int last = two_set_k_loop(
        ring, stage, phase, w.k_begin, w.k_end, lane,
        [&](int s, int, uint32_t(&f)[4][4]) { load_fragments<kTileT>(smem + s * C::kStageBytes, src, f); },
        [&](int s, const uint32_t(&f)[4][4]) { mma_k_tile<kTileT>(acc, f, ring.stage(s) + C::kOffX); });
    fence_registers(acc);
    ring.release(last, lane);

    float* stage_epi = reinterpret_cast<float*>(smem + C::kEpilogueOffset) + warp * kEpilogueWarpFloats;
    const int w_base = w.tm * kTileW + row_base, t_base = w.tn * kTileT;
    if (p.splits == 1) {
      store_transposed<OutT, kTileT>(epi, acc, w_base, t_base, lane, stage_epi);
    } else {
      store_transposed<float, kTileT>(split_partial_epilogue(p.partial, w.split, epi), acc, w_base, t_base, lane,
                                      stage_epi);
    }
  }
}

// ---- host side ----------------------------------------------------------------------------------

// Workspace: [the weights' scales in the tiled layout][split-K partial sums, splits x M x N FP32].
struct Layout {
  int64_t k_tiles = 0;
  SplitK split;
  size_t partial_offset = 0, bytes = 0;
};

Layout layout_for(const DeviceInfo& dev, const dw_gemm_desc& d, int tile_t) {
  Layout l;
  l.k_tiles = ceil_div(d.k, int64_t(kTileK));
  l.split = split_k_for(dev, ceil_div(d.n, int64_t(kTileW)) * ceil_div(d.m, int64_t(tile_t)), l.k_tiles);
  const size_t scale_bytes = static_cast<size_t>(swizzled_scale_bytes(d.n, ceil_div(d.k, 16)));
  l.partial_offset = (scale_bytes + 255) / 256 * 256;
  const size_t partial_bytes =
      l.split.splits > 1 ? size_t(l.split.splits) * static_cast<size_t>(d.m) * static_cast<size_t>(d.n) * 4 : 0;
  l.bytes = l.partial_offset + partial_bytes;
  return l;
}

template <class OutT, int kTileT>
dw_status allow_smem() {
  return dw::check(cudaFuncSetAttribute(nvfp4w_gemm<OutT, kTileT>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                        static_cast<int>(Config<kTileT>::kSmemBytes)),
                   kOperation, "allow %zu bytes of dynamic shared memory", Config<kTileT>::kSmemBytes);
}

template <class OutT>
dw_status allow_smem(int tile_t) {
  return tile_t == 256 ? allow_smem<OutT, 256>() : tile_t == 128 ? allow_smem<OutT, 128>() : allow_smem<OutT, 64>();
}

template <class OutT, int kTileT>
void launch(const CUtensorMap& map_x, const CUtensorMap& map_w, const Params& p, int grid, cudaStream_t stream) {
  nvfp4w_gemm<OutT, kTileT><<<grid, kThreads, Config<kTileT>::kSmemBytes, stream>>>(map_x, map_w, p);
}

template <class OutT>
void launch(int tile_t, const CUtensorMap& map_x, const CUtensorMap& map_w, const Params& p, int grid,
            cudaStream_t stream) {
  if (tile_t == 256) launch<OutT, 256>(map_x, map_w, p, grid, stream);
  else if (tile_t == 128) launch<OutT, 128>(map_x, map_w, p, grid, stream);
  else launch<OutT, 64>(map_x, map_w, p, grid, stream);
}

const char* variant_name(int variant) {
  static const char* names[kNvfp4wVariants] = {"sm90_nvfp4w_fused_bf16_256x128x64", "sm90_nvfp4w_fused_bf16_128x128x64",
                                               "sm90_nvfp4w_fused_bf16_64x128x64"};
  return names[variant];
}

int count() { return kNvfp4wVariants; }

dw_status plan(const DeviceInfo& dev, const dw_gemm_desc& d, int variant, dw_gemm_plan_info* p) {
  if (variant >= kNvfp4wVariants)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "variant=%d: NVFP4 weights have %d", variant,
                    kNvfp4wVariants);
  if (d.k % 32 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation,
                    "k=%lld must be a multiple of 32 (16-byte rows of NVFP4 codes for TMA)", (long long)d.k);
  if (d.m > INT32_MAX - 256 || d.n > INT32_MAX - 256 || d.k > INT32_MAX - kTileK)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "m, n, k must stay below 2^31 - 256");
  const int v = variant < 0 ? sm90_nvfp4w_choose_variant(dev, d) : variant;
  const int tile_t = nvfp4w_tile_m(v);
  if (ceil_div(d.m, int64_t(tile_t)) * ceil_div(d.n, int64_t(kTileW)) > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "too many output tiles");
  const dw_status st = d.output == DW_GEMM_OUT_F32 ? allow_smem<float>(tile_t) : allow_smem<__nv_bfloat16>(tile_t);
  if (st != DW_SUCCESS) return st;
  p->variant = v;
  p->swizzle = 1;  // its own raster (groups of 8 weight-row tiles)
  p->workspace_bytes = layout_for(dev, d, tile_t).bytes;
  set_name(p, variant_name(v));
  return DW_SUCCESS;
}

dw_status run(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args, const dw_gemm_plan_info& plan,
              void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  if (plan.variant < 0 || plan.variant >= kNvfp4wVariants)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "plan.variant=%d is not one of this family's",
                    plan.variant);
  const int tile_t = nvfp4w_tile_m(plan.variant);
  const Layout l = layout_for(dev, d, tile_t);
  if (workspace == nullptr || workspace_bytes < l.bytes)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation,
                    "workspace of %llu bytes needed (tiled scales, split-K partial sums), %llu given",
                    (unsigned long long)l.bytes, (unsigned long long)workspace_bytes);
  // TMA and bulk copies read 16-byte aligned global addresses; a misaligned one faults the context.
  if (!aligned16(workspace)) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "workspace must be 16-byte aligned");
  if (!aligned16(args.a) || !aligned16(args.b))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "A and B must be 16-byte aligned (TMA)");
  auto* ws = static_cast<uint8_t*>(workspace);
  // The consumers read one 512-byte tile of scales per (128 weight rows, k-tile): the 128x4 layout
  // with 4 scale columns of 16 values = one 64-deep k-tile.
  dw_status st = relayout_scales(args.scale_b, ws, d.n, ceil_div(d.k, int64_t(16)), ScaleRelayout::kRowMajorToSwizzled,
                                 stream);
  if (st != DW_SUCCESS) return st;
  CUtensorMap map_x, map_w;
  const bool maps_ok =
      encode_2d_map(&map_x, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, args.a, d.m, d.k, d.k * 2, kTileK,
                    static_cast<uint32_t>(tile_t), CU_TENSOR_MAP_SWIZZLE_128B) &&
      encode_2d_map(&map_w, CU_TENSOR_MAP_DATA_TYPE_UINT8, args.b, d.n, d.k / 2, d.k / 2, kRowBytes, kTileW,
                    CU_TENSOR_MAP_SWIZZLE_NONE);
  if (!maps_ok) return tensor_maps_refused(kOperation, d);
  Params p{};
  p.scales = ws;
  p.tensor_scale = args.tensor_scale_b;
  p.epi = epilogue_args(d, args);
  p.k_tiles = static_cast<int>(l.k_tiles);
  p.tiles_w = static_cast<int>(ceil_div(d.n, int64_t(kTileW)));
  p.tiles_t = static_cast<int>(ceil_div(d.m, int64_t(tile_t)));
  p.splits = l.split.splits;
  p.split_k_tiles = l.split.split_k_tiles;
  p.partial = reinterpret_cast<float*>(ws + l.partial_offset);
  const int grid = persistent_grid(dev, int64_t(p.tiles_w) * p.tiles_t * p.splits);
  const bool f32 = d.output == DW_GEMM_OUT_F32;
  if (f32) launch<float>(tile_t, map_x, map_w, p, grid, stream);
  else launch<__nv_bfloat16>(tile_t, map_x, map_w, p, grid, stream);
  st = dw::check(cudaGetLastError(), kOperation, "launch, m=%lld n=%lld k=%lld", (long long)d.m, (long long)d.n,
                 (long long)d.k);
  if (st != DW_SUCCESS || p.splits == 1) return st;
  // The partial sums are of the decoded weights (x 2^-7): the reduction applies 2^7 and the tensor scale.
  return f32 ? reduce_splits<float>(dev, p.partial, p.splits, p.epi, p.tensor_scale, 128.0f, kOperation, stream)
             : reduce_splits<__nv_bfloat16>(dev, p.partial, p.splits, p.epi, p.tensor_scale, 128.0f, kOperation, stream);
}

}  // namespace

const Sm90Family& sm90_nvfp4_weight_family() {
  static const Sm90Family f{&count, &plan, &run};
  return f;
}

}  // namespace dw::gemm
