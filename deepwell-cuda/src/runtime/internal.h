// Shared by the runtime (src/runtime) and the kernel families (src/kernels, ...): the handle
// structs behind the opaque C types, error recording, device selection and the launch check.
// Not part of the C ABI.
#pragma once

#include <cuda_runtime_api.h>

#include "deepwell/deepwell.h"

struct dw_stream_s {
  cudaStream_t stream;
  int32_t device;
};

struct dw_event_s {
  cudaEvent_t event;
  int32_t device;
};

struct dw_graph_s {
  cudaGraph_t graph;
  int32_t device;
};

struct dw_graph_exec_s {
  cudaGraphExec_t exec;
  int32_t device;
};

namespace dw {

// Records a failure for dw_last_error() on this thread and returns `status`.
dw_status fail(dw_status status, const char* operation, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

// DW_SUCCESS for cudaSuccess; otherwise records the error (with the detail) and returns the
// CUDA code. A non-sticky error is also cleared from the runtime's per-thread "last error", so
// that a later launch check does not report it a second time.
dw_status check(cudaError_t err, const char* operation, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

// Adds the sizes of a failed allocation to this thread's last error.
void set_oom_sizes(uint64_t requested, uint64_t free_bytes, uint64_t total_bytes);

// Makes `device` the calling thread's current device (no-op when it already is).
dw_status use_device(int32_t device, const char* operation);

// Whether DEEPWELL_SYNC=1 was set (read once).
bool sync_mode();

// Call right after a kernel launch: reports a launch error under the kernel's name and, in
// sync mode, synchronises the stream (unless it is capturing) so that an asynchronous fault is
// reported here too.
dw_status after_launch(dw_stream stream, const char* kernel_operation);

// Streaming multiprocessors of `device` (cached; 0 if the query failed).
int sm_count(int32_t device);

// Handle of an optional library opened by dw_optional_library, or null when missing. For other
// kernel families that call into cuBLASLt or NCCL through dlsym.
void* optional_library_handle(dw_library which);

// The driver's cuTensorMapEncodeTiled (as a void*: cast to PFN_cuTensorMapEncodeTiled_v12000 from
// <cudaTypedefs.h>), looked up once through the runtime so that the library does not link
// libcuda; null when the driver lacks it. For the kernels that load tiles with TMA.
void* tensor_map_encoder();

constexpr int kMaxDevices = 64;

}  // namespace dw
