// Stream-ordered device memory from one memory pool per device, pinned host memory, and
// asynchronous copies.
#include <cstdint>
#include <mutex>

#include "internal.h"

namespace {

struct PoolSlot {
  std::once_flag once;
  cudaMemPool_t pool = nullptr;
  cudaError_t error = cudaSuccess;
};

PoolSlot g_pools[dw::kMaxDevices];

// The pool keeps freed memory instead of returning it at each synchronisation (release
// threshold: unlimited): a training step reallocates the same sizes every iteration.
dw_status pool_for(int32_t device, cudaMemPool_t* out) {
  PoolSlot& slot = g_pools[device];
  std::call_once(slot.once, [&] {
    cudaMemPoolProps props = {};
    props.allocType = cudaMemAllocationTypePinned;
    props.handleTypes = cudaMemHandleTypeNone;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = device;
    slot.error = cudaMemPoolCreate(&slot.pool, &props);
    if (slot.error == cudaSuccess) {
      uint64_t threshold = UINT64_MAX;
      slot.error = cudaMemPoolSetAttribute(slot.pool, cudaMemPoolAttrReleaseThreshold, &threshold);
    }
  });
  if (slot.error != cudaSuccess) {
    return dw::check(slot.error, "cudaMemPoolCreate", "memory pool of device %d", device);
  }
  *out = slot.pool;
  return DW_SUCCESS;
}

const char* kind_name(dw_copy_kind kind) {
  switch (kind) {
    case DW_COPY_HOST_TO_DEVICE: return "cudaMemcpyAsync(host to device)";
    case DW_COPY_DEVICE_TO_HOST: return "cudaMemcpyAsync(device to host)";
    case DW_COPY_DEVICE_TO_DEVICE: return "cudaMemcpyAsync(device to device)";
  }
  return "cudaMemcpyAsync";
}

}  // namespace

extern "C" {

dw_status dw_malloc_async(dw_stream stream, uint64_t bytes, void** out) {
  static const char* op = "cudaMallocAsync";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "output pointer is null");
  if (bytes == 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "bytes must be > 0");
  *out = nullptr;
  const int32_t device = stream->device;
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;

  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  s = dw::check(cudaStreamIsCapturing(stream->stream, &capture), op, "cudaStreamIsCapturing");
  if (s != DW_SUCCESS) return s;
  if (capture != cudaStreamCaptureStatusNone) {
    // Inside a graph, memory belongs to the graph's allocation node, not to our pool.
    return dw::check(cudaMallocAsync(out, bytes, stream->stream), op, "%llu bytes on device %d (during capture)",
                     static_cast<unsigned long long>(bytes), device);
  }

  cudaMemPool_t pool = nullptr;
  s = pool_for(device, &pool);
  if (s != DW_SUCCESS) return s;
  cudaError_t err = cudaMallocFromPoolAsync(out, bytes, pool, stream->stream);
  if (err == cudaErrorMemoryAllocation) {
    // Memory parked in the pool (freed, not yet returned) may be what is missing: wait for
    // pending frees, give it back to the driver, try once more.
    (void)cudaGetLastError();
    if (cudaDeviceSynchronize() == cudaSuccess) {
      (void)cudaMemPoolTrimTo(pool, 0);
      err = cudaMallocFromPoolAsync(out, bytes, pool, stream->stream);
    }
  }
  if (err == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    size_t free_bytes = 0, total = 0;
    (void)cudaMemGetInfo(&free_bytes, &total);
    (void)cudaGetLastError();
    s = dw::check(err, op, "%llu bytes requested on device %d, %llu bytes free of %llu",
                  static_cast<unsigned long long>(bytes), device, static_cast<unsigned long long>(free_bytes),
                  static_cast<unsigned long long>(total));
    dw::set_oom_sizes(bytes, free_bytes, total);
    return s;
  }
  return dw::check(err, op, "%llu bytes on device %d", static_cast<unsigned long long>(bytes), device);
}

dw_status dw_free_async(dw_stream stream, void* ptr) {
  static const char* op = "cudaFreeAsync";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (ptr == nullptr) return DW_SUCCESS;
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaFreeAsync(ptr, stream->stream), op, "pointer %p on device %d", ptr, stream->device);
}

dw_status dw_free_sync(int32_t device, void* ptr) {
  static const char* op = "cudaFree";
  if (ptr == nullptr) return DW_SUCCESS;
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  // cudaFree waits for the device, so work still using the memory finishes first.
  return dw::check(cudaFree(ptr), op, "pointer %p on device %d", ptr, device);
}

dw_status dw_mempool_trim(int32_t device, uint64_t keep_bytes) {
  static const char* op = "cudaMemPoolTrimTo";
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  cudaMemPool_t pool = nullptr;
  s = pool_for(device, &pool);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaMemPoolTrimTo(pool, keep_bytes), op, "device %d, keep %llu bytes", device,
                   static_cast<unsigned long long>(keep_bytes));
}

dw_status dw_host_alloc(uint64_t bytes, void** out) {
  static const char* op = "cudaHostAlloc";
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "output pointer is null");
  if (bytes == 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "bytes must be > 0");
  *out = nullptr;
  dw_status s = dw::check(cudaHostAlloc(out, bytes, cudaHostAllocPortable), op, "%llu bytes of pinned host memory",
                          static_cast<unsigned long long>(bytes));
  if (s == cudaErrorMemoryAllocation) dw::set_oom_sizes(bytes, 0, 0);
  return s;
}

dw_status dw_host_free(void* ptr) {
  if (ptr == nullptr) return DW_SUCCESS;
  return dw::check(cudaFreeHost(ptr), "cudaFreeHost", "pointer %p", ptr);
}

dw_status dw_memcpy_async(dw_stream stream, void* dst, const void* src, uint64_t bytes, dw_copy_kind kind) {
  const char* op = kind_name(kind);
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (dst == nullptr || src == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "dst or src is null");
  cudaMemcpyKind k;
  switch (kind) {
    case DW_COPY_HOST_TO_DEVICE: k = cudaMemcpyHostToDevice; break;
    case DW_COPY_DEVICE_TO_HOST: k = cudaMemcpyDeviceToHost; break;
    case DW_COPY_DEVICE_TO_DEVICE: k = cudaMemcpyDeviceToDevice; break;
    default: return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "unknown copy kind %d", static_cast<int>(kind));
  }
  if (bytes == 0) return DW_SUCCESS;
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  return dw::check(cudaMemcpyAsync(dst, src, bytes, k, stream->stream), op, "%llu bytes from %p to %p on device %d",
                   static_cast<unsigned long long>(bytes), src, dst, stream->device);
}

}  // extern "C"
