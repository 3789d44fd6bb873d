// Standalone correctness check and benchmark of the quantize kernels (not part of the library).
//
//   quantize_check [--check] [--bench] [--quick] [--out DIR] [--only CASE-SUBSTRING]
//
// --check: (1) every FP8 / FP4 conversion the kernels use against the software transcription of
//          the Java encoders, for all 2^32 float inputs, on the GPU; (2) every format, axis
//          (ROW, COL, both in one pass), scale rule, scale layout, stochastic rounding and
//          Hadamard option on random and adversarial BF16 tensors of ragged shapes, byte for
//          byte against a host transcription of the Java reference quantizers (below), plus
//          dequantization against the host dequantizer. The JUnit GPU tests compare with the
//          Java reference itself; this check needs no JVM.
// --bench: effective bandwidth (bytes read + bytes written, counted once) on a 256 MiB BF16
//          tensor [8192, 16384] (DW_QUANT_BENCH_SHAPE=RxC for another), as % of the
//          device-to-device copy bandwidth measured in the same run. JSON lines to DIR.
//          Two timings per case, both CUDA events over rotating buffers (more bytes than L2):
//          the GPU time per call in steady state (kBatch calls enqueued back to back between
//          the events, so the host's enqueue overlaps the GPU's work, as in a training step or
//          a graph; median of the rounds; the % of copy uses it, for the copy too), and the
//          latency of one call enqueued on an idle GPU (event, call, event: includes the host's
//          enqueue of that call), printed beside it.
#include <cuda_runtime.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../quant_math.cuh"
#include "deepwell/deepwell.h"
#include "deepwell/quantize.h"

namespace dwq {
uint64_t pipe3_tma_refusals();  // quant_tensor_map.cpp: TMA fills that fell back to LDGSTS
}

using namespace dwq;

#define CUDA_OK(x)                                                                            \
  do {                                                                                        \
    cudaError_t e_ = (x);                                                                     \
    if (e_ != cudaSuccess) {                                                                  \
      std::fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorName(e_), __FILE__, __LINE__, #x); \
      std::exit(2);                                                                           \
    }                                                                                         \
  } while (0)

static void dw_ok(dw_status s, const char* what) {
  if (s == DW_SUCCESS) return;
  dw_error_info info;
  dw_last_error(&info);
  std::fprintf(stderr, "%s failed: %s (%s) %s: %s\n", what, dw_status_name(s), dw_status_message(s), info.operation,
               info.detail);
  std::exit(2);
}

// ---- 1. exhaustive conversion check ------------------------------------------------------------

__global__ void conversion_check_kernel(uint32_t hi_bits, unsigned long long* mismatches, uint32_t* first) {
  const uint32_t lo = blockIdx.x * blockDim.x + threadIdx.x;  // 2^16 x 2^16 = all floats, in 65536 launches of hi
  (void)lo;
  for (uint32_t k = 0; k < 256; ++k) {
    const uint32_t bits = (hi_bits << 24) | (k << 16) | (blockIdx.x * blockDim.x + threadIdx.x);
    const float x = u2f(bits);
    if (x != x) continue;  // NaN never reaches the hardware conversions (checked separately)
    unsigned short h4, h5;
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(h4) : "f"(0.0f), "f"(x));
    asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(h5) : "f"(0.0f), "f"(x));
    const uint32_t hw4 = h4 & 0xFFu, hw5 = h5 & 0xFFu;
    const uint32_t sw4 = e4m3_encode_sw(x), sw5 = e5m2_encode_sw(x);
    const uint32_t t2 = e2m1_encode_non_nan(x), g2 = e2m1_encode_generic(x);
    // pipe3's E2M1 encoder: magnitude from the rounding sum, sign from the input
    const uint32_t p3 = (e2m1_magnitude_sum_bits(x) & 7u) | ((bits >> 28) & 8u);
    const bool below7_bad = fabsf(x) < 7.0f && (e2m1_magnitude_sum_bits_below7(x) & 7u) != (p3 & 7u);
    if (p3 != g2 || below7_bad) {
      atomicAdd(&mismatches[4], 1ull);
      atomicCAS(&first[3], 0u, bits | 1u);
    }
    if (hw4 != sw4) {
      atomicAdd(&mismatches[0], 1ull);
      atomicCAS(&first[0], 0u, bits | 1u);
    }
    if (hw5 != sw5) {
      atomicAdd(&mismatches[1], 1ull);
      atomicCAS(&first[1], 0u, bits | 1u);
    }
    if (t2 != g2) {
      atomicAdd(&mismatches[2], 1ull);
      atomicCAS(&first[2], 0u, bits | 1u);
    }
    // The high half of the pair must hold the conversion of the first operand (0 -> 0x00).
    if ((h4 >> 8) != 0u || (h5 >> 8) != 0u) atomicAdd(&mismatches[3], 1ull);
  }
}

__global__ void nan_probe_kernel(uint32_t* out) {
  const float pos = u2f(0x7FC00000u), neg = u2f(0xFFC00000u);
  unsigned short a, b;
  asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(a) : "f"(neg), "f"(pos));
  asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(b) : "f"(neg), "f"(pos));
  out[0] = a;
  out[1] = b;
}

static int check_conversions() {
  unsigned long long* mism;
  uint32_t* first;
  CUDA_OK(cudaMalloc(&mism, 5 * sizeof(unsigned long long)));
  CUDA_OK(cudaMalloc(&first, 4 * sizeof(uint32_t)));
  CUDA_OK(cudaMemset(mism, 0, 5 * sizeof(unsigned long long)));
  CUDA_OK(cudaMemset(first, 0, 4 * sizeof(uint32_t)));
  for (uint32_t hi = 0; hi < 256; ++hi) conversion_check_kernel<<<256, 256>>>(hi, mism, first);
  CUDA_OK(cudaGetLastError());
  uint32_t* nan_out;
  CUDA_OK(cudaMalloc(&nan_out, 8));
  nan_probe_kernel<<<1, 1>>>(nan_out);
  CUDA_OK(cudaDeviceSynchronize());
  unsigned long long m[5];
  uint32_t f[4], nan_h[2];
  CUDA_OK(cudaMemcpy(m, mism, sizeof m, cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(f, first, sizeof f, cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(nan_h, nan_out, sizeof nan_h, cudaMemcpyDeviceToHost));
  std::printf("conversions over all 2^32 non-NaN floats: cvt.rn.satfinite.e4m3x2 vs reference %llu mismatches%s, "
              "e5m2x2 %llu%s, E2M1 kernel encoder vs reference %llu, pair order errors %llu\n",
              m[0], m[0] ? " <-- WRONG" : "", m[1], m[1] ? " <-- WRONG" : "", m[2], m[3]);
  if (m[0] || m[1] || m[2]) std::printf("  first mismatching inputs: 0x%08x 0x%08x 0x%08x\n", f[0], f[1], f[2]);
  std::printf("pipe3 E2M1 encoders (magnitude sum + input sign; without the min below 7) over all 2^32 non-NaN floats: "
              "%llu mismatches%s\n", m[4],
              m[4] ? " <-- WRONG" : "");
  if (m[4]) std::printf("  first mismatching input: 0x%08x\n", f[3]);
  std::printf("hardware NaN conversion (informational; the kernels map NaN in software): "
              "e4m3x2(-NaN, +NaN) = 0x%04x, e5m2x2(-NaN, +NaN) = 0x%04x; reference gives 0x7F for every NaN\n",
              nan_h[0], nan_h[1]);
  cudaFree(mism);
  cudaFree(first);
  cudaFree(nan_out);
  return (m[0] || m[1] || m[2] || m[3] || m[4]) ? 1 : 0;
}

// ---- 1b. the hardware element paths of the pipe3 kernel, exhaustively ------------------------
//  - MX: mul.rn.bf16x2 of every finite BF16 v by every multiplier 2^(127 - code) an MX scale code
//    can give (code 0..253), then the pair conversion (E4M3, E5M2) or the E2M1 encoder, against
//    the reference's FP32 product v * 2^(127 - code) through the software encoders;
//  - FP8 per tensor: v * s through cvt.rn.satfinite (every BF16 v, NaN payloads included, for a
//    spread of tensor scales s) against the reference (NaN -> 0x7F);
//  - FP8 blocks: the correctly rounded reciprocal (rcp.rn) equals the division 1 / s for the
//    scale s = RN(a / 448) of every finite BF16 amax a.
__global__ void pipe3_element_check_kernel(unsigned long long* bad, uint32_t* first) {
  const uint32_t v = blockIdx.x * blockDim.x + threadIdx.x;  // BF16 bits, 65536 threads
  const float vf = bf16_to_float(v);
  const uint32_t vabs = v & 0x7FFFu;
  if (vabs < 0x7F80u) {
    for (uint32_t code = 0; code <= 253u; ++code) {
      const uint32_t m = mx_inverse_scale_bf16(code) * 0x10001u;
      uint32_t q;
      asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(q) : "r"(v | (v << 16)), "r"(m));
      const float lo = u2f(q << 16), hi = u2f(q & 0xFFFF0000u);
      const float ref = vf * mx_inverse_scale(code);  // exact or a tiny product, as the reference computes it
      unsigned short h4, h5;
      asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(h4) : "f"(hi), "f"(lo));
      asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(h5) : "f"(hi), "f"(lo));
      const uint32_t w4 = e4m3_encode_sw(ref), w5 = e5m2_encode_sw(ref), w2 = e2m1_encode_generic(ref);
      const uint32_t g2lo = (e2m1_magnitude_sum_bits(lo) & 7u) | ((v >> 12) & 8u);
      const uint32_t g2hi = (e2m1_magnitude_sum_bits(hi) & 7u) | ((v >> 12) & 8u);
      if ((h4 & 0xFFu) != w4 || (h4 >> 8) != w4 || (h5 & 0xFFu) != w5 || (h5 >> 8) != w5 || g2lo != w2 || g2hi != w2) {
        atomicAdd(&bad[0], 1ull);
        atomicCAS(&first[0], 0u, (v << 16) | code | 0x8000u);
      }
    }
  }
  const float scales[6] = {1.0f, 448.0f / 3.0f, 0x1.0p-20f, 0x1.0p+20f, 7.3e-9f, 3.1e30f};
  for (int i = 0; i < 6; ++i) {
    const float q = mul_rn(vf, scales[i]);
    unsigned short h4;
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(h4) : "f"(0.0f), "f"(q));
    if ((h4 & 0xFFu) != e4m3_encode_sw(q)) {
      atomicAdd(&bad[1], 1ull);
      atomicCAS(&first[1], 0u, (v << 16) | static_cast<uint32_t>(i) | 0x8000u);
    }
  }
  if (vabs == v && v < 0x7F80u) {  // finite amax a >= 0
    const float sc = fp8_block_decode_scale(vf);
    const float want = fp8_block_inverse(sc);
    const float got = sc >= 5.42101086e-20f ? __frcp_rn(sc) : 0.0f;
    if (f2u(want) != f2u(got) || f2u(div448_rn(vf)) != f2u(div_rn(vf, 448.0f))) {
      atomicAdd(&bad[2], 1ull);
      atomicCAS(&first[2], 0u, v | 0x80000000u);
    }
  }
}

static int check_pipe3_elements() {
  unsigned long long* bad;
  uint32_t* first;
  CUDA_OK(cudaMalloc(&bad, 3 * sizeof(unsigned long long)));
  CUDA_OK(cudaMalloc(&first, 3 * sizeof(uint32_t)));
  CUDA_OK(cudaMemset(bad, 0, 3 * sizeof(unsigned long long)));
  CUDA_OK(cudaMemset(first, 0, 3 * sizeof(uint32_t)));
  pipe3_element_check_kernel<<<256, 256>>>(bad, first);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());
  unsigned long long b[3];
  uint32_t f[3];
  CUDA_OK(cudaMemcpy(b, bad, sizeof b, cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(f, first, sizeof f, cudaMemcpyDeviceToHost));
  std::printf("pipe3 element paths: mul.rn.bf16x2 by 2^(127-code) + E4M3/E5M2/E2M1 encoders (65536 x 254) %llu "
              "mismatches%s; FP8 per-tensor products (65536 x 6) %llu%s; FP8 block rcp / a/448 (32640) %llu%s\n",
              b[0], b[0] ? " <-- WRONG" : "", b[1], b[1] ? " <-- WRONG" : "", b[2], b[2] ? " <-- WRONG" : "");
  if (b[0] || b[1] || b[2]) std::printf("  first: 0x%08x 0x%08x 0x%08x\n", f[0], f[1], f[2]);
  cudaFree(bad);
  cudaFree(first);
  return (b[0] || b[1] || b[2]) ? 1 : 0;
}

// ---- 2. host transcription of the Java reference quantizers -----------------------------------

struct HostQ {
  std::vector<uint8_t> data, scales;
  float tensor_scale = 1.0f;
};

static int blk(int f) { return f <= 2 ? 32 : (f <= 4 ? 16 : (f == 5 ? 0 : 128)); }
static bool fp4(int f) { return f == 2 || f == 3 || f == 4; }

static uint32_t elem_encode(int f, float q, bool sr, uint32_t r24) {
  if (f == 0 || f >= 5) return sr ? e4m3_encode_sr(q, r24) : e4m3_encode_sw(q);
  if (f == 1) return sr ? e5m2_encode_sr(q, r24) : e5m2_encode_sw(q);
  return sr ? e2m1_encode_sr(q, r24) : e2m1_encode_generic(q);
}

static void hadamard_host(float* v, uint32_t mask, bool inverse) {
  if (!inverse)
    for (int j = 0; j < 16; ++j)
      if ((mask >> j) & 1u) v[j] = -v[j];
  for (int j = 0; j < 16; ++j) v[j] = v[j] * 0.25f;
  for (int h = 1; h < 16; h <<= 1)
    for (int j = 0; j < 16; ++j)
      if ((j & h) == 0) {
        const float a = v[j], b = v[j + h];
        v[j] = a + b;
        v[j + h] = a - b;
      }
  if (inverse)
    for (int j = 0; j < 16; ++j)
      if ((mask >> j) & 1u) v[j] = -v[j];
}

static std::vector<uint8_t> to_layout(const std::vector<uint8_t>& rm, int64_t R, int64_t C, int layout) {
  if (layout == DW_QUANT_LAYOUT_ROW_MAJOR) return rm;
  if (layout == DW_QUANT_LAYOUT_SWIZZLED_128X4) {
    std::vector<uint8_t> out(static_cast<size_t>((R + 127) / 128 * 128 * ((C + 3) / 4 * 4)), 0);
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) out[swizzled_offset(r, c, C)] = rm[r * C + c];
    return out;
  }
  // MN_MAJOR, FP32 entries
  std::vector<uint8_t> out(rm.size());
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) std::memcpy(&out[4 * (c * R + r)], &rm[4 * (r * C + c)], 4);
  return out;
}

// given_amax: when not null, the tensor amax of NVFP4 / FP8 per-tensor (dw_quantize_with_amax).
static HostQ host_quantize(const std::vector<float>& x, int64_t rows, int64_t cols, const dw_quant_options& o,
                           int axis, const float* given_amax = nullptr) {
  const int f = o.format;
  const bool sr = o.stochastic_rounding != 0;
  const int64_t SR = axis == 0 ? rows : cols, SC = axis == 0 ? cols : rows;
  std::vector<float> v(static_cast<size_t>(rows * cols));
  std::vector<uint64_t> orig(v.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t p = axis == 0 ? r * cols + c : c * rows + r;
      v[p] = x[r * cols + c];
      orig[p] = static_cast<uint64_t>(r * cols + c);
    }
  std::vector<uint32_t> codes(v.size(), 0);
  HostQ q;
  std::vector<uint8_t> rm;  // row-major scales
  int64_t srows = 0, scols = 0;
  auto rnd = [&](int64_t p) { return sr ? random24(o.seed, orig[p]) : 0u; };
  if (f <= 2) {
    const int emax = f == 0 ? 8 : (f == 1 ? 15 : 2);
    const float emaxv = f == 0 ? 448.0f : (f == 1 ? 57344.0f : 6.0f);
    srows = SR;
    scols = SC / 32;
    rm.assign(static_cast<size_t>(srows * scols), 0);
    for (int64_t b = 0; b < srows * scols; ++b) {
      float amax = 0;
      bool nf = false;
      for (int j = 0; j < 32; ++j) {
        const float a = std::fabs(v[b * 32 + j]);
        if (!(a <= kFltMax)) nf = true;
        else if (a > amax) amax = a;
      }
      if (nf) {
        rm[b] = 0xFF;
        continue;
      }
      const uint32_t code = mx_scale_code(amax, o.scale_rule == DW_QUANT_SCALE_OCP, emax, emaxv);
      rm[b] = static_cast<uint8_t>(code);
      const float inv = mx_inverse_scale(code);
      for (int j = 0; j < 32; ++j) codes[b * 32 + j] = elem_encode(f, v[b * 32 + j] * inv, sr, rnd(b * 32 + j));
    }
  } else if (f <= 4) {
    if (o.hadamard16) {
      const uint32_t mask = hadamard_sign_mask(o.seed);
      for (size_t off = 0; off < v.size(); off += 16) hadamard_host(&v[off], mask, false);
    }
    float ta = 0;
    for (float e : v) {
      const float a = std::fabs(e);
      if (a <= kFltMax && a > ta) ta = a;
    }
    if (given_amax) ta = *given_amax;
    const float s_enc = nvfp4_encode_scale(ta);
    q.tensor_scale = 1.0f / s_enc;
    const int tile_rows = f == 4 ? 16 : 1;
    srows = SR;
    scols = SC / 16;
    rm.assign(static_cast<size_t>(srows * scols), 0);
    for (int64_t r0 = 0; r0 < SR; r0 += tile_rows) {
      const int64_t r1 = std::min(r0 + tile_rows, SR);
      for (int64_t b = 0; b < scols; ++b) {
        float amax = 0;
        bool nf = false;
        for (int64_t r = r0; r < r1; ++r)
          for (int j = 0; j < 16; ++j) {
            const float a = std::fabs(v[r * SC + b * 16 + j]);
            if (!(a <= kFltMax)) nf = true;
            else if (a > amax) amax = a;
          }
        const uint32_t code = nf ? 0x7Fu : nvfp4_block_code(amax, s_enc);
        const float e = nf ? 0.0f : nvfp4_element_scale(s_enc, code);
        for (int64_t r = r0; r < r1; ++r) {
          rm[r * scols + b] = static_cast<uint8_t>(code);
          if (nf) continue;
          for (int j = 0; j < 16; ++j) {
            const int64_t p = r * SC + b * 16 + j;
            codes[p] = elem_encode(f, v[p] * e, sr, rnd(p));
          }
        }
      }
    }
  } else if (f == 5) {
    float ta = 0;
    for (float e : v) {
      const float a = std::fabs(e);
      if (a <= kFltMax && a > ta) ta = a;
    }
    if (given_amax) ta = *given_amax;
    const float s = fp8_tensor_encode_scale(ta);
    q.tensor_scale = 1.0f / s;
    for (size_t p = 0; p < v.size(); ++p) codes[p] = elem_encode(f, v[p] * s, sr, rnd(p));
  } else {
    const int tile_rows = o.fp8_block_shape == DW_QUANT_FP8_BLOCK_128X128 ? 128 : 1;
    srows = (SR + tile_rows - 1) / tile_rows;
    scols = SC / 128;
    rm.assign(static_cast<size_t>(4 * srows * scols), 0);
    for (int64_t tr = 0; tr < srows; ++tr) {
      const int64_t r0 = tr * tile_rows, r1 = std::min(r0 + tile_rows, SR);
      for (int64_t b = 0; b < scols; ++b) {
        float amax = 0;
        for (int64_t r = r0; r < r1; ++r)
          for (int j = 0; j < 128; ++j) {
            const float a = std::fabs(v[r * SC + b * 128 + j]);
            if (a <= kFltMax && a > amax) amax = a;
          }
        const float s = fp8_block_decode_scale(amax);
        std::memcpy(&rm[4 * (tr * scols + b)], &s, 4);
        for (int64_t r = r0; r < r1; ++r)
          for (int j = 0; j < 128; ++j) {
            const int64_t p = r * SC + b * 128 + j;
            codes[p] = elem_encode(f, v[p] / s, sr, rnd(p));
          }
      }
    }
  }
  if (fp4(f)) {
    q.data.resize(codes.size() / 2);
    for (size_t i = 0; i < q.data.size(); ++i) q.data[i] = static_cast<uint8_t>(codes[2 * i] | (codes[2 * i + 1] << 4));
  } else {
    q.data.resize(codes.size());
    for (size_t i = 0; i < codes.size(); ++i) q.data[i] = static_cast<uint8_t>(codes[i]);
  }
  if (f != 5) q.scales = to_layout(rm, srows, scols, o.scale_layout);
  return q;
}

// Host dequantization (the Java dequantize), from the host reference bytes.
static std::vector<float> host_dequantize(const HostQ& q, int64_t rows, int64_t cols, const dw_quant_options& o,
                                          int axis) {
  const int f = o.format;
  const int64_t SR = axis == 0 ? rows : cols, SC = axis == 0 ? cols : rows;
  const int64_t n = rows * cols;
  std::vector<float> st(static_cast<size_t>(n));
  auto code = [&](int64_t p) -> uint32_t {
    if (!fp4(f)) return q.data[p];
    return (p & 1) ? q.data[p / 2] >> 4 : q.data[p / 2] & 0xF;
  };
  const int B = blk(f);
  const int64_t scols = B ? SC / B : 0;
  const int64_t srows = (f == 6 && o.fp8_block_shape == 1) ? (SR + 127) / 128 : SR;
  auto sbyte = [&](int64_t r, int64_t c) -> uint32_t {
    return q.scales[o.scale_layout == 1 ? swizzled_offset(r, c, scols) : r * scols + c];
  };
  for (int64_t p = 0; p < n; ++p) {
    const int64_t r = p / SC, c = p % SC;
    const uint32_t k = code(p);
    if (f <= 2) {
      const float e = f == 0 ? e4m3_decode(k) : (f == 1 ? e5m2_decode(k) : e2m1_decode(k));
      st[p] = e * e8m0_decode(sbyte(r, c / 32));
    } else if (f <= 4) {
      st[p] = (e2m1_decode(k) * ue4m3_decode(sbyte(r, c / 16))) * q.tensor_scale;
    } else if (f == 5) {
      st[p] = e4m3_decode(k) * q.tensor_scale;
    } else {
      const int64_t tr = o.fp8_block_shape == 1 ? r / 128 : r;
      float s;
      const int64_t idx = o.scale_layout == 2 ? (c / 128) * srows + tr : tr * scols + c / 128;
      std::memcpy(&s, &q.scales[4 * idx], 4);
      st[p] = e4m3_decode(k) * s;
    }
  }
  if (o.hadamard16) {
    const uint32_t mask = hadamard_sign_mask(o.seed);
    for (int64_t off = 0; off < n; off += 16) hadamard_host(&st[off], mask, true);
  }
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = axis == 0 ? st[r * cols + c] : st[c * rows + r];
  return out;
}

// ---- test inputs -------------------------------------------------------------------------------

static uint16_t bf16_of(float f) {
  uint32_t b = f2u(f);
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;
  return static_cast<uint16_t>((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}

enum class Fill { RANDOM, ZEROS, DENORMALS, HUGE_PER_BLOCK, NAN_INF, TINY_BLOCKS };

static std::vector<uint16_t> make_input(int64_t rows, int64_t cols, Fill fill, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_real_distribution<float> ud(-30.0f, 30.0f);
  std::vector<uint16_t> x(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    const float row_scale = std::exp2(std::floor(ud(g)));  // rows of very different magnitudes
    for (int64_t c = 0; c < cols; ++c) {
      float v = nd(g) * row_scale;
      switch (fill) {
        case Fill::RANDOM: break;
        case Fill::ZEROS: v = (g() & 1) ? 0.0f : -0.0f; break;
        case Fill::DENORMALS: {
          const uint16_t b = static_cast<uint16_t>((g() & 0x807F) | ((g() & 7) == 0 ? 0x0080 : 0));  // subnormal / tiny
          x[r * cols + c] = b;
          continue;
        }
        case Fill::HUGE_PER_BLOCK:
          if ((c % 16) == static_cast<int64_t>(r % 16)) v = (g() & 1 ? 1.0f : -1.0f) * 3.0e38f;
          break;
        case Fill::NAN_INF: {
          const uint64_t k = g() % 97;
          if (k == 0) v = NAN;
          else if (k == 1) v = INFINITY;
          else if (k == 2) v = -INFINITY;
          break;
        }
        case Fill::TINY_BLOCKS:
          if ((c / 32) % 3 == 1) v *= 1e-30f;
          break;
      }
      x[r * cols + c] = bf16_of(v);
    }
  }
  return x;
}

// ---- running one case ---------------------------------------------------------------------------

struct Dev {
  void* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t bytes) : n(bytes) {
    if (bytes) CUDA_OK(cudaMalloc(&p, bytes));
  }
  ~Dev() {
    if (p) cudaFree(p);
  }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
};

static int g_cases = 0, g_failures = 0;

static bool compare(const char* what, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                    const std::string& label) {
  if (got.size() != want.size()) {
    std::printf("FAIL %s %s: size %zu != %zu\n", label.c_str(), what, got.size(), want.size());
    return false;
  }
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) {
      if (!bad) first = i;
      ++bad;
    }
  if (bad) {
    std::printf("FAIL %s %s: %zu of %zu bytes differ, first at %zu: got 0x%02x want 0x%02x\n", label.c_str(), what,
                bad, got.size(), first, got[first], want[first]);
    return false;
  }
  return true;
}

static std::string label_of(const dw_quant_options& o, int64_t rows, int64_t cols, const char* axes, const char* fill) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "fmt=%d rule=%s layout=%d blk=%d sr=%d had=%d seed=%" PRIu64 " [%" PRId64 "x%" PRId64 "] %s %s",
                o.format, o.scale_rule == 0 ? "ocp" : "ceil", o.scale_layout, o.fp8_block_shape, o.stochastic_rounding,
                o.hadamard16, o.seed, rows, cols, axes, fill);
  return buf;
}

// Quantizes on the GPU (axes: 1 ROW, 2 COL, 3 both in one call), compares each copy and its
// dequantization with the host reference.
// amax_scale: 0 runs dw_quantize; > 0 runs dw_quantize_with_amax with amax_scale x the true
// tensor amax (1: the same bytes as dw_quantize; other values: the reference with that amax).
static void run_case(dw_stream stream, const dw_quant_options& o, int64_t rows, int64_t cols, int axes, Fill fill,
                     const char* fill_name, uint64_t seed, float amax_scale = 0.0f) {
  ++g_cases;
  std::string label = label_of(o, rows, cols, axes == 1 ? "ROW" : (axes == 2 ? "COL" : "ROW+COL"), fill_name);
  if (amax_scale > 0.0f) {
    char b[64];
    std::snprintf(b, sizeof b, " amax-given x%g", amax_scale);
    label += b;
  }
  const std::vector<uint16_t> xb = make_input(rows, cols, fill, seed);
  std::vector<float> xf(xb.size());
  for (size_t i = 0; i < xb.size(); ++i) xf[i] = bf16_to_float(xb[i]);
  Dev dx(xb.size() * 2), ws(DW_QUANT_WORKSPACE_BYTES);
  CUDA_OK(cudaMemcpy(dx.p, xb.data(), xb.size() * 2, cudaMemcpyHostToDevice));
  dw_quant_layout_info info[2];
  Dev* data[2] = {nullptr, nullptr};
  Dev* scales[2] = {nullptr, nullptr};
  Dev* ts[2] = {nullptr, nullptr};
  dw_quant_output out[2];
  for (int a = 0; a < 2; ++a) {
    if (!(axes & (1 << a))) continue;
    dw_ok(dw_quant_layout(&o, rows, cols, a, &info[a]), "dw_quant_layout");
    data[a] = new Dev(info[a].data_bytes);
    scales[a] = new Dev(info[a].scale_bytes ? info[a].scale_bytes : 0);
    ts[a] = new Dev(4);
    CUDA_OK(cudaMemset(data[a]->p, 0xCD, info[a].data_bytes));  // poison: every byte must be written
    if (info[a].scale_bytes) CUDA_OK(cudaMemset(scales[a]->p, 0xCD, info[a].scale_bytes));
    CUDA_OK(cudaMemset(ts[a]->p, 0xCD, 4));
    out[a].data = data[a]->p;
    out[a].scales = info[a].scale_bytes ? scales[a]->p : nullptr;
    out[a].tensor_scale = info[a].has_tensor_scale ? static_cast<float*>(ts[a]->p) : nullptr;
  }
  // The input copy and the poison above run on the legacy default stream, which does not order
  // work on the library's non-blocking stream: without this wait a late poison memset can land
  // after the kernel (seen on an H100, 2026-11-25, with three check processes sharing the GPU:
  // every failure of that run read back 0xCD).
  CUDA_OK(cudaDeviceSynchronize());
  float given = 0.0f;
  if (amax_scale > 0.0f) {
    float ta = 0.0f;
    for (float e : xf) {
      const float a = std::fabs(e);
      if (a <= kFltMax && a > ta) ta = a;
    }
    given = ta * amax_scale;
    CUDA_OK(cudaMemcpy(ws.p, &given, 4, cudaMemcpyHostToDevice));
    CUDA_OK(cudaDeviceSynchronize());
    dw_ok(dw_quantize_with_amax(stream, &o, dx.p, rows, cols, (axes & 1) ? &out[0] : nullptr, (axes & 2) ? &out[1] : nullptr,
                                static_cast<const float*>(ws.p)),
          label.c_str());
  } else {
    dw_ok(dw_quantize(stream, &o, dx.p, rows, cols, (axes & 1) ? &out[0] : nullptr, (axes & 2) ? &out[1] : nullptr, ws.p),
          label.c_str());
  }
  dw_ok(dw_stream_synchronize(stream), "sync");
  bool ok = true;
  for (int a = 0; a < 2; ++a) {
    if (!(axes & (1 << a))) continue;
    const HostQ want = host_quantize(xf, rows, cols, o, a, amax_scale > 0.0f ? &given : nullptr);
    std::vector<uint8_t> got_d(info[a].data_bytes), got_s(info[a].scale_bytes);
    CUDA_OK(cudaMemcpy(got_d.data(), data[a]->p, got_d.size(), cudaMemcpyDeviceToHost));
    if (!got_s.empty()) CUDA_OK(cudaMemcpy(got_s.data(), scales[a]->p, got_s.size(), cudaMemcpyDeviceToHost));
    const std::string al = label + (a == 0 ? " [ROW copy]" : " [COL copy]");
    ok &= compare("data", got_d, want.data, al);
    ok &= compare("scales", got_s, want.scales, al);
    if (info[a].has_tensor_scale) {
      float t;
      CUDA_OK(cudaMemcpy(&t, ts[a]->p, 4, cudaMemcpyDeviceToHost));
      if (f2u(t) != f2u(want.tensor_scale)) {
        std::printf("FAIL %s tensor scale %a != %a\n", al.c_str(), t, want.tensor_scale);
        ok = false;
      }
    }
    // Dequantize on the GPU, FP32, against the host dequantization of the reference bytes.
    Dev dq(static_cast<size_t>(rows * cols) * 4);
    dw_ok(dw_dequantize(stream, &o, rows, cols, a, data[a]->p, info[a].scale_bytes ? scales[a]->p : nullptr,
                        static_cast<const float*>(ts[a]->p), dq.p, DW_DEQUANT_F32),
          "dw_dequantize");
    dw_ok(dw_stream_synchronize(stream), "sync");
    std::vector<float> got_f(static_cast<size_t>(rows * cols));
    CUDA_OK(cudaMemcpy(got_f.data(), dq.p, got_f.size() * 4, cudaMemcpyDeviceToHost));
    const std::vector<float> want_f = host_dequantize(want, rows, cols, o, a);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got_f.size(); ++i) {
      const bool same = (got_f[i] != got_f[i] && want_f[i] != want_f[i]) || f2u(got_f[i]) == f2u(want_f[i]);
      if (!same) {
        if (!bad) first = i;
        ++bad;
      }
    }
    if (bad) {
      std::printf("FAIL %s dequantize: %zu values differ, first at %zu: got %a want %a\n", al.c_str(), bad, first,
                  got_f[first], want_f[first]);
      ok = false;
    }
  }
  for (int a = 0; a < 2; ++a) {
    delete data[a];
    delete scales[a];
    delete ts[a];
  }
  if (!ok) ++g_failures;
}

static dw_quant_options opts(int f) {
  dw_quant_options o;
  std::memset(&o, 0, sizeof o);
  o.format = f;
  o.scale_rule = DW_QUANT_SCALE_CEIL;
  return o;
}

static int run_checks(dw_stream stream, bool quick) {
  struct Shape {
    int64_t r, c;
  };
  // Multiples of 128 both ways (both axes for every format), then ragged ones per format.
  const std::vector<Shape> full = {{128, 128}, {256, 384}, {384, 128}, {128, 1152}};
  const std::vector<Shape> full_quick = {{128, 128}, {256, 384}};
  const struct {
    Fill fill;
    const char* name;
  } fills[] = {{Fill::RANDOM, "random"},         {Fill::ZEROS, "zeros"},   {Fill::DENORMALS, "denormals"},
               {Fill::HUGE_PER_BLOCK, "huge"},   {Fill::NAN_INF, "naninf"}, {Fill::TINY_BLOCKS, "tiny-blocks"}};
  uint64_t seed = 1;
  for (int f = 0; f <= 6; ++f) {
    std::vector<dw_quant_options> variants;
    dw_quant_options o = opts(f);
    variants.push_back(o);
    if (f <= 2) {
      dw_quant_options v = o;
      v.scale_rule = DW_QUANT_SCALE_OCP;
      variants.push_back(v);
      v.scale_layout = DW_QUANT_LAYOUT_SWIZZLED_128X4;
      variants.push_back(v);
    }
    if (f == 3 || f == 4) {
      dw_quant_options v = o;
      v.hadamard16 = 1;
      v.seed = 0x1234567890ABCDEFull;
      variants.push_back(v);
      v.scale_layout = DW_QUANT_LAYOUT_SWIZZLED_128X4;
      variants.push_back(v);
    }
    if (f == 6) {
      dw_quant_options v = o;
      v.fp8_block_shape = DW_QUANT_FP8_BLOCK_128X128;
      variants.push_back(v);
      v = o;
      v.scale_layout = DW_QUANT_LAYOUT_MN_MAJOR;
      variants.push_back(v);
    }
    {
      dw_quant_options v = o;
      v.stochastic_rounding = 1;
      v.seed = 42;
      variants.push_back(v);
    }
    std::printf("progress: format %d, %d cases so far, %d failed\n", f, g_cases, g_failures);
    for (const dw_quant_options& v : variants) {
      // Every fill on the first shape; random data (several seeds) on the others.
      const std::vector<Shape>& shapes = quick ? full_quick : full;
      for (size_t si = 0; si < shapes.size(); ++si) {
        for (int axes = 1; axes <= 3; ++axes) {
          for (const auto& fl : fills) {
            if (si > 0 && fl.fill != Fill::RANDOM) continue;
            run_case(stream, v, shapes[si].r, shapes[si].c, axes, fl.fill, fl.name, seed++);
          }
        }
      }
      // More tiles than CTAs fit on an H100 (132 SMs x 4 CTAs of 64x64, x 2 of 128x128): with
      // DEEPWELL_QUANT_GRID=persistent every CTA works through several tiles, prefetching the next.
      // The pipelined kernel (DEEPWELL_QUANT_GRID=pipe) walks many tiles per CTA, through every
      // stage of its ring and a partial last band, when DEEPWELL_QUANT_MAX_CTAS caps its grid
      // (e.g. 7) and DEEPWELL_QUANT_GROUP does not divide the tile rows (e.g. 5: 9 or 18 of them).
      if (f == 6) run_case(stream, v, 2304, 2048, 3, Fill::RANDOM, "random", seed++);
      else run_case(stream, v, 1152, 2048, 3, Fill::RANDOM, "random", seed++);
      // Ragged shapes: the non-blocked dimension arbitrary, partial tiles at the edges.
      const int B = blk(f) ? blk(f) : 1;
      const int64_t k = f == 6 ? 128 : 64;
      const Shape row_ragged[] = {{1, B * 3}, {7, B * 5}, {k + 3, B * 7}, {2 * k + 45, 2 * k + B}};
      const Shape col_ragged[] = {{B * 3, 1}, {B * 5, 7}, {B * 7, k + 3}, {2 * k + B, 2 * k + 45}};
      for (const Shape& s : row_ragged) run_case(stream, v, s.r, s.c, 1, Fill::RANDOM, "random", seed++);
      for (const Shape& s : col_ragged) run_case(stream, v, s.r, s.c, 2, Fill::RANDOM, "random", seed++);
      if (f == 5) {  // any shape, both axes
        const Shape any[] = {{1, 1}, {3, 5}, {67, 13}, {9, 130}, {130, 9}};
        for (const Shape& s : any)
          for (int axes = 1; axes <= 3; ++axes) run_case(stream, v, s.r, s.c, axes, Fill::RANDOM, "random", seed++);
      }
      // dw_quantize_with_amax: the true amax (bytes of dw_quantize), a larger and a smaller one
      // (saturating), on the pipelined shapes, a ragged one and the adversarial fills.
      if ((f >= 3 && f <= 5) && !v.hadamard16) {
        const float scales[3] = {1.0f, 2.5f, 0.375f};
        for (float sc : scales) {
          run_case(stream, v, 256, 384, 3, Fill::RANDOM, "random", seed++, sc);
          run_case(stream, v, 1152, 2048, 3, Fill::RANDOM, "random", seed++, sc);
          run_case(stream, v, 2 * k + 45, 2 * k + B, 1, Fill::RANDOM, "random", seed++, sc);
        }
        for (const auto& fl : fills) run_case(stream, v, 128, 384, 3, fl.fill, fl.name, seed++, 1.0f);
      }
    }
  }
  std::printf("CHECK SUMMARY: %d cases, %d failed\n", g_cases, g_failures);
  return g_failures ? 1 : 0;
}

// ---- 3. benchmark -------------------------------------------------------------------------------

__global__ void fill_random_bf16(uint16_t* x, uint64_t n, uint32_t seed) {
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const Philox4 p = philox4x32_10(static_cast<uint32_t>(i), static_cast<uint32_t>(i >> 32), seed, 7, 1, 2);
    // roughly normal: sum of uniforms, scaled by a per-row-ish power of two
    const float u = (static_cast<float>(p.w[0] >> 8) + static_cast<float>(p.w[1] >> 8) -
                     static_cast<float>(p.w[2] >> 8) - static_cast<float>(p.w[3] >> 8)) * (1.0f / 16777216.0f);
    const float s = exp2f(static_cast<float>((i >> 14) % 17) - 8.0f);
    const uint32_t b = __float_as_uint(u * s);
    x[i] = static_cast<uint16_t>((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
  }
}

static float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// only: when non-null, the benchmark cases whose name contains it (a profiler can then select
// the first launch of one kernel).
static int run_bench(dw_stream stream, const char* out_dir, bool quick, const char* only) {
  int64_t rows = 8192, cols = 16384;  // 256 MiB of BF16
  if (const char* sh = std::getenv("DW_QUANT_BENCH_SHAPE")) {
    long long r = 0, c = 0;
    if (std::sscanf(sh, "%lldx%lld", &r, &c) == 2 && r > 0 && c > 0 && r % 128 == 0 && c % 128 == 0) {
      rows = r;
      cols = c;
    } else {
      std::fprintf(stderr, "DW_QUANT_BENCH_SHAPE=%s ignored (want RxC, multiples of 128)\n", sh);
    }
  }
  const uint64_t n = static_cast<uint64_t>(rows) * cols, in_bytes = 2 * n;
  const int kBuf = 2, iters = quick ? 10 : 30, kBatch = 8;
  cudaStream_t cs = static_cast<cudaStream_t>(dw_stream_native(stream));
  std::vector<Dev*> xs;
  for (int b = 0; b < kBuf; ++b) {
    xs.push_back(new Dev(in_bytes));
    fill_random_bf16<<<1024, 256, 0, cs>>>(static_cast<uint16_t*>(xs[b]->p), n, 1234u + b);
  }
  // Outputs sized for the largest case (FP8 codes both ways + FP32 scales), per buffer set.
  std::vector<Dev*> outs;
  for (int b = 0; b < kBuf; ++b) outs.push_back(new Dev(2 * n + 2 * (n / 32) * 4 + 4096));
  Dev ws(DW_QUANT_WORKSPACE_BYTES), copy_dst(in_bytes);
  CUDA_OK(cudaStreamSynchronize(cs));
  cudaEvent_t e0, e1;
  CUDA_OK(cudaEventCreate(&e0));
  CUDA_OK(cudaEventCreate(&e1));
  // Steady state: rounds of kBatch calls between two events, ms per call (median of the rounds).
  // Latency: one call between two events on an idle stream (median), into *latency_ms.
  auto time_it = [&](auto&& body, float* latency_ms = nullptr) {
    for (int w = 0; w < 3; ++w) body(w % kBuf);
    std::vector<float> ms, one;
    for (int i = 0; i < iters; ++i) {
      CUDA_OK(cudaStreamSynchronize(cs));
      CUDA_OK(cudaEventRecord(e0, cs));
      for (int j = 0; j < kBatch; ++j) body((i * kBatch + j) % kBuf);
      CUDA_OK(cudaEventRecord(e1, cs));
      CUDA_OK(cudaEventSynchronize(e1));
      float t;
      CUDA_OK(cudaEventElapsedTime(&t, e0, e1));
      ms.push_back(t / kBatch);
    }
    for (int i = 0; latency_ms != nullptr && i < iters; ++i) {
      CUDA_OK(cudaEventRecord(e0, cs));
      body(i % kBuf);
      CUDA_OK(cudaEventRecord(e1, cs));
      CUDA_OK(cudaEventSynchronize(e1));
      float t;
      CUDA_OK(cudaEventElapsedTime(&t, e0, e1));
      one.push_back(t);
    }
    if (latency_ms != nullptr) *latency_ms = median(one);
    return median(ms);
  };
  float copy_lat = 0.0f, copyk_lat = 0.0f;
  const float copy_ms = time_it([&](int b) {
    CUDA_OK(cudaMemcpyAsync(copy_dst.p, xs[b]->p, in_bytes, cudaMemcpyDeviceToDevice, cs));
  }, &copy_lat);
  const float copyk_ms = time_it([&](int b) { dw_ok(dw_copy_kernel(stream, copy_dst.p, xs[b]->p, in_bytes), "copy"); },
                                 &copyk_lat);
  const double copy_gbs = 2.0 * in_bytes / (copy_ms * 1e6), copyk_gbs = 2.0 * in_bytes / (copyk_ms * 1e6);
  const double ref_gbs = std::max(copy_gbs, copyk_gbs);
  // The same from one-call latencies (the figures this benchmark printed before 2026-11-26, session 6).
  const double ref1_gbs = std::max(2.0 * in_bytes / (copy_lat * 1e6), 2.0 * in_bytes / (copyk_lat * 1e6));
  std::string path = std::string(out_dir) + "/quant_bench.jsonl";
  FILE* js = std::fopen(path.c_str(), "w");
  cudaDeviceProp prop;
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
  // The kernel variant (quantize_api.cu reads these once per process).
  const char* grid_env = std::getenv("DEEPWELL_QUANT_GRID");
  std::string variant_s = grid_env ? grid_env : "default";
  const char* knob_names[] = {"DEEPWELL_QUANT_GROUP", "DEEPWELL_QUANT_TILES", "DEEPWELL_QUANT_STORE", "DEEPWELL_QUANT_MXMUL",
                              "DEEPWELL_QUANT_MAX_CTAS", "DEEPWELL_QUANT_FETCH", "DEEPWELL_QUANT_CTAS_PER_SM", "DEEPWELL_QUANT_DYNAMIC"};
  const char* knob_short[] = {"group", "tiles", "store", "mxmul", "ctas", "fetch", "per_sm", "dyn"};
  for (int i = 0; i < 8; ++i) {
    const char* v = std::getenv(knob_names[i]);
    if (v && *v) variant_s += std::string(" ") + knob_short[i] + "=" + v;
  }
  char variant[128];
  std::snprintf(variant, sizeof variant, "%s", variant_s.c_str());
  std::printf("device %s, input BF16 [%" PRId64 ", %" PRId64 "] = %.0f MiB, %d rotating buffers, median of %d, variant %s\n",
              prop.name, rows, cols, in_bytes / 1048576.0, kBuf, iters, variant);
  std::printf("D2D copy: cudaMemcpyAsync %.0f GB/s, dw_copy_kernel %.0f GB/s (read + write, steady state); reference = %.0f GB/s\n",
              copy_gbs, copyk_gbs, ref_gbs);
  std::printf("          one call on an idle GPU: cudaMemcpyAsync %.4f ms, dw_copy_kernel %.4f ms; reference = %.0f GB/s\n",
              copy_lat, copyk_lat, ref1_gbs);
  if (js) {
    std::fprintf(js,
                 "{\"kind\":\"copy\",\"variant\":\"%s\",\"memcpy_gbs\":%.1f,\"copy_kernel_gbs\":%.1f,\"memcpy_1call_ms\":%.4f,"
                 "\"copy_kernel_1call_ms\":%.4f,\"rows\":%" PRId64 ",\"cols\":%" PRId64 ",\"device\":\"%s\"}\n",
                 variant, copy_gbs, copyk_gbs, copy_lat, copyk_lat, rows, cols, prop.name);
  }
  const float amax_ms = time_it([&](int b) {
    dw_ok(dw_quant_amax_bf16(stream, xs[b]->p, n, static_cast<float*>(ws.p)), "amax");
  });
  // The tensor amax of each input buffer, for the "(amax given)" cases (a producer's epilogue or
  // a delayed-scaling history would supply it; it is computed here once, outside the timing).
  Dev amax_dev(kBuf * sizeof(float));
  for (int b = 0; b < kBuf; ++b) {
    dw_ok(dw_quant_amax_bf16(stream, xs[b]->p, n, static_cast<float*>(amax_dev.p) + b), "amax");
  }
  CUDA_OK(cudaStreamSynchronize(cs));
  std::printf("%-34s %8.3f ms %7.0f GB/s %5.1f%% of copy\n", "tensor amax (read only)", amax_ms, in_bytes / (amax_ms * 1e6),
              100.0 * in_bytes / (amax_ms * 1e6) / ref_gbs);
  struct Case {
    const char* name;
    int format, axes, shape, had;
    bool amax_given = false;  // dw_quantize_with_amax (the amax computed once before timing)
  };
  const Case cases[] = {
      {"mxfp8-e4m3 ROW", 0, 1, 0, 0},        {"mxfp8-e4m3 COL", 0, 2, 0, 0},        {"mxfp8-e4m3 ROW+COL", 0, 3, 0, 0},
      {"mxfp8-e5m2 ROW+COL", 1, 3, 0, 0},    {"mxfp4 ROW+COL", 2, 3, 0, 0},         {"nvfp4 ROW", 3, 1, 0, 0},
      {"nvfp4 ROW+COL", 3, 3, 0, 0},         {"nvfp4 ROW+COL hadamard", 3, 3, 0, 1}, {"nvfp4-2d ROW+COL", 4, 3, 0, 0},
      {"fp8-tensor ROW", 5, 1, 0, 0},        {"fp8-tensor ROW+COL", 5, 3, 0, 0},    {"fp8-block 1x128 ROW", 6, 1, 0, 0},
      {"fp8-block 1x128 ROW+COL", 6, 3, 0, 0}, {"fp8-block 128x128 ROW+COL", 6, 3, 1, 0},
      {"nvfp4 ROW+COL (amax given)", 3, 3, 0, 0, true}, {"fp8-tensor ROW+COL (amax given)", 5, 3, 0, 0, true},
      {"nvfp4 ROW (amax given)", 3, 1, 0, 0, true}};
  std::printf("%-34s %8s %8s %6s | %8s %6s | %8s %6s  (min bytes = x once + outputs; moved = + amax pass; 1 call = latency)\n",
              "case", "ms", "GB/s", "%copy", "moved", "%copy", "1call ms", "%copy");
  for (const Case& c : cases) {
    if (only && !std::strstr(c.name, only)) continue;
    dw_quant_options o = opts(c.format);
    o.fp8_block_shape = c.shape;
    o.hadamard16 = c.had;
    o.seed = 7;
    dw_quant_layout_info li[2];
    uint64_t written = 0;
    for (int a = 0; a < 2; ++a)
      if (c.axes & (1 << a)) {
        dw_ok(dw_quant_layout(&o, rows, cols, a, &li[a]), "layout");
        written += li[a].data_bytes + li[a].scale_bytes + (li[a].has_tensor_scale ? 4 : 0);
      }
    float lat = 0.0f;
    const float ms = time_it([&](int b) {
      uint8_t* base = static_cast<uint8_t*>(outs[b]->p);
      dw_quant_output out[2];
      uint64_t off = 0;
      for (int a = 0; a < 2; ++a) {
        if (!(c.axes & (1 << a))) continue;
        out[a].data = base + off;
        off += (li[a].data_bytes + 255) / 256 * 256;
        out[a].scales = li[a].scale_bytes ? base + off : nullptr;
        off += (li[a].scale_bytes + 255) / 256 * 256;
        out[a].tensor_scale = li[a].has_tensor_scale ? reinterpret_cast<float*>(base + off) : nullptr;
        off += 256;
      }
      if (c.amax_given) {
        dw_ok(dw_quantize_with_amax(stream, &o, xs[b]->p, rows, cols, (c.axes & 1) ? &out[0] : nullptr,
                                    (c.axes & 2) ? &out[1] : nullptr, static_cast<const float*>(amax_dev.p) + b),
              c.name);
      } else {
        dw_ok(dw_quantize(stream, &o, xs[b]->p, rows, cols, (c.axes & 1) ? &out[0] : nullptr,
                          (c.axes & 2) ? &out[1] : nullptr, ws.p),
              c.name);
      }
    }, &lat);
    const uint64_t min_bytes = in_bytes + written;
    const uint64_t moved = min_bytes + (li[c.axes & 1 ? 0 : 1].has_tensor_scale && !c.amax_given ? in_bytes : 0);
    const double gbs = min_bytes / (ms * 1e6), mgbs = moved / (ms * 1e6), gbs1 = min_bytes / (lat * 1e6);
    std::printf("%-34s %8.3f %8.0f %5.1f%% | %8.0f %5.1f%% | %8.3f %5.1f%%\n", c.name, ms, gbs, 100.0 * gbs / ref_gbs, mgbs,
                100.0 * mgbs / ref_gbs, lat, 100.0 * gbs1 / ref1_gbs);
    if (js) {
      std::fprintf(js,
                   "{\"kind\":\"quant\",\"variant\":\"%s\",\"case\":\"%s\",\"ms\":%.4f,\"min_bytes\":%" PRIu64
                   ",\"moved_bytes\":%" PRIu64 ",\"gbs\":%.1f,\"pct_copy\":%.1f,\"moved_gbs\":%.1f,\"moved_pct_copy\":%.1f,"
                   "\"ms_1call\":%.4f,\"pct_copy_1call\":%.1f}\n",
                   variant, c.name, ms, min_bytes, moved, gbs, 100.0 * gbs / ref_gbs, mgbs, 100.0 * mgbs / ref_gbs, lat,
                   100.0 * gbs1 / ref1_gbs);
    }
  }
  if (js) std::fclose(js);
  for (Dev* d : xs) delete d;
  for (Dev* d : outs) delete d;
  return 0;
}

int main(int argc, char** argv) {
  bool check = false, bench = false, quick = false;
  const char* out_dir = ".";
  const char* only = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--check")) check = true;
    else if (!std::strcmp(argv[i], "--bench")) bench = true;
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--check] [--bench] [--quick] [--out DIR] [--only CASE-SUBSTRING]\n", argv[0]);
      return 2;
    }
  }
  if (!check && !bench) check = bench = true;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a run stopped by a time limit keeps its last lines
  dw_stream stream;
  dw_ok(dw_stream_create(0, &stream), "dw_stream_create");
  int rc = 0;
  if (check) {
    rc |= check_conversions();
    rc |= check_pipe3_elements();
    rc |= run_checks(stream, quick);
  }
  if (bench) rc |= run_bench(stream, out_dir, quick, only);
  // A pipe3 TMA fill whose tensor map the driver refused ran the LDGSTS fill instead: say so,
  // or a TMA measurement would silently be the other kernel's.
  std::printf("pipe3 TMA tensor maps refused (LDGSTS fill ran instead): %" PRIu64 "\n", dwq::pipe3_tma_refusals());
  dw_stream_destroy(stream);
  return rc;
}
