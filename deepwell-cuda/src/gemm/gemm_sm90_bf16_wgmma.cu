// BF16 x BF16 on sm_90a: Deepwell's own TMA + wgmma kernel (no CUTLASS), both operands read by the
// tensor cores from shared memory (wgmma SS), FP32 accumulators, output tiles (2 x kWgRows) x kTileN
// for the widths gemm_sm90_ptx.cuh's wgmma_bf16_ss offers (112 and 96; 128, 192 and 256, measured in
// session 19, are a wrapper away).
//
// Why: on outputs with few tiles and a long K (weight gradients, 768x768x16384) the SMs are filled
// by how the output divides into tiles, and CUTLASS 4.2's sm90 kernels only reach 108 CTAs of 132
// there (128x128 tiles x split-K 3), where cuBLASLt runs 112-wide tiles (42 x 3 = 126). CUTLASS's own
// 128x112 tile needs an extended-MMA-shape switch and spilled (52-56 bytes) where it ran at all
// (gemm_sm90_bf16.cu). This kernel is the same design as the MXFP8 fused kernel without the
// dequantization, so any tile width wgmma offers is a template argument. The library builds 128x112
// (2304x768: 126 tiles, 768x768: 42 x 3 ranges) and 128x96 (768x2048: 6 x 22 = 132 tiles, cuBLASLt's
// choice there too); gemm_sm90_select.cpp's consider_deepwell picks them (docs/PERFORMANCE.md,
// session 19: on an H200 as fast per SM as CUTLASS's tiles, 128x256 and 128x192 measured alike).
//
// MEASURED against cuBLASLt's kernel of the same tile (Nsight Compute, H200): 5% behind on
// 2304x768x16384 (84 against 80 us); on 768x768x16384 its main loop 41 us against 30: cuBLASLt pairs
// CTAs in clusters of two that share B by TMA multicast (half the L2 traffic) and keeps 7 stages.
// Tried (branch experiment/s19-cluster-multicast): pairs along M sharing B by multicast, with remote
// arrivals on the peer's empty barriers: correct, but 2.1-2.6x slower; the cause not found yet.
//
// Structure: persistent CTAs of 12 warps (gemm_sm90_ptx.cuh), one work unit (output tile, K range)
// at a time, a ring of 64-deep k-tiles:
//   warp 8 (one lane)  TMA: A (tile_m rows x 128 bytes) and B (kTileN rows x 128 bytes), both with the
//                      128-byte swizzle the wgmma descriptors read;
//   warps 9-11         idle (setmaxnreg gives their registers to the consumers);
//   warps 0-7          two warpgroups of kWgRows rows: per k-tile 4 k16 steps of kWgRows / 64 SS wgmmas,
//                      one wgmma group in flight (wgmma_wait<1> retires the previous k-tile, whose
//                      stage then goes back to the producer); the staged epilogue of gemm_sm90_ptx.cuh.
// Split-K without a second kernel: each split's warps store their FP32 fragments (in fragment order,
// 16-byte coalesced) to a slot in the workspace and take a ticket from a per-(tile, warp) counter; the
// warp that arrives last adds all the slots in split order (its own re-read too, so the bits do not
// depend on who arrives last) and applies the epilogue. The counters are cleared by a memset before
// each launch.
//
// Shapes: any M, N; K a multiple of 8 (TMA rows of 16-byte multiples), the last k-tile zero-filled.
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_bf16.h>

#include <cstdint>
#include <type_traits>

#include "gemm_internal.h"
#include "gemm_sm90_bf16_wgmma.h"
#include "gemm_sm90_ptx.cuh"

namespace dw::gemm::sm90 {
namespace {

constexpr const char* kOperation = "sm90 BF16 wgmma GEMM";

constexpr int kTileK = 64;  // 128 bytes of BF16: one row of the 128-byte swizzle
constexpr int kGroupM = 8;
constexpr int kMaxSmem = 227 * 1024;
constexpr int kMaxSplits = 16;  // sm90_deepwell_splits' bound

template <int kWgRows, int kTileN>
struct Config {
  static constexpr int kTileM = 2 * kWgRows;
  static constexpr int kBlocks = kWgRows / 64;  // m64 wgmmas per warpgroup and k16 step
  static constexpr int kABytes = kTileM * kTileK * 2, kBBytes = kTileN * kTileK * 2;
  static constexpr int kOffA = 0, kOffB = kABytes;
  static constexpr int kStageBytes = (kABytes + kBBytes + 1023) / 1024 * 1024;
  static constexpr int kEpilogueBytes = kConsumerWarps * kEpilogueWarpBytes;
  static constexpr int kStagesFit = (kMaxSmem - 1024 - 16 * 8 - kEpilogueBytes) / kStageBytes;
  static constexpr int kStages = kStagesFit > 8 ? 8 : kStagesFit;
  static constexpr int kTxBytes = kABytes + kBBytes;
  static constexpr int kEpilogueOffset = kStages * kStageBytes + 16 * kStages;  // after the ring's barriers
  static constexpr size_t kSmemBytes = 1024 /* alignment slack */ + size_t(kEpilogueOffset) + kEpilogueBytes;
  static constexpr int kAccFloats = kTileN / 2;                 // per thread and m64 block
  static constexpr int kChunks = kBlocks * kAccFloats / 4;      // float4s per thread
  static constexpr int kSlotFloats = kChunks * 4 * 32;          // one warp's partial sums
  // (gather_splits fits the registers up to kBlocks x kTileN = 224; the 128x256 tile spilled there)
  static_assert(kBlocks * kTileN <= 224, "split-K gather within the registers");
  static_assert(kWgRows == 64 || kWgRows == 128, "one or two m64 blocks per warpgroup");
  static_assert(kOffB % 1024 == 0 && kStages >= 3 && kSmemBytes <= kMaxSmem, "stage layout");
};

struct Params {
  EpilogueArgs epi;
  int k_tiles;  // of 64
  int tiles_m, tiles_n;
  int splits, split_k_tiles;  // K cut into `splits` ranges of split_k_tiles k-tiles, none empty
  float* partial;             // [tile][split][consumer warp][kSlotFloats], splits > 1
  unsigned* arrivals;         // [tile][consumer warp], zero at launch, splits > 1
};

template <int kWgRows, int kTileN>
using Ring = StageRing<Config<kWgRows, kTileN>::kStages, Config<kWgRows, kTileN>::kStageBytes>;

__device__ __forceinline__ SplitWorkUnit work_unit(int u, const Params& p) {
  return split_work_unit<kGroupM>(u, p.tiles_m, p.tiles_n, p.splits, p.split_k_tiles, p.k_tiles);
}

template <int kWgRows, int kTileN>
__device__ __forceinline__ void produce_tiles(const CUtensorMap& map_a, const CUtensorMap& map_b, const Params& p,
                                              const Ring<kWgRows, kTileN>& ring, int units) {
  using C = Config<kWgRows, kTileN>;
  prefetch_tensor_map(&map_a);
  prefetch_tensor_map(&map_b);
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    for (int kt = w.k_begin; kt < w.k_end; ++kt, ring.advance(stage, phase)) {
      mbar_wait(ring.empty(stage), phase ^ 1u);
      const uint32_t st = ring.stage(stage), full = ring.full(stage);
      mbar_arrive_expect_tx(full, C::kTxBytes);
      tma_load_2d(st + C::kOffA, &map_a, kt * kTileK, w.tm * C::kTileM, full);
      tma_load_2d(st + C::kOffB, &map_b, kt * kTileK, w.tn * kTileN, full);
    }
  }
}

// A split's warp: its fragments into its slot, then a ticket; the last of a tile's splits to arrive
// adds every slot in split order into acc (true: it applies the epilogue).
template <int kWgRows, int kTileN>
__device__ __forceinline__ bool gather_splits(const Params& p, const SplitWorkUnit& w, int warp, int lane,
                                              float (&acc)[Config<kWgRows, kTileN>::kBlocks]
                                                          [Config<kWgRows, kTileN>::kAccFloats]) {
  using C = Config<kWgRows, kTileN>;
  constexpr int kPerBlock = C::kAccFloats / 4;
  const int64_t tile = int64_t(w.tm) * p.tiles_n + w.tn;
  auto slot = [&](int split) {
    return reinterpret_cast<float4*>(p.partial) + ((tile * p.splits + split) * kConsumerWarps + warp) * (C::kSlotFloats / 4);
  };
  float4* mine = slot(w.split);
#pragma unroll
  for (int c = 0; c < C::kChunks; ++c) {
    const float* a = &acc[c / kPerBlock][(c % kPerBlock) * 4];
    __stcg(mine + c * 32 + lane, make_float4(a[0], a[1], a[2], a[3]));
  }
  __threadfence();  // the slot is visible before the ticket
  __syncwarp();
  unsigned* counter = p.arrivals + tile * kConsumerWarps + warp;
  unsigned ticket = 0;
  if (lane == 0) ticket = atomicAdd(counter, 1u);
  ticket = __shfl_sync(0xffffffffu, ticket, 0);
  if (ticket != static_cast<unsigned>(p.splits - 1)) return false;
  __threadfence();  // and the other slots are visible after it
  // Split 0's slot, then the others added in split order, this warp's own re-read too: the sums
  // (and their bits) do not depend on who arrives last, and no second accumulator set is live.
  for (int s = 0; s < p.splits; ++s) {
    const float4* from = slot(s);
#pragma unroll
    for (int c = 0; c < C::kChunks; ++c) {
      float* a = &acc[c / kPerBlock][(c % kPerBlock) * 4];
      const float4 v = __ldcg(from + c * 32 + lane);
      a[0] = s == 0 ? v.x : a[0] + v.x;
      a[1] = s == 0 ? v.y : a[1] + v.y;
      a[2] = s == 0 ? v.z : a[2] + v.z;
      a[3] = s == 0 ? v.w : a[3] + v.w;
    }
  }
  return true;
}

template <class OutT, int kWgRows, int kTileN>
__global__ void __launch_bounds__(kThreads, 1)
    bf16_wgmma_gemm(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                    const Params p) {
  using C = Config<kWgRows, kTileN>;
  extern __shared__ uint8_t smem_raw[];
  uint8_t* smem = align_smem_1024(smem_raw);
  const Ring<kWgRows, kTileN> ring{smem_addr(smem)};
  ring.init(kConsumerWarps);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int units = p.tiles_m * p.tiles_n * p.splits;
  // Each role's code sits inside its setmaxnreg branch (else ptxas drops the instruction, C7507).
  if (warp >= kConsumerWarps) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kProducerRegs));
    if (warp == kTmaWarp && lane == 0) produce_tiles<kWgRows, kTileN>(map_a, map_b, p, ring, units);
    return;
  }
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kConsumerRegs));

  const int wg = warp / 4;
  const uint32_t a_offset = C::kOffA + wg * kWgRows * kTileK * 2;  // this warpgroup's rows of A
  float* stage_epi = reinterpret_cast<float*>(smem + C::kEpilogueOffset) + warp * kEpilogueWarpFloats;
  int stage = 0;
  uint32_t phase = 0;
  for (int u = blockIdx.x; u < units; u += gridDim.x) {
    const SplitWorkUnit w = work_unit(u, p);
    float acc[C::kBlocks][C::kAccFloats];
#pragma unroll
    for (int b = 0; b < C::kBlocks; ++b)
#pragma unroll
      for (int i = 0; i < C::kAccFloats; ++i) acc[b][i] = 0.0f;

    int prev = -1;
    for (int kt = w.k_begin; kt < w.k_end; ++kt) {
      mbar_wait(ring.full(stage), phase);
      const uint32_t st = ring.stage(stage);
      const uint64_t da = sw128_desc(st + a_offset), db = sw128_desc(st + C::kOffB);
      wgmma_fence();
#pragma unroll
      for (int s = 0; s < 4; ++s)
#pragma unroll
        for (int b = 0; b < C::kBlocks; ++b)  // +512: the next 64 rows (8 KB) of A
          wgmma_bf16_ss<kTileN>(acc[b], da + 512 * b + 2 * s, db + 2 * s);
      wgmma_commit();
      wgmma_wait<1>();  // the previous k-tile's group is done: its stage can be refilled
      if (prev >= 0) ring.release(prev, lane);
      prev = stage;
      ring.advance(stage, phase);
    }
    wgmma_wait<0>();
#pragma unroll
    for (int b = 0; b < C::kBlocks; ++b) fence_registers(acc[b]);
    if (prev >= 0) ring.release(prev, lane);

    if (p.splits > 1 && !gather_splits<kWgRows, kTileN>(p, w, warp, lane, acc)) continue;
    const int row0 = w.tm * C::kTileM + wg * kWgRows + (warp % 4) * 16;
#pragma unroll
    for (int b = 0; b < C::kBlocks; ++b)
      store_fragment<OutT, kTileN>(p.epi, acc[b], row0 + 64 * b, w.tn * kTileN, lane, stage_epi);
  }
}

// ---- host side --------------------------------------------------------------------------------

// Workspace: [split-K partial slots][arrival counters], only when split.
struct Layout {
  SplitK split;
  int64_t tiles = 0, k_tiles = 0;
  size_t counters_offset = 0, bytes = 0;
};

// K ranges from the planner's rule (sm90_deepwell_splits, gemm_sm90_select.cpp), which the
// choice of this kernel counts its work units with.
template <int kWgRows, int kTileN>
Layout layout_for(const DeviceInfo& dev, const dw_gemm_desc& d) {
  using C = Config<kWgRows, kTileN>;
  Layout l;
  l.k_tiles = ceil_div(d.k, int64_t(kTileK));
  l.tiles = ceil_div(d.m, int64_t(C::kTileM)) * ceil_div(d.n, int64_t(kTileN));
  // (none of its ranges is empty; 1 for K = 0)
  l.split.splits = sm90_deepwell_splits(l.tiles, l.k_tiles, dev.sm_count > 0 ? dev.sm_count : 1);
  l.split.split_k_tiles = l.k_tiles > 0 ? static_cast<int>(ceil_div(l.k_tiles, int64_t(l.split.splits))) : 1;
  if (l.split.splits > 1) {
    const size_t slots = size_t(l.tiles) * l.split.splits * kConsumerWarps * C::kSlotFloats * sizeof(float);
    l.counters_offset = (slots + 255) / 256 * 256;
    l.bytes = l.counters_offset + size_t(l.tiles) * kConsumerWarps * sizeof(unsigned);
  }
  return l;
}

template <class OutT, int kWgRows, int kTileN>
dw_status run_typed(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args, void* workspace,
                    size_t workspace_bytes, cudaStream_t stream, size_t* needed) {
  using C = Config<kWgRows, kTileN>;
  if (d.k % 8 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "k=%lld must be a multiple of 8 (TMA rows of 16 bytes)",
                    (long long)d.k);
  if (d.m > INT32_MAX - 256 || d.n > INT32_MAX - 256 || d.k > INT32_MAX - kTileK)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "m, n, k must stay below 2^31 - 256");
  if (ceil_div(d.m, int64_t(C::kTileM)) * ceil_div(d.n, int64_t(kTileN)) * kMaxSplits > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "too many output tiles");
  const Layout l = layout_for<kWgRows, kTileN>(dev, d);
  if (needed != nullptr) {
    *needed = l.bytes;
    return dw::check(cudaFuncSetAttribute(bf16_wgmma_gemm<OutT, kWgRows, kTileN>,
                                          cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(C::kSmemBytes)),
                     kOperation, "allow %zu bytes of dynamic shared memory", C::kSmemBytes);
  }
  if (l.bytes > 0 && (workspace == nullptr || workspace_bytes < l.bytes))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "workspace of %llu bytes needed (split-K slots), %llu given",
                    (unsigned long long)l.bytes, (unsigned long long)workspace_bytes);
  if (l.bytes > 0 && !aligned16(workspace))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "workspace must be 16-byte aligned");
  if (!aligned16(args.a) || !aligned16(args.b))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "A and B must be 16-byte aligned (TMA)");
  CUtensorMap map_a, map_b;
  const bool maps_ok = encode_2d_map(&map_a, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, args.a, d.m, d.k, d.k * 2, kTileK,
                                     static_cast<uint32_t>(C::kTileM), CU_TENSOR_MAP_SWIZZLE_128B) &&
                       encode_2d_map(&map_b, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, args.b, d.n, d.k, d.k * 2, kTileK,
                                     static_cast<uint32_t>(kTileN), CU_TENSOR_MAP_SWIZZLE_128B);
  if (!maps_ok) return tensor_maps_refused(kOperation, d);
  Params p{};
  p.epi = epilogue_args(d, args);
  p.k_tiles = static_cast<int>(l.k_tiles);
  p.tiles_m = static_cast<int>(ceil_div(d.m, int64_t(C::kTileM)));
  p.tiles_n = static_cast<int>(ceil_div(d.n, int64_t(kTileN)));
  p.splits = l.split.splits;
  p.split_k_tiles = l.split.split_k_tiles;
  auto* ws = static_cast<uint8_t*>(workspace);
  if (p.splits > 1) {
    p.partial = reinterpret_cast<float*>(ws);
    p.arrivals = reinterpret_cast<unsigned*>(ws + l.counters_offset);
    const dw_status st = dw::check(
        cudaMemsetAsync(p.arrivals, 0, size_t(l.tiles) * kConsumerWarps * sizeof(unsigned), stream), kOperation,
        "clear the split-K arrival counters");
    if (st != DW_SUCCESS) return st;
  }
  const int grid = persistent_grid(dev, int64_t(p.tiles_m) * p.tiles_n * p.splits);
  bf16_wgmma_gemm<OutT, kWgRows, kTileN><<<grid, kThreads, C::kSmemBytes, stream>>>(map_a, map_b, p);
  return dw::check(cudaGetLastError(), kOperation, "launch, m=%lld n=%lld k=%lld, %d splits", (long long)d.m,
                   (long long)d.n, (long long)d.k, p.splits);
}

}  // namespace

template <bool kF32, int kWgRows, int kTileN>
dw_status bf16_wgmma_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, int swizzle,
                         void* workspace, size_t workspace_bytes, cudaStream_t stream, size_t* needed) {
  (void)swizzle;  // the raster is fixed (groups of kGroupM tile rows)
  using OutT = std::conditional_t<kF32, float, __nv_bfloat16>;
  return run_typed<OutT, kWgRows, kTileN>(dev, desc, args, workspace, workspace_bytes, stream, needed);
}

#define DW_BF16_WGMMA_TILE(rows, n)                                                                                   \
  template dw_status bf16_wgmma_run<false, rows, n>(const DeviceInfo&, const dw_gemm_desc&, const dw_gemm_args&, int, \
                                                    void*, size_t, cudaStream_t, size_t*);                            \
  template dw_status bf16_wgmma_run<true, rows, n>(const DeviceInfo&, const dw_gemm_desc&, const dw_gemm_args&, int,  \
                                                   void*, size_t, cudaStream_t, size_t*);
DW_BF16_WGMMA_TILE(64, 112)
DW_BF16_WGMMA_TILE(64, 96)
#undef DW_BF16_WGMMA_TILE

}  // namespace dw::gemm::sm90
