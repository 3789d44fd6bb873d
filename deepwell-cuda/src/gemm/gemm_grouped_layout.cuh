// Device side of the grouped GEMM's setup: from the group sizes to each group's (rows, first
// row), clamped so that no group reaches past max_total_m. Every grouped backend's setup kernel
// is one block that calls for_each_group and writes what its GEMM kernel reads. Plain CUDA.
#pragma once

#include <cstdint>

#include "gemm_grouped_internal.h"

namespace dw::gemm::grouped {

constexpr int kSetupThreads = 256;

// Calls visit(g, m_g, first_row_g) for every group of `s` from a block of kSetupThreads threads.
// Each thread takes a contiguous run of groups: the offsets come from one block-wide scan of the
// runs' row counts, so G may be large without any shared memory per group. A negative size
// counts as 0 and a group is cut where the rows reach s.max_total_m; if anything was clamped, the
// flag s.clamped (when given) reads 1 afterwards, else 0.
template <class Visit>
__device__ void for_each_group(const GroupSizes& s, Visit&& visit) {
  __shared__ long long scan[kSetupThreads];
  __shared__ int clamped_any;
  const int t = static_cast<int>(threadIdx.x);
  if (t == 0) clamped_any = 0;
  const int per = (s.count + kSetupThreads - 1) / kSetupThreads;
  const int lo = min(s.count, t * per), hi = min(s.count, lo + per);
  auto size_of = [&](int i) -> long long { return s.device != nullptr ? s.device[s.first + i] : s.host[i]; };
  long long own = 0;
  for (int i = lo; i < hi; ++i) own += max(size_of(i), 0LL);
  scan[t] = own;
  __syncthreads();
  for (int d = 1; d < kSetupThreads; d <<= 1) {  // inclusive Hillis-Steele scan
    const long long add = t >= d ? scan[t - d] : 0;
    __syncthreads();
    scan[t] += add;
    __syncthreads();
  }
  long long row = s.base_row + scan[t] - own;
  bool clamped = false;
  for (int i = lo; i < hi; ++i) {
    long long m = size_of(i);
    if (m < 0) {
      m = 0;
      clamped = true;
    }
    if (row + m > s.max_total_m) {
      m = row < s.max_total_m ? s.max_total_m - row : 0;
      clamped = true;
    }
    visit(s.first + i, static_cast<int32_t>(m), static_cast<int64_t>(row));
    row += m;
  }
  if (clamped) atomicOr(&clamped_any, 1);
  __syncthreads();
  if (t == 0 && s.clamped != nullptr) *s.clamped = clamped_any;
}

}  // namespace dw::gemm::grouped
