// Tensor amax of a BF16 tensor: the largest |x| over its finite elements (NVFP4 and FP8
// per-tensor scaling). For non-negative floats the order of the bit patterns is the order of the
// values, so the reduction is an integer max of (bits & 0x7FFF), non-finite ones (>= 0x7F80)
// counted as 0; the result is max-ed into one 32-bit word as FP32 bits, which the caller zeroed.
// A grid of the CTAs that fit at once strides over the tensor with 4 vectors in flight per
// thread; one atomic per CTA.
#include "quant_launch.h"

namespace dwq {

namespace {

__device__ __forceinline__ uint32_t finite_abs_max2(uint32_t w, uint32_t m) {
  uint32_t lo = w & 0x7FFFu, hi = (w >> 16) & 0x7FFFu;
  lo = lo >= 0x7F80u ? 0u : lo;
  hi = hi >= 0x7F80u ? 0u : hi;
  return max(m, max(lo, hi));
}

__device__ __forceinline__ uint32_t finite_abs_max8(const uint4& v, uint32_t m) {
  m = finite_abs_max2(v.x, m);
  m = finite_abs_max2(v.y, m);
  m = finite_abs_max2(v.z, m);
  return finite_abs_max2(v.w, m);
}

__global__ void __launch_bounds__(kThreads) amax_bf16_kernel(const uint16_t* __restrict__ x, uint64_t n,
                                                             uint32_t head, uint32_t* __restrict__ out) {
  __shared__ uint32_t s_max;
  if (threadIdx.x == 0) s_max = 0;
  __syncthreads();
  uint32_t m = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * kThreads;
  const uint64_t t = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x;
  // Elements [0, head) and the tail are done one by one; the rest as 16-byte vectors.
  if (t < head && t < n) m = finite_abs_max2(x[t], m);
  const uint64_t body = n > head ? n - head : 0;
  const uint64_t n8 = body / 8;
  const uint4* v = reinterpret_cast<const uint4*>(x + head);
  uint64_t i = t;
  for (; i + 3 * stride < n8; i += 4 * stride) {
    const uint4 a = __ldcs(v + i), b = __ldcs(v + i + stride), c = __ldcs(v + i + 2 * stride),
                d = __ldcs(v + i + 3 * stride);
    m = finite_abs_max8(a, m);
    m = finite_abs_max8(b, m);
    m = finite_abs_max8(c, m);
    m = finite_abs_max8(d, m);
  }
  for (; i < n8; i += stride) m = finite_abs_max8(__ldcs(v + i), m);
  const uint64_t tail0 = head + n8 * 8;
  if (t < n - tail0 && tail0 < n) m = finite_abs_max2(x[tail0 + t], m);
  m = __reduce_max_sync(0xFFFFFFFFu, m);
  if ((threadIdx.x & 31) == 0) atomicMax(&s_max, m);
  __syncthreads();
  if (threadIdx.x == 0 && s_max != 0) atomicMax(out, s_max << 16);
}

}  // namespace

void launch_amax_bf16(const uint16_t* x, uint64_t n, uint32_t* out, int sm_count, cudaStream_t s) {
  const uint32_t head = static_cast<uint32_t>(((16 - (reinterpret_cast<uintptr_t>(x) & 15)) & 15) / 2);
  const uint64_t vectors = n / 8 + 1;
  uint64_t grid = (vectors + kThreads - 1) / kThreads;
  const uint64_t cap = static_cast<uint64_t>(sm_count > 0 ? sm_count : 132) * 8;
  if (grid > cap) grid = cap;
  amax_bf16_kernel<<<static_cast<unsigned>(grid), kThreads, 0, s>>>(x, n, head < n ? head : static_cast<uint32_t>(n),
                                                                     out);

}

}  // namespace dwq
