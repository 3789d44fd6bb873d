// Reference GEMM in plain CUDA: every input format of gemm.h, any shape, any architecture.
// Operands are dequantized to FP32 on their way into shared memory and multiplied with FP32
// FMAs. Meant to be obviously right (it is the yardstick for the fast kernels on the GPU and
// the last fallback), not fast: a 64x64 tile per block, 4x4 outputs per thread.
#include <cstdint>

#include <cuda_bf16.h>

#include "gemm_internal.h"
#include "gemm_epilogue_math.cuh"
#include "gemm_reference_tile.cuh"
#include "quantize/quant_math.cuh"  // dwq::e8m0_decode: 2^(e-127), NaN for 255

namespace dw::gemm {
namespace {

using namespace reference_tile;  // tile shape, multiply_tile_step, e4m3_to_float

// E2M1: sign, 2 exponent bits (bias 1), 1 mantissa bit.
__device__ __forceinline__ float e2m1_to_float(uint8_t nib) {
  const float mags[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
  const float m = mags[nib & 7];
  return (nib & 8) ? -m : m;
}

// Element (row, k) of operand X ([rows, K]) as FP32, with its block scales; per-tensor scales
// are left to the epilogue.
struct Operand {
  const void* data;
  const void* scale;
};

template <int kInput, bool kIsA>
__device__ __forceinline__ float load(const Operand& x, int64_t row, int64_t k, int64_t K, int64_t M) {
  if constexpr (kInput == DW_GEMM_IN_BF16) {
    return __bfloat162float(static_cast<const __nv_bfloat16*>(x.data)[row * K + k]);
  } else if constexpr (kInput == DW_GEMM_IN_FP8_TENSOR) {
    return e4m3_to_float(static_cast<const uint8_t*>(x.data)[row * K + k]);
  } else if constexpr (kInput == DW_GEMM_IN_FP8_BLOCK128) {
    const float v = e4m3_to_float(static_cast<const uint8_t*>(x.data)[row * K + k]);
    const float* s = static_cast<const float*>(x.scale);
    const int64_t kb = k / 128;
    if constexpr (kIsA) return v * s[kb * M + row];                    // 1x128, M-contiguous
    else return v * s[(row / 128) * ceil_div(K, 128) + kb];             // 128x128, K-contiguous
  } else if constexpr (kInput == DW_GEMM_IN_MXFP8) {
    const float v = e4m3_to_float(static_cast<const uint8_t*>(x.data)[row * K + k]);
    return v * dwq::e8m0_decode(static_cast<const uint8_t*>(x.scale)[row * ceil_div(K, 32) + k / 32]);
  } else if constexpr (kInput == DW_GEMM_IN_NVFP4_WEIGHT && kIsA) {  // mixed input: A is BF16
    return __bfloat162float(static_cast<const __nv_bfloat16*>(x.data)[row * K + k]);
  } else {  // NVFP4, and NVFP4_WEIGHT's B
    const uint8_t byte = static_cast<const uint8_t*>(x.data)[row * ceil_div(K, 2) + k / 2];
    const float v = e2m1_to_float((k & 1) ? (byte >> 4) : (byte & 0xF));
    return v * e4m3_to_float(static_cast<const uint8_t*>(x.scale)[row * ceil_div(K, 16) + k / 16]);
  }
}

struct Epilogue {
  float alpha;  // alpha times the per-tensor scales, read on the device
  const float* tensor_a;
  const float* tensor_b;
  float out_scale;
  int activation;
  const void* bias;
  const void* residual;
};

template <int kInput, class OutT>
__global__ void __launch_bounds__(kThreads) reference_gemm(Operand a, Operand b, OutT* __restrict__ d, int64_t M,
                                                           int64_t N, int64_t K, Epilogue ep) {
  __shared__ TileA sa;
  __shared__ TileB sb;
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * kTileM, n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < K; k0 += kTileK) {
    for (int i = tid; i < kTileM * kTileK; i += kThreads) {
      const int r = i / kTileK, kk = i % kTileK;
      const int64_t m = m0 + r, k = k0 + kk;
      sa[kk][r] = (m < M && k < K) ? load<kInput, true>(a, m, k, K, M) : 0.0f;
      const int64_t n = n0 + r;
      sb[kk][r] = (n < N && k < K) ? load<kInput, false>(b, n, k, K, M) : 0.0f;
    }
    __syncthreads();
    multiply_tile_step(sa, sb, tx, ty, acc);
    __syncthreads();
  }
  float scale = ep.alpha;
  if (ep.tensor_a) scale *= *ep.tensor_a;
  if (ep.tensor_b) scale *= *ep.tensor_b;
  const OutT* bias = static_cast<const OutT*>(ep.bias);
  const OutT* residual = static_cast<const OutT*>(ep.residual);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t m = m0 + ty * 4 + i;
    if (m >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int64_t n = n0 + tx * 4 + j;
      if (n >= N) continue;
      float y = scale * acc[i][j];
      if (bias) y += to_float(bias[n]);
      float z = ep.out_scale * activate(y, ep.activation);
      if (residual) z += to_float(residual[m * N + n]);
      d[m * N + n] = from_float<OutT>(z);
    }
  }
}

template <int kInput, class OutT>
void launch(const dw_gemm_desc& desc, const dw_gemm_args& args, const Epilogue& ep, cudaStream_t s) {
  const Operand a{args.a, args.scale_a};
  const Operand b{args.b, args.scale_b};
  const dim3 grid(static_cast<unsigned>(ceil_div(desc.n, kTileN)), static_cast<unsigned>(ceil_div(desc.m, kTileM)));
  reference_gemm<kInput, OutT><<<grid, kThreads, 0, s>>>(a, b, static_cast<OutT*>(args.d), desc.m, desc.n, desc.k, ep);
}

template <class OutT>
void launch_for_input(const dw_gemm_desc& desc, const dw_gemm_args& args, const Epilogue& ep, cudaStream_t s) {
  switch (desc.input) {
    case DW_GEMM_IN_BF16: launch<DW_GEMM_IN_BF16, OutT>(desc, args, ep, s); break;
    case DW_GEMM_IN_FP8_TENSOR: launch<DW_GEMM_IN_FP8_TENSOR, OutT>(desc, args, ep, s); break;
    case DW_GEMM_IN_FP8_BLOCK128: launch<DW_GEMM_IN_FP8_BLOCK128, OutT>(desc, args, ep, s); break;
    case DW_GEMM_IN_MXFP8: launch<DW_GEMM_IN_MXFP8, OutT>(desc, args, ep, s); break;
    case DW_GEMM_IN_NVFP4: launch<DW_GEMM_IN_NVFP4, OutT>(desc, args, ep, s); break;
    case DW_GEMM_IN_NVFP4_WEIGHT: launch<DW_GEMM_IN_NVFP4_WEIGHT, OutT>(desc, args, ep, s); break;
  }
}

}  // namespace

dw_status reference_run(const dw_gemm_desc& desc, const dw_gemm_args& args, cudaStream_t stream) {
  static const char* op = "reference GEMM";
  if (ceil_div(desc.m, kTileM) > 65535)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, op, "m=%lld exceeds %d rows", (long long)desc.m, 65535 * kTileM);
  if (ceil_div(desc.n, kTileN) > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, op, "n=%lld too large", (long long)desc.n);
  Epilogue ep{};
  ep.alpha = desc.alpha;
  if (desc.input == DW_GEMM_IN_FP8_TENSOR) {
    ep.tensor_a = static_cast<const float*>(args.scale_a);
    ep.tensor_b = static_cast<const float*>(args.scale_b);
  } else if (desc.input == DW_GEMM_IN_NVFP4) {
    ep.tensor_a = args.tensor_scale_a;
    ep.tensor_b = args.tensor_scale_b;
  } else if (desc.input == DW_GEMM_IN_NVFP4_WEIGHT) {
    ep.tensor_b = args.tensor_scale_b;
  }
  ep.out_scale = desc.out_scale;
  ep.activation = desc.activation;
  ep.bias = desc.has_bias ? args.bias : nullptr;
  ep.residual = desc.has_residual ? args.residual : nullptr;
  if (desc.output == DW_GEMM_OUT_F32) launch_for_input<float>(desc, args, ep, stream);
  else launch_for_input<__nv_bfloat16>(desc, args, ep, stream);
  return dw::check(cudaGetLastError(), op, "launch, m=%lld n=%lld k=%lld input=%d", (long long)desc.m,
                   (long long)desc.n, (long long)desc.k, desc.input);
}

}  // namespace dw::gemm
