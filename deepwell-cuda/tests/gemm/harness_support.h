// What both GEMM harnesses (gemm_harness.cpp, grouped_harness.cpp) need besides the formats of
// host_formats.h and harness_fp64.h: CUDA error checks, the library's last error, JSON lines, a
// host thread pool, a seedable generator, owned device buffers and the benchmarks' timing loop.
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
#include <utility>
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

// Times every contender (a struct with `iters`, the calls one launch makes, and `ms`) over
// `rounds` rounds: each round launches each contender once, launch(c), in an order shuffled
// afresh from `seed`, and appends its time per call to c.ms. A fixed order favours whoever
// follows a light contender (seen 2026-11-25: the first of a round ran ~5% faster than the same
// kernel later in it), so each round is shuffled.
template <class Contender, class Launch>
void time_in_shuffled_rounds(std::vector<Contender>& contenders, int rounds, uint64_t seed, cudaStream_t stream,
                             Launch launch) {
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  std::vector<size_t> order(contenders.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng shuffle(seed);
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle.next() % i]);
    for (size_t idx : order) {
      Contender& c = contenders[idx];
      CK(cudaEventRecord(e0, stream));
      launch(c);
      CK(cudaEventRecord(e1, stream));
      CK(cudaEventSynchronize(e1));
      float ms = 0;
      CK(cudaEventElapsedTime(&ms, e0, e1));
      c.ms.push_back(ms / c.iters);
    }
  }
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
}
