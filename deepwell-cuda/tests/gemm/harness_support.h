// What both GEMM harnesses (gemm_harness.cpp, grouped_harness.cpp) need besides the formats of
// host_formats.h: CUDA error checks, the library's last error, JSON lines, a host thread pool,
// a seedable generator and owned device buffers.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "deepwell/deepwell.h"
#include "deepwell/gemm.h"

#define CK(expr)                                                                                  \
  do {                                                                                            \
    cudaError_t e_ = (expr);                                                                      \
    if (e_ != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorName(e_), __FILE__, __LINE__, \
                   #expr);                                                                        \
      std::exit(2);                                                                               \
    }                                                                                             \
  } while (0)

inline FILE* g_json = nullptr;  // the --out JSON-lines file, when asked for

// dw_status_name() of the runtime does not know the GEMM family's own code (yet).
inline const char* status_name(dw_status s) {
  return s == DW_ERROR_GEMM_UNSUPPORTED ? "DW_ERROR_GEMM_UNSUPPORTED" : dw_status_name(s);
}

// "operation: detail" of the last failure recorded by the library on this thread.
inline std::string last_error() {
  dw_error_info info;
  dw_last_error(&info);
  return std::string(info.operation) + ": " + info.detail;
}

inline void json(const char* fmt, ...) {
  if (!g_json) return;
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(g_json, fmt, ap);
  va_end(ap);
  std::fputc('\n', g_json);
  std::fflush(g_json);
}

inline void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& body) {
  const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(std::thread::hardware_concurrency(), n));
  std::vector<std::thread> pool;
  const int64_t chunk = (n + threads - 1) / threads;
  for (int64_t t = 0; t < threads; ++t) {
    const int64_t lo = t * chunk, hi = std::min(n, lo + chunk);
    if (lo >= hi) break;
    pool.emplace_back([&body, lo, hi] { body(lo, hi); });
  }
  for (auto& th : pool) th.join();
}

struct Rng {  // splitmix64: reproducible, seedable per row, fast
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E5ull) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal() {
    const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

struct DevFree {
  void operator()(void* p) const { cudaFree(p); }
};
using DevPtr = std::unique_ptr<void, DevFree>;

inline DevPtr dev_alloc(size_t bytes) {
  void* p = nullptr;
  CK(cudaMalloc(&p, std::max<size_t>(bytes, 16)));
  return DevPtr(p);
}

inline DevPtr upload(const void* host, size_t bytes) {
  DevPtr d = dev_alloc(bytes);
  if (bytes) CK(cudaMemcpy(d.get(), host, bytes, cudaMemcpyHostToDevice));
  return d;
}
