// MXFP8 x MXFP8 on sm_90a, "fused": A is dequantized to BF16 in registers inside the GEMM's main
// loop and multiplied with BF16 wgmmas whose A operand comes from registers (wgmma RS); B is
// dequantized by one memory-bound pass into a BF16 copy in the workspace, read by TMA. Deepwell's
// own kernel, no CUTLASS (CUTLASS 4.2's sm90 mixed-input mainloop, the natural home of this
// scheme, wants group_size % tile_K == 0 with tile_K >= 64, and MXFP8's scale groups are 32).
//
// Why: the dequantizing way (gemm_sm90_mxfp8.cu) writes and re-reads BF16 copies of BOTH
// operands, 5 bytes of HBM traffic per element beyond the GEMM's own; where N = 768 and K is
// short that pass costs 30-50% of the BF16 GEMM's time. The activations (A, M x K, M = tokens)
// are the large operand of the benchmark's GEMMs; converting them where they are consumed leaves
// only B's pass. The other scheme, FP8 wgmma per 32 of K with the scales applied while
// accumulating (gemm_sm90_mxfp8_wgmma.cu), is bound by two FP32 operations per accumulator per 32
// of K on the CUDA cores; here the CUDA cores convert each A element once per tile column (~3
// instructions per element), and the tensor cores run at BF16's rate.
//
// Numerics: A's fragments and B's copy come from the same dequant_pair as the dequantizing way,
// so the BF16 operands are identical to its copies (exact, see there) and the products accumulate
// in FP32 in the tensor cores, as the BF16 kernels do.
//
// The K order trick. A wgmma m64nNk16 A fragment holds, per thread (lane l of its warp), the
// pairs k = 2(l%4) + {0,1} and k + 8 + {0,1} of two rows: 2-byte pieces of FP8 scattered over a
// row. Since K is summed over, any permutation of K applied to both operands gives the same
// product, and B's copy is ours to lay out: within each 64 of K, thread q = l%4 takes the 16
// contiguous FP8 bytes [16q, 16q + 16) of its row (one 16-byte shared load per row and k-tile,
// and all 16 in one E8M0 block, so one scale), and the pass stores B's BF16 copy with K permuted
// the same way: physical pair P = 8q + 2s + h (s = the k16 step, h = low/high half of the
// fragment) goes to logical pair 8s + 4h + q. For the pass that is a 4 x 8 transpose of pairs.
//
// Structure: persistent CTAs of 12 warps, one 128 x kTileN output tile at a time (static
// round-robin, groups of 8 tile rows), a ring of k-tiles of 64 in shared memory:
//   warp 8 (one lane)  TMA: A (128 rows x 64 bytes, no swizzle: 4 threads read a row's 64 bytes
//                      without bank conflicts), B's copy (kTileN rows x 64 BF16, 128-byte
//                      swizzle), and A's 512-byte scale tile of the 128 of K around the k-tile;
//   warps 9-11         idle (setmaxnreg gives their registers to the consumers);
//   warps 0-7          two warpgroups of 64 rows: per k-tile two 16-byte loads and two scale
//                      bytes, 16 dequant_pairs into the next fragment set while the wgmmas of
//                      the current one run (two sets, alternating), four m64nNk16 RS wgmmas;
//                      the epilogue of gemm.h from registers.
// MEASURED (H100, 2026-11-27, docs/PERFORMANCE.md session 10): 0.85-0.92x our CUTLASS BF16 where
// K is long and the 128x256 tiles fill the GPU, 0.70-0.80x where K = 768 (the epilogue is not
// hidden behind another tile's main loop); faster than the dequantizing pass on the 7 of the 16
// benchmark shapes with N <= 1024 and M >= 4096, which AUTO therefore gives it. Where its tiles
// fill the SMs poorly (weight gradients), split-K (partial sums in the workspace, a reduction
// kernel with the epilogue), its count and the tile chosen by a model fitted to a sweep of both
// (gemm_sm90_select.cpp, sm90_mxfp8_fused_split; session 17): 1.1-1.2x the dequantizing pass on
// the weight gradients of N <= 1024 (session 10's split, while the tiles filled at most half of
// the SMs, had lifted it 1.4-2.4x, not past the pass on most of them). On those the kernel and its
// reduction now run as fast as our BF16 GEMM of the product (H200, session 20: 768x768x16384 42
// against 41 us); the 20 us over it are B's pass (16.7 us, bound by L2) and A's scale re-layout
// (3.3). Split-K added inside the kernel instead (three forms, the last sharing the fixup among the
// tile's warps) tied the reduction kernel at best. Not
// done: a deeper fragment pipeline (three sets with wgmma_wait<2> make ptxas serialize every
// wgmma, C7513) and a ping-pong schedule.
//
// Shapes: any M and N, K a multiple of 16 (A's TMA rows); K's tail in the last k-tile is zero
// in A (TMA fill) and in B's copy (the pass), with finite scales (the tiled layout's padding).
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_bf16.h>

#include <cstdint>

#include "gemm_blockscaled.h"
#include "gemm_internal.h"
#include "gemm_sm90_ptx.cuh"
#include "mxfp8_dequant.cuh"
#include "quantize/quant_math.cuh"  // dwq::e8m0_decode: 2^(e-127), 2^-127 for 0, NaN for 255

namespace dw::gemm {
namespace {

using namespace sm90;

constexpr const char* kOperation = "sm90 MXFP8 fused GEMM";

constexpr int kTileM = 128, kTileK = 64;
constexpr int kScaleTileBytes = 512;  // E8M0 of 128 rows x 128 of K, gemm.h's tiled layout
// The CTA (warp roles, setmaxnreg budgets) is gemm_sm90_ptx.cuh's kConsumerWarps / kThreads.
constexpr int kGroupM = 8;
constexpr int kMaxSmem = 227 * 1024;

// One stage: A (dense 64-byte rows), B's copy (1024-aligned for the swizzle), A's scale tile.
template <int kTileN>
struct Config {
  static constexpr int kABytes = kTileM * kTileK;
  static constexpr int kBBytes = kTileN * kTileK * 2;
  static constexpr int kOffA = 0, kOffB = kABytes, kOffS = kOffB + kBBytes;
  static constexpr int kStageBytes = (kOffS + kScaleTileBytes + 1023) / 1024 * 1024;
  static constexpr int kEpilogueBytes = kConsumerWarps * kEpilogueWarpBytes;
  static constexpr int kStagesFit = (kMaxSmem - 1024 - 16 * 16 - kEpilogueBytes) / kStageBytes;
  static constexpr int kStages = kStagesFit > 8 ? 8 : kStagesFit;
  static constexpr int kTxBytes = kABytes + kBBytes + kScaleTileBytes;
  static constexpr int kEpilogueOffset = kStages * kStageBytes + 16 * kStages;  // after the ring's barriers
  static constexpr size_t kSmemBytes = 1024 /* alignment slack */ + size_t(kEpilogueOffset) + kEpilogueBytes;
  static_assert(kOffB % 1024 == 0 && kStages >= 4 && kSmemBytes <= kMaxSmem, "stage layout");
};

struct Params {
  const uint8_t* scale_a;  // tiled: [ceil(M/128)][ceil(K/128)][512]
  EpilogueArgs epi;
  int k_tiles;  // of 64
  int tiles_m, tiles_n;
  // Split-K: each tile's K loop cut into `splits` ranges of split_k_tiles (even) k-tiles, one work
  // unit each; with splits > 1 the units store FP32 partial sums to partial[split][M][N] and
  // reduce_splits adds them and applies the epilogue.
  int splits, split_k_tiles;
  float* partial;
};

__device__ __forceinline__ SplitWorkUnit work_unit(int u, const Params& p) {
  return split_work_unit<kGroupM>(u, p.tiles_m, p.tiles_n, p.splits, p.split_k_tiles, p.k_tiles);
}

// ---- the kernel ------------------------------------------------------------------------------

template <int kTileN>
using Ring = StageRing<Config<kTileN>::kStages, Config<kTileN>::kStageBytes>;

// Warp 8, lane 0: every k-tile of every work unit of this CTA, in the consumers' order.
template <int kTileN>
__device__ __forceinline__ void produce_tiles(const CUtensorMap& map_a, const CUtensorMap& map_b, const Params& p,
                                              const Ring<kTileN>& ring, int units) {
  using C = Config<kTileN>;
  prefetch_tensor_map(&map_a);
  prefetch_tensor_map(&map_b);
  const int scale_tiles_k = (p.k_tiles + 1) / 2;
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    const int tm = w.tm, tn = w.tn;
    const uint8_t* sa = p.scale_a + static_cast<int64_t>(tm) * scale_tiles_k * kScaleTileBytes;
    for (int kt = w.k_begin; kt < w.k_end; ++kt, ring.advance(stage, phase)) {
      mbar_wait(ring.empty(stage), phase ^ 1u);  // a fresh barrier passes parity 1 at once
      const uint32_t st = ring.stage(stage), full = ring.full(stage);
      mbar_arrive_expect_tx(full, C::kTxBytes);
      tma_load_2d(st + C::kOffA, &map_a, kt * kTileK, tm * kTileM, full);
      tma_load_2d(st + C::kOffB, &map_b, kt * kTileK, tn * kTileN, full);
      bulk_load(st + C::kOffS, sa + (kt / 2) * kScaleTileBytes, kScaleTileBytes, full);
    }
  }
}

// Where a consumer thread reads in a stage: its two rows' 16 bytes of A and their scale bytes.
struct FragmentSource {
  int a_top, a_bottom;  // byte offsets in the A tile
  int s_top, s_bottom;  // byte offsets in the scale tile, block (q / 2) of the first 64 of K
};

// Byte of (row, block kb) in a 512-byte tile of gemm.h's 128x4 layout: word (row % 32) * 4 +
// row / 32 holds the row's four block codes.
__device__ __forceinline__ int scale_byte(int row, int kb) { return ((row % 32) * 4 + row / 32) * 4 + kb; }

// The fragments of one k-tile (four k16 steps x registers 0-3 of the wgmma A operand): rows top
// (registers 0, 2) and bottom (1, 3) of this thread, bytes [16q, 16q + 16) of each row's 64.
template <int kTileN>
__device__ __forceinline__ void load_fragments(const uint8_t* st, const FragmentSource& src, int odd_k_tile,
                                               uint32_t (&f)[4][4]) {
  using C = Config<kTileN>;
  const uint4 top = *reinterpret_cast<const uint4*>(st + C::kOffA + src.a_top);
  const uint4 bottom = *reinterpret_cast<const uint4*>(st + C::kOffA + src.a_bottom);
  const float s_top = dwq::e8m0_decode(st[C::kOffS + src.s_top + 2 * odd_k_tile]);
  const float s_bottom = dwq::e8m0_decode(st[C::kOffS + src.s_bottom + 2 * odd_k_tile]);
  const uint32_t t[4] = {top.x, top.y, top.z, top.w}, b[4] = {bottom.x, bottom.y, bottom.z, bottom.w};
#pragma unroll
  for (int s = 0; s < 4; ++s) {
    f[s][0] = dequant_pair(t[s], s_top);
    f[s][1] = dequant_pair(b[s], s_bottom);
    f[s][2] = dequant_pair(t[s] >> 16, s_top);
    f[s][3] = dequant_pair(b[s] >> 16, s_bottom);
  }
}

// Four k16 steps of one k-tile: B's descriptor advances 32 bytes (16 BF16) per step.
template <int kTileN>
__device__ __forceinline__ void mma_k_tile(float (&acc)[kTileN / 2], const uint32_t (&f)[4][4], uint32_t b_tile) {
  const uint64_t db = sw128_desc(b_tile);
  wgmma_fence();
#pragma unroll
  for (int s = 0; s < 4; ++s) wgmma_bf16_rs<kTileN>(acc, f[s], db + 2 * s);
  wgmma_commit();
}

template <class OutT, int kTileN>
__global__ void __launch_bounds__(kThreads, 1)
    mxfp8_fused_gemm(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                     const Params p) {
  using C = Config<kTileN>;
  extern __shared__ uint8_t smem_raw[];
  uint8_t* smem = align_smem_1024(smem_raw);
  const Ring<kTileN> ring{smem_addr(smem)};
  ring.init(kConsumerWarps);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  const int units = p.tiles_m * p.tiles_n * p.splits;
  // Each role's code sits inside its setmaxnreg branch (else ptxas drops the instruction, C7507).
  if (warp >= kConsumerWarps) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kProducerRegs));
    if (warp == kTmaWarp && lane == 0) produce_tiles<kTileN>(map_a, map_b, p, ring, units);
    return;
  }
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kConsumerRegs));

  // Warpgroup g owns rows 64g .. 64g + 63 of the tile; this thread rows `top` and top + 8.
  const int row_base = (warp / 4) * 64 + (warp % 4) * 16;
  const int top = row_base + lane / 4, q = lane % 4;
  const FragmentSource src{top * kTileK + 16 * q, (top + 8) * kTileK + 16 * q, scale_byte(top, q / 2),
                           scale_byte(top + 8, q / 2)};
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    const int tm = w.tm, tn = w.tn;
    float acc[kTileN / 2];
#pragma unroll
    for (int i = 0; i < kTileN / 2; ++i) acc[i] = 0.0f;

    // k_begin is even (split_k_tiles is), so a fragment set's parity is also its k-tile's, which
    // picks the k-tile's half of the 128-deep scale tile.
    const int last = two_set_k_loop(
        ring, stage, phase, w.k_begin, w.k_end, lane,
        [&](int s, int parity, uint32_t(&f)[4][4]) {
          load_fragments<kTileN>(smem + s * C::kStageBytes, src, parity, f);
        },
        [&](int s, const uint32_t(&f)[4][4]) { mma_k_tile<kTileN>(acc, f, ring.stage(s) + C::kOffB); });
    fence_registers(acc);
    ring.release(last, lane);

    float* stage_epi = reinterpret_cast<float*>(smem + C::kEpilogueOffset) + warp * kEpilogueWarpFloats;
    if (p.splits == 1) {
      store_fragment<OutT, kTileN>(p.epi, acc, tm * kTileM + row_base, tn * kTileN, lane, stage_epi);
    } else {
      store_fragment<float, kTileN>(split_partial_epilogue(p.partial, w.split, p.epi), acc, tm * kTileM + row_base,
                                    tn * kTileN, lane, stage_epi);
    }
  }
}

// ---- B's copy: dequantized, K permuted as the fragments read A ---------------------------------

constexpr int kPassThreads = 256;

// An item = 64 of K of one row of B: four 16-byte pieces (q), each one 32-block's half, become 32
// BF16 pairs; pair t of piece q (physical pair 8q + t) is stored at logical pair 8(t/2) + 4(t%2) +
// q, i.e. output vector u (logical pairs 4u .. 4u + 3) = pair u of pieces 0..3. One thread per
// output vector, so that a warp's stores cover 512 contiguous bytes (a thread per item, storing its
// eight vectors 128 bytes apart per lane, is the pattern that made a pass 2.2x slower on the H100,
// docs/PERFORMANCE.md session 16); its four pairs are 2-byte loads from the item's 64 bytes. Pieces
// at or past K are stored as zeros (never dequantized: a NaN scale must not reach the padding).
template <bool kTiled>
__global__ void __launch_bounds__(kPassThreads)
    dequant_b_permuted(const uint8_t* codes, const uint8_t* scales, uint4* out, int64_t rows, int64_t k,
                       int64_t chunks) {
  const int64_t blocks = (k + 31) / 32, vectors = rows * chunks * 8;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kPassThreads;
  for (int64_t v = static_cast<int64_t>(blockIdx.x) * kPassThreads + threadIdx.x; v < vectors; v += stride) {
    const int64_t i = v / 8, row = i / chunks, k0 = (i - row * chunks) * 64;
    const int u = static_cast<int>(v % 8);
    uint32_t w[4];
#pragma unroll
    for (int piece = 0; piece < 4; ++piece) {
      const int64_t kk = k0 + 16 * piece;
      w[piece] = 0u;
      if (kk < k) {
        const int64_t kb = kk / 32;
        const int64_t si = kTiled ? swizzled_scale_offset(row, kb, blocks) : row * blocks + kb;
        const float s = dwq::e8m0_decode(__ldg(scales + si));
        const uint32_t pair = __ldg(reinterpret_cast<const uint16_t*>(codes + row * k + kk) + u);
        w[piece] = dequant_pair(pair, s);
      }
    }
    out[v] = make_uint4(w[0], w[1], w[2], w[3]);
  }
}

// ---- host side --------------------------------------------------------------------------------

// Workspace: [A's scales re-laid to the tiled layout, if given row-major][B's copy, N x Kp BF16]
// [split-K partial sums, splits x M x N FP32, when split].
struct Layout {
  int64_t chunks = 0;  // 64-wide k-tiles
  SplitK split;
  size_t b_offset = 0, partial_offset = 0, bytes = 0;
};

Layout layout_for(const DeviceInfo& dev, const dw_gemm_desc& d, int tile_n) {
  Layout l;
  l.chunks = ceil_div(d.k, int64_t(kTileK));
  const Sm90FusedSplit split = sm90_mxfp8_fused_split(dev, d.m, d.n, d.k, tile_n);
  l.split.splits = split.splits;
  l.split.split_k_tiles = split.split_k_tiles;
  // A's scales in the 128x4 tiles the bulk copies read (B's are read by the pass, in either layout).
  const size_t staging = d.scale_layout == DW_GEMM_SCALES_ROW_MAJOR
                             ? static_cast<size_t>(swizzled_scale_bytes(d.m, ceil_div(d.k, int64_t(32))))
                             : 0;
  l.b_offset = (staging + 255) / 256 * 256;
  const size_t b_bytes = static_cast<size_t>(d.n) * static_cast<size_t>(l.chunks) * kTileK * 2;
  l.partial_offset = (l.b_offset + b_bytes + 255) / 256 * 256;
  const size_t partial_bytes =
      l.split.splits > 1 ? size_t(l.split.splits) * static_cast<size_t>(d.m) * static_cast<size_t>(d.n) * 4 : 0;
  l.bytes = l.partial_offset + partial_bytes;
  return l;
}

template <class OutT, int kTileN>
dw_status allow_smem() {
  return dw::check(cudaFuncSetAttribute(mxfp8_fused_gemm<OutT, kTileN>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                        static_cast<int>(Config<kTileN>::kSmemBytes)),
                   kOperation, "allow %zu bytes of dynamic shared memory", Config<kTileN>::kSmemBytes);
}

template <class OutT>
dw_status allow_smem(int tile_n) {
  return tile_n == 256 ? allow_smem<OutT, 256>() : tile_n == 192 ? allow_smem<OutT, 192>() : allow_smem<OutT, 128>();
}

template <class OutT, int kTileN>
void launch(const CUtensorMap& map_a, const CUtensorMap& map_b, const Params& p, int grid, cudaStream_t stream) {
  mxfp8_fused_gemm<OutT, kTileN><<<grid, kThreads, Config<kTileN>::kSmemBytes, stream>>>(map_a, map_b, p);
}

dw_status launch_b_pass(const dw_gemm_desc& d, const dw_gemm_args& args, const Layout& l, uint8_t* ws,
                        cudaStream_t stream) {
  const int64_t vectors = d.n * l.chunks * 8;
  int64_t blocks = (vectors + kPassThreads - 1) / kPassThreads;
  if (blocks > (int64_t(1) << 20)) blocks = int64_t(1) << 20;  // the kernel strides over the rest
  const auto* codes = static_cast<const uint8_t*>(args.b);
  const auto* scales = static_cast<const uint8_t*>(args.scale_b);
  auto* out = reinterpret_cast<uint4*>(ws + l.b_offset);
  if (d.scale_layout == DW_GEMM_SCALES_SWIZZLED_128X4)
    dequant_b_permuted<true><<<static_cast<unsigned>(blocks), kPassThreads, 0, stream>>>(codes, scales, out, d.n, d.k,
                                                                                          l.chunks);
  else
    dequant_b_permuted<false><<<static_cast<unsigned>(blocks), kPassThreads, 0, stream>>>(codes, scales, out, d.n,
                                                                                           d.k, l.chunks);
  return dw::check(cudaGetLastError(), kOperation, "B -> BF16 pass, n=%lld k=%lld", (long long)d.n, (long long)d.k);
}

}  // namespace

const char* mxfp8_fused_name(int tile_n) {
  return tile_n == 256   ? "sm90_mxfp8_fused_bf16_128x256x64"
         : tile_n == 192 ? "sm90_mxfp8_fused_bf16_128x192x64"
                         : "sm90_mxfp8_fused_bf16_128x128x64";
}

dw_status mxfp8_fused_plan(const DeviceInfo& dev, const dw_gemm_desc& d, int tile_n, dw_gemm_plan_info* p) {
  if (tile_n != 128 && tile_n != 192 && tile_n != 256)
    return dw::fail(DW_ERROR_INTERNAL, kOperation, "tile width %d is not 128, 192 or 256", tile_n);
  if (d.k % 16 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "k=%lld must be a multiple of 16 (TMA rows of 16 bytes)",
                    (long long)d.k);
  if (d.m > INT32_MAX - kTileM || d.n > INT32_MAX - 256 || d.k > INT32_MAX - kTileK)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "m, n, k must stay below 2^31 - 256");
  // Work units = tiles x splits, and sm90_mxfp8_fused_split splits only while that stays within
  // one round of SMs: bounding the tiles bounds the units.
  if (ceil_div(d.m, int64_t(kTileM)) * ceil_div(d.n, int64_t(tile_n)) > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "too many output tiles");
  const dw_status st = d.output == DW_GEMM_OUT_F32 ? allow_smem<float>(tile_n) : allow_smem<__nv_bfloat16>(tile_n);
  if (st != DW_SUCCESS) return st;
  p->workspace_bytes = layout_for(dev, d, tile_n).bytes;
  set_name(p, mxfp8_fused_name(tile_n));
  return DW_SUCCESS;
}

dw_status mxfp8_fused_run(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args, int tile_n,
                          void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  const Layout l = layout_for(dev, d, tile_n);
  if (workspace == nullptr || workspace_bytes < l.bytes)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation,
                    "workspace of %llu bytes needed (B's BF16 copy, split-K partial sums), %llu given",
                    (unsigned long long)l.bytes, (unsigned long long)workspace_bytes);
  // Bulk copies read the staged scales and TMA reads B's copy from the workspace: 16-byte
  // aligned sources, or the device faults (and the context with it).
  if (!aligned16(workspace))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "workspace must be 16-byte aligned");
  if (!aligned16(args.a))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "A must be 16-byte aligned (TMA)");
  if (!aligned16(args.b))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "B must be 16-byte aligned (its pass reads whole rows)");
  if (d.scale_layout == DW_GEMM_SCALES_SWIZZLED_128X4 && !aligned16(args.scale_a))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "scale_a must be 16-byte aligned (bulk copies of its tiles)");
  auto* ws = static_cast<uint8_t*>(workspace);
  const void* scale_a_tiled = args.scale_a;
  if (d.scale_layout == DW_GEMM_SCALES_ROW_MAJOR) {
    const dw_status st = relayout_scales(args.scale_a, ws, d.m, ceil_div(d.k, int64_t(32)),
                                         ScaleRelayout::kRowMajorToSwizzled, stream);
    if (st != DW_SUCCESS) return st;
    scale_a_tiled = ws;
  }
  dw_status st = launch_b_pass(d, args, l, ws, stream);
  if (st != DW_SUCCESS) return st;
  CUtensorMap map_a, map_b;
  // A: FP8 rows of K bytes, no swizzle (4 threads read a row's 64 bytes without bank conflicts);
  // B's copy: BF16 rows of chunks x 64, the 128-byte swizzle of the wgmma descriptor.
  const bool maps_ok =
      encode_2d_map(&map_a, CU_TENSOR_MAP_DATA_TYPE_UINT8, args.a, d.m, d.k, d.k, kTileK, kTileM,
                    CU_TENSOR_MAP_SWIZZLE_NONE) &&
      encode_2d_map(&map_b, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, ws + l.b_offset, d.n, l.chunks * kTileK,
                    l.chunks * kTileK * 2, kTileK, static_cast<uint32_t>(tile_n), CU_TENSOR_MAP_SWIZZLE_128B);
  if (!maps_ok) return tensor_maps_refused(kOperation, d);
  Params p{};
  p.scale_a = static_cast<const uint8_t*>(scale_a_tiled);
  p.epi = epilogue_args(d, args);
  p.k_tiles = static_cast<int>(l.chunks);
  p.tiles_m = static_cast<int>(ceil_div(d.m, int64_t(kTileM)));
  p.tiles_n = static_cast<int>(ceil_div(d.n, int64_t(tile_n)));
  p.splits = l.split.splits;
  p.split_k_tiles = l.split.split_k_tiles;
  p.partial = reinterpret_cast<float*>(ws + l.partial_offset);
  const int grid = persistent_grid(dev, int64_t(p.tiles_m) * p.tiles_n * p.splits);
  const bool f32 = d.output == DW_GEMM_OUT_F32;
  if (tile_n == 256) {
    if (f32) launch<float, 256>(map_a, map_b, p, grid, stream);
    else launch<__nv_bfloat16, 256>(map_a, map_b, p, grid, stream);
  } else if (tile_n == 192) {
    if (f32) launch<float, 192>(map_a, map_b, p, grid, stream);
    else launch<__nv_bfloat16, 192>(map_a, map_b, p, grid, stream);
  } else {
    if (f32) launch<float, 128>(map_a, map_b, p, grid, stream);
    else launch<__nv_bfloat16, 128>(map_a, map_b, p, grid, stream);
  }
  st = dw::check(cudaGetLastError(), kOperation, "launch, m=%lld n=%lld k=%lld", (long long)d.m, (long long)d.n,
                 (long long)d.k);
  if (st != DW_SUCCESS || p.splits == 1) return st;
  return f32 ? reduce_splits<float>(dev, p.partial, p.splits, p.epi, nullptr, 1.0f, kOperation, stream)
             : reduce_splits<__nv_bfloat16>(dev, p.partial, p.splits, p.epi, nullptr, 1.0f, kOperation, stream);
}

}  // namespace dw::gemm
