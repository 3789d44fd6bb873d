// Dequantization of every format back to x's orientation, [rows, cols] row-major, as FP32
// (bit-identical to the Java reference's dequantize, NaN payloads aside) or rounded to BF16.
// Not a hot path in training (GEMMs consume the quantized copies directly): one thread per
// output element gathers its code and scale; with the Hadamard transform one thread per stored
// 16-element run decodes, applies the inverse transform and scatters.
#include "quant_launch.h"

namespace dwq {

namespace {

__device__ __forceinline__ uint32_t float_to_bf16_rne(float f) {
  const uint32_t b = f2u(f);
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FFFu;  // canonical NaN, as Bf16.encode
  return (b + 0x7FFFu + ((b >> 16) & 1u)) >> 16;
}

__device__ __forceinline__ void put(const DequantParams& d, uint64_t o, float v) {
  if (d.bf16_out) {
    static_cast<uint16_t*>(d.out)[o] = static_cast<uint16_t>(float_to_bf16_rne(v));
  } else {
    static_cast<float*>(d.out)[o] = v;
  }
}

__device__ __forceinline__ uint32_t code_at(const DequantParams& d, bool fp4, uint64_t stored_index) {
  if (!fp4) return d.data[stored_index];
  const uint32_t b = d.data[stored_index >> 1];
  return (stored_index & 1) ? b >> 4 : b & 0xFu;
}

template <int F>  // dw_quant_format
__global__ void __launch_bounds__(kThreads) dequant_kernel(const DequantParams d) {
  constexpr bool kFp4 = F == 2 || F == 3 || F == 4;
  constexpr uint32_t kB = F <= 2 ? 32 : (F <= 4 ? 16 : (F == 6 ? 128 : 1));
  const uint64_t n = static_cast<uint64_t>(d.rows) * d.cols;
  const uint32_t stored_rows = d.axis == 0 ? d.rows : d.cols, stored_cols = d.axis == 0 ? d.cols : d.rows;
  const float ts = (F == 3 || F == 4 || F == 5) ? d.tensor_scale[0] : 1.0f;
  for (uint64_t o = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x; o < n;
       o += static_cast<uint64_t>(gridDim.x) * kThreads) {
    const uint32_t r = static_cast<uint32_t>(o / d.cols), c = static_cast<uint32_t>(o % d.cols);
    const uint32_t sr = d.axis == 0 ? r : c, sc = d.axis == 0 ? c : r;
    const uint32_t code = code_at(d, kFp4, static_cast<uint64_t>(sr) * stored_cols + sc);
    float v;
    if constexpr (F <= 2) {
      const float e = F == 0 ? e4m3_decode(code) : (F == 1 ? e5m2_decode(code) : e2m1_decode(code));
      const uint32_t sb = d.scales[scale_offset(d.layout, sr, sc / kB, stored_rows, stored_cols / kB)];
      v = mul_rn(e, e8m0_decode(sb));
    } else if constexpr (F == 3 || F == 4) {
      const uint32_t sb = d.scales[scale_offset(d.layout, sr, sc / kB, stored_rows, stored_cols / kB)];
      v = mul_rn(mul_rn(e2m1_decode(code), ue4m3_decode(sb)), ts);
    } else if constexpr (F == 5) {
      v = mul_rn(e4m3_decode(code), ts);
    } else {
      const uint32_t srow = d.two_d ? sr / 128 : sr;
      const uint32_t srows = d.two_d ? (stored_rows + 127) / 128 : stored_rows;
      const float s = reinterpret_cast<const float*>(d.scales)[scale_offset(d.layout, srow, sc / 128, srows,
                                                                            stored_cols / 128)];
      v = mul_rn(e4m3_decode(code), s);
    }
    put(d, o, v);
  }
}

// NVFP4 with the Hadamard transform: thread per stored 16-run (Hadamard16.inverse after decode).
__global__ void __launch_bounds__(kThreads) dequant_nvfp4_had_kernel(const DequantParams d) {
  const uint32_t stored_rows = d.axis == 0 ? d.rows : d.cols, stored_cols = d.axis == 0 ? d.cols : d.rows;
  const uint64_t runs = static_cast<uint64_t>(stored_rows) * (stored_cols / 16);
  const float ts = d.tensor_scale[0];
  for (uint64_t t = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x; t < runs;
       t += static_cast<uint64_t>(gridDim.x) * kThreads) {
    const uint32_t sr = static_cast<uint32_t>(t / (stored_cols / 16)), b = static_cast<uint32_t>(t % (stored_cols / 16));
    const uint32_t sb = d.scales[scale_offset(d.layout, sr, b, stored_rows, stored_cols / 16)];
    const float s_dec = ue4m3_decode(sb);
    float v[16];
#pragma unroll
    for (int j = 0; j < 16; ++j) {
      const uint32_t code = code_at(d, true, static_cast<uint64_t>(sr) * stored_cols + b * 16 + j);
      v[j] = mul_rn(mul_rn(e2m1_decode(code), s_dec), ts);
    }
#pragma unroll
    for (int j = 0; j < 16; ++j) v[j] = mul_rn(v[j], 0.25f);
#pragma unroll
    for (int h = 1; h < 16; h <<= 1) {
#pragma unroll
      for (int j = 0; j < 16; ++j) {
        if ((j & h) == 0) {
          const float a = v[j], c = v[j + h];
          v[j] = add_rn(a, c);
          v[j + h] = sub_rn(a, c);
        }
      }
    }
#pragma unroll
    for (int j = 0; j < 16; ++j) {
      if ((d.had_mask >> j) & 1u) v[j] = -v[j];
      const uint32_t sc = b * 16 + j;
      const uint64_t o = d.axis == 0 ? static_cast<uint64_t>(sr) * d.cols + sc : static_cast<uint64_t>(sc) * d.cols + sr;
      put(d, o, v[j]);
    }
  }
}

template <int F>
void launch(const DequantParams& d, unsigned grid, cudaStream_t s) {
  dequant_kernel<F><<<grid, kThreads, 0, s>>>(d);
}

}  // namespace

void launch_dequantize(const DequantParams& d, int format, bool had, int sm_count, cudaStream_t s) {
  const uint64_t n = static_cast<uint64_t>(d.rows) * d.cols;
  uint64_t grid = (n + kThreads - 1) / kThreads;
  const uint64_t cap = static_cast<uint64_t>(sm_count > 0 ? sm_count : 132) * 16;
  if (grid > cap) grid = cap;
  const unsigned g = static_cast<unsigned>(grid);
  if (had) {
    dequant_nvfp4_had_kernel<<<g, kThreads, 0, s>>>(d);
    return;
  }
  switch (format) {
    case 0: launch<0>(d, g, s); break;
    case 1: launch<1>(d, g, s); break;
    case 2: launch<2>(d, g, s); break;
    case 3: launch<3>(d, g, s); break;
    case 4: launch<4>(d, g, s); break;
    case 5: launch<5>(d, g, s); break;
    case 6: launch<6>(d, g, s); break;
    default: break;
  }

}

}  // namespace dwq
