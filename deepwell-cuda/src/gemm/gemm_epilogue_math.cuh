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

// The epilogue of a problem as Deepwell's own kernels apply it (the sm90 PTX kernels, the BF16
// stream-K reduction), its pointers untyped.
struct EpilogueArgs {
  void* d;
  const void* bias;
  const void* residual;
  int m, n;
  float alpha, out_scale;
  int activation;
  // gemm.h's epilogue of one accumulator before the residual: out_scale * act(alpha * acc + bias).
  __device__ float apply(float acc, float bias_value) const {
    return out_scale * activate(alpha * acc + bias_value, activation);
  }
  // D's element i (in column col) from its accumulator, with the bias and residual, as OutT.
  template <class OutT>
  __device__ void store(float acc, int64_t i, int64_t col) const {
    const OutT* b = static_cast<const OutT*>(bias);
    const OutT* r = static_cast<const OutT*>(residual);
    float v = apply(acc, b ? to_float(b[col]) : 0.0f);
    if (r) v += to_float(r[i]);  // read before the store: D may be the residual
    static_cast<OutT*>(d)[i] = from_float<OutT>(v);
  }
};

// The epilogue a problem asks for (no bias / residual pointers unless its desc has them).
inline EpilogueArgs epilogue_args(const dw_gemm_desc& d, const dw_gemm_args& args) {
  return EpilogueArgs{args.d,          d.has_bias ? args.bias : nullptr, d.has_residual ? args.residual : nullptr,
                      static_cast<int>(d.m), static_cast<int>(d.n), d.alpha, d.out_scale, d.activation};
}

}  // namespace dw::gemm
