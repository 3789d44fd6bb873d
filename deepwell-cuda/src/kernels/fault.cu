// TEST ONLY: a kernel that writes outside any allocation, to check that a sticky error (illegal
// address) is reported, marks the context unusable, and names the kernel under DEEPWELL_SYNC=1.
// Tests call it in a child process only: the CUDA context does not survive it.
#include <cstdint>

#include "../runtime/internal.h"

namespace {

__global__ void dw_test_out_of_bounds_kernel(int* target) {
  if (threadIdx.x == 0 && blockIdx.x == 0) *target = 42;
}

}  // namespace

extern "C" dw_status dw_test_launch_out_of_bounds(dw_stream stream) {
  static const char* op = "kernel dw_test_out_of_bounds";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  // The lowest pages of the address space are never mapped for the GPU either. The address
  // comes from the host so the compiler cannot reason about it.
  int* target = reinterpret_cast<int*>(static_cast<uintptr_t>(256));
  dw_test_out_of_bounds_kernel<<<1, 32, 0, stream->stream>>>(target);
  return dw::after_launch(stream, op);
}
