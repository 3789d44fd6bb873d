// The decode benchmark's speed of light: a kernel that only reads a set of buffers from HBM (16-byte
// streaming loads, several in flight per thread, no arithmetic worth the name) and writes one word
// per CTA. Timed in the same CUDA-graph protocol as the GEMMs it stands beside, its time is the
// least any kernel that must read those bytes can take there, launch gaps and DRAM latency
// included; best-BF16 time / this time is the largest speed-up over BF16 that the bytes allow.
// Two depths of loads in flight are timed and the faster counts (see gemv_harness.inc).
#include "stream_read_probe.h"

#include <cuda_runtime.h>

namespace {

constexpr int kThreads = 512;

__device__ __forceinline__ uint4 ld_stream(const uint4* p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

// The spans are one index space of 16-byte words; every thread issues all kUnroll loads of a round
// before it uses any (a round covers kUnroll x the grid's threads words), so even a buffer that
// needs less than one round has all of its loads in flight at once.
template <int kUnroll>
__global__ void __launch_bounds__(kThreads) stream_read(StreamReadSpans spans, unsigned* sink) {
  // Fully unrolled over the spans so that the word counts stay in registers.
  size_t words[StreamReadSpans::kMax], total = 0;
#pragma unroll
  for (int s = 0; s < StreamReadSpans::kMax; ++s) total += (words[s] = s < spans.count ? spans.bytes[s] / 16 : 0);
  auto address = [&](size_t j) {
    const uint4* p = nullptr;
#pragma unroll
    for (int s = 0; s < StreamReadSpans::kMax; ++s) {
      if (p == nullptr && (j < words[s] || s + 1 == spans.count)) p = static_cast<const uint4*>(spans.ptr[s]) + j;
      if (p == nullptr) j -= words[s];
    }
    return p;
  };
  unsigned acc = 0;
  const size_t stride = static_cast<size_t>(gridDim.x) * kThreads;
  for (size_t base = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x; base < total;
       base += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t j = base + u * stride;
      v[u] = j < total ? ld_stream(address(j)) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) acc ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  // The tails of spans that are not a multiple of 16 bytes, by thread 0 of CTA 0.
  if (blockIdx.x == 0 && threadIdx.x == 0)
#pragma unroll
    for (int s = 0; s < StreamReadSpans::kMax; ++s)
      if (s < spans.count)
        for (size_t b = words[s] * 16; b < spans.bytes[s]; ++b) acc ^= static_cast<const unsigned char*>(spans.ptr[s])[b];
  // Keeps the loads alive; one word per CTA.
  acc = __reduce_xor_sync(0xFFFFFFFFu, acc);
  if ((threadIdx.x & 31) == 0) atomicXor(sink + blockIdx.x, acc);
}

}  // namespace

int stream_read_grid() {
  int dev = 0, sms = 0, per_sm = 0;
  if (cudaGetDevice(&dev) != cudaSuccess) return 0;
  if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess) return 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, stream_read<8>, kThreads, 0) != cudaSuccess) return 0;
  return sms * per_sm;
}

cudaError_t launch_stream_read(const StreamReadSpans& spans, unsigned* sink, int grid, int unroll, cudaStream_t stream) {
  if (unroll == 4) stream_read<4><<<grid, kThreads, 0, stream>>>(spans, sink);
  else if (unroll == 8) stream_read<8><<<grid, kThreads, 0, stream>>>(spans, sink);
  else return cudaErrorInvalidValue;
  return cudaGetLastError();
}
