// The decode GEMV's TMA engine (sm_90+, K a multiple of 256): the same product as gemv_nvfp4.cu
// (BF16 activations A [M,K] x NVFP4 weights B [N,K], M <= 16, the full epilogue of gemm.h), with
// the weights streamed by the tensor-memory accelerator instead of by every lane.
//
// Why a second engine. The cp.async engine keeps each warp's next 4 steps (4.5 KB) in flight with
// three copy instructions per lane per step, and stages the activations in CTA-wide passes that
// stop the weight stream. Here one lane of a producer warp asks for a whole stage (36 KB) with two
// instructions, and the activations travel through the same ring, a stage at a time, behind the
// weights. Measured on an H100 (2026-11-27): faster with 8-16 tokens on 8K-16.9K weight rows
// (16x8192x8192 27.0 -> 23.1 us), where gemv_plan chooses it; not with one token, where the copy
// mechanism, the ring depth (2-16 stages), the bytes per row per stage (64-512) and the warps per
// SM (9-17) all made little difference and the cp.async engine, which asks for its first
// activations ahead of the weights, is 6-15% faster (see docs/PERFORMANCE.md, session 11).
//
// CTA: 16 consumer warps (two sets of 8, 16 weight rows each, 128 rows per CTA) and one producer
// warp. A stage is 512 values of K:
//   weights  128 rows x 256 bytes, one TMA box of two 128-byte pieces per row with the 128-byte
//            swizzle (16-byte chunk c of 128-byte line L at chunk c ^ (L & 7)), 32 KB;
//   scales   128 rows x 32 bytes (UE4M3, one per 16 values), TMA box, 4 KB;
//   tokens   M rows x 512 BF16, cp.async by the producer warp's lanes into rows of kActRowBytes
//            with 16 bytes of padding after every 64 values (see act_offset).
// The producer's lane 0 arms the stage's full barrier with the TMA bytes; each lane's cp.async
// copies arrive on it when they land (cp.async.mbarrier.arrive.noinc), so the barrier completes
// when all of the stage is there. Consumers release a stage with one arrival per warp.
//
// Shared-memory reads are free of bank conflicts by construction. Per 128 values of K (a sub-step)
// lane (g, t) of a warp reads one 16-byte chunk (32 nibbles) of each of its MMA rows g and g + 8,
// and for each of the chunk's four words 8 activations of token g (and g + 8). MMA row g is a CTA
// row chosen (row_of_mma_row) so that the lines of the two rows a quarter-warp reads (g = 2q,
// 2q + 1) have swizzle phases 4 apart, which puts their chunks in the two different halves of the
// 128 bytes. The activations' padding does the same for tokens and lanes.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <type_traits>

#include <cuda.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "gemm_internal.h"
#include "gemm_sm90_ptx.cuh"  // mbarrier and TMA instructions, encode_2d_map (not the wgmma parts)
#include "gemv_nvfp4_common.cuh"

namespace dw::gemm {
namespace {

using namespace gemv;

// Two sets of 8 consumer warps: warp w and w + 8 own the same 16 weight rows and take alternate
// 128-value sub-steps of every stage (their partial sums are added, set 0 + set 1, at the end).
// H100, 2026-11-27, against one set: 1-4% faster on the shapes this engine is chosen for
// (16x14336x4096 21.98 -> 21.32 us), slower on 32768 rows (where it is not chosen).
constexpr int kSets = 2;
constexpr int kRowWarps = 8;  // warps of one set: 16 rows each
constexpr int kConsumerWarps = kRowWarps * kSets;
constexpr int kProducerWarp = kConsumerWarps;
constexpr int kThreads = (kConsumerWarps + 1) * 32;
constexpr int kRowsPerCta = kRowWarps * 16;
// A stage is kSub x 128 values of K: kHalves 128-byte pieces of each weight row, read by TMA as
// one box (each row's pieces contiguous). H100, 2026-11-27: 512 values (256 bytes a row) against
// 256: 1-6% faster with 8-16 tokens on 8192-14336 rows; 1024 values leave no room for 16 tokens.
constexpr int kSub = 4;
static_assert(kSub == 2 || kSub == 4 || kSub == 8, "stages of 256, 512 or 1024 values of K");
constexpr int kHalves = kSub / 2;                      // 128-byte pieces of a weight row per stage
constexpr int kStageK = 128 * kSub;
constexpr int kWeightBytes = kRowsPerCta * kStageK / 2;
constexpr int kScaleBytes = kRowsPerCta * kStageK / 16;
// The byte offset of activation k (0..kStageK-1) in a token row of a stage: 16 bytes of padding
// after every 64 values, and the row padded to 32 modulo 128 bytes so that consecutive token rows
// start 2 chunks apart (see the header comment).
__host__ __device__ constexpr int act_offset(int k) { return 2 * k + 16 * (k / 64); }
constexpr int kActRowBytes = (act_offset(kStageK) + 127 - 32) / 128 * 128 + 32;
static_assert(kActRowBytes % 128 == 32 && act_offset(kStageK - 1) + 2 <= kActRowBytes, "token row layout");
// Rows g = 2q and 2q + 1 of a warp's MMA tile are read by one quarter-warp: their 128-byte lines
// (row x kHalves + piece) must have swizzle phases 4 apart, so the CTA rows they map to differ by
// kPairBit = 4 / kHalves; q's two bits fill the other two of the bits {1, 2, 4}.
constexpr int kPairBit = 4 / kHalves;
__host__ __device__ constexpr int row_of_mma_row(int g) {
  const int q = g >> 1;
  return (q & (kPairBit - 1)) | ((q & ~(kPairBit - 1)) << 1) | ((g & 1) * kPairBit);
}
__host__ __device__ constexpr bool rows_are_a_permutation() {
  int seen = 0;
  for (int g = 0; g < 8; ++g) seen |= 1 << row_of_mma_row(g);
  return seen == 0xFF;
}
__host__ __device__ constexpr bool pairs_are_4_phases_apart() {
  for (int q = 0; q < 4; ++q)
    if ((((row_of_mma_row(2 * q) ^ row_of_mma_row(2 * q + 1)) * kHalves) & 7) != 4) return false;
  return true;
}
static_assert(rows_are_a_permutation() && pairs_are_4_phases_apart(), "conflict-free MMA row placement");
// Weight bytes asked of DRAM per CTA by default: the ring's depth is this over a stage's weights
// (at least 2 stages). DEEPWELL_GEMV_STAGES overrides it.
constexpr int kRingWeightBytes = 64 * 1024;
constexpr int kMaxStages = 16;
// The split of K aims at this many CTAs per SM, as the cp.async engine's does for up to 8 tokens:
// H100, 2026-11-27, one token, 4096 rows: split 3 (96 CTAs) 9.6 us, split 4 (128) 10.9, 2 10.7.
constexpr double kCtasPerSm = 0.8;
constexpr int kRedStride = kRowsPerCta + 4;  // FP32 partials per token row (bank spread)
constexpr int kRedBytes = 16 * kRedStride * 4;

struct Params {
  const __nv_bfloat16* a;  // [M,K]
  int m, k;
  int steps;               // ceil(K / kStageK)
  int stages;              // ring depth
  int stage_bytes;         // weights + scales + M token rows, rounded up to 1024
  Epilogue epilogue;
};

__host__ __device__ constexpr int stage_bytes_for(int tokens) {
  return (kWeightBytes + kScaleBytes + tokens * kActRowBytes + 1023) / 1024 * 1024;
}
__host__ __device__ constexpr size_t smem_bytes_for(int stages, int stage_bytes) {
  // 1024 bytes of slack to align the ring (the swizzle atom), the partial sums, the barriers.
  return 1024 + static_cast<size_t>(stages) * stage_bytes + kRedBytes + 16 * static_cast<size_t>(stages);
}

__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(src) : "memory");
}
// The mbarrier receives one arrival when all of this thread's earlier cp.async copies have landed
// (.noinc: that arrival is one of the count the barrier was initialised with).
__device__ __forceinline__ void cp_async_arrive(uint32_t bar) {
  asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];" ::"r"(bar) : "memory");
}
__device__ __forceinline__ uint4 lds128(uint32_t addr) {
  uint4 v;
  asm volatile("ld.shared.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "r"(addr));
  return v;
}
__device__ __forceinline__ uint32_t lds16(uint32_t addr) {
  unsigned short v;
  asm volatile("ld.shared.u16 %0, [%1];" : "=h"(v) : "r"(addr));
  return v;
}

template <int kTokenTiles, class OutT>
__global__ void __launch_bounds__(kThreads, 1)
    gemv_nvfp4_weight_tma(const __grid_constant__ CUtensorMap map_w, const __grid_constant__ CUtensorMap map_s,
                          const Params p) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  using namespace sm90;
  extern __shared__ __align__(16) uint8_t smem_raw[];
  uint8_t* const smem = align_smem_1024(smem_raw);
  const uint32_t ring = smem_addr(smem);
  float* const red = reinterpret_cast<float*>(smem + static_cast<size_t>(p.stages) * p.stage_bytes);
  const RingBarriers bars{smem_addr(red) + kRedBytes, p.stages};

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int rank = blockIdx.x;  // position along K = rank in the cluster
  const int64_t row_block = blockIdx.y;
  const int split = p.epilogue.split;
  const int s_begin = static_cast<int>(static_cast<int64_t>(p.steps) * rank / split);
  const int s_end = static_cast<int>(static_cast<int64_t>(p.steps) * (rank + 1) / split);

  bars.init(1 + 32, kConsumerWarps);  // full: the TMA arm + one cp.async arrival per producer lane

  float acc[2][kTokenTiles][4] = {};
  uint32_t nan = 0;  // per scale byte [g: k 0..15, g: 16..31, h: 0..15, h: 16..31], bit 7 set by a NaN code
  const int g = lane >> 2, t = lane & 3;
  const int set = warp / kRowWarps;
  const int row_g = (warp % kRowWarps) * 16 + row_of_mma_row(g);  // CTA row of MMA row g (g + 8: row_g + 8)

  if (warp == kProducerWarp) {
    if (lane == 0) {
      prefetch_tensor_map(&map_w);
      prefetch_tensor_map(&map_s);
    }
    const int y = static_cast<int>(row_block * kRowsPerCta);
    int slot = 0;
    uint32_t phase = 0;
    for (int s = s_begin; s < s_end; ++s, bars.advance(slot, phase)) {
      mbar_wait(bars.empty(slot), phase ^ 1u);  // a fresh barrier passes parity 1 at once
      const uint32_t st = ring + static_cast<uint32_t>(slot * p.stage_bytes);
      if (lane == 0) {
        mbar_arrive_expect_tx(bars.full(slot), kWeightBytes + kScaleBytes);
        tma_load_3d(st, &map_w, 0, s * kHalves, y, bars.full(slot));
        tma_load_2d(st + kWeightBytes, &map_s, s * (kStageK / 16), y, bars.full(slot));
      }
      // The M token rows of this stage, kStageK / 8 chunks of 8 values each; chunks past K (the
      // last stage when K % kStageK != 0) are left alone: the consumers skip those sub-steps.
      const int64_t k0 = static_cast<int64_t>(s) * kStageK;
      const __nv_bfloat16* const src = p.a + k0;
      const uint32_t dst = st + kWeightBytes + kScaleBytes;
      constexpr int kChunks = kStageK / 8;
      for (int c = lane; c < p.m * kChunks; c += 32) {
        const int m = c / kChunks, q = c % kChunks;
        if (k0 + 8 * q < p.k)
          cp_async16(dst + m * kActRowBytes + act_offset(8 * q), src + static_cast<int64_t>(m) * p.k + 8 * q);
      }
      cp_async_arrive(bars.full(slot));
    }
  } else {
    // Offsets inside a stage of this lane's reads, per sub-step j (128 values of K): weights of
    // rows g and g + 8 (chunk 4(j % 2) + t of the row's 128-byte piece j / 2, swizzled by the
    // piece's line), their two scale bytes, and the activations of tokens g and g + 8 (lanes of
    // tokens >= M read row M - 1: the MMA's token columns are independent and those are never stored).
    constexpr int kMine = kSub / kSets;  // sub-steps of a stage this warp takes: j = jj * kSets + set
    static_assert(kSub % kSets == 0, "every set takes the same number of sub-steps");
    uint32_t w_off[kMine], s_off[kMine], a_off[kMine];
    const int tok_lo = min(g, p.m - 1), tok_hi = min(g + 8, p.m - 1);
    const uint32_t act0 = kWeightBytes + kScaleBytes + tok_lo * kActRowBytes;
    const uint32_t hi_delta = (tok_hi - tok_lo) * kActRowBytes;
#pragma unroll
    for (int jj = 0; jj < kMine; ++jj) {
      const int j = jj * kSets + set;
      const uint32_t line = row_g * kHalves + j / 2;
      w_off[jj] = line * 128u + 16u * ((4u * (j % 2) + t) ^ (line & 7u));
      s_off[jj] = kWeightBytes + row_g * (kStageK / 16) + 8u * j + 2u * t;
      a_off[jj] = act0 + act_offset(128 * j + 32 * t);
    }

    int slot = 0;
    uint32_t phase = 0;
    for (int s = s_begin; s < s_end; ++s, bars.advance(slot, phase)) {
      mbar_wait(bars.full(slot), phase);
      const uint32_t st = ring + static_cast<uint32_t>(slot * p.stage_bytes);
      const int subs = min(kSub, (p.k - s * kStageK) / 128);  // < kSub only in a last, partial stage
#pragma unroll
      for (int jj = 0; jj < kMine; ++jj) {
        if (jj * kSets + set >= subs) break;
        const uint4 wg = lds128(st + w_off[jj]);
        const uint4 wh = lds128(st + w_off[jj] + 8 * kHalves * 128);
        const uint32_t sc = lds16(st + s_off[jj]) | (lds16(st + s_off[jj] + 8 * (kStageK / 16)) << 16);
        const uint32_t act_at = st + a_off[jj];
        mma_chunk<kTokenTiles>(acc, nan, wg, wh, sc, [&](int w, uint4& lo, uint4& hi) {
          lo = pair_activations(lds128(act_at + 16 * w));
          hi = lo;
          if constexpr (kTokenTiles == 2) hi = pair_activations(lds128(act_at + hi_delta + 16 * w));
        });
      }
      bars.release(slot, lane);
    }
  }

  // Set 0 stores its partial sums, then set 1 adds its own (a fixed order: deterministic). The
  // producer warp has no rows; it takes part in the barriers and the epilogue's loop.
  if (warp != kProducerWarp) {
    const uint32_t flags = row_nan_flags(nan);  // a NaN block scale anywhere in a row: the row is NaN
    if (set == 0) store_partials<kTokenTiles>(red, kRedStride, acc, row_g, t, flags);
    if constexpr (kSets == 2) {
      asm volatile("bar.sync 1, %0;" ::"n"(kConsumerWarps * 32) : "memory");
      if (set == 1) store_partials<kTokenTiles, true>(red, kRedStride, acc, row_g, t, flags);
    }
  }
  partials_stored(split);
  finish_rows<OutT>(p.epilogue, red, kRedStride, kRowsPerCta, row_block * kRowsPerCta, rank, kThreads);
#endif
}

// ---- host side --------------------------------------------------------------------------------

struct Config {
  int split, stages;
  size_t smem;  // dynamic shared memory: the ring and more where that keeps CTAs apart
};

bool encode_weight_map(CUtensorMap* map, const void* base, int64_t n, int64_t k) {
  const cuuint64_t dims[3] = {128u, static_cast<cuuint64_t>(k / 256), static_cast<cuuint64_t>(n)};
  const cuuint64_t strides[2] = {128u, static_cast<cuuint64_t>(k / 2)};
  const cuuint32_t box[3] = {128u, static_cast<cuuint32_t>(kHalves), static_cast<cuuint32_t>(kRowsPerCta)};
  return sm90::encode_tiled_map(map, CU_TENSOR_MAP_DATA_TYPE_UINT8, 3, base, dims, strides, box,
                                CU_TENSOR_MAP_SWIZZLE_128B);
}

cudaLaunchConfig_t launch_config(const Config& c, const dw_gemm_desc& d, cudaStream_t stream,
                                 cudaLaunchAttribute (&attr)[1]) {
  return cluster_launch_config(c.split, d.n, kRowsPerCta, kThreads, c.smem, stream, attr);
}

// Whether every CTA of a configuration is resident at once (no second round), asked of the runtime
// for exactly what launch() runs: cluster placement, not only shared memory, decides it (on an
// H100, 32 clusters of 4 CTAs of ~200 KB did not all fit: two rounds, 1.6x the time).
template <int kTokenTiles, class OutT>
bool all_resident(const dw_gemm_desc& d, const Config& c, int sms) {
  cudaLaunchAttribute attr[1];
  const cudaLaunchConfig_t cfg = launch_config(c, d, nullptr, attr);
  const int64_t row_blocks = ceil_div(d.n, kRowsPerCta);
  if (c.split > 1) {
    int clusters = 0;
    if (cudaOccupancyMaxActiveClusters(&clusters, gemv_nvfp4_weight_tma<kTokenTiles, OutT>, &cfg) != cudaSuccess) {
      (void)cudaGetLastError();  // e.g. no room for a cluster this size: not resident
      return false;
    }
    return clusters >= row_blocks;
  }
  int per_sm = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, gemv_nvfp4_weight_tma<kTokenTiles, OutT>, kThreads,
                                                    cfg.dynamicSmemBytes) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return static_cast<int64_t>(per_sm) * sms >= row_blocks;
}

// Shared memory: per_block is the opt-in maximum of one CTA (227 KB on sm_90/sm_100, 99 KB on
// sm_120), per_sm what an SM has for all of its CTAs (each also reserves 1 KB).
struct SmemLimits {
  int64_t per_block, per_sm;
};

// The split of K, the ring depth and the footprint. The split (at most 8, at least one stage per
// CTA) gives ceil(N / 128) x split CTAs that fit the SMs in one round with all of their clusters
// resident, nearest kCtasPerSm per SM; where even split 1 needs more CTAs than there are SMs
// (N > 16.9K rows on an H100), two or three per SM. The ring holds kRingWeightBytes of weights (at
// most a CTA's K range), and the footprint is padded so that no more CTAs than intended share an
// SM: the cluster scheduler otherwise puts two CTAs of a cluster on one SM while others idle
// (H100: 1 token x 4096x4096, split 4, 4 stages 10.9 us, the same with 6 stages, one CTA per SM,
// 9.6 us). DEEPWELL_GEMV_SPLIT and DEEPWELL_GEMV_STAGES impose either (experiments).
template <int kTokenTiles, class OutT>
Config choose_config(const DeviceInfo& dev, const dw_gemm_desc& d, const SmemLimits& lim) {
  const int64_t steps = ceil_div(d.k, kStageK);
  const int64_t row_blocks = ceil_div(d.n, kRowsPerCta);
  const int sms = dev.sm_count > 0 ? dev.sm_count : 1;
  const int stage = stage_bytes_for(static_cast<int>(d.m));
  int64_t want_split = 0, want_stages = 0;
  if (const char* v = std::getenv("DEEPWELL_GEMV_SPLIT")) want_split = std::atoll(v);
  if (const char* v = std::getenv("DEEPWELL_GEMV_STAGES")) want_stages = std::atoll(v);
  // per_sm CTAs of split: the ring, then the footprint that lets exactly per_sm share an SM.
  auto config = [&](int64_t split, int per_sm) {
    Config c{static_cast<int>(split), 2, 0};
    const int64_t per_cta = ceil_div(steps, split);
    int64_t depth = kRingWeightBytes / kWeightBytes;
    if (depth > per_cta) depth = per_cta;
    if (want_stages >= 2 && want_stages <= kMaxStages) depth = want_stages;
    const int64_t room = lim.per_sm / per_sm - 1024;  // per CTA, with per_sm of them on an SM
    const int64_t cap = room < lim.per_block ? room : lim.per_block;
    while (c.stages < depth && static_cast<int64_t>(smem_bytes_for(c.stages + 1, stage)) <= cap) ++c.stages;
    const int64_t crowd = lim.per_sm / (per_sm + 1) - 1024 + 16;  // per_sm + 1 of these do not fit
    const int64_t need = static_cast<int64_t>(smem_bytes_for(c.stages, stage));
    c.smem = static_cast<size_t>(need > crowd || crowd > cap ? need : crowd);
    return c;
  };
  const int64_t top = steps < kMaxSplit ? steps : kMaxSplit;
  if (want_split >= 1 && want_split <= top) return config(want_split, static_cast<int>(ceil_div(row_blocks * want_split, sms)));
  // Among the splits whose clusters are all resident in one round, the one whose CTA count is
  // nearest kCtasPerSm x SMs (the smaller on a tie).
  Config best{0, 0, 0};
  double best_distance = 0.0;
  for (int64_t split = 1; split <= top; ++split) {
    if (split > 1 && row_blocks * split > sms) break;
    const int need = static_cast<int>(ceil_div(row_blocks * split, sms));
    for (int per_sm = need; per_sm <= 3; ++per_sm) {
      const Config c = config(split, per_sm);
      if (!all_resident<kTokenTiles, OutT>(d, c, sms)) continue;
      const double distance = std::fabs(static_cast<double>(row_blocks * split) - kCtasPerSm * sms);
      if (best.split == 0 || distance < best_distance) {
        best = c;
        best_distance = distance;
      }
      break;
    }
  }
  if (best.split != 0) return best;
  return config(1, 1);
}

template <int kTokenTiles, class OutT>
dw_status plan_config(const DeviceInfo& dev, const dw_gemm_desc& d, Config* out) {
  const auto kernel = gemv_nvfp4_weight_tma<kTokenTiles, OutT>;
  int per_block = 0, per_sm = 0;
  dw_status st = dw::check(cudaDeviceGetAttribute(&per_block, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev.device),
                           "dw_gemm_plan", "GEMV (TMA): shared memory per block of device %d", dev.device);
  if (st == DW_SUCCESS)
    st = dw::check(cudaDeviceGetAttribute(&per_sm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev.device),
                   "dw_gemm_plan", "GEMV (TMA): shared memory per SM of device %d", dev.device);
  if (st != DW_SUCCESS) return st;
  const SmemLimits lim{per_block, per_sm};
  // The largest footprint any configuration may have; occupancy queries then answer for each.
  st = dw::check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, per_block), "dw_gemm_plan",
                 "GEMV (TMA): allow %d bytes of dynamic shared memory", per_block);
  if (st != DW_SUCCESS) return st;
  const Config c = choose_config<kTokenTiles, OutT>(dev, d, lim);
  if (static_cast<int64_t>(c.smem) > per_block)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, "dw_gemm_plan",
                    "GEMV (TMA): %d stages of %d tokens exceed the %d bytes of shared memory of a CTA", c.stages,
                    static_cast<int>(d.m), per_block);
  *out = c;
  return DW_SUCCESS;
}

template <int kTokenTiles, class OutT>
dw_status launch(const dw_gemm_desc& desc, const dw_gemm_args& args, const Config& c, cudaStream_t stream) {
  static const char* op = "gemv_nvfp4_weight_tma";
  // Weights [N][K/2] bytes as a 3-D byte tensor [N][K/256][128] (one box: 128 rows x kHalves
  // pieces of 128 bytes, each row's pieces contiguous), scales [N][K/16] as 2-D; boxes of one stage.
  CUtensorMap map_w, map_s;
  if (!encode_weight_map(&map_w, args.b, desc.n, desc.k) ||
      !sm90::encode_2d_map(&map_s, CU_TENSOR_MAP_DATA_TYPE_UINT8, args.scale_b, desc.n, desc.k / 16, desc.k / 16,
                           kStageK / 16, kRowsPerCta, CU_TENSOR_MAP_SWIZZLE_NONE))
    return sm90::tensor_maps_refused(op, desc);
  Params p{};
  p.a = static_cast<const __nv_bfloat16*>(args.a);
  p.m = static_cast<int>(desc.m);
  p.k = static_cast<int>(desc.k);
  p.steps = static_cast<int>(ceil_div(desc.k, kStageK));
  p.stages = c.stages;
  p.stage_bytes = stage_bytes_for(p.m);
  p.epilogue = Epilogue{args.tensor_scale_b,
                        desc.has_bias ? args.bias : nullptr,
                        desc.has_residual ? args.residual : nullptr,
                        args.d,
                        p.m,
                        static_cast<int>(desc.n),
                        c.split,
                        desc.alpha,
                        desc.out_scale,
                        desc.activation};
  cudaLaunchAttribute attr[1];
  const cudaLaunchConfig_t cfg = launch_config(c, desc, stream, attr);
  return dw::check(cudaLaunchKernelEx(&cfg, gemv_nvfp4_weight_tma<kTokenTiles, OutT>, map_w, map_s, p), op,
                   "launch, m=%lld n=%lld k=%lld split=%d stages=%d smem=%zu", (long long)desc.m, (long long)desc.n,
                   (long long)desc.k, c.split, c.stages, c.smem);
}

template <class F>
dw_status dispatch(const dw_gemm_desc& desc, F&& f) {
  const bool f32 = desc.output == DW_GEMM_OUT_F32;
  if (desc.m <= 8) return f32 ? f(std::integral_constant<int, 1>{}, float{}) : f(std::integral_constant<int, 1>{}, __nv_bfloat16{});
  return f32 ? f(std::integral_constant<int, 2>{}, float{}) : f(std::integral_constant<int, 2>{}, __nv_bfloat16{});
}

}  // namespace

bool gemv_tma_applies(const DeviceInfo& dev, const dw_gemm_desc& desc) {
  return dev.cc_major >= 9 && desc.k % 256 == 0 && desc.m >= 1 && desc.m <= 16 &&
         dw::tensor_map_encoder() != nullptr;
}

// Where the TMA engine is the faster of the two (H100, 2026-11-27, 15 decode shapes, two rounds
// each): 8 and 16 tokens on weights of 8K rows up to one 128-row block per SM (14336x4096
// 4% and 1% faster, 8192x8192 5% and 14%). Elsewhere it was as fast or slower: one token
// (2-14% slower: neither engine is bound by how it loads), 4096 rows (+-5%), 32768 rows x 768
// (two or three CTAs per SM: 5-30% slower).
bool gemv_tma_preferred(const DeviceInfo& dev, const dw_gemm_desc& desc) {
  return gemv_tma_applies(dev, desc) && desc.m >= 8 && desc.n >= 8192 &&
         ceil_div(desc.n, kRowsPerCta) <= dev.sm_count;
}

dw_status gemv_tma_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, uint64_t (&opaque)[3]) {
  Config c{};
  const dw_status st = dispatch(desc, [&](auto tiles, auto out) {
    return plan_config<decltype(tiles)::value, decltype(out)>(dev, desc, &c);
  });
  if (st != DW_SUCCESS) return st;
  opaque[0] = static_cast<uint64_t>(c.split);
  opaque[1] = static_cast<uint64_t>(c.stages);
  opaque[2] = static_cast<uint64_t>(c.smem);
  return DW_SUCCESS;
}

dw_status gemv_tma_run(const dw_gemm_desc& desc, const dw_gemm_args& args, const uint64_t (&opaque)[3],
                       cudaStream_t stream) {
  const Config c{static_cast<int>(opaque[0]), static_cast<int>(opaque[1]), static_cast<size_t>(opaque[2])};
  if (c.split < 1 || c.split > kMaxSplit || c.stages < 2 || c.stages > kMaxStages ||
      c.smem < smem_bytes_for(c.stages, stage_bytes_for(static_cast<int>(desc.m))))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, "dw_gemm_run", "GEMV (TMA): the plan's configuration is not one gemv_plan made");
  if (!aligned16(args.a) || !aligned16(args.b) || !aligned16(args.scale_b))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, "dw_gemm_run", "GEMV (TMA): A, B and B's scales must be 16-byte aligned");
  return dispatch(desc, [&](auto tiles, auto out) {
    return launch<decltype(tiles)::value, decltype(out)>(desc, args, c, stream);
  });
}

}  // namespace dw::gemm
