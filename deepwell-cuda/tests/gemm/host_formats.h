// Host-side encoders/decoders of the GEMM input formats, written independently of the device
// code they check: decode tables are built from the format definitions, encoding picks the
// nearest representable value (ties to the even code) by search rather than bit tricks.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace dwtest {

inline float bits_to_float(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t float_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// ---- BF16: the top half of an IEEE binary32, round to nearest even ----
inline uint16_t bf16_from_float(float f) {
  if (std::isnan(f)) return 0x7FC0;
  const uint32_t u = float_to_bits(f);
  return static_cast<uint16_t>((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}
inline float bf16_to_float(uint16_t h) { return bits_to_float(static_cast<uint32_t>(h) << 16); }

// ---- E4M3 (FN): bias 7, 3 mantissa bits, no infinities, S.1111.111 = NaN, max 448 ----
inline double e4m3_decode(uint8_t v) {
  const int s = v >> 7, e = (v >> 3) & 15, m = v & 7;
  if (e == 15 && m == 7) return NAN;
  const double mag = e == 0 ? std::ldexp(m / 8.0, -6) : std::ldexp(1.0 + m / 8.0, e - 7);
  return s ? -mag : mag;
}

// Nearest code among `count` non-negative codes 0..count-1 whose values increase with the
// code; ties go to the even code; beyond the largest value saturates.
template <class Decode>
uint8_t nearest_code(double mag, int count, Decode decode) {
  int lo = 0, hi = count - 1;
  if (mag >= decode(hi)) return static_cast<uint8_t>(hi);
  while (hi - lo > 1) {  // decode(lo) <= mag < decode(hi)
    const int mid = (lo + hi) / 2;
    if (decode(mid) <= mag) lo = mid; else hi = mid;
  }
  const double dl = mag - decode(lo), dh = decode(hi) - mag;
  if (dl < dh) return static_cast<uint8_t>(lo);
  if (dh < dl) return static_cast<uint8_t>(hi);
  return static_cast<uint8_t>((lo % 2 == 0) ? lo : hi);
}

inline uint8_t e4m3_encode(double x) {
  if (std::isnan(x)) return 0x7F;
  const uint8_t code = nearest_code(std::fabs(x), 127, [](int c) { return e4m3_decode(static_cast<uint8_t>(c)); });
  return static_cast<uint8_t>((x < 0 ? 0x80 : 0) | code);
}

// ---- E2M1: bias 1, 1 mantissa bit: 0, 0.5, 1, 1.5, 2, 3, 4, 6 ----
inline double e2m1_decode(uint8_t nib) {
  static const double mags[8] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
  return (nib & 8) ? -mags[nib & 7] : mags[nib & 7];
}
inline uint8_t e2m1_encode(double x) {
  const uint8_t code = nearest_code(std::fabs(x), 8, [](int c) { return e2m1_decode(static_cast<uint8_t>(c)); });
  return static_cast<uint8_t>((x < 0 ? 8 : 0) | code);
}

// ---- E8M0: 2^(e-127), 255 = NaN ----
inline double e8m0_decode(uint8_t e) { return e == 255 ? NAN : std::ldexp(1.0, static_cast<int>(e) - 127); }

}  // namespace dwtest
