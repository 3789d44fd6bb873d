// The pipelined tile kernel (DEEPWELL_QUANT_GRID=pipe, or pipe1 for its first version): same
// outputs as quant_tile_kernel, byte for byte, for the common case: x 16-byte aligned, whole
// tiles (rows % TR == 0, cols % 128 == 0), no stochastic rounding, no Hadamard transform, 1-D
// NVFP4 scales. The launcher falls back to the tile kernel for everything else.
//
// Design (the tile kernel keeps at most one 8 KB tile of loads in flight per CTA and spends about
// 16 instructions per element):
//  - a persistent grid (as many CTAs as fit) walks the tiles, and each CTA copies its next
//    STAGES-1 tiles into shared memory with cp.async while it works on the current one: up to
//    2 tiles of loads in flight per CTA, none of them holding registers;
//  - each thread owns whole blocks: in the row pass 32 consecutive elements of one row (one MX
//    block, two NVFP4 blocks, a quarter of an FP8 1x128 block), in the column pass 2 columns x 16
//    rows; the block scale is computed once per 32 (16) elements instead of once per 8, and the
//    codes leave as 16-byte stores;
//  - tiles are visited in bands of `group` tile rows, column by column inside a band, so that
//    the CTAs working at the same time write long runs of each transposed row and each row.
// Measured on an H100 (2026-11-25, V1): faster than the tile kernel for FP8 blocks (1x128
// ROW+COL 0.362 -> 0.287 ms, 128x128 0.334 -> 0.247), NVFP4 and MXFP4, slower for MXFP8 ROW+COL
// (0.272 -> 0.291). Across the kernels, ROW+COL time followed the number of partial-sector
// writes (stores that write part of a 32-byte sector: scale bytes, V1's interleaved 16-byte row
// stores) better than the bytes; V2 therefore uses 128-row tiles for every kind (a stored row of
// the transposed copy gets 128 contiguous bytes, its scales one 4- or 8-byte run per tile) and
// exchanges row codes between lanes so that every row store covers whole sectors. V2 is not
// measured yet (docs/PERFORMANCE.md says what to run).
// The element and scale arithmetic is the tile kernel's (block_scale, fp8_block_quotient, the
// same conversions); the reference's NaN -> 0x7F rule of the FP8 paths is applied only to the
// 32 (16) elements of a thread that hold a NaN.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "quant_launch.h"

namespace dwq {

// V2 (DEEPWELL_QUANT_GRID=pipe): 128x128 tiles for every kind. V1 (pipe1, as measured on
// 2026-11-25): 64x128 tiles except for FP8 blocks.
template <Kind K, bool V2>
struct PipeCfg {
  static constexpr int TR = (K == Kind::FP8_BLOCK || V2) ? 128 : 64;
  static constexpr int TC = 128;
  static constexpr int THREADS = TR * TC / 32;  // 32 elements per thread in each pass: 256 or 512
  static constexpr int STAGES = 3;
  static constexpr int MIN_CTAS = TR == 128 ? 2 : 4;  // 64 registers per thread at most
  static constexpr int WORDS = TC / 2;                // 32-bit smem words per tile row
  static constexpr int STAGE_WORDS = TR * WORDS;
  static constexpr int SMEM_BYTES = STAGES * STAGE_WORDS * 4;  // 48 KB (96 KB for 128-row tiles)
  static constexpr int CP = TR * TC / 8 / THREADS;             // 16-byte copies per thread and tile
  static constexpr int G = TR / 16;                            // column pass: 16-row groups
  static constexpr int QW = 32 / G;                            // column pass: column pairs per warp
  static_assert(CP == 4 && (THREADS / 32) * QW == WORDS, "pipe tile mapping");
};

// Word w (0..63) of tile row r, as stored: the 16-byte chunk index is XOR-swizzled so that the
// cp.async stores (a warp: 2 rows), the row pass's 16-byte reads (8 lanes: 2 rows x 4 segments)
// and the column pass's word reads (a warp: 8 or 4 column pairs x 4 or 8 row groups) are all
// free of bank conflicts (checked for every instruction of both tile shapes).
__device__ __forceinline__ int pipe_word(int r, int w) {
  const int c = w >> 2, g = (r >> 4) & 7;
  const int s = (((g & 3) << 1) | ((g >> 2) & 1)) ^ (r & 1) ^ (((c >> 3) & 1) << 1);
  return r * 64 + (((c ^ s) << 2) | (w & 3));
}

__device__ __forceinline__ void cp_async16(uint32_t* smem_dst, const void* src, uint64_t policy) {
  const uint32_t d = static_cast<uint32_t>(__cvta_generic_to_shared(smem_dst));
  asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "l"(policy)
               : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// The input is read once: let its lines leave L2 first (the partly written output lines stay).
__device__ __forceinline__ uint64_t evict_first_policy() {
  uint64_t pol;
  asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(pol));
  return pol;
}

// n / d for n < 2^31 by a multiply (the divisors are fixed per launch): with s = ceil(log2 d) and
// m = floor(2^32 (2^s - d) / d) + 1, n / d = (umulhi(n, m) + n) >> s (exhaustively spot-checked
// for d up to 2^31 - 1; the sum cannot overflow since umulhi(n, m) <= n < 2^31).
struct FastDiv {
  uint32_t d, m, s;
};
inline FastDiv make_fastdiv(uint32_t d) {
  uint32_t s = 0;
  while ((uint64_t{1} << s) < d) ++s;
  const uint64_t m = ((uint64_t{1} << 32) * ((uint64_t{1} << s) - d)) / d + 1;
  return FastDiv{d, static_cast<uint32_t>(m), s};
}
__device__ __forceinline__ uint32_t fast_div(uint32_t n, uint32_t m, uint32_t s) { return (__umulhi(n, m) + n) >> s; }

// The visiting order: bands of `group` tile rows (the last band may have fewer, `last`), each
// band column by column, so that the CTAs at work at one time cover group x (CTAs / group) tiles.
struct PipeGeom {
  uint32_t tiles_x, tiles_y, ntiles, group;
  FastDiv band;  // group * tiles_x
  FastDiv full;  // group
  FastDiv last;  // tile rows of the last band
};
inline PipeGeom make_pipe_geom(uint32_t tiles_x, uint32_t tiles_y, uint32_t group) {
  const uint32_t gr = group < 1 ? 1 : (group > tiles_y ? tiles_y : group);
  const uint32_t bands = (tiles_y + gr - 1) / gr;
  return PipeGeom{tiles_x, tiles_y, tiles_x * tiles_y, gr, make_fastdiv(gr * tiles_x), make_fastdiv(gr),
                  make_fastdiv(tiles_y - (bands - 1) * gr)};
}

// Tile t -> (tile row, tile column).
__device__ __forceinline__ void pipe_tile(uint32_t t, const PipeGeom& g, uint32_t& tr, uint32_t& tc) {
  const uint32_t b = fast_div(t, g.band.m, g.band.s), i = t - b * g.band.d;
  const bool full = (b + 1) * g.group <= g.tiles_y;
  const uint32_t hm = full ? g.full.m : g.last.m, hs = full ? g.full.s : g.last.s, hd = full ? g.full.d : g.last.d;
  tc = fast_div(i, hm, hs);
  tr = b * g.group + (i - tc * hd);
}

template <Kind K>
__device__ __forceinline__ float pipe_scaled(float v, const BlockScale& s) {
  if constexpr (K == Kind::FP8_BLOCK) {
    return fp8_block_quotient(v, s.mult, s.inv);
  } else {
    return mul_rn(v, s.mult);
  }
}

__device__ __forceinline__ float bf16_lo(uint32_t w) { return u2f(w << 16); }
__device__ __forceinline__ float bf16_hi(uint32_t w) { return u2f(w & 0xFFFF0000u); }

// Codes of 4 values as 4 FP8 bytes, first value in the low byte.
template <Kind K, Elem E>
__device__ __forceinline__ uint32_t fp8x4(float a, float b, float c, float d, const BlockScale& s) {
  return cvt_fp8x2(pipe_scaled<K>(a, s), pipe_scaled<K>(b, s), E) |
         (cvt_fp8x2(pipe_scaled<K>(c, s), pipe_scaled<K>(d, s), E) << 16);
}
// Codes of 8 values as 8 E2M1 nibbles, low nibble first.
template <Kind K>
__device__ __forceinline__ uint32_t fp4x8(const float (&v)[8], const BlockScale& s) {
  uint32_t out = 0;
#pragma unroll
  for (int j = 0; j < 8; ++j) out |= e2m1_encode_non_nan(pipe_scaled<K>(v[j], s)) << (4 * j);
  return out;
}
// Elements 8m .. 8m+7 of packed BF16 pairs (element e = half e & 1 of word e / 2).
__device__ __forceinline__ void unpack_pairs8(const uint32_t* w, float (&v)[8]) {
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    v[2 * j] = bf16_lo(w[j]);
    v[2 * j + 1] = bf16_hi(w[j]);
  }
}

// The reference encodes every NaN as 0x7F (FP8 paths). Row segment: element e is half e & 1 of
// word e / 2; column side sd: element h is half sd of word h. Called only where a NaN is present.
__device__ __forceinline__ void fp8_nan_fixup_row(const uint32_t (&w)[16], uint32_t (&codes)[8]) {
#pragma unroll
  for (int e = 0; e < 32; ++e) {
    const uint32_t h = (w[e / 2] >> (16 * (e & 1))) & 0x7FFFu;
    if (h > 0x7F80u) codes[e / 4] = (codes[e / 4] & ~(0xFFu << (8 * (e & 3)))) | (0x7Fu << (8 * (e & 3)));
  }
}
__device__ __forceinline__ void fp8_nan_fixup_col(const uint32_t (&w)[16], int sd, uint32_t (&codes)[4]) {
#pragma unroll
  for (int e = 0; e < 16; ++e) {
    const uint32_t h = (w[e] >> (16 * sd)) & 0x7FFFu;
    if (h > 0x7F80u) codes[e / 4] = (codes[e / 4] & ~(0xFFu << (8 * (e & 3)))) | (0x7Fu << (8 * (e & 3)));
  }
}

// Non-finite values count as 0 (FP8 block amax): max over the finite |BF16| as FP32 bits.
template <int N>
__device__ __forceinline__ uint32_t finite_amax_bits(const uint32_t (&w)[N], int side) {
  uint32_t m = 0;
#pragma unroll
  for (int k = 0; k < N; ++k) {
#pragma unroll
    for (int hsel = 0; hsel < 2; ++hsel) {
      if (side >= 0 && hsel != side) continue;
      const uint32_t h = (w[k] >> (16 * hsel)) & 0x7FFFu;
      m = max(m, h >= 0x7F80u ? 0u : h);
    }
  }
  return m << 16;
}

template <Kind K, Elem E, bool TWO_D, bool V2>
__global__ void __launch_bounds__(PipeCfg<K, V2>::THREADS, PipeCfg<K, V2>::MIN_CTAS)
    quant_pipe_kernel(const QuantParams p, const PipeGeom geo) {
  using C = PipeCfg<K, V2>;
  constexpr bool kFP4 = E == Elem::E2M1;
  constexpr bool kNanFix = K == Kind::FP8_BLOCK || K == Kind::FP8_TENSOR;  // FP8 paths encode NaN as 0x7F
  constexpr uint32_t kInf = 0x7F800000u;
  extern __shared__ __align__(16) uint32_t pipe_smem[];
  __shared__ uint32_t s_tile_amax[2];  // FP8 128x128: finite amax of the tile, by iteration parity

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const uint32_t ntiles = geo.ntiles;
  const bool do_row = p.data[0] != nullptr, do_col = p.data[1] != nullptr;
  const uint64_t policy = evict_first_policy();

  float s_enc[2] = {1.0f, 1.0f};
  if constexpr (K == Kind::NV || K == Kind::FP8_TENSOR) {
#pragma unroll
    for (int o = 0; o < 2; ++o) {
      const float a = u2f(p.amax[0]);
      s_enc[o] = K == Kind::NV ? nvfp4_encode_scale(a) : fp8_tensor_encode_scale(a);
      if (blockIdx.x == 0 && tid == 0 && p.data[o] != nullptr) p.tensor_scale[o][0] = div_rn(1.0f, s_enc[o]);
    }
  }
  if constexpr (TWO_D) {
    if (tid == 0) s_tile_amax[0] = 0u;  // ordered before the first atomics by barrier (A)
  }

  // Copy k of a thread moves chunk tid & 15 of tile row (tid >> 4) + k * kRowStep; the smem
  // offsets and the global offset within a tile do not change from tile to tile.
  constexpr int kRowStep = C::THREADS / 16;
  uint32_t cp_soff[C::CP];
#pragma unroll
  for (int k = 0; k < C::CP; ++k) cp_soff[k] = pipe_word((tid >> 4) + k * kRowStep, (tid & 15) * 4);
  const uint64_t cp_goff = static_cast<uint64_t>(tid >> 4) * p.cols + (tid & 15) * 8;
  const uint64_t cp_gstep = static_cast<uint64_t>(kRowStep) * p.cols;

  // cp.async of tile t into stage `st`; always one commit group per call (maybe empty), so that
  // wait_group counts tiles.
  auto issue = [&](uint32_t t, int st) {
    if (t < ntiles) {
      uint32_t tr, tc;
      pipe_tile(t, geo, tr, tc);
      const uint16_t* src =
          p.x + static_cast<uint64_t>(tr) * C::TR * p.cols + static_cast<uint64_t>(tc) * C::TC + cp_goff;
      uint32_t* dst = pipe_smem + st * C::STAGE_WORDS;
#pragma unroll
      for (int k = 0; k < C::CP; ++k) cp_async16(dst + cp_soff[k], src + k * cp_gstep, policy);
    }
    cp_async_commit();
  };

  uint32_t t = blockIdx.x;
#pragma unroll
  for (int st = 0; st < C::STAGES - 1; ++st) issue(t + st * gridDim.x, st);
  int stage = 0;
  for (uint32_t it = 0; t < ntiles; ++it, t += gridDim.x) {
    // Refill the stage the previous tile used (freed by barrier (B)), then wait for this tile.
    issue(t + (C::STAGES - 1) * gridDim.x, stage == 0 ? C::STAGES - 1 : stage - 1);
    cp_async_wait<C::STAGES - 1>();
    __syncthreads();  // (A) every thread's copies of this tile have landed
    const uint32_t* tile = pipe_smem + stage * C::STAGE_WORDS;
    uint32_t tr, tc;
    pipe_tile(t, geo, tr, tc);
    const uint32_t r0 = tr * C::TR, c0 = tc * C::TC;

    // Row segment of this thread: tile row rr, elements seg*32 .. seg*32+31 (16 packed words).
    const int rr = tid >> 2, seg = tid & 3;
    uint32_t rw[16];
    uint32_t tile_amax = 0;
    if (do_row || TWO_D) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const uint4 v = *reinterpret_cast<const uint4*>(tile + pipe_word(rr, (4 * seg + j) * 4));
        rw[4 * j] = v.x;
        rw[4 * j + 1] = v.y;
        rw[4 * j + 2] = v.z;
        rw[4 * j + 3] = v.w;
      }
    }
    // |x| as FP32 bits (non-finite included) of each 16-element half of the segment.
    uint32_t ra[2] = {0u, 0u};
    if (do_row || TWO_D) {
#pragma unroll
      for (int hf = 0; hf < 2; ++hf) {
        uint32_t mh = 0, ml = 0;
#pragma unroll
        for (int k = 0; k < 8; ++k) {
          mh = max(mh, rw[8 * hf + k] & 0x7FFF0000u);
          ml = max(ml, rw[8 * hf + k] & 0x00007FFFu);
        }
        ra[hf] = max(mh, ml << 16);
      }
    }
    if constexpr (TWO_D) {
      const uint32_t raw = max(ra[0], ra[1]);
      uint32_t m = raw >= kInf ? finite_amax_bits<16>(rw, -1) : raw;
      m = __reduce_max_sync(0xFFFFFFFFu, m);
      if (lane == 0) atomicMax(&s_tile_amax[it & 1u], m);
      __syncthreads();
      tile_amax = s_tile_amax[it & 1u];
      if (tid == 0) s_tile_amax[(it + 1u) & 1u] = 0u;  // read last in iteration it-1, before (A)
    }

    // ---- row pass: codes in x's order ----
    if (do_row) {
      const uint32_t r = r0 + rr, c = c0 + seg * 32;
      uint32_t codes[kFP4 ? 4 : 8];
      if constexpr (K == Kind::NV) {
        BlockScale s[2];
#pragma unroll
        for (int hf = 0; hf < 2; ++hf) {
          s[hf] = block_scale<K, E>(ra[hf], p.ocp != 0, s_enc[0]);
#pragma unroll
          for (int m = 0; m < 2; ++m) {
            float v[8];
            unpack_pairs8(&rw[8 * hf + 4 * m], v);
            codes[2 * hf + m] = s[hf].nonfinite ? 0u : fp4x8<K>(v, s[hf]);
          }
        }
        const uint32_t scols = p.cols / 16;
        if constexpr (V2) {
          // Blocks c/16 (even) and c/16 + 1 are adjacent in both layouts: one 2-byte store.
          *reinterpret_cast<uint16_t*>(p.scales[0] + scale_offset(p.layout, r, c / 16, p.rows, scols)) =
              static_cast<uint16_t>(s[0].code | (s[1].code << 8));
        } else {
          p.scales[0][scale_offset(p.layout, r, c / 16, p.rows, scols)] = static_cast<uint8_t>(s[0].code);
          p.scales[0][scale_offset(p.layout, r, c / 16 + 1, p.rows, scols)] = static_cast<uint8_t>(s[1].code);
        }
      } else {
        uint32_t amax = max(ra[0], ra[1]);
        if constexpr (K == Kind::FP8_BLOCK) {
          if constexpr (TWO_D) {
            amax = tile_amax;
          } else {
            // 1x128 block = 4 neighbouring lanes; finite values only (rare slow path, warp-uniform).
            uint32_t m = amax;
            if (__any_sync(0xFFFFFFFFu, m >= kInf)) m = m >= kInf ? finite_amax_bits<16>(rw, -1) : m;
            m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, 1));
            amax = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, 2));
          }
        }
        const BlockScale s = block_scale<K, E>(amax, p.ocp != 0, s_enc[0]);
        if constexpr (kFP4) {
#pragma unroll
          for (int m = 0; m < 4; ++m) {
            float v[8];
            unpack_pairs8(&rw[4 * m], v);
            codes[m] = s.nonfinite ? 0u : fp4x8<K>(v, s);
          }
        } else {
#pragma unroll
          for (int m = 0; m < 8; ++m) {
            const uint32_t w0 = rw[2 * m], w1 = rw[2 * m + 1];
            codes[m] = (K == Kind::MX && s.nonfinite) ? 0u : fp8x4<K, E>(bf16_lo(w0), bf16_hi(w0), bf16_lo(w1), bf16_hi(w1), s);
          }
          if constexpr (kNanFix) {
            if (max(ra[0], ra[1]) > kInf) fp8_nan_fixup_row(rw, codes);
          }
        }
        if constexpr (K == Kind::MX) {
          p.scales[0][scale_offset(p.layout, r, c / 32, p.rows, p.cols / 32)] = static_cast<uint8_t>(s.code);
        } else if constexpr (K == Kind::FP8_BLOCK && TWO_D) {
          if (tid == 0) reinterpret_cast<float*>(p.scales[0])[static_cast<uint64_t>(r0 / 128) * (p.cols / 128) + c0 / 128] = s.mult;
        } else if constexpr (K == Kind::FP8_BLOCK) {
          if (seg == 0) reinterpret_cast<float*>(p.scales[0])[scale_offset(p.layout, r, c0 / 128, p.rows, p.cols / 128)] = s.mult;
        }
      }
      if constexpr (kFP4) {
        uint8_t* d = p.data[0] + (static_cast<uint64_t>(r) * p.cols + c) / 2;
        *reinterpret_cast<uint4*>(d) = make_uint4(codes[0], codes[1], codes[2], codes[3]);
      } else if constexpr (V2) {
        // Lanes 4k..4k+3 hold the 32 codes of the 4 segments of one row. Exchange 16-byte halves
        // so that each of the two stores covers 64 contiguous bytes of the row, whole 32-byte
        // sectors (V1 stored each lane's 32 bytes: every sector got two half writes).
        const int src1 = (lane & ~3) + (seg >> 1), src2 = src1 + 2;
        const bool b_half = (seg & 1) != 0;
        uint32_t o1[4], o2[4];
#pragma unroll
        for (int w = 0; w < 4; ++w) {
          const uint32_t a1 = __shfl_sync(0xFFFFFFFFu, codes[w], src1), b1 = __shfl_sync(0xFFFFFFFFu, codes[4 + w], src1);
          const uint32_t a2 = __shfl_sync(0xFFFFFFFFu, codes[w], src2), b2 = __shfl_sync(0xFFFFFFFFu, codes[4 + w], src2);
          o1[w] = b_half ? b1 : a1;
          o2[w] = b_half ? b2 : a2;
        }
        uint8_t* d = p.data[0] + static_cast<uint64_t>(r) * p.cols + c0 + seg * 16;
        *reinterpret_cast<uint4*>(d) = make_uint4(o1[0], o1[1], o1[2], o1[3]);
        *reinterpret_cast<uint4*>(d + 64) = make_uint4(o2[0], o2[1], o2[2], o2[3]);
      } else {
        uint8_t* d = p.data[0] + static_cast<uint64_t>(r) * p.cols + c;
        *reinterpret_cast<uint4*>(d) = make_uint4(codes[0], codes[1], codes[2], codes[3]);
        *reinterpret_cast<uint4*>(d + 16) = make_uint4(codes[4], codes[5], codes[6], codes[7]);
      }
    }

    // ---- column pass: codes of x's transpose; this thread: columns 2q, 2q+1 x rows g*16 .. +15 ----
    if (do_col) {
      const int qi = lane / C::G, g = lane % C::G;
      const int q = warp * C::QW + qi;
      // Rows g*16 + h differ in the swizzle only by the parity of h: two bases, immediate offsets.
      const int base[2] = {pipe_word(g * 16, q), pipe_word(g * 16 + 1, q) - 64};
      uint32_t cw[16];
#pragma unroll
      for (int h = 0; h < 16; ++h) cw[h] = tile[base[h & 1] + h * 64];
      uint32_t mlo = 0, mhi = 0;
#pragma unroll
      for (int h = 0; h < 16; ++h) {
        mlo = max(mlo, cw[h] & 0x00007FFFu);
        mhi = max(mhi, cw[h] & 0x7FFF0000u);
      }
      const uint32_t ca[2] = {mlo << 16, mhi};  // this thread's 16 rows, non-finite included
      uint32_t am[2] = {ca[0], ca[1]};
      if constexpr (K == Kind::MX) {
        // 32-row block = row groups 2k, 2k+1 (lane bit 0).
#pragma unroll
        for (int sd = 0; sd < 2; ++sd) am[sd] = max(am[sd], __shfl_xor_sync(0xFFFFFFFFu, am[sd], 1));
      } else if constexpr (K == Kind::FP8_BLOCK) {
        if constexpr (TWO_D) {
          am[0] = am[1] = tile_amax;
        } else {
          // 128-row block = the 8 row groups of the tile (lane bits 0..2); finite values only.
          if (__any_sync(0xFFFFFFFFu, max(am[0], am[1]) >= kInf)) {
#pragma unroll
            for (int sd = 0; sd < 2; ++sd) am[sd] = am[sd] >= kInf ? finite_amax_bits<16>(cw, sd) : am[sd];
          }
#pragma unroll
          for (int sd = 0; sd < 2; ++sd) {
#pragma unroll
            for (int o = 1; o < C::G; o <<= 1) am[sd] = max(am[sd], __shfl_xor_sync(0xFFFFFFFFu, am[sd], o));
          }
        }
      }
      const uint32_t r = r0 + g * 16;
#pragma unroll
      for (int sd = 0; sd < 2; ++sd) {
        const uint32_t c = c0 + 2 * q + sd;
        const BlockScale s = block_scale<K, E>(am[sd], p.ocp != 0, s_enc[1]);
        float v[16];
#pragma unroll
        for (int h = 0; h < 16; ++h) v[h] = sd == 0 ? bf16_lo(cw[h]) : bf16_hi(cw[h]);
        if constexpr (kFP4) {
          uint32_t codes[2];
#pragma unroll
          for (int m = 0; m < 2; ++m) {
            float v8[8];
#pragma unroll
            for (int j = 0; j < 8; ++j) v8[j] = v[8 * m + j];
            codes[m] = s.nonfinite ? 0u : fp4x8<K>(v8, s);
          }
          *reinterpret_cast<uint2*>(p.data[1] + (static_cast<uint64_t>(c) * p.rows + r) / 2) = make_uint2(codes[0], codes[1]);
        } else {
          uint32_t codes[4];
#pragma unroll
          for (int m = 0; m < 4; ++m) {
            codes[m] = (K == Kind::MX && s.nonfinite) ? 0u : fp8x4<K, E>(v[4 * m], v[4 * m + 1], v[4 * m + 2], v[4 * m + 3], s);
          }
          if constexpr (kNanFix) {
            if (ca[sd] > kInf) fp8_nan_fixup_col(cw, sd, codes);
          }
          *reinterpret_cast<uint4*>(p.data[1] + static_cast<uint64_t>(c) * p.rows + r) =
              make_uint4(codes[0], codes[1], codes[2], codes[3]);
        }
        if constexpr (K == Kind::MX) {
          if ((g & 1) == 0) p.scales[1][scale_offset(p.layout, c, r / 32, p.cols, p.rows / 32)] = static_cast<uint8_t>(s.code);
        } else if constexpr (K == Kind::NV) {
          p.scales[1][scale_offset(p.layout, c, r / 16, p.cols, p.rows / 16)] = static_cast<uint8_t>(s.code);
        } else if constexpr (K == Kind::FP8_BLOCK && TWO_D) {
          if (tid == 0 && sd == 0) reinterpret_cast<float*>(p.scales[1])[static_cast<uint64_t>(c0 / 128) * (p.rows / 128) + r0 / 128] = s.mult;
        } else if constexpr (K == Kind::FP8_BLOCK) {
          if (g == 0) reinterpret_cast<float*>(p.scales[1])[scale_offset(p.layout, c, r0 / 128, p.cols, p.rows / 128)] = s.mult;
        }
      }
    }
    __syncthreads();  // (B) this stage may be refilled
    stage = stage + 1 == C::STAGES ? 0 : stage + 1;
  }
  cp_async_wait<0>();  // only empty groups can be left; leave none pending at exit
}

// Persistent grid of the pipelined kernel: the CTAs that fit at once (shared memory or registers
// decide), at most one per tile, at most g.max_ctas when set. The dynamic shared memory limit is
// raised once per device.
template <Kind K, Elem E, bool TWO_D, bool V2>
void launch_pipe_version(const QuantParams& p, const Grid& g, cudaStream_t s) {
  using C = PipeCfg<K, V2>;
  constexpr int kMaxDevices = 64;
  static int per_sm[kMaxDevices] = {0};
  auto* k = &quant_pipe_kernel<K, E, TWO_D, V2>;
  const int d = g.device >= 0 && g.device < kMaxDevices ? g.device : 0;
  int n = __atomic_load_n(&per_sm[d], __ATOMIC_RELAXED);
  if (n <= 0) {
    (void)cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, C::SMEM_BYTES);
    (void)cudaFuncSetAttribute(k, cudaFuncAttributePreferredSharedMemoryCarveout, cudaSharedmemCarveoutMaxShared);
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, k, C::THREADS, C::SMEM_BYTES) != cudaSuccess || n < 1) {
      (void)cudaGetLastError();
      n = 1;
    }
    __atomic_store_n(&per_sm[d], n, __ATOMIC_RELAXED);
  }
  const PipeGeom geo = make_pipe_geom(p.cols / C::TC, p.rows / C::TR, g.group);
  const uint64_t tiles = geo.ntiles;
  uint64_t ctas = static_cast<uint64_t>(n) * static_cast<uint64_t>(g.sm_count > 0 ? g.sm_count : 1);
  if (g.max_ctas > 0 && ctas > g.max_ctas) ctas = g.max_ctas;
  if (ctas > tiles) ctas = tiles;
  k<<<static_cast<unsigned>(ctas), C::THREADS, C::SMEM_BYTES, s>>>(p, geo);
}

template <Kind K, Elem E, bool TWO_D>
void launch_pipe(const QuantParams& p, const Grid& g, cudaStream_t s) {
  g.pipe_version == 1 ? launch_pipe_version<K, E, TWO_D, false>(p, g, s) : launch_pipe_version<K, E, TWO_D, true>(p, g, s);
}

}  // namespace dwq
