// Deepwell's own decode GEMV (backend DW_GEMM_BACKEND_GEMV): BF16 activations A [M,K] times
// NVFP4 weights B [N,K] (input DW_GEMM_IN_NVFP4_WEIGHT), M <= DW_GEMM_GEMV_MAX_M, the full
// epilogue of gemm.h. CUTLASS 4.2 has no sm_90 mixed E2M1 x BF16 mainloop, and at decode sizes
// the product is a stream over the weights anyway: the kernel's job is to read them at HBM speed
// and do little else.
//
// Work split. A CTA of 8 warps owns 128 weight rows (16 per warp) and a contiguous range of K in
// steps of 128. Per step, each lane copies one 16-byte chunk (32 nibbles) of each of its two rows
// (g and g+8 of its warp's 16) and 4 bytes of the warp's block scales into a per-warp ring of
// kDepth steps in shared memory (cp.async, L2 prefetch of 256 bytes), kDepth steps ahead of use.
// The ring, not registers, holds the data in flight: the first version kept 4 steps in registers
// (114 of them per thread), and Nsight Compute (H100, 2026-11-26) found its warps waiting on
// those loads (long scoreboard: 40% of the cycles between issues) at under half of HBM bandwidth.
// When there are too few 128-row blocks to fill the GPU, K is split over a thread-block cluster
// of up to 8 CTAs (sm_90+); the partial sums meet in distributed shared memory, are added in rank
// order (deterministic) and the epilogue runs there. The split is chosen with the number of
// clusters of that size the GPU can hold at once (cudaOccupancyMaxActiveClusters), which is less
// than SMs x CTAs per SM / split: 64 clusters of 4 on an H100 that holds 62 ran as two waves in
// the first version. Without clusters (sm_80) the split is 1.
//
// This file is the GEMV's cp.async engine and its planning; gemv_nvfp4_tma.cu is its TMA engine
// (weights by the tensor-memory accelerator, activations pipelined with them), which gemv_plan
// takes for 8-16 tokens on 8K-16.9K weight rows, where it measured faster. Arithmetic (the
// E2M1/UE4M3 decoding, the MMA) and the end of a CTA are the two engines' common part:
// gemv_nvfp4_common.cuh.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "gemm_internal.h"
#include "gemv_nvfp4_common.cuh"

namespace dw::gemm {
namespace {

using namespace gemv;

constexpr int kWarps = 8;
constexpr int kThreads = kWarps * 32;
constexpr int kRowsPerCta = kWarps * 16;
constexpr int kStepK = 128;                 // K per step: 4 lanes x 32 nibbles
// Steps in flight per warp. 4 is enough: 8 and 12 (with 2 and 1 CTAs per SM) measured no faster
// on an H100 (2026-11-26): the kernel is bound by instruction issue and DRAM efficiency, not by
// the bytes it keeps in flight.
constexpr int kDepth = 4;
constexpr int kSlotBytes = 2 * 32 * 16 + 16 * 8;  // a warp's step: rows g, h chunks of 32 lanes + 16 rows' scales
constexpr int kRingBytes = kWarps * kDepth * kSlotBytes;  // 36864
// Up to 8 tokens (one token tile) the split aims at kFewTokenCtasPerSm CTAs per SM rather than
// the most that are resident: each CTA then streams a longer share of K, and fewer, smaller
// clusters share the SMs. A sweep of the split on an H100 (2026-11-26; 1 and 8 tokens, weights
// 4096x4096, 4096x14336, 14336x4096, 8192x8192) found the best time at 96-128 CTAs: splits 3, 3,
// 1, 2 (1 token: 9.0, 18.6, 16.4, 18.7 us against 10.2, 21.4, 19.7, 22.0 with the largest
// resident split); 32 row blocks split 4 (128 CTAs) ran 19-29% slower than split 3 (96), so the
// target sits between 96 and 112 CTAs on 132 SMs. 16 tokens stage 16 rows of activations per CTA
// and stay faster with the largest resident split (4096x4096: 12.3 us at 8, 15.2 at 2).
constexpr double kFewTokenCtasPerSm = 0.8;
constexpr int kStepUnits = 36;              // 8-byte units per token row per step: 32 + 4 of padding
constexpr int kRowPadUnits = 2;             // per token row: bank spread, 16-byte alignment
// Activation bytes staged per CTA. Each staging pass past the first stops the weight stream (a
// CTA-wide barrier while the ring drains), so fewer passes pay where a CTA's share of K is long;
// H100, 2026-11-26, same call: 36 KB geomean 1.88, 56 KB 1.93 (8 and 16 tokens with K or N of 14336
// 5-11% faster, nothing slower), 72 KB 1.89 (16 tokens x 14336x4096 7% slower: fewer CTAs fit).
constexpr size_t kStageBudget = 56 * 1024;
constexpr int kRedStride = kRowsPerCta + 4; // FP32 partials per token row (bank spread)
// Activation groups (8 values) per thread asked for before the weights (see the kernel). H100,
// 2026-11-27, two rounds: 0 -> 2 -> 4 groups, decode geomean 2.00 -> 2.02 -> 2.05; one token
// 5-10% faster (1x14336x4096 16.40 -> 15.50 us, 1x32768x768 9.43 -> 8.51), 8x4096x4096 3% slower.
constexpr int kEarlyGroups = 4;
constexpr const char* kName = "gemv_nvfp4_weight_bf16_mma";

static_assert(DW_GEMM_GEMV_MAX_M == 16, "the kernel has MMA tiles for 8 and 16 tokens");

struct Params {
  const __nv_bfloat16* a;  // [M,K]
  const uint8_t* b;        // [N,K/2]
  const uint8_t* sb;       // [N,K/16]
  const float* ts_b;
  void* d;
  const void* bias;
  const void* residual;
  int m, n, k;
  int steps;        // ceil(K / 128)
  int split;        // CTAs along K (cluster size)
  int stage_steps;  // steps of activations staged at once
  float alpha, out_scale;
  int activation;
};

// ---- loads ----------------------------------------------------------------------------------

// Asynchronous copies into the ring (no L2 cache-policy operand: see quant_pipe3.cuh for the
// nvcc 13.0 miscompilation of the hinted form).
__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src) {
  asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16;" ::"r"(dst), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async4(uint32_t dst, const void* src) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"(dst), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

__device__ __forceinline__ uint32_t ld_stream_u16(const void* p) {
  unsigned short v;
  asm volatile("ld.global.nc.L1::no_allocate.u16 %0, [%1];" : "=h"(v) : "l"(p));
  return v;
}

// ---- activations in shared memory ------------------------------------------------------------
// Token row m of the staged K range: kStepUnits 8-byte units per step (+2 units per row, so that
// rows start in different banks and every row stays 16-byte aligned: a lane reads the two units
// of a word's two MMAs with one 16-byte load). Inside a step, lane t's 32 values occupy 8 units from
// 8t + 4*(t >= 2) (the 4-unit gap keeps the four lanes of a row in different banks), and each
// 8 values x0..x7 are stored as x0 x4 x1 x5 | x2 x6 x3 x7, the order in which decode_word pairs
// the nibbles.

__device__ __forceinline__ int lane_unit(int t) { return 8 * t + 4 * (t >> 1); }

// Group idx (8 activations) of a staging pass over steps [s_a, s_b): its value (zeros past K) and
// the place it goes.
struct StagedGroup {
  uint4 v;
  uint2* dst;
};
__device__ __forceinline__ StagedGroup staged_group(const Params& p, uint2* as, int row_units, int groups_per_row,
                                                    int s_a, int idx) {
  const int m = idx / groups_per_row, q = idx - m * groups_per_row;
  const int ls = q >> 4, q16 = q & 15;
  const int64_t k = static_cast<int64_t>(s_a + ls) * kStepK + q16 * 8;
  StagedGroup g{make_uint4(0, 0, 0, 0), as + static_cast<int64_t>(m) * row_units + ls * kStepUnits +
                                            lane_unit(q16 >> 2) + 2 * (q16 & 3)};
  if (k < p.k) g.v = __ldg(reinterpret_cast<const uint4*>(p.a + static_cast<int64_t>(m) * p.k + k));
  return g;
}
__device__ __forceinline__ void store_group(const StagedGroup& g) {
  // pair_activations' pairing, written out: through that uint4-returning helper nvcc unrolls
  // the staging loop less (16 instead of 22 vector loads per kernel; 94 -> 72 registers at 16 tokens).
  g.dst[0] = make_uint2(__byte_perm(g.v.x, g.v.z, 0x5410), __byte_perm(g.v.x, g.v.z, 0x7632));
  g.dst[1] = make_uint2(__byte_perm(g.v.y, g.v.w, 0x5410), __byte_perm(g.v.y, g.v.w, 0x7632));
}

// Groups [first, total) of a pass, kThreads apart: a compile-time stride (with blockDim.x nvcc
// stopped unrolling the loop, 8-25% slower at 8-16 tokens; H100, 2026-11-27).
__device__ void stage_activations(const Params& p, uint2* as, int row_units, int rows, int s_a, int s_b,
                                  int first = 0) {
  const int groups_per_row = (s_b - s_a) * (kStepK / 8);
  const int total = rows * groups_per_row;
  for (int idx = first + threadIdx.x; idx < total; idx += kThreads)
    store_group(staged_group(p, as, row_units, groups_per_row, s_a, idx));
}

// ---- the kernel -------------------------------------------------------------------------------

// kScalesAsync (K % 64 == 0, every real model): the block scales travel through the ring too; a
// template parameter rather than a flag, because the other path's instructions would otherwise
// be issued (predicated off) on every step of an issue-bound loop.
template <int kTokenTiles, bool kScalesAsync, class OutT>
__global__ void __launch_bounds__(kThreads, kTokenTiles == 1 ? 3 : 2) gemv_nvfp4_weight(const Params p) {
  extern __shared__ __align__(16) unsigned char smem[];
  uint2* const as = reinterpret_cast<uint2*>(smem + kRingBytes);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const int rank = blockIdx.x;  // position along K = rank in the cluster
  const int64_t row_block = blockIdx.y;
  const int64_t warp_row = row_block * kRowsPerCta + warp * 16;
  const int64_t row_g = warp_row + g, row_h = row_g + 8;
  const int s_begin = static_cast<int>(static_cast<int64_t>(p.steps) * rank / p.split);
  const int s_end = static_cast<int>(static_cast<int64_t>(p.steps) * (rank + 1) / p.split);

  // Rows past N read row N-1 and chunks past K the row's first chunk: valid memory, finite
  // weights, multiplied by zero activations (k >= K) or never stored (rows >= N). K is a
  // multiple of 32, so a lane's chunk is wholly inside K or wholly outside.
  const int64_t row_bytes = p.k / 2, scale_bytes = p.k / 16;
  auto clamped = [&](int64_t row) { return row < p.n ? row : p.n - 1; };
  const uint8_t* const wg_row = p.b + clamped(row_g) * row_bytes;
  const uint8_t* const wh_row = p.b + clamped(row_h) * row_bytes;
  const int s_lim = (p.k - 32 * t + kStepK - 1) / kStepK;  // steps whose chunk of this lane is in K
  // Scales: with K % 64 == 0 every scale row starts 4-byte aligned and each lane copies 4 bytes
  // per step, half (lane & 1) of the 8 scale bytes of warp row lane / 2 (rows 0-7 are the g rows,
  // 8-15 the h rows), into the slot; a 4-byte piece is wholly inside K or wholly outside it.
  // Otherwise (K % 64 == 32, rare shapes) each lane reads its 2 + 2 bytes directly when used.
  // Offsets within a row are 32-bit (K < 2^31): fewer instructions per step than 64-bit ones.
  const uint8_t* const s_row = p.sb + clamped(warp_row + (lane >> 1)) * scale_bytes;  // copied
  const uint8_t* const sg_row = p.sb + clamped(row_g) * scale_bytes;  // read directly
  const uint8_t* const sh_row = p.sb + clamped(row_h) * scale_bytes;
  const uint32_t s_half = 4u * (lane & 1), scale_bytes32 = static_cast<uint32_t>(scale_bytes);
  const uint32_t t16 = 16u * t;

  // A slot of the warp's ring: [row g chunks of 32 lanes][row h chunks][16 rows x 8 scale bytes].
  unsigned char* const ring = smem + warp * kDepth * kSlotBytes;
  const uint32_t ring_s = static_cast<uint32_t>(__cvta_generic_to_shared(ring));
  // One commit group per step, empty past the CTA's range, so that "all but the newest
  // kDepth - 1 groups complete" always means "the step about to be used has landed". The next
  // step to fetch, its offsets and its slot are running values (the loop is issue-bound: every
  // multiply saved per step counts).
  constexpr uint32_t kRingWarpBytes = kDepth * kSlotBytes;
  auto next_slot = [](uint32_t slot) { return slot + kSlotBytes == kRingWarpBytes ? 0u : slot + kSlotBytes; };
  const uint32_t ring_lane_s = ring_s + lane * 16, ring_scale_s = ring_s + 1024 + lane * 4;
  int fetch_step = s_begin;
  uint32_t fetch_w = static_cast<uint32_t>(s_begin) * 64u + t16;   // weight bytes into the row
  uint32_t fetch_s = static_cast<uint32_t>(s_begin) * 8u + s_half;  // scale bytes into the row
  uint32_t fetch_slot = 0;                                          // slot offset in the ring
  auto issue = [&]() {
    if (fetch_step < s_end) {
      const uint32_t wo = fetch_step < s_lim ? fetch_w : 0u;
      cp_async16(ring_lane_s + fetch_slot, wg_row + wo);
      cp_async16(ring_lane_s + fetch_slot + 512, wh_row + wo);
      if constexpr (kScalesAsync)
        cp_async4(ring_scale_s + fetch_slot, s_row + (fetch_s < scale_bytes32 ? fetch_s : 0u));
    }
    cp_async_commit();
    ++fetch_step;
    fetch_w += 64u;
    fetch_s += 8u;
    fetch_slot = next_slot(fetch_slot);
  };

  // The first kEarlyGroups groups of each thread's activations are asked for before the weights
  // (and stored after): behind the weights' requests, the staging's L2 hits waited in the same
  // queues (H100, PC sampling, 1x14336x4096: 18% of the warp samples on the staging's loads). The
  // rest follow the weights, whose latency overlaps them.
  const int row_units = p.stage_steps * kStepUnits + kRowPadUnits;
  int stage_end = min(s_end, s_begin + p.stage_steps);
  const int first_groups_per_row = (stage_end - s_begin) * (kStepK / 8);
  StagedGroup early[kEarlyGroups];
#pragma unroll
  for (int i = 0; i < kEarlyGroups; ++i) {
    const int idx = threadIdx.x + i * kThreads;
    if (idx < p.m * first_groups_per_row)
      early[i] = staged_group(p, as, row_units, first_groups_per_row, s_begin, idx);
  }
  for (int i = 0; i < kDepth; ++i) issue();
#pragma unroll
  for (int i = 0; i < kEarlyGroups; ++i)
    if (threadIdx.x + i * kThreads < p.m * first_groups_per_row) store_group(early[i]);

  // Only the M token rows are staged. The MMA's token columns are independent (column n of the
  // product reads column n of the activations only), so lanes of tokens >= M read row M - 1 and
  // produce columns that are never stored.
  stage_activations(p, as, row_units, p.m, s_begin, stage_end, kEarlyGroups * kThreads);
  __syncthreads();

  // This lane's activations of the current step (token g; token g + 8 at hi_offset units on),
  // a running pointer: recomputing it per step costs more than the register it occupies.
  const int tok_lo = min(g, p.m - 1), tok_hi = min(g + 8, p.m - 1);
  const uint2* const act_base = as + static_cast<int64_t>(tok_lo) * row_units + lane_unit(t);
  const int hi_offset = (tok_hi - tok_lo) * row_units;
  const uint2* act = act_base;
  // Two accumulator sets (even and odd k16 pieces of a step): half the length of the chain of
  // dependent MMAs, summed once at the end.
  float acc[2][kTokenTiles][4] = {};
  uint32_t nan = 0;  // per scale byte [g: k 0..15, g: 16..31, h: 0..15, h: 16..31], bit 7 set by a NaN code

  uint32_t use_slot = 0;
  for (int s = s_begin; s < s_end; ++s) {
    if (s == stage_end) {  // CTA-uniform: the next K range of activations
      __syncthreads();
      stage_end = min(s_end, s + p.stage_steps);
      stage_activations(p, as, row_units, p.m, s, stage_end);
      __syncthreads();
      act = act_base;
    }
    cp_async_wait<kDepth - 1>();
    __syncwarp();  // the slot's scales were copied by other lanes of the warp
    const unsigned char* const sl = ring + use_slot;
    const uint4 wg = *reinterpret_cast<const uint4*>(sl + lane * 16);
    const uint4 wh = *reinterpret_cast<const uint4*>(sl + 512 + lane * 16);
    uint32_t sc;
    if constexpr (kScalesAsync) {
      const uint16_t* const sc16 = reinterpret_cast<const uint16_t*>(sl + 1024);
      sc = sc16[g * 4 + t] | (static_cast<uint32_t>(sc16[(g + 8) * 4 + t]) << 16);
    } else {
      const int64_t so = static_cast<int64_t>(s < s_lim ? s : 0) * 8 + t * 2;
      sc = ld_stream_u16(sg_row + so) | (ld_stream_u16(sh_row + so) << 16);
    }
    if (s >= s_lim) sc = 0;  // a chunk past K: weights 0 (its activations are 0 too), no NaN flag
    __syncwarp();            // every lane has read the slot before it is refilled
    issue();  // step s + kDepth, into the slot just read
    use_slot = next_slot(use_slot);

    // The activations of word w's two MMAs (units 2w and 2w + 1), one 16-byte load per tile.
    mma_chunk<kTokenTiles>(acc, nan, wg, wh, sc, [&](int w, uint4& lo, uint4& hi) {
      lo = *reinterpret_cast<const uint4*>(act + 2 * w);
      hi = lo;
      if constexpr (kTokenTiles == 2) hi = *reinterpret_cast<const uint4*>(act + hi_offset + 2 * w);
    });
    act += kStepUnits;
  }
  cp_async_wait<0>();  // nothing may land in the ring once it is reused for the partial sums
  const uint32_t flags = row_nan_flags(nan);  // a NaN block scale anywhere in a row: the row is NaN

  // Partial sums to shared memory, token-major: red[token][row of the CTA].
  __syncthreads();  // the activations are no longer read
  float* const red = reinterpret_cast<float*>(smem);
  store_partials<kTokenTiles>(red, kRedStride, acc, warp * 16 + g, t, flags);
  partials_stored(p.split);
  const Epilogue e{p.ts_b, p.bias, p.residual, p.d, p.m, p.n, p.split, p.alpha, p.out_scale, p.activation};
  finish_rows<OutT>(e, red, kRedStride, kRowsPerCta, row_block * kRowsPerCta, rank, kThreads);
}

// ---- host side --------------------------------------------------------------------------------

struct Config {
  int split, stage_steps;
  size_t smem;
};

int token_tiles(const dw_gemm_desc& d) { return d.m <= 8 ? 1 : 2; }

// The staging of the activations for a split of K over `split` CTAs: a CTA's K range is staged
// in one go when it fits kStageBudget, else in passes.
Config make_config(const dw_gemm_desc& d, int split) {
  Config c{};
  c.split = split;
  const int64_t steps = ceil_div(d.k, kStepK);
  const int64_t per_cta = ceil_div(steps, split);
  const int rows = d.m > 1 ? static_cast<int>(d.m) : 1;  // staged token rows
  const int64_t fit = (static_cast<int64_t>(kStageBudget) / (rows * 8) - kRowPadUnits) / kStepUnits;
  c.stage_steps = static_cast<int>(per_cta < fit ? per_cta : fit);
  const size_t staged =
      static_cast<size_t>(rows) * (static_cast<size_t>(c.stage_steps) * kStepUnits + kRowPadUnits) * 8;
  // The partial sums reuse the ring (8 or 16 token rows x kRedStride floats, at most 8.4 KB).
  static_assert(16 * kRedStride * sizeof(float) <= kRingBytes, "the partial sums fit the ring");
  c.smem = kRingBytes + staged;
  return c;
}

cudaLaunchConfig_t launch_config(const Config& c, int64_t n, cudaStream_t stream, cudaLaunchAttribute (&attr)[1]) {
  return cluster_launch_config(c.split, n, kRowsPerCta, kThreads, c.smem, stream, attr);
}

// The split of K (the cluster size, at most 8 and at most one step per CTA). Only splits whose
// ceil(N / 128) clusters are all resident at once count, asked of the runtime for this kernel and
// footprint (cudaOccupancyMaxActiveClusters), since a memory-bound kernel gains nothing from a
// second wave and loses most of HBM to a partial one. Among those, 16 tokens take the largest;
// up to 8 tokens the one whose CTA count is nearest kFewTokenCtasPerSm x SMs (the smaller on a
// tie). Without clusters (split 1) every CTA is resident when N / 128 <= CTAs per SM x SMs;
// beyond that the split stays 1 and the CTAs run in waves.
template <int kTokenTiles, bool kScalesAsync, class OutT>
dw_status plan_config(const DeviceInfo& dev, const dw_gemm_desc& d, Config* out) {
  const auto kernel = gemv_nvfp4_weight<kTokenTiles, kScalesAsync, OutT>;
  const int smem_max = kRingBytes + static_cast<int>(kStageBudget);
  dw_status st = dw::check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_max),
                           "dw_gemm_plan", "GEMV: allow %d bytes of dynamic shared memory", smem_max);
  if (st != DW_SUCCESS) return st;
  const int64_t steps = ceil_div(d.k, kStepK);
  const int64_t row_blocks = ceil_div(d.n, kRowsPerCta);
  int64_t top = steps < kMaxSplit ? steps : kMaxSplit;
  if (dev.cc_major < 9) top = 1;  // clusters need sm_90
  const double target = kFewTokenCtasPerSm * dev.sm_count;
  auto distance = [&](int64_t split) { return std::fabs(static_cast<double>(row_blocks * split) - target); };
  int64_t best = 0;  // the chosen split > 1, or 0 for none
  for (int64_t split = top; split > 1; --split) {
    if (kTokenTiles == 1 && best != 0 && distance(split) > distance(best)) continue;
    const Config c = make_config(d, static_cast<int>(split));
    cudaLaunchAttribute attr[1];
    const cudaLaunchConfig_t cfg = launch_config(c, d.n, nullptr, attr);
    int clusters = 0;
    // A refusal (e.g. no room for a cluster this size) only rules this split out.
    if (cudaOccupancyMaxActiveClusters(&clusters, kernel, &cfg) != cudaSuccess) {
      (void)cudaGetLastError();
      clusters = 0;
    }
    if (row_blocks > clusters) continue;
    best = split;                 // descending: on a tie the smaller split wins
    if (kTokenTiles != 1) break;  // 16 tokens: the largest resident split
  }
  if (best != 0 && !(kTokenTiles == 1 && distance(1) <= distance(best))) {
    *out = make_config(d, static_cast<int>(best));
    return DW_SUCCESS;
  }
  // No split: the CTAs run in waves if there are more than fit; one must fit an SM at least.
  const Config c = make_config(d, 1);
  int per_sm = 0;
  st = dw::check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kThreads, c.smem), "dw_gemm_plan",
                 "GEMV: occupancy with %zu bytes of shared memory", c.smem);
  if (st != DW_SUCCESS) return st;
  if (per_sm < 1)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, "dw_gemm_plan", "GEMV: no CTA fits an SM of device %d", dev.device);
  *out = c;
  return DW_SUCCESS;
}

template <int kTokenTiles, bool kScalesAsync, class OutT>
dw_status launch(const dw_gemm_desc& desc, const dw_gemm_args& args, const Config& c, cudaStream_t stream) {
  Params p{};
  p.a = static_cast<const __nv_bfloat16*>(args.a);
  p.b = static_cast<const uint8_t*>(args.b);
  p.sb = static_cast<const uint8_t*>(args.scale_b);
  p.ts_b = args.tensor_scale_b;
  p.d = args.d;
  p.bias = desc.has_bias ? args.bias : nullptr;
  p.residual = desc.has_residual ? args.residual : nullptr;
  p.m = static_cast<int>(desc.m);
  p.n = static_cast<int>(desc.n);
  p.k = static_cast<int>(desc.k);
  p.steps = static_cast<int>(ceil_div(desc.k, kStepK));
  p.split = c.split;
  p.stage_steps = c.stage_steps;
  p.alpha = desc.alpha;
  p.out_scale = desc.out_scale;
  p.activation = desc.activation;
  cudaLaunchAttribute attr[1];
  const cudaLaunchConfig_t cfg = launch_config(c, desc.n, stream, attr);
  return dw::check(cudaLaunchKernelEx(&cfg, gemv_nvfp4_weight<kTokenTiles, kScalesAsync, OutT>, p), "gemv_nvfp4_weight",
                   "launch, m=%lld n=%lld k=%lld split=%d smem=%zu", (long long)desc.m, (long long)desc.n,
                   (long long)desc.k, c.split, c.smem);
}

constexpr const char* kPlanOp = "dw_gemm_plan";
// plan.opaque[0]: which engine the plan runs (values no zeroed plan has).
constexpr uint64_t kEngineCpAsync = 0x6370617379ull, kEngineTma = 0x746D61ull;

// The kernel instantiation of a problem: 8 or 16 tokens, scales through the ring (K % 64 == 0)
// or read directly, FP32 or BF16 output. Plan and run pick the same one through this.
template <int kTiles, bool kAsync, class OutT>
struct KernelTag {
  static constexpr int kTokenTiles = kTiles;
  static constexpr bool kScalesAsync = kAsync;
  using Out = OutT;
};
template <class F>
dw_status dispatch(const dw_gemm_desc& desc, F&& f) {
  const bool f32 = desc.output == DW_GEMM_OUT_F32, async = desc.k % 64 == 0;
  if (token_tiles(desc) == 1) {
    if (async) return f32 ? f(KernelTag<1, true, float>{}) : f(KernelTag<1, true, __nv_bfloat16>{});
    return f32 ? f(KernelTag<1, false, float>{}) : f(KernelTag<1, false, __nv_bfloat16>{});
  }
  if (async) return f32 ? f(KernelTag<2, true, float>{}) : f(KernelTag<2, true, __nv_bfloat16>{});
  return f32 ? f(KernelTag<2, false, float>{}) : f(KernelTag<2, false, __nv_bfloat16>{});
}

}  // namespace

int gemv_variant_count(dw_gemm_input input) { return input == DW_GEMM_IN_NVFP4_WEIGHT ? 1 : 0; }

dw_status gemv_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* plan) {
  if (desc.input != DW_GEMM_IN_NVFP4_WEIGHT)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "GEMV: input format %d has no GEMV kernel (NVFP4_WEIGHT only)", desc.input);
  if (variant > 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "variant=%d: the GEMV backend has one", variant);
  if (desc.m > DW_GEMM_GEMV_MAX_M)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "GEMV: m=%lld exceeds DW_GEMM_GEMV_MAX_M=%d (decode sizes only)", (long long)desc.m,
                    DW_GEMM_GEMV_MAX_M);
  if (desc.k % 32 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "GEMV: k=%lld must be a multiple of 32 (16-byte weight rows for vector loads)",
                    (long long)desc.k);
  if (desc.scale_layout != DW_GEMM_SCALES_ROW_MAJOR)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "GEMV: reads row-major block scales only");
  if (desc.k > INT32_MAX || desc.n > INT32_MAX || ceil_div(desc.n, kRowsPerCta) > 65535)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "GEMV: n=%lld k=%lld too large", (long long)desc.n,
                    (long long)desc.k);
  if (dev.cc_major < 8)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "GEMV: needs compute capability 8.0+, device %d has %d.%d",
                    dev.device, dev.cc_major, dev.cc_minor);
  plan->backend = DW_GEMM_BACKEND_GEMV;
  plan->variant = 0;
  plan->workspace_bytes = 0;
  // The TMA engine (gemv_nvfp4_tma.cu) where it is the faster; DEEPWELL_GEMV_ENGINE=cp.async keeps
  // this file's engine everywhere, =tma takes the TMA engine wherever it can run (sm_90+, K % 256
  // == 0): comparisons, diagnosis and the checks of both engines on every shape.
  const char* engine = std::getenv("DEEPWELL_GEMV_ENGINE");
  const bool force_cp = engine != nullptr && std::strcmp(engine, "cp.async") == 0;
  const bool force_tma = engine != nullptr && std::strcmp(engine, "tma") == 0;
  if (!force_cp && (force_tma ? gemv_tma_applies(dev, desc) : gemv_tma_preferred(dev, desc))) {
    uint64_t opaque[3] = {};
    const dw_status st = gemv_tma_plan(dev, desc, opaque);
    // Unless forced, a TMA plan that does not fit this device (two stages of 16 tokens exceed the
    // 99 KB a CTA has on sm_120) leaves the problem to the cp.async engine.
    if (st != DW_SUCCESS && (force_tma || st != DW_ERROR_GEMM_UNSUPPORTED)) return st;
    if (st == DW_SUCCESS) {
      plan->opaque[0] = kEngineTma;
      plan->opaque[1] = opaque[0];
      plan->opaque[2] = opaque[1];
      plan->opaque[3] = opaque[2];
      set_name(plan, kName);
      return DW_SUCCESS;
    }
  }
  Config c{};
  const dw_status st = dispatch(desc, [&](auto kernel_tag) {
    using Tag = decltype(kernel_tag);
    return plan_config<Tag::kTokenTiles, Tag::kScalesAsync, typename Tag::Out>(dev, desc, &c);
  });
  if (st != DW_SUCCESS) return st;
  plan->opaque[0] = kEngineCpAsync;
  plan->opaque[1] = static_cast<uint64_t>(c.stage_steps);
  plan->opaque[2] = static_cast<uint64_t>(c.smem);
  plan->opaque[3] = static_cast<uint64_t>(c.split);
  set_name(plan, kName);
  return DW_SUCCESS;
}

dw_status gemv_run(const dw_gemm_desc& desc, const dw_gemm_args& args, const dw_gemm_plan_info& plan,
                   cudaStream_t stream) {
  static const char* op = "dw_gemm_run";
  if (args.scale_a != nullptr || args.tensor_scale_a != nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "GEMV: args.scale_a and tensor_scale_a must be null (A is BF16)");
  if (plan.opaque[0] == kEngineTma) {
    const uint64_t opaque[3] = {plan.opaque[1], plan.opaque[2], plan.opaque[3]};
    return gemv_tma_run(desc, args, opaque, stream);
  }
  if (plan.opaque[0] != kEngineCpAsync)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "GEMV: the plan's configuration is not one gemv_plan made");
  Config c{};
  c.split = static_cast<int>(plan.opaque[3]);
  c.stage_steps = static_cast<int>(plan.opaque[1]);
  c.smem = static_cast<size_t>(plan.opaque[2]);
  if (c.split < 1 || c.split > kMaxSplit || c.stage_steps < 1 || c.smem == 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "GEMV: the plan's configuration is not one gemv_plan made");
  return dispatch(desc, [&](auto kernel_tag) {
    using Tag = decltype(kernel_tag);
    return launch<Tag::kTokenTiles, Tag::kScalesAsync, typename Tag::Out>(desc, args, c, stream);
  });
}

}  // namespace dw::gemm
