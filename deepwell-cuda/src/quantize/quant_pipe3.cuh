// The third pipelined kernel (DEEPWELL_QUANT_GRID=pipe3): same outputs as quant_tile_kernel,
// byte for byte, for the calls quant_pipe.cuh's kernels take (x 16-byte aligned, rows and cols
// multiples of 128, no stochastic rounding, no Hadamard transform, 1-D NVFP4 scales) when
// rows * cols < 2^31 (element offsets are 32-bit).
//
// Why a third version (profile of pipe V2, H200, 2026-11-26): the ROW+COL kernels issued 22
// (MXFP8) to 47 (NVFP4) thread instructions per input element, were bound by instruction issue
// (FP8 blocks, NVFP4: 74% of issue slots, the ALU pipe at 56-83%) or by issue latency with too few
// eligible warps (MXFP8), and stalled on two CTA barriers per tile. On an H100, FP8 128x128
// ROW+COL (no per-row scales) ran at 77% of copy where MXFP8 and FP8 1x128 (one small scale store
// per row and per column of every tile) ran at 67-70%. This version (per thread and 128x128 tile,
// ROW+COL, from cuobjdump -sass of the hot path: MXFP8 ~370 instructions against ~700 for V2,
// FP8 1x128 ~600 against ~1370, NVFP4 ~750 against ~1490):
//  - MXFP8 elements: one packed BF16 multiply by the power-of-two scale per 2 elements (exact:
//    see bf16x2_mul) and one pair conversion, about 2 instructions per element and copy;
//  - FP8 block elements: RN(v / s) as one multiply and two FMAs without branches (proven exact,
//    check/pipe3_math_check.cpp), 4.5 per element;
//  - NVFP4 elements: the E2M1 rounding add (5 operations; 4 when every block of the warp has its
//    largest scaled value below 7, the usual case: a scale code in the normal UE4M3 range rounds
//    by at most 1/16), nibbles paired with one multiply-add, signs taken from the input with byte
//    permutes;
//  - block amaxes: 3-input 16x2 integer max trees over the raw BF16 words (the unsigned and the
//    signed max of the bits bracket the largest magnitude of either sign), exact for every bit
//    pattern, NaN and Inf included;
//  - scale codes without divisions (MX: one packed add/shift/max for two blocks; FP8 blocks and
//    NVFP4: RN(a/448), RN(a/6) by multiply + FMA correction; NVFP4 element multipliers from a
//    per-CTA table of the 127 scale codes), proven equal to the reference;
//  - each thread's row pieces (elements 16s..16s+15 and 64+16s..64+16s+15) land next to those of
//    its three neighbours, so row codes leave as whole 64-byte (FP8) or 32-byte (FP4) runs per
//    warp store without V2's lane exchange;
//  - one CTA barrier per tile (the ring stage refilled after it is the one read before it); the
//    tile stream is walked by thread 0 and published in shared memory;
//  - the block scales of a group of tiles (DEEPWELL_QUANT_TILES, default 8x2 = 1024 x 256
//    elements, shrunk until they fit 8 KB per copy) are collected in shared memory and stored
//    once per group: row-major MX / FP8 1x128 scales as 16-byte runs (4x fewer stores).
// Exactness of the hardware paths (cvt.rn.satfinite pairs from FP32, mul.rn.bf16x2 by a power of
// two) is checked exhaustively on the GPU by quantize_check --check; the index arithmetic by
// check/pipe_index_model.py.
#pragma once

#include <cuda.h>  // CUtensorMap (the TMA fill's tensor map; no driver library is linked)
#include <cuda_runtime.h>

#include <cstdint>

#include "quant_pipe.cuh"

namespace dwq {

struct Pipe3Cfg {
  static constexpr int T = 128;  // tile rows = tile cols
  static constexpr int THREADS = 512;
  // Ring stages: tiles n .. n + STAGES - 1 in flight. 4 and 6 stages (one CTA per SM, 64 or 128
  // registers) measured no faster on an H100, and FP8 128x128 slower (2026-11-26, session 6).
  static constexpr int STAGES = 3;
  // Tiles published ahead (s_ring): STAGES + 1 of them, in a power-of-two ring. Its size is
  // part of the static shared memory that precedes the 16-byte aligned ring of FP8 128x128:
  // 8 slots instead of 4 moved that ring by 64 bytes and cost it 5 points of copy bandwidth
  // (86 -> 81%, H100, 2026-11-26, same runs; see pipe3_dynamic_smem).
  static constexpr uint32_t TILE_SLOTS = STAGES + 1 <= 4 ? 4u : 8u;
  static_assert(STAGES >= 2 && STAGES <= 7, "at most 8 tiles published ahead");
  static constexpr int STAGE_WORDS = T * T / 2;
  static constexpr int RING_BYTES = STAGES * STAGE_WORDS * 4;  // 32 KB per stage
  static constexpr int STAGING_BYTES = 8192;                   // per copy: the scales of one group
  static constexpr int SMEM_BYTES = RING_BYTES + 2 * STAGING_BYTES;
};

// Bytes of block scales per tile row (ROW copy) or tile column (COL copy) of one 128x128 tile.
template <Kind K>
constexpr int pipe3_scale_bytes() {
  return K == Kind::MX ? 4 : (K == Kind::NV ? 8 : (K == Kind::FP8_BLOCK ? 4 : 0));
}

// The visiting order: groups of gr x gc tiles (the last group row / column may be smaller), in
// bands of `band` group rows visited column by column; each CTA walks whole groups, tile by tile
// in row-major order inside a group, and stores the group's scales after its last tile.
struct Pipe3Geom {
  uint32_t tiles_x, tiles_y;
  uint32_t gr, gc;  // group shape in tiles (powers of two, gr * gc * scale bytes <= 64)
  uint32_t groups_x, groups_y, ngroups;
  uint32_t band;
  FastDiv band_div;  // band * groups_x
  FastDiv full;      // band
  FastDiv last;      // group rows of the last band
  uint32_t store_evict_first;  // codes and scales stored with an L2 evict-first hint
  uint32_t* next_group;        // when set (zeroed per launch): groups after a CTA's first are claimed here
};
inline Pipe3Geom make_pipe3_geom(uint32_t tiles_x, uint32_t tiles_y, uint32_t gr, uint32_t gc, uint32_t band_tiles,
                                 bool store_evict_first) {
  Pipe3Geom g{};
  g.tiles_x = tiles_x;
  g.tiles_y = tiles_y;
  g.gr = gr;
  g.gc = gc;
  g.groups_x = (tiles_x + gc - 1) / gc;
  g.groups_y = (tiles_y + gr - 1) / gr;
  g.ngroups = g.groups_x * g.groups_y;
  uint32_t band = band_tiles / gr;
  band = band < 1 ? 1 : (band > g.groups_y ? g.groups_y : band);
  const uint32_t bands = (g.groups_y + band - 1) / band;
  g.band = band;
  g.band_div = make_fastdiv(band * g.groups_x);
  g.full = make_fastdiv(band);
  g.last = make_fastdiv(g.groups_y - (bands - 1) * band);
  g.store_evict_first = store_evict_first ? 1u : 0u;
  return g;
}

// Word w (0..63) of tile row r in a ring stage: 16-byte chunk c = w / 4 goes to c ^ f(r),
// f(r) = ((r / 16) % 8) ^ (r % 2). cp.async (8 lanes: one row, chunks 0-7 or 8-15), the row
// pass's 16-byte reads (8 lanes: rows 2k, 2k+1 x chunks 2s (+1, +8, +9)) and the column pass's
// word reads (32 lanes: row groups 0-7 x 4 words of one chunk) are free of bank conflicts
// (pipe_index_model.py checks every instruction).
__device__ __forceinline__ int pipe3_word(int r, int w) {
  const int f = ((r >> 4) & 7) ^ (r & 1);
  return r * 64 + ((((w >> 2) ^ f)) << 2) + (w & 3);
}

// The ring stage as the TMA fill (DEEPWELL_QUANT_FETCH=tma) leaves it: two halves
// of 64 columns (16 KB each, half = w / 32); in a half, tile row r = 16 g + h is 128-byte line
// slot = 8 h + g, and its 16-byte chunk c (0-7) sits at c ^ (slot % 8) (the hardware's 128-byte
// swizzle, a function of the shared-memory address: stages are 1024-byte aligned). One TMA copy
// per (half, h) brings the eight rows h, 16 + h, ..., 112 + h into slots 8h .. 8h + 7, so the
// column pass's lanes g = 0..7 (rows 16 g + h at one step h) see eight different chunk
// positions, and the row pass's two rows per 8-lane phase (row g's of different parity, see
// pipe3_tma_row) see the even and the odd chunk positions: no bank conflicts either way
// (check/pipe_index_model.py derives the stage from the copies and checks every read).
__device__ __forceinline__ int pipe3_tma_word(int r, int w) {
  const int slot = ((r & 15) << 3) | (r >> 4);
  return (w >> 5) * 4096 + slot * 32 + (((((w >> 2) & 7) ^ (slot & 7))) << 2) + (w & 3);
}
// The tile row the row pass of 4-lane group Q (= tid / 4) works on: Q with bits 0 and 4
// swapped, so that the two groups of an 8-lane phase take rows whose g = row / 16 differ in parity.
__device__ __forceinline__ int pipe3_tma_row(int Q) { return (Q & ~0x11) | ((Q & 1) << 4) | ((Q >> 4) & 1); }

// ---- mbarrier and TMA (sm_90+) ---------------------------------------------------------------
__device__ __forceinline__ uint32_t smem_u32(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }
__device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
// Makes the initialised barriers visible to the asynchronous (TMA) proxy.
__device__ __forceinline__ void mbar_init_fence() { asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory"); }
__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
__device__ __forceinline__ bool mbar_try_wait(uint32_t bar, uint32_t parity) {
  uint32_t ok;
  asm volatile(
      "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}\n"
      : "=r"(ok)
      : "r"(bar), "r"(parity)
      : "memory");
  return ok != 0u;
}
// One box of a 3-D tensor map into shared memory; completion counted in bytes on `bar`.
__device__ __forceinline__ void tma_load_3d(uint32_t dst, const CUtensorMap* map, int c0, int c1, int c2, uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4}], [%5];\n" ::"r"(dst),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(bar)
      : "memory");
}

// The tensor map of the TMA fill over x[rows, cols] (BF16, 16-byte aligned, rows % 128 == 0,
// cols % 128 == 0): dimensions (column, row % 16, row / 16), box 64 x 1 x 8, 128-byte swizzle.
// False when the driver lacks cuTensorMapEncodeTiled or refuses the map (quant_tensor_map.cpp).
bool pipe3_input_map(const uint16_t* x, uint32_t rows, uint32_t cols, CUtensorMap* map);
// How many pipe3_input_map calls failed since the library was loaded (the checks report it).
uint64_t pipe3_tma_refusals();

// ---- packed helpers ------------------------------------------------------------------------

__device__ __forceinline__ uint32_t umax16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("max.u16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ uint32_t smax16x2(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("max.s16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ uint32_t prmt(uint32_t a, uint32_t b, uint32_t sel) {
  uint32_t d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(sel));
  return d;
}
// BF16 pair times a BF16 pair (RN). Used only with power-of-two multipliers 2^k (MX scales):
// the product is exact when it is a normal BF16 number and otherwise below 2^-126 with v's
// sign, which every MX element type encodes as a signed zero, as it does the exact product.
__device__ __forceinline__ uint32_t bf16x2_mul(uint32_t a, uint32_t b) {
  uint32_t d;
  asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b));
  return d;
}
__device__ __forceinline__ float lo_f(uint32_t w) { return u2f(w << 16); }
__device__ __forceinline__ float hi_f(uint32_t w) { return u2f(w & 0xFFFF0000u); }

// Per 16-bit lane, the largest magnitude |x| (as BF16 bits, 0..0x7FFF; NaN above 0x7F80) over
// the lanes of N words. For one lane: the unsigned max of the raw bits is the negative value of
// largest magnitude when there is one (else the largest positive), the signed max is the
// largest positive when there is one (else the negative of largest magnitude); with the sign
// masked off, the larger of the two is the largest magnitude.
template <int N>
__device__ __forceinline__ uint32_t amax16x2(const uint32_t* w) {
  uint32_t u = w[0], s = w[0];
#pragma unroll
  for (int k = 1; k < N; ++k) {
    u = umax16x2(u, w[k]);
    s = smax16x2(s, w[k]);
  }
  return umax16x2(u & 0x7FFF7FFFu, s & 0x7FFF7FFFu);
}
// Lanes of x and y interleaved: (x.lo, y.lo) and (x.hi, y.hi) maxed lane-wise: the pair
// (max(x.lo, x.hi), max(y.lo, y.hi)).
__device__ __forceinline__ uint32_t fold16x2(uint32_t x, uint32_t y) {
  return umax16x2(prmt(x, y, 0x5410u), prmt(x, y, 0x7632u));
}
// Lanes holding a non-finite magnitude (>= 0x7F80): 0x8000 set in that lane.
__device__ __forceinline__ uint32_t nonfinite16x2(uint32_t a) { return (a + 0x00800080u) & 0x80008000u; }

// FP32 finite-only magnitude max (FP8 blocks) of the lanes selected by `side` (0 lo, 1 hi, -1
// both) of N words; the slow path of blocks that hold NaN or Inf.
template <int N>
__device__ __forceinline__ uint32_t finite_amax16(const uint32_t* w, int side) {
  uint32_t m = 0;
#pragma unroll
  for (int k = 0; k < N; ++k) {
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (side >= 0 && h != side) continue;
      const uint32_t x = (w[k] >> (16 * h)) & 0x7FFFu;
      m = max(m, x >= 0x7F80u ? 0u : x);
    }
  }
  return m;
}

// cp.async without an L2 cache-policy operand. With the evict-first policy operand, nvcc 13.0.88
// compiled this kernel's cp.async (LDGSTS) with a policy descriptor register that no instruction
// had set (desc[UR1] after the policy was built in UR6:UR7), and every launch died with
// cudaErrorIllegalInstruction at that LDGSTS on H100 (compute-sanitizer, 2026-11-26).
__device__ __forceinline__ void cp_async16_nohint(uint32_t* smem_dst, const void* src) {
  const uint32_t d = static_cast<uint32_t>(__cvta_generic_to_shared(smem_dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(d), "l"(src) : "memory");
}

// Store with an optional L2 evict-first hint (policy from createpolicy; evict_normal otherwise).
__device__ __forceinline__ void st_v4(void* p, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.v4.b32 [%0], {%1, %2, %3, %4}, %5;" ::"l"(p), "r"(a), "r"(b), "r"(c), "r"(d),
               "l"(pol)
               : "memory");
}
__device__ __forceinline__ void st_v2(void* p, uint32_t a, uint32_t b, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.v2.b32 [%0], {%1, %2}, %3;" ::"l"(p), "r"(a), "r"(b), "l"(pol) : "memory");
}
__device__ __forceinline__ void st_b32(void* p, uint32_t a, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.b32 [%0], %1, %2;" ::"l"(p), "r"(a), "l"(pol) : "memory");
}

// ---- element encoders ----------------------------------------------------------------------

// FP8 codes of the 2 elements of word w times 2^k (MX), given m = 2^k in both BF16 lanes: low
// byte = low element. The second pair of a 32-bit result merges into the upper half for free.
template <Elem E>
__device__ __forceinline__ uint32_t mx_fp8_pair(uint32_t w, uint32_t m) {
  const uint32_t q = bf16x2_mul(w, m);
  return cvt_fp8x2(lo_f(q), hi_f(q), E);
}
template <Elem E>
__device__ __forceinline__ uint32_t fp8_quad(float a, float b, float c, float d) {
  return cvt_fp8x2(a, b, E) | (cvt_fp8x2(c, d, E) << 16);
}
// E2M1 nibble pair (low nibble = a) of two magnitudes, without signs: byte 0 of the result.
// BELOW7: both |a|, |b| < 7 (e2m1_magnitude_sum_bits_below7: one min fewer per element).
template <bool BELOW7 = false>
__device__ __forceinline__ uint32_t e2m1_mag_pair(float a, float b) {
  if constexpr (BELOW7) return e2m1_magnitude_sum_bits_below7(b) * 16u + e2m1_magnitude_sum_bits_below7(a);
  return e2m1_magnitude_sum_bits(b) * 16u + e2m1_magnitude_sum_bits(a);
}
// 8 nibble pairs (bytes 0 of p[0..3]) into one word.
__device__ __forceinline__ uint32_t gather_bytes(uint32_t p0, uint32_t p1, uint32_t p2, uint32_t p3) {
  return prmt(prmt(p0, p1, 0x0040u), prmt(p2, p3, 0x0040u), 0x5410u);
}
// Sign bits into an 8-nibble word: bit 3 of byte i <- sign of element 2i (even[i] = 0xFF or 0),
// bit 7 <- element 2i+1.
__device__ __forceinline__ uint32_t with_signs(uint32_t mags, uint32_t even, uint32_t odd) {
  return (mags | (even & 0x08080808u)) | (odd & 0x80808080u);
}
// Sign bytes (0xFF / 0x00) of the 8 elements of 4 row words (element 2i = low half of w[i]):
// even elements in `even`, odd ones in `odd`, byte i for pair i.
__device__ __forceinline__ void row_signs8(const uint32_t* w, uint32_t& even, uint32_t& odd) {
  const uint32_t a = prmt(w[0], w[1], 0xFBD9u);  // [s(w0.lo), s(w1.lo), s(w0.hi), s(w1.hi)]
  const uint32_t b = prmt(w[2], w[3], 0xFBD9u);
  even = prmt(a, b, 0x5410u);
  odd = prmt(a, b, 0x7632u);
}
// Same for 8 consecutive rows h = 0..7 of both columns of column-pass words (column 0: low
// halves, column 1: high halves): even[c], odd[c] for column c.
__device__ __forceinline__ void col_signs8x2(const uint32_t* cw, uint32_t (&even)[2], uint32_t (&odd)[2]) {
  uint32_t pk[4];  // rows 2k, 2k+1: [s(c0 r2k), s(c0 r2k+1), s(c1 r2k), s(c1 r2k+1)]
#pragma unroll
  for (int k = 0; k < 4; ++k) pk[k] = prmt(cw[2 * k], cw[2 * k + 1], 0xFBD9u);
  const uint32_t x0 = prmt(pk[0], pk[1], 0x5140u), y0 = prmt(pk[2], pk[3], 0x5140u);  // c0: [r0 r2 r1 r3], [r4 r6 r5 r7]
  const uint32_t x1 = prmt(pk[0], pk[1], 0x7362u), y1 = prmt(pk[2], pk[3], 0x7362u);  // c1
  even[0] = prmt(x0, y0, 0x5410u);
  odd[0] = prmt(x0, y0, 0x7632u);
  even[1] = prmt(x1, y1, 0x5410u);
  odd[1] = prmt(x1, y1, 0x7632u);
}

// NVFP4 codes of 8 consecutive elements (4 row words, element 2i = low half of w[i]) times mult.
template <bool BELOW7>
__device__ __forceinline__ uint32_t nv_row8(const uint32_t* w, float mult) {
  uint32_t pr[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) pr[i] = e2m1_mag_pair<BELOW7>(mul_rn(lo_f(w[i]), mult), mul_rn(hi_f(w[i]), mult));
  uint32_t ev, od;
  row_signs8(w, ev, od);
  return with_signs(gather_bytes(pr[0], pr[1], pr[2], pr[3]), ev, od);
}
// NVFP4 codes of rows 0..7 of both columns of 8 column-pass words: out[c] for column c.
template <bool BELOW7>
__device__ __forceinline__ void nv_col8x2(const uint32_t* cw, float m0, float m1, uint32_t (&out)[2]) {
  uint32_t pl[4], ph[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const uint32_t wa = cw[2 * i], wb = cw[2 * i + 1];
    pl[i] = e2m1_mag_pair<BELOW7>(mul_rn(lo_f(wa), m0), mul_rn(lo_f(wb), m0));
    ph[i] = e2m1_mag_pair<BELOW7>(mul_rn(hi_f(wa), m1), mul_rn(hi_f(wb), m1));
  }
  uint32_t ev[2], od[2];
  col_signs8x2(cw, ev, od);
  out[0] = with_signs(gather_bytes(pl[0], pl[1], pl[2], pl[3]), ev[0], od[0]);
  out[1] = with_signs(gather_bytes(ph[0], ph[1], ph[2], ph[3]), ev[1], od[1]);
}
// Both elements of word w times m (2^k in each BF16 lane, MX), as FP32: by the packed BF16
// multiply (exact, see bf16x2_mul) or by two FP32 multiplies (DEEPWELL_QUANT_MXMUL=fp32).
template <bool MUL_BF16>
__device__ __forceinline__ void mx_scaled_pair(uint32_t w, uint32_t m, float& lo, float& hi) {
  if constexpr (MUL_BF16) {
    const uint32_t q = bf16x2_mul(w, m);
    lo = lo_f(q);
    hi = hi_f(q);
  } else {
    lo = mul_rn(lo_f(w), lo_f(m));
    hi = mul_rn(hi_f(w), hi_f(m));
  }
}

// MX scale codes of two blocks from their amaxes (16-bit lanes, finite): mx_scale_code_bf16 lane-wise.
__device__ __forceinline__ uint32_t mx_codes16x2(uint32_t a, MxRule rule) {
  const uint32_t e = ((a + rule.r * 0x10001u) >> 7) & 0x00FF00FFu;
  const uint32_t d = rule.d * 0x10001u;
  return umax16x2(e, d) - d;
}
// Scale code 0xFF in the lanes that nonfinite16x2 flagged.
__device__ __forceinline__ uint32_t mx_nonfinite_codes(uint32_t code, uint32_t nf) {
  return (nf & 0x8000u ? 0xFFu : (code & 0xFFFFu)) | (nf & 0x80000000u ? 0xFF0000u : (code & 0xFFFF0000u));
}

// fp8_block_inverse with the correctly rounded reciprocal instead of a division (same value).
__device__ __forceinline__ float fp8_block_inverse_rcp(float s) { return s >= 5.42101086e-20f ? __frcp_rn(s) : 0.0f; }
// E4M3 code of one element of an FP8 block that holds NaN or Inf, or whose multiplier is 0 (the
// reference's division): NaN -> 0x7F, otherwise fp8_block_quotient.
__device__ __forceinline__ uint32_t fp8_block_slow1(float v, float s, float y) {
  return v != v ? 0x7Fu : (cvt_fp8x2(fp8_block_quotient(v, s, y), 0.0f, Elem::E4M3) & 0xFFu);
}
__device__ __forceinline__ uint32_t fp8_block_slow4(uint32_t w0, uint32_t w1, float s, float y) {
  return fp8_block_slow1(lo_f(w0), s, y) | (fp8_block_slow1(hi_f(w0), s, y) << 8) | (fp8_block_slow1(lo_f(w1), s, y) << 16) |
         (fp8_block_slow1(hi_f(w1), s, y) << 24);
}

// Stores the staged block scales of one group for copy o (0 ROW, 1 COL). The staging buffer
// holds, per staged row (a row of x for ROW, a column of x for COL; nrt * 128 of them), the
// scale bytes of the group's ncolt tiles along the blocked axis, SB bytes per tile, row pitch
// pitch_tiles * SB. r_t0 / c_t0: the group's first tile along the staged rows / the blocked axis.
// Each thread stores 4-byte units; consecutive lanes take consecutive units of a staged row
// (row-major and 128x4 layouts: a row's units are contiguous) or consecutive staged rows
// (MN-major FP8 scales: a column of the scale matrix is contiguous).
template <Kind K>
__device__ __forceinline__ void pipe3_flush_scales(const QuantParams& p, int o, const uint8_t* staging, uint32_t r_t0,
                                                   uint32_t c_t0, uint32_t nrt, uint32_t ncolt, uint32_t pitch_tiles,
                                                   int tid, uint64_t pol) {
  constexpr int SB = pipe3_scale_bytes<K>();
  constexpr int UPT = SB / 4;  // 4-byte units per tile
  const uint32_t pitch = pitch_tiles * SB;
  const uint32_t srows = o == 0 ? p.rows : p.cols;  // scale matrix rows (staged rows)
  const uint32_t blocked = o == 0 ? p.cols : p.rows;
  const uint32_t rows_total = nrt * 128u, units = ncolt * UPT;
  const uint32_t upr_log2 = pitch_tiles == 1 ? 0u : (pitch_tiles == 2 ? 1u : (pitch_tiles == 4 ? 2u : 3u));
  const uint32_t upr = pitch_tiles * UPT;  // units per staged row in the buffer (a power of two)
  const uint32_t ulog = upr_log2 + (UPT == 2 ? 1u : 0u);
  if constexpr (K == Kind::FP8_BLOCK) {
    float* base = reinterpret_cast<float*>(p.scales[o]);
    const uint32_t scols = blocked / 128u;
    if (p.layout == 2u) {  // MN-major: entry (m, kb) at kb * M + m
      for (uint32_t k = 0; k < units; ++k) {
        for (uint32_t r = tid; r < rows_total; r += Pipe3Cfg::THREADS) {
          const uint32_t v = *reinterpret_cast<const uint32_t*>(staging + r * pitch + 4 * k);
          st_b32(base + static_cast<uint64_t>(c_t0 + k) * srows + r_t0 * 128u + r, v, pol);
        }
      }
      return;
    }
    for (uint32_t u = tid; u < rows_total * upr; u += Pipe3Cfg::THREADS) {
      const uint32_t r = u >> ulog, k = u & (upr - 1);
      if (k >= units) continue;
      const uint32_t v = *reinterpret_cast<const uint32_t*>(staging + r * pitch + 4 * k);
      st_b32(base + static_cast<uint64_t>(r_t0 * 128u + r) * scols + c_t0 + k, v, pol);
    }
  } else {
    constexpr uint32_t B = K == Kind::MX ? 32u : 16u;
    const uint32_t scols = blocked / B;
    for (uint32_t u = tid; u < rows_total * upr; u += Pipe3Cfg::THREADS) {
      const uint32_t r = u >> ulog, k = u & (upr - 1);
      if (k >= units) continue;
      const uint32_t v = *reinterpret_cast<const uint32_t*>(staging + r * pitch + 4 * k);
      const uint32_t sr = r_t0 * 128u + r, sc = c_t0 * (128u / B) + 4 * k;
      st_b32(p.scales[o] + scale_offset(p.layout, sr, sc, srows, scols), v, pol);
    }
  }
}

// Row codes of pieces A (elements 16s..16s+15 of the row) and B (64 + 16s..) from element
// index e of piece A: 16 bytes each (FP8) or 8 (FP4). Lanes 4k..4k+3 store 64 (32) contiguous
// bytes of one row per instruction.
template <bool FP4>
__device__ __forceinline__ void pipe3_store_row_pieces(uint8_t* data, uint32_t e, const uint32_t (&out)[2][4], uint64_t pol) {
  if constexpr (FP4) {
    uint8_t* d = data + e / 2u;
    st_v2(d, out[0][0], out[0][1], pol);
    st_v2(d + 32, out[1][0], out[1][1], pol);
  } else {
    uint8_t* d = data + e;
    st_v4(d, out[0][0], out[0][1], out[0][2], out[0][3], pol);
    st_v4(d + 64, out[1][0], out[1][1], out[1][2], out[1][3], pol);
  }
}
// COL codes of columns 2q (o[0]) and 2q + 1 (o[1]), 16 rows each, from COL element e of the first.
template <bool FP4>
__device__ __forceinline__ void pipe3_store_col_pair(uint8_t* data, uint32_t e, uint32_t rows, const uint32_t (&o)[2][4],
                                                     uint64_t pol) {
  if constexpr (FP4) {
    st_v2(data + e / 2u, o[0][0], o[0][1], pol);
    st_v2(data + (e + rows) / 2u, o[1][0], o[1][1], pol);
  } else {
    st_v4(data + e, o[0][0], o[0][1], o[0][2], o[0][3], pol);
    st_v4(data + e + rows, o[1][0], o[1][1], o[1][2], o[1][3], pol);
  }
}
// NVFP4 scale codes of two blocks from their finite amaxes (16-bit lanes): UE4M3 of
// RN(RN(amax / 6) * s_enc), bytes 0 and 1 (cvt.rn.satfinite is the reference's encoder here:
// the value is >= 0 and never NaN).
__device__ __forceinline__ uint32_t nv_codes16x2(uint32_t a, float s_enc) {
  const float x0 = mul_rn(div6_rn(u2f(a << 16)), s_enc), x1 = mul_rn(div6_rn(u2f(a & 0xFFFF0000u)), s_enc);
  return cvt_fp8x2(x0, x1, Elem::E4M3);
}

// Cursor at the first tile of group gidx: x = gidx, y = 0 (jr | jc << 8), z / w = the group's
// first tile row / column (z = w = 0 past the last group).
__device__ __forceinline__ uint4 pipe3_group_start(const Pipe3Geom& geo, uint32_t gidx) {
  if (gidx >= geo.ngroups) return make_uint4(gidx, 0u, 0u, 0u);
  const uint32_t b = fast_div(gidx, geo.band_div.m, geo.band_div.s), i = gidx - b * geo.band_div.d;
  const bool full = (b + 1) * geo.band <= geo.groups_y;
  const uint32_t hm = full ? geo.full.m : geo.last.m, hs = full ? geo.full.s : geo.last.s, hd = full ? geo.full.d : geo.last.d;
  const uint32_t gx = fast_div(i, hm, hs), gy = b * geo.band + (i - gx * hd);
  return make_uint4(gidx, 0u, gy * geo.gr, gx * geo.gc);
}

// ---- the kernel ----------------------------------------------------------------------------

// The kernel's dynamic shared memory (ring + staging), 1024-byte aligned or not. The TMA fill
// needs 1024 (its 128-byte swizzle is a function of the address). Where the ring starts matters
// to the LDGSTS kernels as well, by up to 12 points of copy bandwidth, for reasons the counters do
// not show (H100, 2026-11-26). Session 5, two CTAs per SM: 1024-aligned, MXFP8 ROW+COL ran 83.4-
// 84.4% of copy against 78.8-79.1% 16-aligned, MXFP4 80-83 against 72-73, NVFP4 with a given amax
// 77-78 against 71. Session 6, one CTA per SM, an experiment that moved the ring by P bytes past
// its base: P = 128, 256, 384, 512, 768 ran like P = 0 for every kind, P = 16, 48 and 64 cost up
// to 12 points (MXFP4 90 -> 78%); Nsight Compute counted the same shared-memory wavefronts (within
// 0.4%) at P = 0 and 16 while the kernel took 2.4% longer. FP8 128x128, the one kernel without
// staged scales, is the exception to "1024-aligned is best": 84.0-84.4% 1024-aligned against
// 87.3-87.6% 16-aligned (its static variables put the ring at another multiple of 128), same runs;
// a 64-byte change of those static variables (an 8-slot s_ring) dropped it to 81%. So keep the
// static shared memory of this kernel as it is, or measure again. nvcc gives every kernel of a
// translation unit the largest alignment any of them asks for, so the 16-aligned one (FP8 128x128,
// LDGSTS only) is compiled alone, in fp8_block2d_pipe3.cu.
template <bool kAlign1024>
__device__ __forceinline__ uint32_t* pipe3_dynamic_smem() {
  if constexpr (kAlign1024) {
    extern __shared__ __align__(1024) uint32_t p3_smem_a1024[];
    return p3_smem_a1024;
  } else {
    extern __shared__ __align__(16) uint32_t p3_smem_a16[];
    return p3_smem_a16;
  }
}

// TMA (DEEPWELL_QUANT_FETCH=tma): warp 0 fills the ring with 32 TMA copies per
// tile that complete on the stage's mbarrier (layout pipe3_tma_word); otherwise every thread
// issues 4 cp.async (LDGSTS) per tile (layout pipe3_word). Nsight Compute put the LDGSTS fill at
// 4x the shared-memory wavefronts its bytes need and in the MIO queue the reads wait on.
template <Kind K, Elem E, bool TWO_D, bool MUL_BF16, bool TMA>
__global__ void __launch_bounds__(Pipe3Cfg::THREADS, 2)
    quant_pipe3_kernel(const QuantParams p, const Pipe3Geom geo, const __grid_constant__ CUtensorMap in_map) {
  using C = Pipe3Cfg;
  constexpr bool kFP4 = E == Elem::E2M1;
  constexpr int SB = pipe3_scale_bytes<K>();
  constexpr bool kStage = SB > 0 && !TWO_D;  // block scales go through the staging buffers
  // With the TMA fill the loop needs no CTA barrier per tile: stages are handed over by
  // mbarriers (s_full: the tile landed; s_empty: all 16 warps are done with it), and warps drift
  // apart by up to a tile instead of all waiting for the slowest. The group flush keeps two
  // barriers (once per group of tiles). FP8 128x128 has the LDGSTS fill only: its tile amax is
  // reduced through s_red, which needs barrier (A) between one tile's readers and the next's
  // writers (and launch_pipe3 never asks for it).
  static_assert(!(TMA && TWO_D), "the TMA fill is not built for FP8 128x128 blocks");
  uint32_t* const p3_smem = pipe3_dynamic_smem<!TWO_D>();
  __shared__ uint64_t s_full[Pipe3Cfg::STAGES];          // TMA: stage s holds its tile (phase per use)
  __shared__ uint64_t s_empty[Pipe3Cfg::STAGES];         // TMA: every warp is done with stage s
  __shared__ uint4 s_ring[C::TILE_SLOTS];      // tiles n % slots: tr, tc, group position, flags
  __shared__ uint4 s_cursor;                   // thread 0: the next tile of the stream
  __shared__ float s_nvmult[128];              // NVFP4: element multiplier of each scale code
  __shared__ uint32_t s_red[C::THREADS / 32];  // FP8 128x128: per-warp finite amax

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const bool do_row = p.data[0] != nullptr, do_col = p.data[1] != nullptr;
  uint64_t store_policy;
  if (geo.store_evict_first) {
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(store_policy));
  } else {
    asm volatile("createpolicy.fractional.L2::evict_normal.b64 %0, 1.0;\n" : "=l"(store_policy));
  }
  uint8_t* const staging = reinterpret_cast<uint8_t*>(p3_smem + C::STAGES * C::STAGE_WORDS);  // [ROW | COL]

  float s_enc = 1.0f;
  if constexpr (K == Kind::NV || K == Kind::FP8_TENSOR) {
    const float a = u2f(p.amax[0]);
    s_enc = K == Kind::NV ? nvfp4_encode_scale(a) : fp8_tensor_encode_scale(a);
    if (blockIdx.x == 0 && tid == 0) {
      const float t = div_rn(1.0f, s_enc);
      if (do_row) p.tensor_scale[0][0] = t;
      if (do_col) p.tensor_scale[1][0] = t;
    }
    if constexpr (K == Kind::NV) {
      if (tid < 128) s_nvmult[tid] = nvfp4_element_scale(s_enc, static_cast<uint32_t>(tid));  // read after barrier (A)
    }
  }

  // ---- the tile stream of this CTA: group blockIdx.x, then gridDim.x + the values thread 0 draws
  // from geo.next_group (atomicAdd: each group once, to whichever CTA asks first) or, without a
  // counter, the fixed share blockIdx.x + gridDim.x, + 2 gridDim.x, ...; tiles row-major ----
  // Thread 0 walks it (cursor in shared memory: no registers held through the loop) and
  // publishes tile n in s_ring[n % N] (N = TILE_SLOTS >= S + 1) during iteration n - S (S =
  // STAGES); every thread reads it after barrier (A) of iteration n - S + 1 (to fetch it) and of
  // iteration n (to work on it). The slot it overwrites held tile n - N + S, last read in
  // iteration n - N + S <= n - 1, before that barrier. With the TMA fill (no barrier (A)): warp 0
  // fetches tile n in iteration n - S + 1 after a __syncwarp, and the other warps read slot n % N
  // after s_full says tile n landed, which warp 0's lane 0 released after the slot was written;
  // thread 0 writes a slot in iteration n only after s_empty says every warp is done with tile
  // n - 1.
  auto publish = [&](uint32_t slot) {  // thread 0 only
    uint4 c = s_cursor;  // x group, y = jr | jc << 8, z / w = the group's first tile row / column
    uint4 out = make_uint4(0u, 0u, 0u, 0u);
    if (c.x < geo.ngroups) {
      const uint32_t rows = min(geo.gr, geo.tiles_y - c.z), cols = min(geo.gc, geo.tiles_x - c.w);
      const uint32_t jr = c.y & 0xFFu, jc = c.y >> 8;
      const bool last = jr + 1 == rows && jc + 1 == cols;
      out = make_uint4(c.z + jr, c.w + jc, jr | (jc << 8) | (rows << 16) | (cols << 24), 0x80000000u | (last ? 1u : 0u));
      if (jc + 1 < cols) {
        c.y = jr | ((jc + 1) << 8);
      } else if (jr + 1 < rows) {
        c.y = jr + 1;
      } else {
        c = pipe3_group_start(geo, geo.next_group != nullptr ? gridDim.x + atomicAdd(geo.next_group, 1u) : c.x + gridDim.x);
      }
      s_cursor = c;
    }
    s_ring[slot] = out;
  };
  // cp.async of the tile in ring slot `slot` (if any) into stage st; one commit group per call.
  // Copy k of a thread: tile row (tid >> 4) + 32k, chunk (tid & 15): shared-memory byte offset
  // cp_s ^ 32k (the row's swizzle f changes by 2k) + 8 KB * k; global element offset cp_g + 32k
  // rows. (Offsets within x fit 32 bits: rows * cols < 2^31 for this kernel.)
  uint32_t cp_s = static_cast<uint32_t>(pipe3_word(tid >> 4, (tid & 15) * 4)) * 4u;
  uint32_t cp_g = static_cast<uint32_t>(tid >> 4) * p.cols + static_cast<uint32_t>(tid & 15) * 8u;
  auto fetch = [&](uint32_t slot, int st) {
    if constexpr (TMA) {
      // Warp 0: lane (half, h) = (lane / 16, lane % 16) copies rows h, 16 + h, .., 112 + h of
      // the half's 64 columns into slots 8h .. 8h + 7 (1 KB); 32 KB complete on s_full[st].
      // A slot past the end of the stream completes the barrier's phase without bytes, so that
      // the warps waiting on it learn that the stream has ended.
      if (warp == 0) {
        const uint4 t = s_ring[slot];
        const uint32_t bar = smem_u32(&s_full[st]);
        if (t.w == 0u) {
          if (lane == 0) mbar_arrive(bar);
        } else {
          if (lane == 0) mbar_arrive_expect_tx(bar, C::STAGE_WORDS * 4);
          const uint32_t half = static_cast<uint32_t>(lane) >> 4, h = static_cast<uint32_t>(lane) & 15u;
          const uint32_t dst = smem_u32(p3_smem + st * C::STAGE_WORDS) + half * 16384u + h * 1024u;
          tma_load_3d(dst, &in_map, static_cast<int>(t.y * C::T + half * 64u), static_cast<int>(h), static_cast<int>(t.x * 8u),
                      bar);
        }
      }
      return;
    }
    const uint4 t = s_ring[slot];
    if (t.w != 0u) {
      const uint16_t* src = p.x + (t.x * C::T * p.cols + t.y * C::T + cp_g);
      uint8_t* dst = reinterpret_cast<uint8_t*>(p3_smem) + st * (C::STAGE_WORDS * 4);
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        cp_async16_nohint(reinterpret_cast<uint32_t*>(dst + ((cp_s ^ (32u * k)) + 8192u * k)),
                          src + static_cast<size_t>(32u * k) * p.cols);
      }
    }
    cp_async_commit();
  };

  // Loop-invariant offsets of this thread.
  const int rr = TMA ? pipe3_tma_row(tid >> 2) : tid >> 2;  // row pass: tile row,
  const int seg = tid & 3;                                   // 16-element pieces seg and 4 + seg
  const int g = lane & 7, q = warp * 4 + (lane >> 3);  // column pass: rows 16g.., columns 2q, 2q + 1
  // Row pass: chunks 2s, 2s+1, 2s+8, 2s+9 of row rr = words rowb, rowb ^ 4, rowb + 32, (rowb ^ 4) + 32.
  // (TMA layout: chunks 2s + 8, 2s + 9 are in the other half, + 4096 words.)
  int rowb = TMA ? pipe3_tma_word(rr, seg * 8) : pipe3_word(rr, seg * 8);
  // Column pass: word q of rows 16g + h = colb (h even) or colb ^ 4 (h odd), + 64 h (TMA layout:
  // colb + 256 h).
  int colb = TMA ? pipe3_tma_word(16 * g, q) : 16 * g * 64 + ((((q >> 2) ^ g)) << 2) + (q & 3);
  uint32_t row_toff = static_cast<uint32_t>(rr) * p.cols + 16u * seg;  // + tile origin: element of piece A
  uint32_t col_toff = 2u * q * p.rows + 16u * g;                      // + tile origin: COL element of column 2q
  // Staging bytes of this thread's scales: ROW (row rr of tile (jr, jc) = + (128 jr) pitch + jc SB) and COL.
  uint32_t row_stoff = static_cast<uint32_t>(rr) * (geo.gc * SB) + (K == Kind::MX ? (seg & 1) * 2 + (seg >> 1) : (K == Kind::NV ? seg : 0));
  uint32_t col_stoff = (2u * q + (K == Kind::MX ? (g & 1) : 0u)) * (geo.gr * SB) + (K == Kind::MX ? (g >> 1) : (K == Kind::NV ? g : 0));
  {
    // Keep these in registers: values read back from shared memory cannot be recomputed from
    // the thread index inside the loop (the compiler otherwise re-derives them every tile).
    uint32_t* scratch = reinterpret_cast<uint32_t*>(staging) + tid * 8;
    scratch[0] = static_cast<uint32_t>(rowb);
    scratch[1] = static_cast<uint32_t>(colb);
    scratch[2] = row_toff;
    scratch[3] = col_toff;
    scratch[4] = row_stoff;
    scratch[5] = col_stoff;
    scratch[6] = cp_s;
    scratch[7] = cp_g;
    __syncwarp();
    const volatile uint32_t* vs = scratch;
    rowb = static_cast<int>(vs[0]);
    colb = static_cast<int>(vs[1]);
    row_toff = vs[2];
    col_toff = vs[3];
    row_stoff = vs[4];
    col_stoff = vs[5];
    cp_s = vs[6];
    cp_g = vs[7];
  }

  if (tid == 0) {
    s_cursor = pipe3_group_start(geo, blockIdx.x);
    for (uint32_t t = 0; t < static_cast<uint32_t>(C::STAGES); ++t) publish(t);
    if constexpr (TMA) {
#pragma unroll
      for (int st = 0; st < C::STAGES; ++st) {
        mbar_init(smem_u32(&s_full[st]), 1u);
        mbar_init(smem_u32(&s_empty[st]), C::THREADS / 32);
      }
      mbar_init_fence();
    }
  }
  __syncthreads();
#pragma unroll
  for (int t = 0; t + 1 < C::STAGES; ++t) fetch(static_cast<uint32_t>(t), t);
  int stage = 0;
  uint32_t phase = 0;  // TMA: parity of the current use of `stage`'s barriers
  for (uint32_t n = 0;; ++n) {
    const int prev = stage == 0 ? C::STAGES - 1 : stage - 1;  // stage of tile n - 1 and n + STAGES - 1
    if constexpr (TMA) {
      const uint32_t bar = smem_u32(&s_full[stage]);
      while (!mbar_try_wait(bar, phase)) {
      }
    } else {
      cp_async_wait<C::STAGES - 2>();
      __syncthreads();  // (A) tile n landed for every thread; every thread is done with tile n - 1
    }
    const uint4 info = s_ring[n & (C::TILE_SLOTS - 1)];
    if (info.w == 0u) break;  // uniform: the stream has ended
    if constexpr (TMA) {
      if (warp == 0) {
        // Tile n + STAGES - 1 goes where tile n - 1 was: wait until every warp is done with it (its use
        // of that stage had parity `phase` when prev < stage, else the one before).
        if (n > 0) {
          const uint32_t bar = smem_u32(&s_empty[prev]);
          const uint32_t parity = prev < stage ? phase : phase ^ 1u;
          while (!mbar_try_wait(bar, parity)) {
          }
        }
        __syncwarp();
        fetch((n + C::STAGES - 1) & (C::TILE_SLOTS - 1), prev);
        if (tid == 0) publish((n + C::STAGES) & (C::TILE_SLOTS - 1));
      }
    } else {
      fetch((n + C::STAGES - 1) & (C::TILE_SLOTS - 1), prev);
      if (tid == 0) publish((n + C::STAGES) & (C::TILE_SLOTS - 1));
    }
    const uint32_t* tile = p3_smem + stage * C::STAGE_WORDS;
    const uint32_t r0 = info.x * C::T, c0 = info.y * C::T;
    const uint32_t jr = info.z & 0xFFu, jc = (info.z >> 8) & 0xFFu;
    const uint32_t row_elem = r0 * p.cols + c0 + row_toff;  // element (r0 + rr, c0 + 16 seg)
    const uint32_t col_elem = c0 * p.rows + r0 + col_toff;  // COL element (c0 + 2q, r0 + 16 g)

    uint32_t rw[16];
    if (do_row || TWO_D) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const uint4 v = *reinterpret_cast<const uint4*>(tile + ((j & 1) ? (rowb ^ 4) : rowb) + (j >> 1) * (TMA ? 4096 : 32));
        rw[4 * j] = v.x;
        rw[4 * j + 1] = v.y;
        rw[4 * j + 2] = v.z;
        rw[4 * j + 3] = v.w;
      }
    }
    uint32_t tile_amax = 0;  // FP8 128x128: finite amax of the tile (BF16 magnitude bits)
    bool tile_nonfinite = false;
    if constexpr (TWO_D) {
      const uint32_t m2 = amax16x2<16>(rw);
      const uint32_t raw = max(m2 & 0xFFFFu, m2 >> 16);
      tile_nonfinite = raw >= 0x7F80u;
      uint32_t m = tile_nonfinite ? finite_amax16<16>(rw, -1) : raw;
      m = __reduce_max_sync(0xFFFFFFFFu, m);
      if (lane == 0) s_red[warp] = m;
      tile_nonfinite = __syncthreads_or(tile_nonfinite) != 0;
      m = 0;
#pragma unroll
      for (int k = 0; k < C::THREADS / 32; ++k) m = max(m, s_red[k]);
      tile_amax = m;
    }

    // ---- row pass: row rr, piece A = elements 16s..16s+15 (rw[0..7]), B = 64 + 16s.. (rw[8..15]) ----
    if (do_row) {
      uint8_t* const stg = staging + (jr * 128u * (geo.gc * SB) + jc * SB) + row_stoff;  // this thread's scale byte(s) of the tile
      if constexpr (K == Kind::MX) {
        const MxRule rule = mx_rule(p.ocp != 0, E == Elem::E4M3 ? 8 : (E == Elem::E5M2 ? 15 : 2));
        uint32_t a = fold16x2(amax16x2<8>(rw), amax16x2<8>(rw + 8));  // (block of A, block of B): this lane's half
        a = umax16x2(a, __shfl_xor_sync(0xFFFFFFFFu, a, 1));            // the other half: lane seg ^ 1
        const uint32_t nf = nonfinite16x2(a);
        const uint32_t code = mx_codes16x2(a, rule);
        const uint32_t mul2 = 0x7F007F00u - code * 128u;  // 2^(127 - code) as BF16, lane 0 for A, lane 1 for B
        const uint32_t scode = nf == 0u ? code : mx_nonfinite_codes(code, nf);  // 0xFF: the block held NaN or Inf
        *stg = static_cast<uint8_t>((seg & 1) ? (scode >> 16) : scode);
        uint32_t out[2][4];
#pragma unroll
        for (int pc = 0; pc < 2; ++pc) {
          const uint32_t m = prmt(mul2, mul2, pc ? 0x3232u : 0x1010u);  // this piece's multiplier in both lanes
          if constexpr (!kFP4) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
              float f[4];
              mx_scaled_pair<MUL_BF16>(rw[8 * pc + 2 * i], m, f[0], f[1]);
              mx_scaled_pair<MUL_BF16>(rw[8 * pc + 2 * i + 1], m, f[2], f[3]);
              out[pc][i] = fp8_quad<E>(f[0], f[1], f[2], f[3]);
            }
          } else {
#pragma unroll
            for (int h = 0; h < 2; ++h) {
              uint32_t pr[4];
#pragma unroll
              for (int i = 0; i < 4; ++i) {
                float lo, hi;
                mx_scaled_pair<MUL_BF16>(rw[8 * pc + 4 * h + i], m, lo, hi);
                pr[i] = e2m1_mag_pair(lo, hi);
              }
              uint32_t ev, od;
              row_signs8(rw + 8 * pc + 4 * h, ev, od);
              out[pc][h] = with_signs(gather_bytes(pr[0], pr[1], pr[2], pr[3]), ev, od);
            }
          }
        }
        if (__any_sync(0xFFFFFFFFu, nf != 0u)) {  // rare: blocks with NaN or Inf get zero codes
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            if (nf & 0x8000u) out[0][i] = 0u;
            if (nf & 0x80000000u) out[1][i] = 0u;
          }
        }
        pipe3_store_row_pieces<kFP4>(p.data[0], row_elem, out, store_policy);
      } else if constexpr (K == Kind::NV) {
        const uint32_t a = fold16x2(amax16x2<8>(rw), amax16x2<8>(rw + 8));  // (block A, block B)
        const uint32_t nf = nonfinite16x2(a);
        uint32_t codes = nv_codes16x2(a, s_enc);  // UE4M3 codes in bytes 0 (A) and 1 (B)
        if (nf != 0u) codes = (nf & 0x8000u ? 0x7Fu : (codes & 0xFFu)) | (nf & 0x80000000u ? 0x7F00u : (codes & 0xFF00u));
        stg[0] = static_cast<uint8_t>(codes);
        stg[4] = static_cast<uint8_t>(codes >> 8);
        const float ma = s_nvmult[codes & 0x7Fu], mb = s_nvmult[(codes >> 8) & 0x7Fu];
        // Blocks whose largest scaled value is below 7 skip the saturating min per element.
        const bool below7 = mul_rn(u2f(a << 16), ma) < 7.0f && mul_rn(u2f(a & 0xFFFF0000u), mb) < 7.0f;
        uint32_t out[2][4];
        if (__all_sync(0xFFFFFFFFu, below7)) {
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            out[0][h] = nv_row8<true>(rw + 4 * h, ma);
            out[1][h] = nv_row8<true>(rw + 8 + 4 * h, mb);
          }
        } else {
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            out[0][h] = nv_row8<false>(rw + 4 * h, ma);
            out[1][h] = nv_row8<false>(rw + 8 + 4 * h, mb);
          }
        }
        if (__any_sync(0xFFFFFFFFu, nf != 0u)) {
          if (nf & 0x8000u) out[0][0] = out[0][1] = 0u;
          if (nf & 0x80000000u) out[1][0] = out[1][1] = 0u;
        }
        pipe3_store_row_pieces<true>(p.data[0], row_elem, out, store_policy);
      } else if constexpr (K == Kind::FP8_TENSOR) {
        uint32_t out[2][4];
#pragma unroll
        for (int pc = 0; pc < 2; ++pc) {
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            const uint32_t w0 = rw[8 * pc + 2 * i], w1 = rw[8 * pc + 2 * i + 1];
            out[pc][i] = fp8_quad<Elem::E4M3>(mul_rn(lo_f(w0), s_enc), mul_rn(hi_f(w0), s_enc), mul_rn(lo_f(w1), s_enc),
                                              mul_rn(hi_f(w1), s_enc));
          }
        }
        pipe3_store_row_pieces<false>(p.data[0], row_elem, out, store_policy);
      } else {  // FP8 blocks
        uint32_t amax;
        bool nonfinite;
        if constexpr (TWO_D) {
          amax = tile_amax;
          nonfinite = tile_nonfinite;
        } else {
          const uint32_t m2 = amax16x2<16>(rw);
          uint32_t m = max(m2 & 0xFFFFu, m2 >> 16);
          m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, 1));
          m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, 2));  // the 1x128 block: lanes 4k .. 4k + 3
          nonfinite = m >= 0x7F80u;
          if (__any_sync(0xFFFFFFFFu, nonfinite)) {  // rare: finite-only amax of such blocks
            uint32_t f = nonfinite ? finite_amax16<16>(rw, -1) : m;
            f = max(f, __shfl_xor_sync(0xFFFFFFFFu, f, 1));
            m = max(f, __shfl_xor_sync(0xFFFFFFFFu, f, 2));
          }
          amax = m;
        }
        const float s = amax == 0u ? 1.0f : div448_rn(u2f(amax << 16));
        const float y = fp8_block_inverse_rcp(s);
        if constexpr (kStage) {
          if (seg == 0) *reinterpret_cast<float*>(stg) = s;
        } else {
          if (tid == 0) reinterpret_cast<float*>(p.scales[0])[static_cast<uint64_t>(info.x) * (p.cols / 128) + info.y] = s;
        }
        uint32_t out[2][4];
        if (!__any_sync(0xFFFFFFFFu, nonfinite || y == 0.0f)) {
#pragma unroll
          for (int pc = 0; pc < 2; ++pc) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
              const uint32_t w0 = rw[8 * pc + 2 * i], w1 = rw[8 * pc + 2 * i + 1];
              out[pc][i] = fp8_quad<Elem::E4M3>(fp8_block_quotient_finite(lo_f(w0), s, y), fp8_block_quotient_finite(hi_f(w0), s, y),
                                                fp8_block_quotient_finite(lo_f(w1), s, y), fp8_block_quotient_finite(hi_f(w1), s, y));
            }
          }
        } else {  // rare: some block of the warp holds NaN or Inf, or divides exactly
          const bool slow = nonfinite || y == 0.0f;
#pragma unroll
          for (int pc = 0; pc < 2; ++pc) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
              const uint32_t w0 = rw[8 * pc + 2 * i], w1 = rw[8 * pc + 2 * i + 1];
              out[pc][i] = slow ? fp8_block_slow4(w0, w1, s, y)
                                : fp8_quad<Elem::E4M3>(fp8_block_quotient_finite(lo_f(w0), s, y), fp8_block_quotient_finite(hi_f(w0), s, y),
                                                       fp8_block_quotient_finite(lo_f(w1), s, y), fp8_block_quotient_finite(hi_f(w1), s, y));
            }
          }
        }
        pipe3_store_row_pieces<false>(p.data[0], row_elem, out, store_policy);
      }
    }

    // ---- column pass: columns 2q, 2q + 1 x rows 16g .. 16g + 15 of the tile ----
    if (do_col) {
      uint32_t cw[16];
#pragma unroll
      for (int h = 0; h < 16; ++h) cw[h] = TMA ? tile[colb + h * 256] : tile[((h & 1) ? (colb ^ 4) : colb) + h * 64];
      // column 2q's scales (MX: this lane's byte of column 2q + (g & 1)), next column + col_pitch
      uint8_t* const stg = staging + C::STAGING_BYTES + (jc * 128u * (geo.gr * SB) + jr * SB) + col_stoff;
      const uint32_t col_pitch = geo.gr * SB;

      if constexpr (K == Kind::MX) {
        const MxRule rule = mx_rule(p.ocp != 0, E == Elem::E4M3 ? 8 : (E == Elem::E5M2 ? 15 : 2));
        uint32_t a = amax16x2<16>(cw);                        // (column 2q, column 2q + 1), 16 rows
        a = umax16x2(a, __shfl_xor_sync(0xFFFFFFFFu, a, 1));  // the 32-row block: lanes g, g ^ 1
        const uint32_t nf = nonfinite16x2(a);
        const uint32_t code = mx_codes16x2(a, rule);
        const uint32_t mul2 = 0x7F007F00u - code * 128u;  // lane 0: column 2q, lane 1: column 2q + 1
        const uint32_t scode = nf == 0u ? code : mx_nonfinite_codes(code, nf);
        *stg = static_cast<uint8_t>((g & 1) ? (scode >> 16) : scode);
        uint32_t o[2][4];
        if constexpr (!kFP4) {
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            float lo[4], hi[4];
#pragma unroll
            for (int k = 0; k < 4; ++k) mx_scaled_pair<MUL_BF16>(cw[4 * i + k], mul2, lo[k], hi[k]);
            o[0][i] = fp8_quad<E>(lo[0], lo[1], lo[2], lo[3]);
            o[1][i] = fp8_quad<E>(hi[0], hi[1], hi[2], hi[3]);
          }
        } else {
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            uint32_t pl[4], ph[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
              float alo, ahi, blo, bhi;
              mx_scaled_pair<MUL_BF16>(cw[8 * h + 2 * i], mul2, alo, ahi);
              mx_scaled_pair<MUL_BF16>(cw[8 * h + 2 * i + 1], mul2, blo, bhi);
              pl[i] = e2m1_mag_pair(alo, blo);
              ph[i] = e2m1_mag_pair(ahi, bhi);
            }
            uint32_t ev[2], od[2];
            col_signs8x2(cw + 8 * h, ev, od);
            o[0][h] = with_signs(gather_bytes(pl[0], pl[1], pl[2], pl[3]), ev[0], od[0]);
            o[1][h] = with_signs(gather_bytes(ph[0], ph[1], ph[2], ph[3]), ev[1], od[1]);
          }
        }
        if (__any_sync(0xFFFFFFFFu, nf != 0u)) {
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            if (nf & 0x8000u) o[0][i] = 0u;
            if (nf & 0x80000000u) o[1][i] = 0u;
          }
        }
        pipe3_store_col_pair<kFP4>(p.data[1], col_elem, p.rows, o, store_policy);
      } else if constexpr (K == Kind::NV) {
        const uint32_t a = amax16x2<16>(cw);  // (column 2q, column 2q + 1): one block each
        const uint32_t nf = nonfinite16x2(a);
        uint32_t codes = nv_codes16x2(a, s_enc);
        if (nf != 0u) codes = (nf & 0x8000u ? 0x7Fu : (codes & 0xFFu)) | (nf & 0x80000000u ? 0x7F00u : (codes & 0xFF00u));
        stg[0] = static_cast<uint8_t>(codes);
        stg[col_pitch] = static_cast<uint8_t>(codes >> 8);
        const float m0 = s_nvmult[codes & 0x7Fu], m1 = s_nvmult[(codes >> 8) & 0x7Fu];
        const bool below7 = mul_rn(u2f(a << 16), m0) < 7.0f && mul_rn(u2f(a & 0xFFFF0000u), m1) < 7.0f;
        uint32_t o[2][4];
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          uint32_t pair[2];
          if (__all_sync(0xFFFFFFFFu, below7)) {
            nv_col8x2<true>(cw + 8 * h, m0, m1, pair);
          } else {
            nv_col8x2<false>(cw + 8 * h, m0, m1, pair);
          }
          o[0][h] = pair[0];
          o[1][h] = pair[1];
        }
        if (__any_sync(0xFFFFFFFFu, nf != 0u)) {
          if (nf & 0x8000u) o[0][0] = o[0][1] = 0u;
          if (nf & 0x80000000u) o[1][0] = o[1][1] = 0u;
        }
        pipe3_store_col_pair<true>(p.data[1], col_elem, p.rows, o, store_policy);
      } else if constexpr (K == Kind::FP8_TENSOR) {
        uint32_t o[2][4];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          o[0][i] = fp8_quad<Elem::E4M3>(mul_rn(lo_f(cw[4 * i]), s_enc), mul_rn(lo_f(cw[4 * i + 1]), s_enc),
                                         mul_rn(lo_f(cw[4 * i + 2]), s_enc), mul_rn(lo_f(cw[4 * i + 3]), s_enc));
          o[1][i] = fp8_quad<Elem::E4M3>(mul_rn(hi_f(cw[4 * i]), s_enc), mul_rn(hi_f(cw[4 * i + 1]), s_enc),
                                         mul_rn(hi_f(cw[4 * i + 2]), s_enc), mul_rn(hi_f(cw[4 * i + 3]), s_enc));
        }
        pipe3_store_col_pair<false>(p.data[1], col_elem, p.rows, o, store_policy);
      } else {  // FP8 blocks
        uint32_t am[2];
        bool nonfinite[2];
        if constexpr (TWO_D) {
          am[0] = am[1] = tile_amax;
          nonfinite[0] = nonfinite[1] = tile_nonfinite;
        } else {
          uint32_t a = amax16x2<16>(cw);
          a = umax16x2(a, __shfl_xor_sync(0xFFFFFFFFu, a, 1));
          a = umax16x2(a, __shfl_xor_sync(0xFFFFFFFFu, a, 2));
          a = umax16x2(a, __shfl_xor_sync(0xFFFFFFFFu, a, 4));  // the 128-row block: lanes g = 0..7
          am[0] = a & 0xFFFFu;
          am[1] = a >> 16;
          nonfinite[0] = am[0] >= 0x7F80u;
          nonfinite[1] = am[1] >= 0x7F80u;
          if (__any_sync(0xFFFFFFFFu, nonfinite[0] || nonfinite[1])) {  // rare: finite-only amax
#pragma unroll
            for (int sd = 0; sd < 2; ++sd) {
              uint32_t f = nonfinite[sd] ? finite_amax16<16>(cw, sd) : am[sd];
              f = max(f, __shfl_xor_sync(0xFFFFFFFFu, f, 1));
              f = max(f, __shfl_xor_sync(0xFFFFFFFFu, f, 2));
              am[sd] = max(f, __shfl_xor_sync(0xFFFFFFFFu, f, 4));
            }
          }
        }
        float s[2], y[2];
#pragma unroll
        for (int sd = 0; sd < 2; ++sd) {
          s[sd] = am[sd] == 0u ? 1.0f : div448_rn(u2f(am[sd] << 16));
          y[sd] = fp8_block_inverse_rcp(s[sd]);
        }
        if constexpr (kStage) {
          if (g < 2) *reinterpret_cast<float*>(stg + g * col_pitch) = g == 0 ? s[0] : s[1];
        } else {
          if (tid == 0) reinterpret_cast<float*>(p.scales[1])[static_cast<uint64_t>(info.y) * (p.rows / 128) + info.x] = s[0];
        }
        uint32_t o[2][4];
        const bool slow0 = nonfinite[0] || y[0] == 0.0f, slow1 = nonfinite[1] || y[1] == 0.0f;
        if (!__any_sync(0xFFFFFFFFu, slow0 || slow1)) {
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            float v[2][4];
#pragma unroll
            for (int k = 0; k < 4; ++k) {
              v[0][k] = fp8_block_quotient_finite(lo_f(cw[4 * i + k]), s[0], y[0]);
              v[1][k] = fp8_block_quotient_finite(hi_f(cw[4 * i + k]), s[1], y[1]);
            }
            o[0][i] = fp8_quad<Elem::E4M3>(v[0][0], v[0][1], v[0][2], v[0][3]);
            o[1][i] = fp8_quad<Elem::E4M3>(v[1][0], v[1][1], v[1][2], v[1][3]);
          }
        } else {  // rare
#pragma unroll
          for (int i = 0; i < 4; ++i) {
#pragma unroll
            for (int sd = 0; sd < 2; ++sd) {
              uint32_t x = 0;
#pragma unroll
              for (int k = 0; k < 4; ++k) {
                const float v = sd ? hi_f(cw[4 * i + k]) : lo_f(cw[4 * i + k]);
                const uint32_t c = (sd ? slow1 : slow0) ? fp8_block_slow1(v, s[sd], y[sd])
                                                        : (cvt_fp8x2(fp8_block_quotient_finite(v, s[sd], y[sd]), 0.0f, Elem::E4M3) & 0xFFu);
                x |= c << (8 * k);
              }
              o[sd][i] = x;
            }
          }
        }
        pipe3_store_col_pair<false>(p.data[1], col_elem, p.rows, o, store_policy);
      }
    }

    if constexpr (TMA) {  // this warp is done with the stage
      __syncwarp();
      if (lane == 0) mbar_arrive(smem_u32(&s_empty[stage]));
    }

    // ---- after the last tile of a group: its block scales, from the staging buffers ----
    if constexpr (kStage) {
      if (info.w & 1u) {
        __syncthreads();  // every thread's scales of the group are in the staging buffers
        const uint32_t grows = (info.z >> 16) & 0xFFu, gcols = info.z >> 24;
        const uint32_t tr0 = info.x - jr, tc0 = info.y - jc;
        if (do_row) pipe3_flush_scales<K>(p, 0, staging, tr0, tc0, grows, gcols, geo.gc, tid, store_policy);
        if (do_col) pipe3_flush_scales<K>(p, 1, staging + C::STAGING_BYTES, tc0, tr0, gcols, grows, geo.gr, tid, store_policy);
        // these reads come before the next group's writes: barrier (A), or this one without it
        if constexpr (TMA) __syncthreads();
      }
    }
    if (++stage == C::STAGES) {
      stage = 0;
      phase ^= 1u;
    }
  }
  if constexpr (!TMA) cp_async_wait<0>();
}

}  // namespace dwq

namespace dwq {

// Persistent grid of the pipe3 kernel. Two CTAs fit an SM (112 KB of shared memory and at most
// 64 registers per thread each) but one per SM is the default (g.ctas_per_sm): on an H100 it ran
// as fast or faster for every case measured (2026-11-26, session 6, same runs: MXFP4 ROW+COL
// 80 -> 90% of copy, NVFP4 with a given amax 79 -> 88%, FP8 128x128 86 -> 88%, MXFP8 83.5 ->
// 84.5-85), while a grid of two per SM balanced like below did not (82.6% for MXFP8): half the
// tiles in flight at once, not the balance, is what the DRAM side rewards. The grid is sized so that every CTA walks
// the same number of groups, at most g.max_ctas when set. The group shape g.tiles_r x g.tiles_c
// (powers of two) shrinks until the group's scales fit the staging buffers (SB * tiles <= 64
// bytes per row), then until there are at least as many groups as SMs (pipe_index_model.py's
// pipe3_launch mirrors this). The TMA fill needs a tensor map of x; where the driver cannot make
// one, the LDGSTS fill runs instead (same bytes out).
template <Kind K, Elem E, bool TWO_D, bool MUL_BF16, bool TMA>
void launch_pipe3_kernel(const QuantParams& p, const Grid& g, cudaStream_t s) {
  using C = Pipe3Cfg;
  CUtensorMap map{};
  if constexpr (TMA) {
    if (!pipe3_input_map(p.x, p.rows, p.cols, &map)) {
      launch_pipe3_kernel<K, E, TWO_D, MUL_BF16, false>(p, g, s);
      return;
    }
  }
  constexpr int kMaxDevices = 64;
  static int per_sm[kMaxDevices] = {0};
  auto* k = &quant_pipe3_kernel<K, E, TWO_D, MUL_BF16, TMA>;
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
  constexpr uint32_t SB = pipe3_scale_bytes<K>() > 0 ? pipe3_scale_bytes<K>() : 1;
  const uint32_t sms = static_cast<uint32_t>(g.sm_count > 0 ? g.sm_count : 1);
  const uint32_t tiles_x = p.cols / C::T, tiles_y = p.rows / C::T;
  // The larger side of the group halves while its scales overflow the staging buffers or, for
  // small tensors, there are fewer groups than SMs (a 4096 x 4096 input has 64 groups of 8x2).
  uint32_t gr = g.tiles_r, gc = g.tiles_c;
  auto groups = [&] { return static_cast<uint64_t>((tiles_x + gc - 1) / gc) * ((tiles_y + gr - 1) / gr); };
  while (gr * gc * SB > 64u || (gr * gc > 1u && groups() < sms)) (gc >= gr ? gc : gr) >>= 1;
  Pipe3Geom geo = make_pipe3_geom(tiles_x, tiles_y, gr, gc, g.group, g.store_evict_first != 0);
  geo.next_group = g.group_counter;
  // CTAs per SM: g.ctas_per_sm of the n that fit. The grid is then sized so that every CTA walks
  // the same number of groups (rounds = ceil(groups / slots), CTAs = ceil(groups / rounds)).
  const uint32_t want = g.ctas_per_sm < 1 ? 1u : g.ctas_per_sm;
  const uint32_t used = static_cast<uint32_t>(n) < want ? static_cast<uint32_t>(n) : want;
  uint64_t slots = static_cast<uint64_t>(used) * sms;
  if (g.max_ctas > 0 && slots > g.max_ctas) slots = g.max_ctas;
  const uint64_t rounds = (geo.ngroups + slots - 1) / slots;
  const uint64_t ctas = rounds == 0 ? 1 : (geo.ngroups + rounds - 1) / rounds;
  k<<<static_cast<unsigned>(ctas), C::THREADS, C::SMEM_BYTES, s>>>(p, geo, map);
}

template <Kind K, Elem E, bool TWO_D>
void launch_pipe3(const QuantParams& p, const Grid& g, cudaStream_t s) {
  // The TMA fill is built with the default element path only (MXMUL=fp32 keeps the LDGSTS
  // fill): one more kernel per format, not two.
  constexpr bool kBf16Mul = K == Kind::MX;
  if constexpr (TWO_D) {  // FP8 128x128: the LDGSTS fill only (see fp8_block2d_pipe3.cu)
    launch_pipe3_kernel<K, E, TWO_D, false, false>(p, g, s);
  } else if (K == Kind::MX && g.mx_mul_fp32) {
    launch_pipe3_kernel<K, E, TWO_D, false, false>(p, g, s);
  } else if (g.fetch_tma) {
    launch_pipe3_kernel<K, E, TWO_D, kBf16Mul, true>(p, g, s);
  } else {
    launch_pipe3_kernel<K, E, TWO_D, kBf16Mul, false>(p, g, s);
  }
}

}  // namespace dwq
