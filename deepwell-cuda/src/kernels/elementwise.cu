// Elementwise kernels over FP32 buffers. dw_add_scalar_f32 is also the "tiny kernel" of the
// launch-overhead benchmark, so its host path stays short: no allocation, no query after the
// first call per device.
#include <cstdint>

#include "../runtime/internal.h"

namespace {

constexpr int kThreads = 256;
constexpr int kBlocksPerSm = 8;

__global__ void __launch_bounds__(kThreads) dw_add_scalar_f32_kernel(float* __restrict__ x, uint64_t count,
                                                                     float value) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * kThreads;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x; i < count; i += stride) {
    x[i] += value;
  }
}

}  // namespace

extern "C" dw_status dw_add_scalar_f32(dw_stream stream, float* x, uint64_t count, float value) {
  static const char* op = "kernel dw_add_scalar_f32";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (x == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "x is null");
  if (count == 0) return DW_SUCCESS;
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  uint64_t grid = (count + kThreads - 1) / kThreads;
  const uint64_t cap = static_cast<uint64_t>(dw::sm_count(stream->device)) * kBlocksPerSm;
  if (cap > 0 && grid > cap) grid = cap;
  dw_add_scalar_f32_kernel<<<static_cast<unsigned>(grid), kThreads, 0, stream->stream>>>(x, count, value);
  return dw::after_launch(stream, op);
}
