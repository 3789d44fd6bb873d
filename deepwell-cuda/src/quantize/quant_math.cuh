// Scalar arithmetic of the quantizers, shared by the kernels (device) and the standalone check
// (host): element encoders and decoders, E8M0 / UE4M3 scales, Philox4x32-10 and the scale
// formulas. Every function is a transcription of the Java reference (dev.deepwell.format,
// dev.deepwell.quant), whose Javadoc fixes the float32 operation order; the kernels must give
// the same bytes, so float arithmetic here goes through the explicitly rounded helpers below
// (no FMA contraction, no fast math, correctly rounded division).
#pragma once

#include <cstdint>
#include <cmath>
#include <cstring>

#if defined(__CUDACC__)
#define DWQ_HD __host__ __device__ __forceinline__
#else
#define DWQ_HD inline
#endif

namespace dwq {

constexpr float kFltMax = 3.40282346638528859812e+38f;

DWQ_HD uint32_t f2u(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
#endif
}

DWQ_HD float u2f(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, 4);
  return f;
#endif
}

// One rounding per operation, never fused. (Host code is compiled with -ffp-contract=off.)
DWQ_HD float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
DWQ_HD float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
DWQ_HD float sub_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}
DWQ_HD float div_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
// Java's Math.min for non-NaN floats.
DWQ_HD float min_f(float a, float b) { return a < b ? a : b; }

DWQ_HD float bf16_to_float(uint32_t bf16_bits) { return u2f((bf16_bits & 0xFFFFu) << 16); }

// 2^e exactly, for e in [-127, 127] (2^-127 is the float subnormal 0x00400000).
DWQ_HD float pow2(int e) { return e >= -126 ? u2f(static_cast<uint32_t>(e + 127) << 23) : u2f(0x00400000u); }

// ---- small floats: magnitude codes (MiniFloat in the Java reference) -------------------------

// Round-to-nearest-even magnitude code of a non-NaN magnitude (Inf allowed), unsaturated.
DWQ_HD uint32_t rne_magnitude(uint32_t abs_bits, int man_bits, int bias) {
  const int shift = 23 - man_bits;
  const uint32_t min_normal_bits = static_cast<uint32_t>(127 + 1 - bias) << 23;
  if (abs_bits >= min_normal_bits) {
    const uint32_t rebiased = abs_bits - (static_cast<uint32_t>(127 - bias) << 23);
    const uint32_t lsb = (rebiased >> shift) & 1u;
    return (rebiased + (1u << (shift - 1)) - 1u + lsb) >> shift;
  }
  // Subnormal in the target: count units of the smallest subnormal; adding 2^23 rounds to an
  // integer with ties to even.
  const float units = mul_rn(u2f(abs_bits), pow2(man_bits + bias - 1));
  return f2u(add_rn(units, 8388608.0f)) - f2u(8388608.0f);
}

// Stochastic-rounding magnitude code (saturating at max_mag); see MiniFloat.stochasticMagnitude.
DWQ_HD uint32_t sr_magnitude(uint32_t abs_bits, uint32_t random24, int man_bits, int bias, uint32_t max_mag,
                             uint32_t max_bits) {
  if (abs_bits >= max_bits) return max_mag;
  const int emin = 1 - bias;
  const int exponent = static_cast<int>(abs_bits >> 23) - 127;
  const int eff = exponent > emin ? exponent : emin;
  const float t = mul_rn(u2f(abs_bits), pow2(man_bits - eff));
  const int floor_t = static_cast<int>(t);  // t >= 0 and < 2^24: truncation is floor
  const float frac = sub_rn(t, static_cast<float>(floor_t));
  const uint32_t code = (static_cast<uint32_t>(eff - emin) << man_bits) + static_cast<uint32_t>(floor_t);
  return code + (static_cast<float>(random24) < mul_rn(frac, 16777216.0f) ? 1u : 0u);
}

// ---- FP8 E4M3 ('fn'), FP8 E5M2, FP4 E2M1: encoders (SATFINITE) and decoders --------------------

constexpr uint32_t kE4m3MaxBits = 0x43E00000u;  // 448
constexpr uint32_t kE5m2MaxBits = 0x47600000u;  // 57344
constexpr uint32_t kE2m1MaxBits = 0x40C00000u;  // 6

// Software RNE SATFINITE encoders, exactly the Java ones: NaN gives 0x7F (E4M3, E5M2) or 0x7 (E2M1).
DWQ_HD uint32_t e4m3_encode_sw(float x) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7Fu;
  uint32_t m = rne_magnitude(abs, 3, 7);
  if (m > 0x7Eu) m = 0x7Eu;
  return ((bits >> 24) & 0x80u) | m;
}
DWQ_HD uint32_t e5m2_encode_sw(float x) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7Fu;
  uint32_t m = rne_magnitude(abs, 2, 15);
  if (m > 0x7Bu) m = 0x7Bu;
  return ((bits >> 24) & 0x80u) | m;
}
// E2M1 without a conversion instruction (Hopper has none): with a = min(|x|, 6) in binade E
// (E = 0 below 2, 1 in [2, 4), 2 in [4, 6]), the float sum a + (2^(E+22) + E * 2^E) rounds a to the
// E2M1 grid with ties to even (its ulp there is the grid step; the added offset is an even
// number of steps, so it keeps the parity), and its low 3 mantissa bits are then the magnitude
// code: grid value / step + 2E. Four integer and two float operations per element. Equal to the
// Java encoder for every float input (the standalone check compares all 2^32 exhaustively).
// For x not NaN (the kernels' case: a block holding NaN is zeroed before any element is encoded).
DWQ_HD uint32_t e2m1_encode_non_nan(float x) {
  const uint32_t bits = f2u(x);
  const float a = min_f(u2f(bits & 0x7FFFFFFFu), 6.0f);  // Inf -> 6 (code 7), as the reference
  uint32_t e = f2u(a) >> 23;
  e = e < 127u ? 127u : (e > 129u ? 129u : e);
  const uint32_t magic = e * 0x00800002u + (0x4A800000u - 127u * 0x00800002u);
  return ((bits >> 28) & 0x8u) | (f2u(add_rn(a, u2f(magic))) & 0x7u);
}
DWQ_HD uint32_t e2m1_encode(float x) { return x != x ? 0x7u : e2m1_encode_non_nan(x); }
// The generic transcription of the Java E2M1 encoder, for the exhaustive check.
DWQ_HD uint32_t e2m1_encode_generic(float x) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7u;
  uint32_t m = rne_magnitude(abs, 1, 1);
  if (m > 0x7u) m = 0x7u;
  return ((bits >> 28) & 0x8u) | m;
}

DWQ_HD uint32_t e4m3_encode_sr(float x, uint32_t r24) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7Fu;
  return ((bits >> 24) & 0x80u) | sr_magnitude(abs, r24, 3, 7, 0x7Eu, kE4m3MaxBits);
}
DWQ_HD uint32_t e5m2_encode_sr(float x, uint32_t r24) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7Fu;
  return ((bits >> 24) & 0x80u) | sr_magnitude(abs, r24, 2, 15, 0x7Bu, kE5m2MaxBits);
}
DWQ_HD uint32_t e2m1_encode_sr(float x, uint32_t r24) {
  const uint32_t bits = f2u(x), abs = bits & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7u;
  return ((bits >> 28) & 0x8u) | sr_magnitude(abs, r24, 1, 1, 0x7u, kE2m1MaxBits);
}

constexpr uint32_t kCanonicalNaN = 0x7FC00000u;  // Java's Float.NaN

// Exact value of a magnitude code (MiniFloat.magnitudeValue).
DWQ_HD float magnitude_value(uint32_t mag, int man_bits, int bias) {
  const uint32_t e = mag >> man_bits, m = mag & ((1u << man_bits) - 1u);
  if (e == 0) return mul_rn(static_cast<float>(m), pow2(1 - bias - man_bits));
  return mul_rn(static_cast<float>((1u << man_bits) | m), pow2(static_cast<int>(e) - bias - man_bits));
}
DWQ_HD float with_sign(float v, uint32_t negative) { return u2f(f2u(v) | (negative ? 0x80000000u : 0u)); }

DWQ_HD float e4m3_decode(uint32_t code) {
  const uint32_t mag = code & 0x7Fu;
  if (mag == 0x7Fu) return u2f(kCanonicalNaN | (code & 0x80u) << 24);
  return with_sign(magnitude_value(mag, 3, 7), code & 0x80u);
}
DWQ_HD float e5m2_decode(uint32_t code) {
  const uint32_t mag = code & 0x7Fu;
  if (mag > 0x7Cu) return u2f(kCanonicalNaN | (code & 0x80u) << 24);
  if (mag == 0x7Cu) return u2f(0x7F800000u | (code & 0x80u) << 24);
  return with_sign(magnitude_value(mag, 2, 15), code & 0x80u);
}
DWQ_HD float e2m1_decode(uint32_t code) { return with_sign(magnitude_value(code & 0x7u, 1, 1), code & 0x8u); }

// ---- block scales --------------------------------------------------------------------------

// E8M0: 2^(code-127), 0xFF = NaN.
DWQ_HD float e8m0_decode(uint32_t code) {
  code &= 0xFFu;
  return code == 0xFFu ? u2f(kCanonicalNaN) : pow2(static_cast<int>(code) - 127);
}
DWQ_HD uint32_t e8m0_from_exponent(int e) {
  e = e < -127 ? -127 : (e > 127 ? 127 : e);
  return static_cast<uint32_t>(e + 127);
}
// cvt.rp.satfinite.ue8m0x2.f32 (E8M0.encodeRoundUp).
DWQ_HD uint32_t e8m0_round_up(float x) {
  const uint32_t abs = f2u(x) & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0xFFu;
  if (abs >= 0x7F000000u) return 0xFEu;
  const uint32_t e = abs >> 23;
  if (e == 0) return abs > 0x00400000u ? 1u : 0u;
  return (abs & 0x007FFFFFu) == 0 ? e : e + 1u;
}

// UE4M3 (Ue4M3.encode for x >= 0 or -0): RNE saturating at 448, NaN gives 0x7F.
DWQ_HD uint32_t ue4m3_encode(float x) {
  const uint32_t abs = f2u(x) & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return 0x7Fu;
  const uint32_t m = rne_magnitude(abs, 3, 7);
  return m > 0x7Eu ? 0x7Eu : m;
}
DWQ_HD float ue4m3_decode(uint32_t code) { return e4m3_decode(code & 0x7Fu); }

// ---- Philox4x32-10 (Philox4x32 in the Java reference) --------------------------------------

struct Philox4 {
  uint32_t w[4];
};

DWQ_HD uint32_t mulhi32(uint32_t a, uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __umulhi(a, b);
#else
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
#endif
}

DWQ_HD Philox4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint32_t hi0 = mulhi32(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    const uint32_t hi1 = mulhi32(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    const uint32_t y0 = hi1 ^ c1 ^ k0, y2 = hi0 ^ c3 ^ k1;
    c0 = y0;
    c1 = lo1;
    c2 = y2;
    c3 = lo0;
  }
  return Philox4{{c0, c1, c2, c3}};
}

// random24 of the input element at linear index i (Philox4x32.random24).
DWQ_HD uint32_t random24(uint64_t seed, uint64_t i) {
  const uint64_t g = i >> 2;
  const Philox4 p = philox4x32_10(static_cast<uint32_t>(g), static_cast<uint32_t>(g >> 32), 0, 0,
                                  static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  const uint32_t k = static_cast<uint32_t>(i & 3);
  const uint32_t w = k == 0 ? p.w[0] : (k == 1 ? p.w[1] : (k == 2 ? p.w[2] : p.w[3]));
  return w >> 8;
}

// The Hadamard16 sign mask of a seed: low 16 bits of word 0 of counter {0,0,0,1}.
DWQ_HD uint32_t hadamard_sign_mask(uint64_t seed) {
  return philox4x32_10(0, 0, 0, 1, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)).w[0] & 0xFFFFu;
}

// ---- scale formulas ------------------------------------------------------------------------

// MX scale code of a finite block amax (MxQuantizer.scaleCode). emax: 8 (E4M3), 15 (E5M2), 2 (E2M1).
DWQ_HD uint32_t mx_scale_code(float amax, bool ocp, int emax, float element_max) {
  if (ocp) return e8m0_from_exponent(static_cast<int>((f2u(amax) >> 23) & 0xFFu) - 127 - emax);
  return e8m0_round_up(div_rn(amax, element_max));
}
// 2^(127 - code), built exactly (code in [0, 254]).
DWQ_HD float mx_inverse_scale(uint32_t code) { return pow2(127 - static_cast<int>(code)); }

// NVFP4 tensor encode scale of a finite tensor amax: A == 0 ? 1 : min(2688 / A, FLT_MAX).
DWQ_HD float nvfp4_encode_scale(float amax) { return amax == 0.0f ? 1.0f : min_f(div_rn(2688.0f, amax), kFltMax); }
// FP8 per-tensor encode scale: A == 0 ? 1 : min(448 / A, FLT_MAX).
DWQ_HD float fp8_tensor_encode_scale(float amax) { return amax == 0.0f ? 1.0f : min_f(div_rn(448.0f, amax), kFltMax); }
// FP8 block decode scale: a / 448, or 1 when that is 0.
DWQ_HD float fp8_block_decode_scale(float amax) {
  const float s = div_rn(amax, 448.0f);
  return s == 0.0f ? 1.0f : s;
}
// FP8 block elements: the reference divides, q = RN(v / s). A correctly rounded division costs a
// dozen instructions per element; with y = RN(1 / s) computed once per block, the quotient is
// q0 = RN(v * y), corrected once with the exact residual v - q0 * s (Markstein):
// q = RN(q0 + (v - q0 * s) * y), two FMAs. Where the correction does not apply, q0 already has
// the right E4M3 code: |q0| < 2^-11 (|v / s| < 2^-10 then, which encodes to a zero of v's sign)
// and q0 = +-Inf (v infinite). Blocks with s < 2^-64 divide exactly.
// Verified equal, as E4M3 code, to the reference for every finite BF16 block amax and every
// BF16 value v with |v| <= amax or v infinite (all 2^31 pairs, check/fp8_block_quotient_check.cpp).
DWQ_HD float fma_rn(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
// Per block: the multiplier y, or 0 when the block must divide exactly (s < 2^-64: amax < 2.5e-17,
// where the residual could leave the normal range).
DWQ_HD float fp8_block_inverse(float s) { return s >= 5.42101086e-20f ? div_rn(1.0f, s) : 0.0f; }  // 2^-64
DWQ_HD float fp8_block_quotient(float v, float s, float y) {
  if (y == 0.0f) return div_rn(v, s);
  const float q0 = mul_rn(v, y);
  const float a = u2f(f2u(q0) & 0x7FFFFFFFu);
  if (a < 4.8828125e-4f || a == u2f(0x7F800000u)) return q0;  // 2^-11, Inf
  return fma_rn(fma_rn(-q0, s, v), y, q0);
}

// NVFP4 block: the UE4M3 scale code and the element multiplier, for a finite block amax.
DWQ_HD uint32_t nvfp4_block_code(float amax, float s_enc) { return ue4m3_encode(mul_rn(div_rn(amax, 6.0f), s_enc)); }
DWQ_HD float nvfp4_element_scale(float s_enc, uint32_t code) {
  const float s_dec = ue4m3_decode(code);
  return s_dec == 0.0f ? 0.0f : min_f(div_rn(s_enc, s_dec), kFltMax);
}

// ---- division-free forms of the scale formulas (pipe3 kernel, quant_pipe3.cuh) ------------
// Each is proven equal to the reference formula above for every input the kernels can give it
// by the exhaustive host check check/pipe3_math_check.cpp (no GPU needed).

// MX scale code of a finite block amax given as BF16 magnitude bits a (a <= 0x7F7F): with
// (R, D) = (0, emax) for the OCP rule and, for CEIL, (0x1F, 8) E4M3, (0x1F, 15) E5M2,
// (0x3F, 2) E2M1, code = max(((a + R) >> 7) - D, 0). OCP: the exponent field minus emax. CEIL:
// RN(a / m) <= 2^j exactly when a <= m * 2^j (a's ulp exceeds m * 2^(j-24)), so the code is the
// exponent of a, minus D, plus 1 when a's 7 mantissa bits exceed those of m (224 = 1.75 * 128
// for m = 448, 57344; 192 = 1.5 * 128 for m = 6): the carry of a + R. Two blocks go through it at
// once in 16-bit lanes (no carry leaves a lane: a + R <= 0x7F9E).
struct MxRule {
  uint32_t r, d;
};
DWQ_HD MxRule mx_rule(bool ocp, int emax) {
  if (ocp) return MxRule{0u, static_cast<uint32_t>(emax)};
  return emax == 2 ? MxRule{0x3Fu, 2u} : MxRule{0x1Fu, static_cast<uint32_t>(emax == 8 ? 8 : 15)};
}
DWQ_HD uint32_t mx_scale_code_bf16(uint32_t a, MxRule rule) {
  const uint32_t e = (a + rule.r) >> 7;
  return e > rule.d ? e - rule.d : 0u;
}
// The element multiplier 2^(127 - code) as BF16 bits; the codes above stay <= 253, so it is a
// normal number (exponent field 254 - code >= 1).
DWQ_HD uint32_t mx_inverse_scale_bf16(uint32_t code) { return (254u - code) << 7; }

// RN(a / 448) and RN(a / 6) for finite BF16 a >= 0: the product with RN(1/d) corrected once by
// the exact residual (Markstein), as fp8_block_quotient; equal to div_rn for every such a.
DWQ_HD float div448_rn(float a) {
  const float y = 0x1.24924ap-9f;  // RN(1 / 448)
  const float q0 = mul_rn(a, y);
  return fma_rn(fma_rn(-q0, 448.0f, a), y, q0);
}
DWQ_HD float div6_rn(float a) {
  const float y = 0x1.555556p-3f;  // RN(1 / 6)
  const float q0 = mul_rn(a, y);
  return fma_rn(fma_rn(-q0, 6.0f, a), y, q0);
}

// FP8 block quotient without branches, for blocks whose values are all finite and whose
// multiplier y = fp8_block_inverse(s) is not 0: q = RN(q0 - (q0 s - v) y), q0 = RN(v y), the
// correction of fp8_block_quotient with the residual's sign flipped so that v = -0 gives -0
// (-0 - (+0) y = -0; v - q0 s would give +0 + -0 = +0). Same E4M3 code as RN(v / s), sign
// included, for every finite BF16 amax with y != 0 and every BF16 v with |v| <= amax
// (check/pipe3_math_check.cpp).
DWQ_HD float fp8_block_quotient_finite(float v, float s, float y) {
  const float q0 = mul_rn(v, y);
  return fma_rn(-fma_rn(q0, s, -v), y, q0);
}

// E2M1 magnitude of q (not NaN) as the low 3 bits of a float's bits, bits 3..22 zero: the
// rounding add of e2m1_encode_non_nan with the binade taken from max(a, 1) instead of an integer
// clamp. The sign is not included (the kernel takes it from the input, see quant_pipe3.cuh).
DWQ_HD uint32_t e2m1_magnitude_sum_bits(float q) {
  const float a = fminf(fabsf(q), 6.0f);  // q is not NaN: min/max need no NaN rule
  const float b = fmaxf(a, 1.0f);
  const uint32_t magic = (f2u(b) >> 23) * 0x00800002u + (0x4A800000u - 127u * 0x00800002u);
  return f2u(add_rn(a, u2f(magic)));
}

// The same without the saturating min, for |q| < 7 (NVFP4 blocks whose largest scaled value
// RN(amax * multiplier) is below 7: RN is monotone, so every element's is): a = |q| in [6, 7)
// rounds to 6 (code 7) as the saturated value does, and max(a, 1) < 8 keeps the binade <= 2.
DWQ_HD uint32_t e2m1_magnitude_sum_bits_below7(float q) {
  const float a = fabsf(q);
  const float b = fmaxf(a, 1.0f);
  const uint32_t magic = (f2u(b) >> 23) * 0x00800002u + (0x4A800000u - 127u * 0x00800002u);
  return f2u(add_rn(a, u2f(magic)));
}

// Byte offset of entry (r, c) of a [rows, cols] one-byte scale matrix in the 128x4 tiled layout.
DWQ_HD uint64_t swizzled_offset(uint32_t r, uint32_t c, uint32_t cols) {
  const uint64_t tiles_per_band = (cols + 3u) / 4u;
  const uint64_t tile = static_cast<uint64_t>(r / 128u) * tiles_per_band + c / 4u;
  return tile * 512u + (r % 32u) * 16u + ((r / 32u) % 4u) * 4u + (c % 4u);
}

}  // namespace dwq
