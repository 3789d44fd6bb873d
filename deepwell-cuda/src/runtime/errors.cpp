// Status names and messages, sticky-error classification, the per-thread last error, and the
// helpers every runtime function and launch uses to report failures.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "internal.h"

namespace dw {
namespace {

thread_local dw_error_info t_last = {DW_SUCCESS, "", {0}, 0, 0, 0};

void record(dw_status status, const char* operation, const char* fmt, va_list ap) {
  t_last.status = status;
  t_last.operation = operation != nullptr ? operation : "";
  t_last.requested_bytes = 0;
  t_last.free_bytes = 0;
  t_last.total_bytes = 0;
  if (fmt != nullptr) {
    std::vsnprintf(t_last.detail, sizeof t_last.detail, fmt, ap);
  } else {
    t_last.detail[0] = '\0';
  }
}

void append_detail(const char* text) {
  size_t used = std::strlen(t_last.detail);
  if (used + 1 < sizeof t_last.detail) {
    std::snprintf(t_last.detail + used, sizeof t_last.detail - used, "%s", text);
  }
}

}  // namespace

dw_status fail(dw_status status, const char* operation, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(status, operation, fmt, ap);
  va_end(ap);
  return status;
}

dw_status check(cudaError_t err, const char* operation, const char* fmt, ...) {
  if (err == cudaSuccess) return DW_SUCCESS;
  va_list ap;
  va_start(ap, fmt);
  record(static_cast<dw_status>(err), operation, fmt, ap);
  va_end(ap);
  if (dw_status_is_sticky(err)) {
    // Sticky errors surface at whichever call comes next, usually far from the kernel that
    // caused them: say how to find it.
    if (!sync_mode()) {
      append_detail("; the fault may come from earlier asynchronous work: "
                    "run with DEEPWELL_SYNC=1 to name the failing kernel");
    }
  } else {
    (void)cudaGetLastError();
  }
  return static_cast<dw_status>(err);
}

void set_oom_sizes(uint64_t requested, uint64_t free_bytes, uint64_t total_bytes) {
  t_last.requested_bytes = requested;
  t_last.free_bytes = free_bytes;
  t_last.total_bytes = total_bytes;
}

bool sync_mode() {
  static const bool on = [] {
    const char* v = std::getenv("DEEPWELL_SYNC");
    return v != nullptr && (std::strcmp(v, "1") == 0 || std::strcmp(v, "true") == 0);
  }();
  return on;
}

dw_status use_device(int32_t device, const char* operation) {
  if (device < 0 || device >= kMaxDevices) {
    return fail(DW_ERROR_INVALID_ARGUMENT, operation, "device ordinal %d out of range", device);
  }
  int current = -1;
  cudaError_t err = cudaGetDevice(&current);
  if (err == cudaSuccess && current == device) return DW_SUCCESS;
  return check(cudaSetDevice(device), operation, "cudaSetDevice(%d)", device);
}

dw_status after_launch(dw_stream stream, const char* kernel_operation) {
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) {
    return check(err, kernel_operation, "launch on device %d", stream->device);
  }
  if (!sync_mode()) return DW_SUCCESS;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  err = cudaStreamIsCapturing(stream->stream, &capture);
  if (err != cudaSuccess) return check(err, kernel_operation, "cudaStreamIsCapturing after launch");
  if (capture != cudaStreamCaptureStatusNone) return DW_SUCCESS;
  return check(cudaStreamSynchronize(stream->stream), kernel_operation,
               "DEEPWELL_SYNC=1: the kernel failed on device %d", stream->device);
}

int sm_count(int32_t device) {
  static int cache[kMaxDevices] = {0};
  if (device < 0 || device >= kMaxDevices) return 0;
  int n = __atomic_load_n(&cache[device], __ATOMIC_RELAXED);
  if (n > 0) return n;
  if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  __atomic_store_n(&cache[device], n, __ATOMIC_RELAXED);
  return n;
}

}  // namespace dw

extern "C" {

const char* dw_status_name(dw_status status) {
  switch (status) {
    case DW_SUCCESS: return "DW_SUCCESS";
    case DW_ERROR_INVALID_ARGUMENT: return "DW_ERROR_INVALID_ARGUMENT";
    case DW_ERROR_NO_DRIVER: return "DW_ERROR_NO_DRIVER";
    case DW_ERROR_DRIVER_TOO_OLD: return "DW_ERROR_DRIVER_TOO_OLD";
    case DW_ERROR_NO_DEVICE: return "DW_ERROR_NO_DEVICE";
    case DW_ERROR_LIBRARY_MISSING: return "DW_ERROR_LIBRARY_MISSING";
    case DW_ERROR_GEMM_UNSUPPORTED: return "DW_ERROR_GEMM_UNSUPPORTED";
    case DW_ERROR_INTERNAL: return "DW_ERROR_INTERNAL";
    default: break;
  }
  if (status > 0 && status < 10000) return cudaGetErrorName(static_cast<cudaError_t>(status));
  return "DW_ERROR_UNKNOWN";
}

const char* dw_status_message(dw_status status) {
  switch (status) {
    case DW_SUCCESS: return "no error";
    case DW_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case DW_ERROR_NO_DRIVER: return "no NVIDIA driver (libcuda.so.1) could be loaded";
    case DW_ERROR_DRIVER_TOO_OLD: return "the NVIDIA driver is older than the CUDA runtime needs";
    case DW_ERROR_NO_DEVICE: return "no CUDA device is visible";
    case DW_ERROR_LIBRARY_MISSING: return "an optional library could not be loaded";
    case DW_ERROR_GEMM_UNSUPPORTED: return "this GEMM backend or variant cannot run the problem";
    case DW_ERROR_INTERNAL: return "internal error in the Deepwell native library";
    default: break;
  }
  if (status > 0 && status < 10000) return cudaGetErrorString(static_cast<cudaError_t>(status));
  return "unknown status";
}

int dw_status_is_sticky(dw_status status) {
  switch (status) {
    case cudaErrorECCUncorrectable:
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorLaunchFailure:
    case cudaErrorContextIsDestroyed:
      return 1;
    default:
      return 0;
  }
}

void dw_last_error(dw_error_info* out) {
  if (out != nullptr) *out = dw::t_last;
}

int32_t dw_sync_mode(void) { return dw::sync_mode() ? 1 : 0; }

}  // extern "C"
