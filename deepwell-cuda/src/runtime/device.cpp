// Driver check and device queries.
//
// The CUDA runtime is linked statically and opens libcuda.so.1 itself on first use; when that
// fails it only says "insufficient driver". dw_driver_check opens the driver first, by name, so
// that "no driver", "driver too old" and "no device" can be told apart and reported.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "internal.h"

namespace {

// cuDriverGetVersion from cuda.h, declared here so that nothing links against libcuda.
using DriverGetVersionFn = int (*)(int*);

void format_version(int v, char* out, size_t n) { std::snprintf(out, n, "%d.%d", v / 1000, (v % 1000) / 10); }

}  // namespace

extern "C" {

dw_status dw_driver_check(const char* libcuda_name, dw_driver_report* out) {
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, "dw_driver_check", "report is null");
  std::memset(out, 0, sizeof *out);
  out->runtime_version = CUDART_VERSION;
  const char* name = libcuda_name != nullptr ? libcuda_name : "libcuda.so.1";

  dlerror();
  void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    std::snprintf(out->detail, sizeof out->detail, "%s could not be opened: %s", name, why ? why : "unknown reason");
    return dw::fail(DW_ERROR_NO_DRIVER, "dlopen", "%s", out->detail);
  }
  // The handle stays open: the runtime opens the same library again and shares it.
  auto get_version = reinterpret_cast<DriverGetVersionFn>(dlsym(lib, "cuDriverGetVersion"));
  if (get_version == nullptr || get_version(&out->driver_version) != 0) {
    std::snprintf(out->detail, sizeof out->detail, "%s has no working cuDriverGetVersion", name);
    return dw::fail(DW_ERROR_NO_DRIVER, "cuDriverGetVersion", "%s", out->detail);
  }
  char have[16], need[16];
  format_version(out->driver_version, have, sizeof have);
  format_version(CUDART_VERSION, need, sizeof need);
  // Minor-version compatibility: any driver of the runtime's major CUDA version will do.
  if (out->driver_version / 1000 < CUDART_VERSION / 1000) {
    std::snprintf(out->detail, sizeof out->detail,
                  "the driver supports CUDA %s, this library was built with CUDA %s: install an NVIDIA driver "
                  "for CUDA %d.x or newer",
                  have, need, CUDART_VERSION / 1000);
    return dw::fail(DW_ERROR_DRIVER_TOO_OLD, "cuDriverGetVersion", "%s", out->detail);
  }

  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err == cudaErrorNoDevice || (err == cudaSuccess && count == 0)) {
    (void)cudaGetLastError();
    std::snprintf(out->detail, sizeof out->detail, "driver for CUDA %s found, but no CUDA device is visible%s", have,
                  std::getenv("CUDA_VISIBLE_DEVICES") != nullptr ? " (CUDA_VISIBLE_DEVICES is set)" : "");
    return dw::fail(DW_ERROR_NO_DEVICE, "cudaGetDeviceCount", "%s", out->detail);
  }
  if (err == cudaErrorInsufficientDriver) {
    (void)cudaGetLastError();
    std::snprintf(out->detail, sizeof out->detail, "the CUDA runtime %s refuses the driver (CUDA %s): %s", need, have,
                  cudaGetErrorString(err));
    return dw::fail(DW_ERROR_DRIVER_TOO_OLD, "cudaGetDeviceCount", "%s", out->detail);
  }
  if (err != cudaSuccess) {
    std::snprintf(out->detail, sizeof out->detail, "cudaGetDeviceCount failed: %s (%s)", cudaGetErrorName(err),
                  cudaGetErrorString(err));
    return dw::check(err, "cudaGetDeviceCount", "%s", out->detail);
  }
  out->device_count = count;
  std::snprintf(out->detail, sizeof out->detail, "driver for CUDA %s, runtime %s, %d device(s)", have, need, count);
  return DW_SUCCESS;
}

dw_status dw_device_count(int32_t* count) {
  if (count == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, "cudaGetDeviceCount", "count is null");
  int n = 0;
  dw_status s = dw::check(cudaGetDeviceCount(&n), "cudaGetDeviceCount", "counting devices");
  *count = s == DW_SUCCESS ? n : 0;
  return s;
}

dw_status dw_device_props_get(int32_t device, dw_device_props* out) {
  static const char* op = "cudaGetDeviceProperties";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "props is null");
  std::memset(out, 0, sizeof *out);
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  cudaDeviceProp p;
  s = dw::check(cudaGetDeviceProperties(&p, device), op, "device %d", device);
  if (s != DW_SUCCESS) return s;
  std::snprintf(out->name, sizeof out->name, "%s", p.name);
  out->cc_major = p.major;
  out->cc_minor = p.minor;
  out->multiprocessors = p.multiProcessorCount;
  out->memory_bus_width_bits = p.memoryBusWidth;
  out->total_memory_bytes = p.totalGlobalMem;
  out->l2_cache_bytes = static_cast<uint64_t>(p.l2CacheSize);
  out->shared_mem_per_block_optin = p.sharedMemPerBlockOptin;
  // Clock rates left cudaDeviceProp in CUDA 13; the attributes remain. Zero when not reported.
  int khz = 0;
  if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, device) == cudaSuccess) out->sm_clock_khz = khz;
  khz = 0;
  if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, device) == cudaSuccess) out->memory_clock_khz = khz;
  (void)cudaGetLastError();
  int v = 0;
  if (cudaDriverGetVersion(&v) == cudaSuccess) out->driver_version = v;
  v = 0;
  if (cudaRuntimeGetVersion(&v) == cudaSuccess) out->runtime_version = v;
  size_t free_bytes = 0, total = 0;
  s = dw::check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo", "device %d", device);
  if (s != DW_SUCCESS) return s;
  out->free_memory_bytes = free_bytes;
  return DW_SUCCESS;
}

dw_status dw_device_mem_info(int32_t device, uint64_t* free_bytes, uint64_t* total_bytes) {
  static const char* op = "cudaMemGetInfo";
  if (free_bytes == nullptr || total_bytes == nullptr) {
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "output pointer is null");
  }
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  size_t f = 0, t = 0;
  s = dw::check(cudaMemGetInfo(&f, &t), op, "device %d", device);
  *free_bytes = f;
  *total_bytes = t;
  return s;
}

dw_status dw_device_synchronize(int32_t device) {
  static const char* op = "cudaDeviceSynchronize";
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaDeviceSynchronize(), op, "device %d", device);
}

}  // extern "C"
