// MXFP8 -> BF16, the conversion both Hopper MXFP8 ways that multiply BF16 copies share (the
// dequantizing pass of gemm_sm90_mxfp8.cu, and gemm_sm90_mxfp8_fused.cu, which dequantizes A in
// registers and B with a pass): the same function, so the two produce the same BF16 operands.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cstdint>

namespace dw::gemm {

// Two E4M3 codes (the first in the low byte of `codes`; the upper 16 bits are ignored) times
// `s`, as a BF16 pair (the first in the low half). E4M3 -> FP16 is exact (one cvt on sm_89+),
// FP16 -> FP32 exact, the FP32 product of a 4-bit significand and a power of two exact down to
// 2^-149, and the BF16 rounding exact for results in BF16's normal range. NaN codes and a NaN
// scale give NaN.
__device__ __forceinline__ uint32_t dequant_pair(uint32_t codes, float s) {
  const __half2 h(__nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(codes & 0xFFFFu), __NV_E4M3));
  const float2 f = __half22float2(h);
  const __nv_bfloat162_raw r = __floats2bfloat162_rn(f.x * s, f.y * s);
  return static_cast<uint32_t>(r.x) | (static_cast<uint32_t>(r.y) << 16);
}

}  // namespace dw::gemm
