// MXFP8 x MXFP8 on sm_90a with the 32-deep block scales applied while accumulating (Deepwell's
// own kernel; no CUTLASS). Hopper has no block-scaled MMA, so every 32 of K runs as one FP8
// wgmma (m64n128k32, E4M3 x E4M3, FP32) into a partial sum that is promoted into the FP32
// accumulators with its two scales:
//
//     acc[m][n] += partial[m][n] * (sA[m][kb] * sB[n][kb])        (one FMUL + one FFMA)
//
// CUTLASS 4.2 cannot express this: its sm90 blockwise-scaling mainloop promotes at most once per
// 4 MMAs of K = 32 (static assertion on ScalePromotionInterval), its mixed-input mainloop wants
// group_size % tile_K == 0 with tile_K >= 64. The other way, dequantizing both operands to BF16
// in one pass and running the BF16 kernel, is gemm_sm90_mxfp8.cu; the family keeps both and its
// choice follows the measurements in docs/PERFORMANCE.md.
//
// Cost model (H100, per SM and clock): ~4096 FP8 MMA FMAs, 4 warp instructions issued. A
// 128x128x32 step is 128 clocks of wgmma and, per consumer thread (64 accumulators), 64 FMUL +
// 64 FFMA + ~20 shared loads of scales + wgmma bookkeeping: ~300 issue clocks per scheduler for
// its two consumer warps. So the ceiling is a bit under the BF16 tensor rate, while it saves the
// dequantizing pass's HBM traffic (3 bytes per operand element).
//
// MEASURED far below that (H100, 2026-11-27, docs/PERFORMANCE.md): 173-248 TFLOP/s, 0.28-0.37x
// our BF16, against 0.65-0.98x for the dequantizing way, which the family therefore chooses; this
// kernel runs only when its variant is forced. Tried, geomean over six shapes: one wgmma ->
// wait -> promote round per warpgroup 0.27x, four consumer warpgroups of 64x64 0.31x, four wgmmas
// in flight per warpgroup 0.30x (kept), the scales converted by the consumers instead of one warp
// 0.33x (that warp starved them). A probe without any wgmma still took 76% of the full kernel's
// time: the promotion side runs at ~0.4 instructions per cycle per scheduler, latency-bound with
// two consumer warps per scheduler (docs/PERFORMANCE.md has the next steps). Session 10 found
// part of it in the epilogue (fully unrolled code, bound by instruction fetch); with the staged epilogue of
// gemm_sm90_ptx.cuh: 0.21-0.47x, geomean 0.375 over the sixteen benchmark shapes. The fused
// kernel (gemm_sm90_mxfp8_fused.cu) is the faster own kernel.
//
// Structure: persistent CTAs of 12 warps, one 128x128 output tile at a time (static round-robin
// over tiles, grouped along M for L2 reuse), a ring of kStages k-tiles of 128 in shared memory:
//   warp 8 (one lane)  TMA: A and B tiles (128 rows x 128 bytes, 128-byte swizzle, zero fill
//                      outside the matrix) and the two 512-byte scale tiles (bulk copies),
//                      one mbarrier with the transaction count per stage;
//   warps 9-11         idle (setmaxnreg works per warpgroup: they give their registers away);
//   warps 0-7          two warpgroups of 64 rows each: on each stage they first turn its E8M0
//                      bytes into FP32 scales ([kb][row], one word per thread, named barrier),
//                      then per pair of 32-deep k-blocks issue four m64n64k32 wgmmas (two
//                      k-blocks x two column halves) into four partial sums and promote each as
//                      it completes; the epilogue of gemm.h (alpha, bias, GELU/SiLU, out_scale,
//                      residual) runs straight from registers. Each warp releases a stage when
//                      it is done with it.
// Scales are read in the 128x4 tiled layout of gemm.h (a 128-row x 128-k tile is one contiguous
// 512-byte block); row-major scales are re-laid into the workspace first (gemm_scale_layout.cu).
//
// Exactness: the partial sums of E4M3 products are exact in FP32 (at most 32 terms of 8-bit
// significands within 2^-18..2^17.6), the scale product sA*sB is exact (a power of two) unless
// it leaves FP32's range (below 2^-149 it is 0, from 2^128 on infinite: only for scale codes
// summing past 254 + 127 or below 127 - 149 + 127, far outside what a quantizer writes), and the
// promotion rounds once per 32 of K in FP32, as any FP32-accumulating GEMM does. NaN scale codes
// (255) and NaN values propagate to their rows/columns of D.
//
// Shapes: any M and N (the epilogue checks bounds; stores of pairs when N is even), K a multiple
// of 16 (TMA strides of 16 bytes; the tail of the last k-tile is zero-filled and its scales
// padded with finite codes, so it adds nothing).
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_bf16.h>

#include <cstdint>

#include "gemm_blockscaled.h"
#include "gemm_epilogue_math.cuh"
#include "gemm_internal.h"
#include "gemm_sm90_ptx.cuh"
#include "quantize/quant_math.cuh"  // dwq::e8m0_decode: 2^(e-127), 2^-127 for 0, NaN for 255

namespace dw::gemm {
namespace {

using namespace sm90;

constexpr const char* kOperation = "sm90 MXFP8 wgmma GEMM";

constexpr int kTileM = 128, kTileN = 128, kTileK = 128;
constexpr int kBlocksPerTileK = kTileK / 32;  // E8M0 blocks of one k-tile
constexpr int kStages = 5;
// The CTA (warp roles, setmaxnreg budgets) is gemm_sm90_ptx.cuh's kConsumerWarps / kThreads.
constexpr int kGroupM = 8;  // tile rows of one raster group (L2 reuse of B)

// One stage of the ring. A/B must start on 1024 bytes (the 128-byte swizzle atom is 8 rows).
constexpr int kOperandBytes = kTileM * kTileK;             // 16384: 128 rows x 128 E4M3
constexpr int kScaleTileBytes = 512;                       // 128 rows x 4 E8M0 (gemm.h tiled layout)
constexpr int kScaleFloatBytes = kBlocksPerTileK * 128 * 4;  // [kb][row] FP32
constexpr int kOffA = 0, kOffB = kOffA + kOperandBytes;
constexpr int kOffRawSA = kOffB + kOperandBytes, kOffRawSB = kOffRawSA + kScaleTileBytes;
constexpr int kOffSA = kOffRawSB + kScaleTileBytes, kOffSB = kOffSA + kScaleFloatBytes;
constexpr int kStageBytes = kOffSB + kScaleFloatBytes;  // 37888
static_assert(kStageBytes % 1024 == 0, "stages keep the operand tiles 1024-byte aligned");
constexpr int kStageTxBytes = 2 * kOperandBytes + 2 * kScaleTileBytes;
constexpr int kBarrierBytes = 2 * kStages * 8;
constexpr int kEpilogueOffset = kStages * kStageBytes + kBarrierBytes;  // the consumer warps' epilogue staging
constexpr size_t kSmemBytes =
    1024 /* alignment slack */ + size_t(kEpilogueOffset) + size_t(kConsumerWarps) * kEpilogueWarpBytes;
static_assert(kSmemBytes <= 227 * 1024, "one CTA per SM");

struct Params {
  const uint8_t* scale_a;  // tiled, [ceil(M/128)][k_tiles][512]
  const uint8_t* scale_b;
  EpilogueArgs epi;
  int k_tiles, tiles_m, tiles_n;
};


// ---- the FP8 wgmma -----------------------------------------------------------------------------

#define DW_R8(b) "+f"(d[b]), "+f"(d[b + 1]), "+f"(d[b + 2]), "+f"(d[b + 3]), "+f"(d[b + 4]), "+f"(d[b + 5]), \
                 "+f"(d[b + 6]), "+f"(d[b + 7])

// d = A (64 x 32, K-major, descriptor da) * B (64 x 32, K-major, descriptor db)^T; the old
// contents of d are ignored (scale-d = 0), the "+f" only keeps each partial sum in one set of
// registers across the loop (a copy of an accumulator in flight makes ptxas serialize wgmma).
__device__ __forceinline__ void wgmma_m64n64k32_e4m3(float (&d)[32], uint64_t da, uint64_t db) {
  asm volatile(
      "{\n .reg .pred zero;\n setp.ne.b32 zero, 0, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n64k32.f32.e4m3.e4m3 "
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
      "%32, %33, zero, 1, 1;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24)
      : "l"(da), "l"(db)
      : "memory");
}
#undef DW_R8

// ---- the kernel ------------------------------------------------------------------------------

using Ring = StageRing<kStages, kStageBytes>;

// Warp 8, lane 0: every k-tile of every tile of this CTA, in the consumers' order.
__device__ __forceinline__ void produce_tiles(const CUtensorMap& map_a, const CUtensorMap& map_b, const Params& p,
                                              const Ring& ring, int tiles) {
  prefetch_tensor_map(&map_a);
  prefetch_tensor_map(&map_b);
  int stage = 0;
  uint32_t phase = 0;
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    int tm, tn;
    tile_coords<kGroupM>(t, p.tiles_m, p.tiles_n, tm, tn);
    const uint8_t* sa = p.scale_a + static_cast<int64_t>(tm) * p.k_tiles * kScaleTileBytes;
    const uint8_t* sb = p.scale_b + static_cast<int64_t>(tn) * p.k_tiles * kScaleTileBytes;
    for (int kt = 0; kt < p.k_tiles; ++kt, Ring::advance(stage, phase)) {
      mbar_wait(ring.empty(stage), phase ^ 1u);  // a fresh barrier passes parity 1 at once
      const uint32_t st = ring.stage(stage), full = ring.full(stage);
      mbar_arrive_expect_tx(full, kStageTxBytes);
      tma_load_2d(st + kOffA, &map_a, kt * kTileK, tm * kTileM, full);
      tma_load_2d(st + kOffB, &map_b, kt * kTileK, tn * kTileN, full);
      bulk_load(st + kOffRawSA, sa + kt * kScaleTileBytes, kScaleTileBytes, full);
      bulk_load(st + kOffRawSB, sb + kt * kScaleTileBytes, kScaleTileBytes, full);
    }
  }
}

// A stage's 256 scale words (128 rows of A, then of B; word w of a 512-byte tile holds the 4
// block codes of row (w % 4) * 32 + w / 4, the in-tile offset of gemm.h) to FP32 [kb][row]: word
// `w` of them, by one consumer thread. The consumers convert a stage together as it arrives and
// meet at a named barrier: a single converter warp (the first version) could not keep up
// (Nsight Compute, H100: the consumers waited on it in 25% of the samples).
__device__ __forceinline__ void convert_scale_word(uint8_t* st, int w) {
  const int of_b = w >= 128, wi = w & 127;
  const uint32_t codes = reinterpret_cast<const uint32_t*>(st + (of_b ? kOffRawSB : kOffRawSA))[wi];
  float* out = reinterpret_cast<float*>(st + (of_b ? kOffSB : kOffSA));
  const int row = (wi % 4) * 32 + wi / 4;
#pragma unroll
  for (int kb = 0; kb < kBlocksPerTileK; ++kb) out[kb * 128 + row] = dwq::e8m0_decode(codes >> (8 * kb));
}

// Waits until at most kPending wgmma groups are in flight (the one that wrote `part` has
// completed), then adds part * sA[row] * sB[col] into the 64-column half kHalf of the 64 x 128
// accumulators. sa / sb: this k-block's FP32 scales ([row] of the tile, [col] of the tile). The
// column scales are read before the wait, so their latency hides behind the wgmma.
template <int kPending, int kHalf>
__device__ __forceinline__ void promote_half(float (&part)[32], float (&acc)[64], const float* sa, const float* sb,
                                             int r0, int q2) {
  float2 s_col[8];
#pragma unroll
  for (int i = 0; i < 8; ++i) s_col[i] = *reinterpret_cast<const float2*>(sb + kHalf * 64 + 8 * i + q2);
  const float s_top = sa[r0], s_bottom = sa[r0 + 8];
  wgmma_wait<kPending>();
  fence_registers(part);
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    float* a = acc + kHalf * 32 + 4 * i;
    a[0] = fmaf(part[4 * i + 0], s_top * s_col[i].x, a[0]);
    a[1] = fmaf(part[4 * i + 1], s_top * s_col[i].y, a[1]);
    a[2] = fmaf(part[4 * i + 2], s_bottom * s_col[i].x, a[2]);
    a[3] = fmaf(part[4 * i + 3], s_bottom * s_col[i].y, a[3]);
  }
}

template <class OutT>
__global__ void __launch_bounds__(kThreads, 1)
    mxfp8_wgmma_gemm(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                     const Params p) {
  extern __shared__ uint8_t smem_raw[];
  uint8_t* smem = align_smem_1024(smem_raw);
  const Ring ring{smem_addr(smem)};
  ring.init(kConsumerWarps);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  const int tiles = p.tiles_m * p.tiles_n;
  // Each role's code sits inside its setmaxnreg branch: ptxas ignores the instruction (C7507)
  // when code after it can be reached with either register budget.
  if (warp >= kConsumerWarps) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kProducerRegs));
    if (warp == kTmaWarp && lane == 0) produce_tiles(map_a, map_b, p, ring, tiles);
    return;
  }
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kConsumerRegs));

  // Consumers. Warpgroup g owns rows 64g .. 64g + 63 of the tile. Fragment of m64n64 (PTX ISA,
  // wgmma D layout): thread (warp w of the group, lane l) holds rows 16w + l/4 and +8, columns
  // 8i + 2(l%4) and +1 for i < 8, at d[4i + 0..3] = (r, c), (r, c+1), (r+8, c), (r+8, c+1); the
  // two column halves make acc[0..31] and acc[32..63].
  const int row0 = (warp / 4) * 64;
  const int r0 = row0 + (warp % 4) * 16 + lane / 4;
  const int q2 = 2 * (lane % 4);
  int stage = 0;
  uint32_t phase = 0;
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    int tm, tn;
    tile_coords<kGroupM>(t, p.tiles_m, p.tiles_n, tm, tn);
    float acc[64];
#pragma unroll
    for (int i = 0; i < 64; ++i) acc[i] = 0.0f;

    for (int kt = 0; kt < p.k_tiles; ++kt) {
      mbar_wait(ring.full(stage), phase);
      uint8_t* st_ptr = smem + stage * kStageBytes;
      for (int w = threadIdx.x; w < 2 * 128; w += kConsumerWarps * 32) convert_scale_word(st_ptr, w);
      named_sync(kConsumerWarps * 32);
      const uint32_t st = ring.stage(stage);
      const uint64_t da = sw128_desc(st + kOffA + row0 * kTileK);
      const uint64_t db_left = sw128_desc(st + kOffB), db_right = sw128_desc(st + kOffB + 64 * kTileK);
      const float* sa = reinterpret_cast<const float*>(st_ptr + kOffSA);
      const float* sb = reinterpret_cast<const float*>(st_ptr + kOffSB);
      // Four wgmmas in flight per warpgroup: two k-blocks x the two column halves, each into
      // its own partial sum, promoted in order as each completes. Descriptors advance by 32
      // bytes of K (2 in 16-byte units) per k-block.
#pragma unroll
      for (int kb = 0; kb < kBlocksPerTileK; kb += 2) {
        float p0[32], p1[32], p2[32], p3[32];
        wgmma_fence();
        wgmma_m64n64k32_e4m3(p0, da + 2 * kb, db_left + 2 * kb);
        wgmma_commit();
        wgmma_m64n64k32_e4m3(p1, da + 2 * kb, db_right + 2 * kb);
        wgmma_commit();
        wgmma_m64n64k32_e4m3(p2, da + 2 * (kb + 1), db_left + 2 * (kb + 1));
        wgmma_commit();
        wgmma_m64n64k32_e4m3(p3, da + 2 * (kb + 1), db_right + 2 * (kb + 1));
        wgmma_commit();
        promote_half<3, 0>(p0, acc, sa + kb * 128, sb + kb * 128, r0, q2);
        promote_half<2, 1>(p1, acc, sa + kb * 128, sb + kb * 128, r0, q2);
        promote_half<1, 0>(p2, acc, sa + (kb + 1) * 128, sb + (kb + 1) * 128, r0, q2);
        promote_half<0, 1>(p3, acc, sa + (kb + 1) * 128, sb + (kb + 1) * 128, r0, q2);
      }
      ring.release(stage, lane);
      Ring::advance(stage, phase);
    }

    // Epilogue of gemm.h, from registers.
    float* stage_epi = reinterpret_cast<float*>(smem + kEpilogueOffset) + warp * kEpilogueWarpFloats;
    store_fragment<OutT, kTileN>(p.epi, acc, tm * kTileM + row0 + (warp % 4) * 16, tn * kTileN, lane, stage_epi);
  }
}

// ---- host side --------------------------------------------------------------------------------

template <class OutT>
dw_status allow_smem() {
  return dw::check(cudaFuncSetAttribute(mxfp8_wgmma_gemm<OutT>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                        static_cast<int>(kSmemBytes)),
                   kOperation, "allow %zu bytes of dynamic shared memory", kSmemBytes);
}

}  // namespace

const char* mxfp8_wgmma_name() { return "sm90_mxfp8_wgmma_128x128x128_promote32"; }

dw_status mxfp8_wgmma_plan(const DeviceInfo& dev, const dw_gemm_desc& d, dw_gemm_plan_info* p) {
  (void)dev;
  if (d.k % 16 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "k=%lld must be a multiple of 16 (TMA rows of 16 bytes)",
                    (long long)d.k);
  if (d.m > INT32_MAX - kTileM || d.n > INT32_MAX - kTileN || d.k > INT32_MAX - kTileK)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "m, n, k must stay below 2^31 - 128");
  if (ceil_div(d.m, kTileM) * ceil_div(d.n, kTileN) > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "too many 128x128 tiles");
  const dw_status st = d.output == DW_GEMM_OUT_F32 ? allow_smem<float>() : allow_smem<__nv_bfloat16>();
  if (st != DW_SUCCESS) return st;
  p->workspace_bytes = scale_staging(d, DW_GEMM_SCALES_SWIZZLED_128X4).bytes;
  set_name(p, mxfp8_wgmma_name());
  return DW_SUCCESS;
}

dw_status mxfp8_wgmma_run(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args, void* workspace,
                          size_t workspace_bytes, cudaStream_t stream) {
  // The kernel reads the scales from the workspace with bulk copies (16-byte aligned sources); a
  // misaligned one would fault on the device, which poisons the context, so it is refused here.
  if (!aligned16(workspace))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "workspace must be 16-byte aligned (the scale tiles are read "
                    "from it with bulk copies)");
  if (d.scale_layout == DW_GEMM_SCALES_SWIZZLED_128X4 && !(aligned16(args.scale_a) && aligned16(args.scale_b)))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "tiled scales must be 16-byte aligned (bulk copies of their tiles)");
  dw_gemm_args staged;
  dw_status st =
      stage_scales(d, args, DW_GEMM_SCALES_SWIZZLED_128X4, workspace, workspace_bytes, kOperation, stream, &staged);
  if (st != DW_SUCCESS) return st;
  CUtensorMap map_a, map_b;
  // A and B: FP8 rows of K bytes, the 128-byte swizzle of the wgmma descriptors.
  const bool maps_ok = encode_2d_map(&map_a, CU_TENSOR_MAP_DATA_TYPE_UINT8, args.a, d.m, d.k, d.k, kTileK, kTileM,
                                     CU_TENSOR_MAP_SWIZZLE_128B) &&
                       encode_2d_map(&map_b, CU_TENSOR_MAP_DATA_TYPE_UINT8, args.b, d.n, d.k, d.k, kTileK, kTileN,
                                     CU_TENSOR_MAP_SWIZZLE_128B);
  if (!maps_ok) return tensor_maps_refused(kOperation, d);
  Params p{};
  p.scale_a = static_cast<const uint8_t*>(staged.scale_a);
  p.scale_b = static_cast<const uint8_t*>(staged.scale_b);
  p.epi = epilogue_args(d, args);
  p.k_tiles = static_cast<int>(ceil_div(d.k, kTileK));
  p.tiles_m = static_cast<int>(ceil_div(d.m, kTileM));
  p.tiles_n = static_cast<int>(ceil_div(d.n, kTileN));
  const dim3 grid(persistent_grid(dev, int64_t(p.tiles_m) * p.tiles_n)), block(kThreads);
  if (d.output == DW_GEMM_OUT_F32)
    mxfp8_wgmma_gemm<float><<<grid, block, kSmemBytes, stream>>>(map_a, map_b, p);
  else
    mxfp8_wgmma_gemm<__nv_bfloat16><<<grid, block, kSmemBytes, stream>>>(map_a, map_b, p);
  return dw::check(cudaGetLastError(), kOperation, "launch, m=%lld n=%lld k=%lld", (long long)d.m, (long long)d.n,
                   (long long)d.k);
}

}  // namespace dw::gemm
