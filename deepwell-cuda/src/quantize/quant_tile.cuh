// The one tile kernel behind every quantize family (included by mx_quantize.cu,
// nvfp4_quantize.cu, fp8_quantize.cu; each instantiates its own formats).
//
// One CTA of 256 threads owns a TR x TC tile of the BF16 input [rows, cols] (64x64, or 128x128
// for FP8 1x128/128x128 blocks) and reads it from memory exactly once, with 16-byte loads. From
// that one read it writes, as asked:
//  - the ROW copy: codes in input order [rows, cols], one scale per 1 x B run of a row;
//  - the COL copy: codes transposed, [cols, rows], one scale per B x 1 run of a column.
// Row runs are quantized straight from the registers the loads filled: each thread holds 8
// consecutive elements of a row and B/8 neighbouring lanes form a block (amax by shuffles).
// Column runs are read from a shared-memory copy of the tile: each thread takes two adjacent
// columns over VC consecutive rows, and the B/VC lanes of a block sit next to each other in the
// warp. The tile is stored as 32-bit words (two BF16 columns) with the word index XOR-swizzled
// by the row's block-lane, so that both the 16-byte row stores and the column reads are free
// of bank conflicts (see swz()).
//
// Exactness: every float operation is the Java reference's, in its order, through the rounded
// helpers of quant_math.cuh. FP8 conversions use cvt.rn.satfinite (identical to the reference
// for every non-NaN float: the standalone check verifies all 2^32 inputs); NaN never reaches
// them in the MX / NVFP4 paths (non-finite blocks are zeroed) and is mapped to 0x7F in software
// in the FP8 paths, as the reference does.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "quant_math.cuh"

namespace dwq {

enum class Kind : int { MX = 0, NV = 1, FP8_BLOCK = 2, FP8_TENSOR = 3 };
enum class Elem : int { E4M3 = 0, E5M2 = 1, E2M1 = 2 };

constexpr int kThreads = 256;  // per CTA, except FP8 blocks (Cfg::THREADS)

// Kernel arguments. Orientation o: 0 = ROW copy, 1 = COL copy; a null data[o] skips it.
struct QuantParams {
  const uint16_t* x;        // BF16 [rows, cols], row-major
  uint32_t rows, cols;
  uint8_t* data[2];         // codes (FP4: two per byte, low nibble first)
  uint8_t* scales[2];       // one-byte codes, or FP32 for FP8 blocks; null for FP8 per-tensor
  float* tensor_scale[2];   // NVFP4 / FP8 per-tensor: the FP32 decode scale (written by CTA 0)
  const uint32_t* amax;     // NVFP4 / FP8 per-tensor: tensor amax bits seen by [0] ROW, [1] COL
  uint32_t* amax_out;       // amax-only launches: where to max the [ROW, COL] amax bits
  uint32_t amax_dirs;       // amax-only launches: bit 0 ROW, bit 1 COL
  uint32_t layout;          // 0 row-major, 1 128x4 tiled (byte scales), 2 MN-major (FP8 1x128)
  uint32_t ocp;             // MX scale rule: 1 OCP, 0 CEIL
  uint64_t seed;            // stochastic rounding
  uint32_t had_mask;        // Hadamard16 sign mask
  uint32_t vec_ok;          // cols % 8 == 0 and x 16-byte aligned: vector loads
};

template <Kind K, Elem E, bool TWO_D>
struct Cfg {
  // FP8 per-tensor has no blocks; it borrows the MX mapping (B = 32) for the column pass, whose
  // warps then write 32-byte runs of each transposed row.
  static constexpr int B = K == Kind::MX ? 32 : (K == Kind::NV ? 16 : (K == Kind::FP8_BLOCK ? 128 : 32));
  static constexpr int TR = K == Kind::FP8_BLOCK ? 128 : 64;
  static constexpr int TC = TR;
  // 128x128 tiles get 512 threads, so each thread holds 4 vectors (and 4 more prefetched).
  static constexpr int THREADS = K == Kind::FP8_BLOCK ? 512 : kThreads;
  static constexpr int GR = B / 8;                          // row pass: lanes per block
  static constexpr int VC = K == Kind::FP8_BLOCK ? 16 : 8;  // col pass: rows per thread
  static constexpr int GC = B / VC;                         // col pass: lanes per block
  static constexpr int W = 32 / GC;                         // col pass: column pairs per warp
  static constexpr int SW = TC / 2;                         // smem words per tile row
  static constexpr int VPT = TR * TC / 8 / THREADS;         // row vectors per thread
  static constexpr int STRIPS = (TC / 2) / W;
  static constexpr int RB = TR / B;
  static constexpr int TPW = STRIPS * RB / (THREADS / 32);   // col tasks per warp
  static constexpr bool FP4 = E == Elem::E2M1;
  // Resident CTAs per SM the register budget must allow (memory parallelism: 16-byte loads in
  // flight per SM); 128x128 tiles hold 8 vectors per thread, 64x64 tiles 2.
  static constexpr int MIN_CTAS = K == Kind::FP8_BLOCK ? 2 : 4;
  // With a persistent grid (DEEPWELL_QUANT_GRID=persistent) a CTA loads its next tile while it
  // works on this one; with the default grid of one CTA per tile the loop runs once.
  static constexpr bool PREFETCH = true;
  // 2-D amax tiles in the CTA tile: NVFP4 16x16 -> (TR/16)*(TC/16); FP8 128x128 -> 1.
  static constexpr int N2D = !TWO_D ? 1 : (K == Kind::NV ? (TR / 16) * (TC / 16) : 1);
  static_assert(VPT >= 1 && TPW >= 1 && W >= 4, "tile mapping");
  // Column-pass swizzle: word w of tile row r sits at w ^ swz(r); multiples of W (>= 4 words)
  // keep each 16-byte row chunk contiguous.
  static __device__ __forceinline__ int swz(int r) { return ((r / VC) % GC) * W; }
};

// ---- conversions -----------------------------------------------------------------------------

__device__ __forceinline__ uint32_t cvt_fp8x2(float lo, float hi, Elem e) {
  unsigned short r;
  if (e == Elem::E4M3) {
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  } else {
    asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  }
  return r;
}

// Per-block quantization state: the scale byte (or FP32 scale) and the element multiplier.
struct BlockScale {
  float mult;        // q = v * mult (MX, NVFP4, FP8 per-tensor) or q = v / mult (FP8 blocks)
  float inv;         // FP8 blocks: fp8_block_inverse(mult)
  uint32_t code;     // E8M0 / UE4M3 code
  bool nonfinite;    // MX / NVFP4: the block held NaN or Inf -> scale NaN, codes 0
};

template <Kind K, Elem E>
__device__ __forceinline__ BlockScale block_scale(uint32_t amax_bits, bool ocp, float s_enc) {
  BlockScale s{0.0f, 0.0f, 0u, false};
  if constexpr (K == Kind::MX) {
    if (amax_bits >= 0x7F800000u) {
      s.nonfinite = true;
      s.code = 0xFFu;
    } else {
      constexpr int emax = E == Elem::E4M3 ? 8 : (E == Elem::E5M2 ? 15 : 2);
      constexpr float emaxv = E == Elem::E4M3 ? 448.0f : (E == Elem::E5M2 ? 57344.0f : 6.0f);
      s.code = mx_scale_code(u2f(amax_bits), ocp, emax, emaxv);
      s.mult = mx_inverse_scale(s.code);
    }
  } else if constexpr (K == Kind::NV) {
    if (amax_bits >= 0x7F800000u) {
      s.nonfinite = true;
      s.code = 0x7Fu;
    } else {
      s.code = nvfp4_block_code(u2f(amax_bits), s_enc);
      s.mult = nvfp4_element_scale(s_enc, s.code);
    }
  } else if constexpr (K == Kind::FP8_BLOCK) {
    s.mult = fp8_block_decode_scale(u2f(amax_bits));  // amax over finite values only
    s.inv = fp8_block_inverse(s.mult);
  } else {
    s.mult = s_enc;
  }
  return s;
}

// Codes of 8 values: FP8 -> 8 bytes in a uint2, FP4 -> 8 nibbles in a uint32 (in .x).
template <Kind K, Elem E, bool SR>
__device__ __forceinline__ uint2 encode8(const float (&v)[8], const BlockScale& s, const uint32_t (&r24)[8]) {
  uint2 out{0u, 0u};
  if ((K == Kind::MX || K == Kind::NV) && s.nonfinite) return out;
  float q[8];
#pragma unroll
  for (int j = 0; j < 8; ++j) q[j] = K == Kind::FP8_BLOCK ? fp8_block_quotient(v[j], s.mult, s.inv) : mul_rn(v[j], s.mult);
  if constexpr (E == Elem::E2M1) {
    uint32_t w = 0;
#pragma unroll
    for (int j = 0; j < 8; ++j) w |= (SR ? e2m1_encode_sr(q[j], r24[j]) : e2m1_encode_non_nan(q[j])) << (4 * j);  // q is never NaN
    out.x = w;
  } else {
    uint32_t b[8];
    if constexpr (SR) {
#pragma unroll
      for (int j = 0; j < 8; ++j) b[j] = E == Elem::E4M3 ? e4m3_encode_sr(q[j], r24[j]) : e5m2_encode_sr(q[j], r24[j]);
    } else {
#pragma unroll
      for (int j = 0; j < 8; j += 2) {
        const uint32_t pair = cvt_fp8x2(q[j], q[j + 1], E);
        b[j] = pair & 0xFFu;
        b[j + 1] = pair >> 8;
      }
      if constexpr (K == Kind::FP8_BLOCK || K == Kind::FP8_TENSOR) {
#pragma unroll
        for (int j = 0; j < 8; ++j) b[j] = q[j] != q[j] ? 0x7Fu : b[j];  // reference: every NaN -> 0x7F
      }
    }
    out.x = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
    out.y = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  }
  return out;
}

// random24 of 8 consecutive input elements starting at linear index i0 (row pass).
__device__ __forceinline__ void random8(uint64_t seed, uint64_t i0, uint32_t (&r)[8]) {
  uint64_t g = i0 >> 2;
  Philox4 p = philox4x32_10(static_cast<uint32_t>(g), static_cast<uint32_t>(g >> 32), 0, 0,
                            static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    const uint64_t i = i0 + j;
    if ((i >> 2) != g) {
      g = i >> 2;
      p = philox4x32_10(static_cast<uint32_t>(g), static_cast<uint32_t>(g >> 32), 0, 0, static_cast<uint32_t>(seed),
                        static_cast<uint32_t>(seed >> 32));
    }
    const uint32_t k = static_cast<uint32_t>(i & 3);
    r[j] = (k == 0 ? p.w[0] : (k == 1 ? p.w[1] : (k == 2 ? p.w[2] : p.w[3]))) >> 8;
  }
}

// Hadamard16 forward on 16 values split over two lanes (lane bit `partner` tells the halves
// apart; this thread holds elements half*8 .. half*8+7). Same float operations as Hadamard16.
__device__ __forceinline__ void hadamard16_fwd_split(float (&v)[8], uint32_t mask, int half, int partner) {
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    if ((mask >> (half * 8 + j)) & 1u) v[j] = -v[j];
    v[j] = mul_rn(v[j], 0.25f);
  }
#pragma unroll
  for (int h = 1; h < 8; h <<= 1) {
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      if ((j & h) == 0) {
        const float a = v[j], b = v[j + h];
        v[j] = add_rn(a, b);
        v[j + h] = sub_rn(a, b);
      }
    }
  }
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    const float o = __shfl_xor_sync(0xFFFFFFFFu, v[j], partner);
    v[j] = half == 0 ? add_rn(v[j], o) : sub_rn(o, v[j]);
  }
}

__device__ __forceinline__ uint32_t abs_bits(float v) { return f2u(v) & 0x7FFFFFFFu; }
// Finite-only amax contributions (FP8 blocks, tensor amax): non-finite counts as 0.
__device__ __forceinline__ uint32_t finite_abs_bits(float v) {
  const uint32_t a = abs_bits(v);
  return a >= 0x7F800000u ? 0u : a;
}

template <int G>
__device__ __forceinline__ uint32_t group_max(uint32_t v) {
#pragma unroll
  for (int o = 1; o < G; o <<= 1) v = max(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
  return v;
}

__device__ __forceinline__ uint64_t scale_offset(uint32_t layout, uint32_t r, uint32_t c, uint32_t srows,
                                                 uint32_t scols) {
  if (layout == 1) return swizzled_offset(r, c, scols);
  if (layout == 2) return static_cast<uint64_t>(c) * srows + r;
  return static_cast<uint64_t>(r) * scols + c;
}

__device__ __forceinline__ uint4 load8(const QuantParams& p, uint32_t r, uint32_t c) {
  uint4 v{0u, 0u, 0u, 0u};
  if (r >= p.rows || c >= p.cols) return v;
  const uint16_t* src = p.x + static_cast<uint64_t>(r) * p.cols + c;
  if (p.vec_ok) return __ldcs(reinterpret_cast<const uint4*>(src));
  uint32_t w[4] = {0u, 0u, 0u, 0u};
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    if (c + j < p.cols) w[j / 2] |= static_cast<uint32_t>(src[j]) << (16 * (j & 1));
  }
  return uint4{w[0], w[1], w[2], w[3]};
}

__device__ __forceinline__ void unpack8(const uint4& raw, float (&v)[8]) {
  const uint32_t w[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    v[2 * j] = u2f(w[j] << 16);
    v[2 * j + 1] = u2f(w[j] & 0xFFFF0000u);
  }
}

// Stores codes of elements [c, c+n) of stored row `sr` (FP8: bytes; FP4: nibbles, c and n even).
template <bool FP4>
__device__ __forceinline__ void store_codes(uint8_t* base, uint64_t row_bytes, uint32_t sr, uint32_t c, uint2 codes,
                                            int n, bool aligned) {
  if constexpr (FP4) {
    uint8_t* d = base + static_cast<uint64_t>(sr) * row_bytes + c / 2;
    if (n == 8 && aligned) {
      *reinterpret_cast<uint32_t*>(d) = codes.x;
    } else {
      for (int j = 0; j < n / 2; ++j) d[j] = static_cast<uint8_t>(codes.x >> (8 * j));
    }
  } else {
    uint8_t* d = base + static_cast<uint64_t>(sr) * row_bytes + c;
    if (n == 8 && aligned) {
      *reinterpret_cast<uint2*>(d) = codes;
    } else {
      for (int j = 0; j < n; ++j) d[j] = static_cast<uint8_t>((j < 4 ? codes.x : codes.y) >> (8 * (j & 3)));
    }
  }
}

template <Kind K>
__device__ __forceinline__ void store_scale(const QuantParams& p, int o, uint32_t r, uint32_t c, uint32_t srows,
                                            uint32_t scols, const BlockScale& s) {
  const uint64_t off = scale_offset(p.layout, r, c, srows, scols);
  if constexpr (K == Kind::FP8_BLOCK) {
    reinterpret_cast<float*>(p.scales[o])[off] = s.mult;
  } else {
    p.scales[o][off] = static_cast<uint8_t>(s.code);
  }
}

// ---- the kernel ------------------------------------------------------------------------------

template <Kind K, Elem E, bool TWO_D, bool SR, bool HAD, bool AMAX_ONLY>
__global__ void __launch_bounds__((Cfg<K, E, TWO_D>::THREADS), (Cfg<K, E, TWO_D>::MIN_CTAS)) quant_tile_kernel(const QuantParams p) {
  using C = Cfg<K, E, TWO_D>;
  constexpr bool kFinite = K == Kind::FP8_BLOCK || AMAX_ONLY;  // amax over finite values only
  constexpr bool kRagged = K == Kind::FP8_TENSOR;                // no blocks: any shape
  __shared__ __align__(16) uint32_t tile[C::TR * C::SW];
  __shared__ uint32_t s_amax[2][C::N2D];

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const uint32_t tiles_x = (p.cols + C::TC - 1) / C::TC;
  const uint32_t ntiles = tiles_x * ((p.rows + C::TR - 1) / C::TR);
  const bool do_row = AMAX_ONLY ? (p.amax_dirs & 1u) != 0 : p.data[0] != nullptr;
  const bool do_col = AMAX_ONLY ? (p.amax_dirs & 2u) != 0 : p.data[1] != nullptr;

  float s_enc[2] = {1.0f, 1.0f};
  if constexpr (!AMAX_ONLY && (K == Kind::NV || K == Kind::FP8_TENSOR)) {
#pragma unroll
    for (int o = 0; o < 2; ++o) {
      const float a = u2f(p.amax[HAD ? o : 0]);  // one tensor amax unless the two Hadamard views differ
      s_enc[o] = K == Kind::NV ? nvfp4_encode_scale(a) : fp8_tensor_encode_scale(a);
      if (blockIdx.x == 0 && tid == 0 && p.data[o] != nullptr) p.tensor_scale[o][0] = div_rn(1.0f, s_enc[o]);
    }
  }
  if constexpr (AMAX_ONLY) {  // maxed over all tiles of this CTA, flushed once at the end
    for (int i = tid; i < 2 * C::N2D; i += C::THREADS) (&s_amax[0][0])[i] = 0u;
  }

  // Each thread loads VPT vectors of 8 BF16 along a row of the tile.
  auto load_tile = [&](uint4 (&dst)[C::VPT], uint32_t t) {
    const uint32_t tr0 = (t / tiles_x) * C::TR, tc0 = (t % tiles_x) * C::TC;
#pragma unroll
    for (int k = 0; k < C::VPT; ++k) {
      const int v = tid + k * C::THREADS, rr = v / (C::TC / 8), cv = v % (C::TC / 8);
      dst[k] = load8(p, tr0 + rr, tc0 + cv * 8);
    }
  };
  uint4 next[C::PREFETCH ? C::VPT : 1];
  if constexpr (C::PREFETCH) {
    if (blockIdx.x < ntiles) load_tile(next, blockIdx.x);
  }

  // A grid of one CTA per tile runs the loop once; a persistent grid strides over the tiles.
  for (uint32_t tile_id = blockIdx.x; tile_id < ntiles; tile_id += gridDim.x) {
  const uint32_t r0 = (tile_id / tiles_x) * C::TR, c0 = (tile_id % tiles_x) * C::TC;
  if constexpr (TWO_D && !AMAX_ONLY) {  // the previous tile ended with a barrier
    for (int i = tid; i < 2 * C::N2D; i += C::THREADS) (&s_amax[0][0])[i] = 0u;
  }

  // 1. This tile's vectors (prefetched during the previous tile), the next tile's loads issued;
  //    a copy in smem for the column pass.
  uint4 raw[C::VPT];
  if constexpr (C::PREFETCH) {
#pragma unroll
    for (int k = 0; k < C::VPT; ++k) raw[k] = next[k];
    if (tile_id + gridDim.x < ntiles) load_tile(next, tile_id + gridDim.x);
  } else {
    load_tile(raw, tile_id);
  }
  if (do_col) {
#pragma unroll
    for (int k = 0; k < C::VPT; ++k) {
      const int v = tid + k * C::THREADS, rr = v / (C::TC / 8), cv = v % (C::TC / 8);
      *reinterpret_cast<uint4*>(&tile[rr * C::SW + ((cv * 4) ^ C::swz(rr))]) = raw[k];
    }
  }

  float hv[HAD ? C::VPT : 1][8];  // Hadamard-transformed row values
  // Row pass, quantize and store vector k given its block's amax bits.
  auto row_quantize = [&](int k, uint32_t amax_bits) {
    const int v = tid + k * C::THREADS, rr = v / (C::TC / 8), cv = v % (C::TC / 8);
    const uint32_t r = r0 + rr, c = c0 + cv * 8;
    const BlockScale s = block_scale<K, E>(amax_bits, p.ocp != 0, s_enc[0]);
    if (r >= p.rows || c >= p.cols) return;
    float vals[8];
    if constexpr (HAD) {
#pragma unroll
      for (int j = 0; j < 8; ++j) vals[j] = hv[k][j];
    } else {
      unpack8(raw[k], vals);
    }
    uint32_t r24[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    if constexpr (SR) random8(p.seed, static_cast<uint64_t>(r) * p.cols + c, r24);
    const uint2 codes = encode8<K, E, SR>(vals, s, r24);
    const int n = kRagged ? static_cast<int>(min(8u, p.cols - c)) : 8;
    const bool aligned = C::FP4 ? true : (p.cols % 8u) == 0;
    store_codes<C::FP4>(p.data[0], C::FP4 ? p.cols / 2 : p.cols, r, c, codes, n, aligned);
    const uint32_t scols = p.cols / C::B;  // FP8 per-tensor: unused
    if constexpr (K == Kind::FP8_BLOCK && TWO_D) {
      if (rr == 0 && cv == 0) store_scale<K>(p, 0, r0 / 128, c0 / 128, (p.rows + 127) / 128, scols, s);
    } else if constexpr (!kRagged) {
      if (cv % C::GR == 0) store_scale<K>(p, 0, r, c / C::B, p.rows, scols, s);
    }
  };

  // 2. Row pass, amax per 8-vector, then over the GR lanes of a block; with 1-D scales
  // also quantize right away, so the row registers are free before the column pass.
  uint32_t ramax[C::VPT];
  if (do_row) {
#pragma unroll
    for (int k = 0; k < C::VPT; ++k) {
      float v[8];
      unpack8(raw[k], v);
      if constexpr (HAD) {
        hadamard16_fwd_split(v, p.had_mask, lane & 1, 1);
#pragma unroll
        for (int j = 0; j < 8; ++j) hv[k][j] = v[j];
      }
      uint32_t m = 0;
#pragma unroll
      for (int j = 0; j < 8; ++j) m = max(m, kFinite ? finite_abs_bits(v[j]) : abs_bits(v[j]));
      ramax[k] = group_max<C::GR>(m);
      if constexpr (!TWO_D && !AMAX_ONLY) row_quantize(k, ramax[k]);
    }
  }
  __syncthreads();  // tile in smem, s_amax cleared

  if constexpr (TWO_D && !AMAX_ONLY) {
    if (do_row) {
#pragma unroll
      for (int k = 0; k < C::VPT; ++k) {
        const int v = tid + k * C::THREADS, rr = v / (C::TC / 8), cv = v % (C::TC / 8);
        if constexpr (K == Kind::NV) {
          // A warp covers 4 rows x 8 vectors of one 16-row band: max over the rows (lane bits 3, 4).
          uint32_t m = max(ramax[k], __shfl_xor_sync(0xFFFFFFFFu, ramax[k], 8));
          m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, 16));
          if ((lane & 0x19) == 0) atomicMax(&s_amax[0][(rr / 16) * (C::TC / 16) + cv / 2], m);
        } else {
          const uint32_t m = __reduce_max_sync(0xFFFFFFFFu, ramax[k]);
          if (lane == 0) atomicMax(&s_amax[0][0], m);
        }
      }
    }
  }
  if constexpr (AMAX_ONLY) {
    if (do_row) {
      uint32_t m = 0;
#pragma unroll
      for (int k = 0; k < C::VPT; ++k) m = max(m, ramax[k]);
      m = __reduce_max_sync(0xFFFFFFFFu, m);
      if (lane == 0) atomicMax(&s_amax[0][0], m);
    }
  }

  // 3. Column pass, amax. Thread = column pair p (two BF16 columns in one smem word) x VC rows.
  const int cg = lane % C::GC, cj = lane / C::GC;
  uint32_t camax[C::TPW][2];
  if (do_col) {
#pragma unroll
    for (int t = 0; t < C::TPW; ++t) {
      const int task = warp + t * (C::THREADS / 32), strip = task % C::STRIPS, rb = task / C::STRIPS;
      const int pw = strip * C::W + cj, rbase = rb * C::B + cg * C::VC;
      uint32_t m0 = 0, m1 = 0;
#pragma unroll
      for (int h = 0; h < C::VC; h += 8) {
        float a[8], b[8];
#pragma unroll
        for (int k = 0; k < 8; ++k) {
          const uint32_t w = tile[(rbase + h + k) * C::SW + (pw ^ C::swz(rbase))];
          a[k] = u2f(w << 16);
          b[k] = u2f(w & 0xFFFF0000u);
        }
        if constexpr (HAD) {
          hadamard16_fwd_split(a, p.had_mask, cg & 1, 1);
          hadamard16_fwd_split(b, p.had_mask, cg & 1, 1);
        }
#pragma unroll
        for (int k = 0; k < 8; ++k) {
          m0 = max(m0, kFinite ? finite_abs_bits(a[k]) : abs_bits(a[k]));
          m1 = max(m1, kFinite ? finite_abs_bits(b[k]) : abs_bits(b[k]));
        }
      }
      camax[t][0] = group_max<C::GC>(m0);
      camax[t][1] = group_max<C::GC>(m1);
      if constexpr (TWO_D && !AMAX_ONLY) {
        if constexpr (K == Kind::NV) {
          // 16x16 tile = rows of this block x 8 column pairs (lane bits 1..3 of cj).
          uint32_t m = max(camax[t][0], camax[t][1]);
#pragma unroll
          for (int o = C::GC; o < 8 * C::GC; o <<= 1) m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, o));
          if ((lane & (8 * C::GC - 1)) == 0) atomicMax(&s_amax[1][(rbase / 16) * (C::TC / 16) + pw / 8], m);
        } else {
          const uint32_t m = __reduce_max_sync(0xFFFFFFFFu, max(camax[t][0], camax[t][1]));
          if (lane == 0) atomicMax(&s_amax[1][0], m);
        }
      }
      if constexpr (AMAX_ONLY) {
        const uint32_t m = __reduce_max_sync(0xFFFFFFFFu, max(camax[t][0], camax[t][1]));
        if (lane == 0) atomicMax(&s_amax[1][0], m);
      }
    }
  }

  if constexpr (!AMAX_ONLY) {
    if constexpr (TWO_D) __syncthreads();

    // 4. Row pass with 2-D scales: quantize and store now that the tile amaxes are known.
    if constexpr (TWO_D) {
      if (do_row) {
#pragma unroll
        for (int k = 0; k < C::VPT; ++k) {
          const int v = tid + k * C::THREADS, rr = v / (C::TC / 8), cv = v % (C::TC / 8);
          row_quantize(k, s_amax[0][K == Kind::NV ? (rr / 16) * (C::TC / 16) + cv / 2 : 0]);
        }
      }
    }

    // 5. Column pass, quantize and store (codes of column c go to stored row c).
    if (do_col) {
      const uint32_t scols = p.rows / C::B;
      const bool col_aligned = C::FP4 ? true : (p.rows % 8u) == 0;
#pragma unroll
      for (int t = 0; t < C::TPW; ++t) {
        const int task = warp + t * (C::THREADS / 32), strip = task % C::STRIPS, rb = task / C::STRIPS;
        const int pw = strip * C::W + cj, rbase = rb * C::B + cg * C::VC;
        const uint32_t r = r0 + rbase;
#pragma unroll
        for (int side = 0; side < 2; ++side) {
          const uint32_t c = c0 + 2 * pw + side;
          uint32_t amax_bits = camax[t][side];
          if constexpr (TWO_D) amax_bits = s_amax[1][K == Kind::NV ? (rbase / 16) * (C::TC / 16) + pw / 8 : 0];
          const BlockScale s = block_scale<K, E>(amax_bits, p.ocp != 0, s_enc[1]);
#pragma unroll
          for (int h = 0; h < C::VC; h += 8) {
            float vals[8];
#pragma unroll
            for (int k = 0; k < 8; ++k) {
              const uint32_t w = tile[(rbase + h + k) * C::SW + (pw ^ C::swz(rbase))];
              vals[k] = u2f(side == 0 ? w << 16 : w & 0xFFFF0000u);
            }
            if constexpr (HAD) hadamard16_fwd_split(vals, p.had_mask, cg & 1, 1);
            if (c < p.cols && r + h < p.rows) {
              uint32_t r24[8] = {0, 0, 0, 0, 0, 0, 0, 0};
              if constexpr (SR) {
#pragma unroll
                for (int k = 0; k < 8; ++k) r24[k] = random24(p.seed, static_cast<uint64_t>(r + h + k) * p.cols + c);
              }
              const uint2 codes = encode8<K, E, SR>(vals, s, r24);
              const int n = kRagged ? static_cast<int>(min(8u, p.rows - (r + h))) : 8;
              store_codes<C::FP4>(p.data[1], C::FP4 ? p.rows / 2 : p.rows, c, r + h, codes, n, col_aligned);
            }
          }
          if (c < p.cols && r < p.rows) {
            if constexpr (K == Kind::FP8_BLOCK && TWO_D) {
              if (rbase == 0 && pw == 0 && side == 0) {
                store_scale<K>(p, 1, c0 / 128, r0 / 128, (p.cols + 127) / 128, scols, s);
              }
            } else if constexpr (!kRagged) {
              if (cg == 0) store_scale<K>(p, 1, c, r / C::B, p.cols, scols, s);
            }
          }
        }
      }
    }
  }
  __syncthreads();  // the next tile reuses tile[] and s_amax
  }  // tiles

  if constexpr (AMAX_ONLY) {
    if (tid < 2 && ((p.amax_dirs >> tid) & 1u)) atomicMax(&p.amax_out[tid], s_amax[tid][0]);
  }
}

}  // namespace dwq
