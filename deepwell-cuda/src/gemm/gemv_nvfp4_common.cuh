// What the two engines of the decode GEMV share (gemv_nvfp4.cu, cp.async per lane, any K that is a
// multiple of 32; gemv_nvfp4_tma.cu, TMA, K a multiple of 256): the E2M1/UE4M3 decoding into the
// MMA's A fragments, the MMA itself, and the end of a CTA, where the partial sums of the CTAs of
// one cluster (a split of K) are added in rank order and the epilogue of gemm.h is applied.
//
// Arithmetic. The weights are the A operand of mma.sync m16n8k16 (16 rows x 16 k), the
// activations the B operand (16 k x 8 tokens; two MMAs for 9..16 tokens), FP32 accumulation.
// K may be permuted freely inside a lane's 32-value chunk as long as both operands agree: a
// lane's 32 nibbles are decoded in pairs (j, j+4) of each 32-bit word, which costs a few shifts
// and masks per two values, and the activations are paired the same way (x_j, x_{j+4}).
//   E2M1 -> BF16: the nibble's magnitude bits go to BF16 bits [8:6], its sign to bit 15; that
//   BF16 is exactly value * 2^-126 (code 1 is a BF16 subnormal). One bf16x2 multiply by
//   c = ue4m3 * 2^119 gives value * ue4m3 * 2^-7, exact (at most 6 significant bits, no
//   underflow); the epilogue multiplies the FP32 sum by 2^7 and by the tensor scale.
//   UE4M3 -> c: the scale byte shifted to BF16 bits [10:4] (sign to 15) is exactly
//   ue4m3 * 2^-120, subnormal codes included; two bf16x2 multiplies by 2^120 and 2^119 make c.
//   A NaN scale code (S.1111.111) would become a finite c, so it is tracked per row and turns
//   that row's results into NaN at the end, as the reference kernel's arithmetic does.
#pragma once

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#if defined(__CUDACC__) && (!defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 900)
#include <cooperative_groups.h>
#define DW_GEMV_CLUSTERS 1
#endif

#include "gemm_epilogue_math.cuh"
#include "gemm_internal.h"

namespace dw::gemm::gemv {

constexpr int kMaxSplit = 8;  // portable cluster size: CTAs along K

__device__ __forceinline__ uint32_t bf16x2_mul(uint32_t a, uint32_t b) {
  __nv_bfloat162 x = *reinterpret_cast<__nv_bfloat162*>(&a);
  __nv_bfloat162 y = *reinterpret_cast<__nv_bfloat162*>(&b);
  __nv_bfloat162 z = __hmul2(x, y);
  return *reinterpret_cast<uint32_t*>(&z);
}

// The UE4M3 scales of a lane's 32-nibble chunk of one row (bytes 0 and 2 of y: k 0..15 and
// 16..31) as c = scale * 2^119, each in both halves of a bf16x2.
__device__ __forceinline__ void decode_scales(uint32_t y, uint32_t& c0, uint32_t& c1) {
  const uint32_t a = y << 4;                       // [10:4] = code & 0x7F, bit 11 = sign
  const uint32_t x = a + (a & 0x08000800u) * 15u;  // the sign from bit 11 to bit 15
  const uint32_t c = bf16x2_mul(bf16x2_mul(x, 0x7B807B80u), 0x7B007B00u);  // * 2^120 * 2^119
  c0 = __byte_perm(c, 0u, 0x1010);
  c1 = __byte_perm(c, 0u, 0x3232);
}

// Nibbles (j, j+4) of w as bf16x2 (value * 2^-126), times c. For a nibble q alone in its field,
// q * (2^6 + 2^12) puts a copy at bits [9:6] and one at [15:12]; the mask keeps the magnitude
// of the first (bits [8:6]) and the sign of the second (bit 15).
__device__ __forceinline__ void decode_word(uint32_t w, uint32_t c, uint32_t (&r)[4]) {
  constexpr uint32_t kKeep = 0x81C081C0u;
  const uint32_t w8 = w >> 8;
  r[0] = bf16x2_mul(((w & 0x000F000Fu) * 0x1040u) & kKeep, c);
  r[1] = bf16x2_mul(((w & 0x00F000F0u) * 0x0104u) & kKeep, c);
  r[2] = bf16x2_mul(((w8 & 0x000F000Fu) * 0x1040u) & kKeep, c);
  r[3] = bf16x2_mul(((w8 & 0x00F000F0u) * 0x0104u) & kKeep, c);
}

// Eight activations x0..x7 (BF16, in k order) as the B fragments of one word's two MMAs:
// {(x0,x4), (x1,x5)} and {(x2,x6), (x3,x7)}, the pairing of decode_word.
__device__ __forceinline__ uint4 pair_activations(uint4 v) {
  return make_uint4(__byte_perm(v.x, v.z, 0x5410), __byte_perm(v.x, v.z, 0x7632), __byte_perm(v.y, v.w, 0x5410),
                    __byte_perm(v.y, v.w, 0x7632));
}

__device__ __forceinline__ void mma_bf16(float (&acc)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint2 b) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};"
      : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b.x), "r"(b.y));
}

// The four MMAs (two k16 pieces, even and odd accumulator sets) x token tiles of one 32-bit word
// of weights of rows g and g+8 (rg, rh decoded) against the paired activations lo (tokens 0-7)
// and hi (tokens 8-15).
template <int kTokenTiles>
__device__ __forceinline__ void mma_word(float (&acc)[2][kTokenTiles][4], const uint32_t (&rg)[4],
                                         const uint32_t (&rh)[4], uint4 lo, uint4 hi) {
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    mma_bf16(acc[half][0], rg[2 * half], rh[2 * half], rg[2 * half + 1], rh[2 * half + 1],
             half == 0 ? make_uint2(lo.x, lo.y) : make_uint2(lo.z, lo.w));
    if constexpr (kTokenTiles == 2)
      mma_bf16(acc[half][1], rg[2 * half], rh[2 * half], rg[2 * half + 1], rh[2 * half + 1],
               half == 0 ? make_uint2(hi.x, hi.y) : make_uint2(hi.z, hi.w));
  }
}

// Bit 7 of each byte of the result is set where that byte of sc is a NaN scale code (0x7F/0xFF).
__device__ __forceinline__ uint32_t nan_scale_bits(uint32_t sc) { return (sc & 0x7F7F7F7Fu) + 0x01010101u; }

// One lane's share of 32 values of K: its 16-byte chunks of MMA rows g (wg) and g + 8 (wh), their
// scale bytes sc ([g: k 0..15, g: 16..31, h: 0..15, h: 16..31]), and for each 32-bit word w the
// activations act(w, lo, hi) gives (tokens 0-7 and 8-15, paired as pair_activations pairs them).
// NaN scale codes are gathered into nan (see row_nan_flags).
template <int kTokenTiles, class Activations>
__device__ __forceinline__ void mma_chunk(float (&acc)[2][kTokenTiles][4], uint32_t& nan, uint4 wg, uint4 wh,
                                          uint32_t sc, Activations&& act) {
  uint32_t cg0, cg1, ch0, ch1;
  nan |= nan_scale_bits(sc);
  decode_scales(__byte_perm(sc, 0u, 0x4140), cg0, cg1);
  decode_scales(__byte_perm(sc, 0u, 0x4342), ch0, ch1);
#pragma unroll
  for (int w = 0; w < 4; ++w) {
    const uint32_t word_g = w == 0 ? wg.x : w == 1 ? wg.y : w == 2 ? wg.z : wg.w;
    const uint32_t word_h = w == 0 ? wh.x : w == 1 ? wh.y : w == 2 ? wh.z : wh.w;
    uint4 lo, hi;
    act(w, lo, hi);
    uint32_t rg[4], rh[4];
    decode_word(word_g, w < 2 ? cg0 : cg1, rg);
    decode_word(word_h, w < 2 ? ch0 : ch1, rh);
    mma_word<kTokenTiles>(acc, rg, rh, lo, hi);
  }
}

// A lane's NaN flags (bit 0: its row g, bit 1: its row g+8) from the bits gathered by
// nan_scale_bits over [g: k 0..15, g: 16..31, h: 0..15, h: 16..31] scale bytes, shared by the
// four lanes of a row.
__device__ __forceinline__ uint32_t row_nan_flags(uint32_t nan) {
  uint32_t flags = ((nan & 0x00008080u) ? 1u : 0u) | ((nan & 0x80800000u) ? 2u : 0u);
  flags |= __shfl_xor_sync(0xFFFFFFFFu, flags, 1);
  flags |= __shfl_xor_sync(0xFFFFFFFFu, flags, 2);
  return flags;
}

// A warp's accumulators (summed over the two sets) into red[token][CTA row], or added to what is
// there (kAdd): MMA row g is CTA row row_g, MMA row g + 8 is row_g + 8; rows with a NaN block scale
// become NaN.
template <int kTokenTiles, bool kAdd = false>
__device__ __forceinline__ void store_partials(float* red, int red_stride, float (&acc)[2][kTokenTiles][4],
                                               int row_g, int t, uint32_t flags) {
  const float nan = __int_as_float(0x7FC00000);
  auto put = [&](int at, float v, bool is_nan) {
    if constexpr (kAdd) v += red[at];
    red[at] = is_nan ? nan : v;
  };
#pragma unroll
  for (int mt = 0; mt < kTokenTiles; ++mt) {
    const int tok = mt * 8 + 2 * t;
    float v[4];
#pragma unroll
    for (int j = 0; j < 4; ++j) v[j] = acc[0][mt][j] + acc[1][mt][j];
    put(tok * red_stride + row_g, v[0], flags & 1u);
    put((tok + 1) * red_stride + row_g, v[1], flags & 1u);
    put(tok * red_stride + row_g + 8, v[2], flags & 2u);
    put((tok + 1) * red_stride + row_g + 8, v[3], flags & 2u);
  }
}

struct Epilogue {
  const float* ts_b;
  const void* bias;
  const void* residual;
  void* d;
  int m, n, split;
  float alpha, out_scale;
  int activation;
};

// The end of a CTA of `threads` threads whose partial sums red[token][row] (m tokens x `rows`
// rows from row0, red_stride floats per token) are in shared memory: every CTA of the cluster
// has stored its own (the caller syncs the cluster or, unsplit, the CTA, before this). Rank r
// finishes every split-th element, adding the partials of all ranks in rank order
// (deterministic), then waits for its peers so that its shared memory outlives their reads.
template <class OutT>
__device__ __forceinline__ void finish_rows(const Epilogue& e, const float* red, int red_stride, int rows, int64_t row0, int rank,
                            int threads) {
  const float scale = e.alpha * *e.ts_b;
  const OutT* bias = static_cast<const OutT*>(e.bias);
  const OutT* residual = static_cast<const OutT*>(e.residual);
  OutT* d = static_cast<OutT*>(e.d);
  const int count = e.m * rows;
  for (int i = rank * threads + static_cast<int>(threadIdx.x); i < count; i += e.split * threads) {
    const int tok = i / rows, r = i - tok * rows;
    const int64_t n = row0 + r;
    if (n >= e.n) continue;
    const int at = tok * red_stride + r;
    float sum = red[at];
#if defined(DW_GEMV_CLUSTERS)
    if (e.split > 1) {
      cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
      sum = 0.0f;
      for (int q = 0; q < e.split; ++q) sum += cluster.map_shared_rank(red, q)[at];
    }
#endif
    float y = scale * (sum * 128.0f);  // undo the 2^-7 of the decoded weights (exact)
    if (bias) y += to_float(bias[n]);
    float z = e.out_scale * activate(y, e.activation);
    const int64_t at_d = static_cast<int64_t>(tok) * e.n + n;
    if (residual) z += to_float(residual[at_d]);
    d[at_d] = from_float<OutT>(z);
  }
#if defined(DW_GEMV_CLUSTERS)
  // Peers may still read this CTA's partials: wait for every rank before exiting. No memory
  // ordering is needed here: each rank's reads of its peers are complete (their values are in its
  // stores to D above), so the arrive is relaxed. cluster::sync()'s release/acquire pair cost the
  // split GEMVs 2-5% (H100, 2026-11-27: decode-table geomean 1.93 -> 1.97).
  if (e.split > 1) {
    asm volatile("barrier.cluster.arrive.relaxed.aligned;" ::: "memory");
    asm volatile("barrier.cluster.wait.aligned;" ::: "memory");
  }
#endif
}

// The launch of a GEMV engine's grid: `split` CTAs along K (one cluster when split > 1) for each
// block of rows_per_cta weight rows. `attr` must outlive the returned value; planning asks the
// occupancy of exactly what the engine launches.
inline cudaLaunchConfig_t cluster_launch_config(int split, int64_t n, int rows_per_cta, int threads, size_t smem,
                                                cudaStream_t stream, cudaLaunchAttribute (&attr)[1]) {
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(split), static_cast<unsigned>(ceil_div(n, rows_per_cta)), 1);
  cfg.blockDim = dim3(static_cast<unsigned>(threads), 1, 1);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = stream;
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = static_cast<unsigned>(split);
  attr[0].val.clusterDim.y = 1;
  attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = split > 1 ? 1 : 0;
  return cfg;
}

// Every CTA of the cluster (or, unsplit, every thread of the CTA) has stored its partial sums.
__device__ __forceinline__ void partials_stored(int split) {
#if defined(DW_GEMV_CLUSTERS)
  if (split > 1) {
    cooperative_groups::this_cluster().sync();
    return;
  }
#endif
  (void)split;
  __syncthreads();
}

}  // namespace dw::gemm::gemv
