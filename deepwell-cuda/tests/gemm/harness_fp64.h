// The FP64 side of both GEMM harnesses (gemm_harness.cpp, grouped_harness.cpp): the random
// operand values, the dot product and activation the expected outputs are built from, output
// bytes read back as doubles, and the comparison that judges them. One copy, so the dense and the
// grouped GEMM are held to the same yardstick.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "deepwell/gemm.h"
#include "harness_support.h"
#include "host_formats.h"

// Values with a per-row magnitude drawn over 2^-3..2^3, so block scales differ between blocks.
inline std::vector<float> random_values(int64_t rows, int64_t k, uint64_t seed) {
  std::vector<float> v(static_cast<size_t>(rows * k));
  parallel_for(rows, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      Rng rng(seed ^ (static_cast<uint64_t>(r) * 0xD1B54A32D192ED03ull));
      const double mag = std::ldexp(1.0, static_cast<int>(rng.next() % 7) - 3);
      for (int64_t j = 0; j < k; ++j) v[r * k + j] = static_cast<float>(mag * rng.normal());
    }
  });
  return v;
}

// sum over q < k of a[q] * b[q] in FP64, four partial sums (the loop vectorizes; the order is fixed).
inline double fp64_dot(const double* a, const double* b, int64_t k) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t q = 0;
  for (; q + 4 <= k; q += 4) {
    s0 += a[q] * b[q];
    s1 += a[q + 1] * b[q + 1];
    s2 += a[q + 2] * b[q + 2];
    s3 += a[q + 3] * b[q + 3];
  }
  for (; q < k; ++q) s0 += a[q] * b[q];
  return (s0 + s1) + (s2 + s3);
}

// The epilogue activation of gemm.h in FP64 (GELU in its exact erf form).
inline double activate(double y, dw_gemm_activation a) {
  if (a == DW_GEMM_ACT_GELU) return 0.5 * y * (1.0 + std::erf(y / std::sqrt(2.0)));
  if (a == DW_GEMM_ACT_SILU) return y / (1.0 + std::exp(-y));
  return y;
}

// `count` elements of an output type (FP32 or BF16) as doubles.
inline std::vector<double> to_doubles(const uint8_t* raw, dw_gemm_output out, size_t count) {
  std::vector<double> v(count);
  for (size_t i = 0; i < count; ++i) {
    if (out == DW_GEMM_OUT_F32) {
      float f;
      std::memcpy(&f, raw + i * 4, 4);
      v[i] = f;
    } else {
      uint16_t h;
      std::memcpy(&h, raw + i * 2, 2);
      v[i] = dwtest::bf16_to_float(h);
    }
  }
  return v;
}
inline std::vector<double> to_doubles(const std::vector<uint8_t>& raw, dw_gemm_output out, size_t count) {
  return to_doubles(raw.data(), out, count);
}

// Random values rounded to the output type (bias, residual), as bytes and as the doubles they represent.
inline void output_typed_random(dw_gemm_output out, size_t count, uint64_t seed, std::vector<uint8_t>& bytes,
                                std::vector<double>& values) {
  Rng rng(seed);
  bytes.resize(count * (out == DW_GEMM_OUT_F32 ? 4 : 2));
  values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const float f = static_cast<float>(rng.normal());
    if (out == DW_GEMM_OUT_F32) {
      std::memcpy(&bytes[i * 4], &f, 4);
      values[i] = f;
    } else {
      const uint16_t h = dwtest::bf16_from_float(f);
      std::memcpy(&bytes[i * 2], &h, 2);
      values[i] = dwtest::bf16_to_float(h);
    }
  }
}

struct Compare {
  double rel = 0;
  int64_t bad = 0;  // non-finite where the reference is finite, or finite where it is NaN
};

// ||out - ref|| / ||ref|| over the elements whose reference is a number; a NaN reference (a NaN
// fed in on purpose) must come out NaN. The grouped harness never makes a NaN reference.
inline Compare compare(const std::vector<double>& out, const std::vector<double>& ref) {
  Compare c;
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (std::isnan(ref[i])) {
      if (!std::isnan(out[i])) ++c.bad;
      continue;
    }
    if (!std::isfinite(out[i])) {
      ++c.bad;
      continue;
    }
    num += (out[i] - ref[i]) * (out[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  c.rel = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
  return c;
}
