// Device-to-device copy through our own kernel.
//
// A copy is pure bandwidth: bytes read + bytes written over the DRAM rate. What it takes to get
// there: 16-byte loads and stores per thread (coalesced across the warp), several loads in
// flight before the first store (UNROLL independent vectors per thread), and a persistent grid
// sized to what fits on the device at once, striding over the buffer. Loads and stores use the
// streaming cache hint (evict-first): the data is touched once and should not push anything
// else out of L2.
#include <cstdint>

#include "../runtime/internal.h"

namespace {

constexpr int kThreads = 256;

// Bytes [0, head) and [head + 16 * n16, head + 16 * n16 + tail) are copied one byte per thread by
// the first warp of block 0; the rest as 16-byte vectors from dst + head / src + head, which the
// caller aligned to 16 bytes.
template <int UNROLL>
__global__ void __launch_bounds__(kThreads) dw_copy16(uint8_t* __restrict__ dst, const uint8_t* __restrict__ src,
                                                      uint32_t head, uint64_t n16, uint32_t tail) {
  if (blockIdx.x == 0 && threadIdx.x < 32) {
    const uint32_t t = threadIdx.x;
    if (t < head) {
      dst[t] = src[t];
    } else if (t >= 16 && t - 16 < tail) {
      const uint64_t o = head + 16 * n16 + (t - 16);
      dst[o] = src[o];
    }
  }
  uint4* __restrict__ d = reinterpret_cast<uint4*>(dst + head);
  const uint4* __restrict__ s = reinterpret_cast<const uint4*>(src + head);
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * kThreads;
  uint64_t i = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x;
  for (; i + (UNROLL - 1) * stride < n16; i += UNROLL * stride) {
    uint4 v[UNROLL];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) v[u] = __ldcs(s + i + u * stride);
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) __stcs(d + i + u * stride, v[u]);
  }
  for (; i < n16; i += stride) __stcs(d + i, __ldcs(s + i));
}

// dst and src disagree modulo 16: no common vector alignment, one byte per thread and step.
__global__ void __launch_bounds__(kThreads) dw_copy_bytes(uint8_t* __restrict__ dst, const uint8_t* __restrict__ src,
                                                          uint64_t bytes) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * kThreads;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * kThreads + threadIdx.x; i < bytes; i += stride) {
    dst[i] = src[i];
  }
}

template <typename Kernel>
int resident_blocks(int32_t device, Kernel kernel, int* cache) {
  int n = __atomic_load_n(cache, __ATOMIC_RELAXED);
  if (n > 0) return n;
  int per_sm = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kThreads, 0) != cudaSuccess || per_sm < 1) {
    (void)cudaGetLastError();
    per_sm = 1;
  }
  n = per_sm * dw::sm_count(device);
  if (n < 1) n = 1;
  __atomic_store_n(cache, n, __ATOMIC_RELAXED);
  return n;
}

template <int UNROLL>
dw_status launch_copy16(dw_stream stream, uint8_t* dst, const uint8_t* src, uint64_t bytes, int32_t blocks) {
  static int cache[dw::kMaxDevices] = {0};
  const uint32_t head = static_cast<uint32_t>((16 - (reinterpret_cast<uintptr_t>(dst) & 15)) & 15);
  const uint64_t body = bytes > head ? bytes - head : 0;
  const uint32_t used_head = bytes < head ? static_cast<uint32_t>(bytes) : head;
  const uint64_t n16 = body / 16;
  const uint32_t tail = static_cast<uint32_t>(body % 16);
  if (blocks <= 0) blocks = resident_blocks(stream->device, dw_copy16<UNROLL>, &cache[stream->device]);
  const uint64_t needed = (n16 + kThreads - 1) / kThreads;
  uint64_t grid = static_cast<uint64_t>(blocks);
  if (needed < grid) grid = needed;
  if (grid < 1) grid = 1;
  dw_copy16<UNROLL><<<static_cast<unsigned>(grid), kThreads, 0, stream->stream>>>(dst, src, used_head, n16, tail);
  return dw::after_launch(stream, "kernel dw_copy16");
}

dw_status launch_copy(dw_stream stream, void* dst, const void* src, uint64_t bytes, int32_t unroll, int32_t blocks) {
  static const char* op = "kernel dw_copy16";
  if (stream == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "stream is null");
  if (dst == nullptr || src == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "dst or src is null");
  if (blocks < 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "blocks must be >= 0, got %d", blocks);
  if (bytes == 0) return DW_SUCCESS;
  dw_status s = dw::use_device(stream->device, op);
  if (s != DW_SUCCESS) return s;
  auto* d = static_cast<uint8_t*>(dst);
  const auto* c = static_cast<const uint8_t*>(src);
  if (((reinterpret_cast<uintptr_t>(d) ^ reinterpret_cast<uintptr_t>(c)) & 15) != 0) {
    static int cache[dw::kMaxDevices] = {0};
    int max_blocks = blocks > 0 ? blocks : resident_blocks(stream->device, dw_copy_bytes, &cache[stream->device]);
    uint64_t grid = (bytes + kThreads - 1) / kThreads;
    if (grid > static_cast<uint64_t>(max_blocks)) grid = static_cast<uint64_t>(max_blocks);
    dw_copy_bytes<<<static_cast<unsigned>(grid), kThreads, 0, stream->stream>>>(d, c, bytes);
    return dw::after_launch(stream, "kernel dw_copy_bytes");
  }
  switch (unroll) {
    case 1: return launch_copy16<1>(stream, d, c, bytes, blocks);
    case 2: return launch_copy16<2>(stream, d, c, bytes, blocks);
    case 4: return launch_copy16<4>(stream, d, c, bytes, blocks);
    case 8: return launch_copy16<8>(stream, d, c, bytes, blocks);
    default: return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "unroll must be 1, 2, 4 or 8, got %d", unroll);
  }
}

}  // namespace

extern "C" {

dw_status dw_copy_kernel(dw_stream stream, void* dst, const void* src, uint64_t bytes) {
  return launch_copy(stream, dst, src, bytes, 4, 0);
}

dw_status dw_copy_kernel_tuned(dw_stream stream, void* dst, const void* src, uint64_t bytes, int32_t unroll,
                               int32_t blocks) {
  return launch_copy(stream, dst, src, bytes, unroll, blocks);
}

}  // extern "C"
