// The epilogue arithmetic of gemm.h, written once for Deepwell's own kernels (the reference GEMM,
// the grouped reference GEMM and the decode GEMV): the activation (GELU in its exact erf form,
// SiLU) and the element conversions of bias, residual and output. The CUTLASS kernels express
// the same steps through their epilogue tree (gemm_sm90_common.cuh).
#pragma once

#include <cuda_bf16.h>

#include "deepwell/gemm.h"

namespace dw::gemm {

__device__ __forceinline__ float activate(float y, int kind) {
  if (kind == DW_GEMM_ACT_GELU) return 0.5f * y * (1.0f + erff(y * 0.70710678118654752f));
  if (kind == DW_GEMM_ACT_SILU) return y / (1.0f + expf(-y));
  return y;
}

template <class T> __device__ __forceinline__ float to_float(T v);
template <> __device__ __forceinline__ float to_float<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <class T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ float from_float<float>(float v) { return v; }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

}  // namespace dw::gemm
