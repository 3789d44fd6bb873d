// Reference grouped GEMM in plain CUDA (gemm_grouped.h): BF16 and FP8 block128, any N and K,
// any architecture. Like gemm_reference.cu it is meant to be obviously right, not fast: the
// yardstick for the CUTLASS kernels and the fallback where they cannot run.
//
// A setup kernel writes each group's first and last row into the workspace; the GEMM kernel
// then takes 64x64 tiles of the packed output. A tile's 64 rows may belong to several groups
// (groups are ragged and may be empty); it multiplies each group's rows with that group's B in
// turn, so every output element is computed exactly once from its own expert.
#include <cstdint>

#include <cuda_bf16.h>

#include "gemm_grouped_layout.cuh"
#include "gemm_epilogue_math.cuh"
#include "gemm_reference_tile.cuh"

namespace dw::gemm::grouped {
namespace {

constexpr const char* kOperation = "reference grouped GEMM";
using namespace reference_tile;  // tile shape, multiply_tile_step, e4m3_to_float

// The workspace: begin[g] and end[g], the packed rows [begin, end) of group g.
struct RowRanges {
  int64_t* begin;
  int64_t* end;
};

RowRanges ranges_in(void* workspace, int groups) {
  auto* p = static_cast<int64_t*>(workspace);
  return RowRanges{p, p + groups};
}

__global__ void __launch_bounds__(kSetupThreads) setup_ranges(const __grid_constant__ GroupSizes sizes, RowRanges r) {
  for_each_group(sizes, [&](int32_t g, int32_t m, int64_t row) {
    r.begin[g] = row;
    r.end[g] = row + m;
  });
}

struct Problem {
  const void* a;
  const void* b;
  void* d;
  const float* scale_a;
  const float* scale_b;
  const void* bias;
  int64_t n, k, max_total_m;
  int32_t groups;
  int32_t activation;
  float alpha, out_scale;
};

// Row `row` (packed) of A and row `n` of expert g's B at column k, dequantized.
template <int kInput>
__device__ __forceinline__ float load_a(const Problem& p, int64_t row, int64_t k, int64_t begin, int64_t rows) {
  if constexpr (kInput == DW_GEMM_IN_BF16) {
    return __bfloat162float(static_cast<const __nv_bfloat16*>(p.a)[row * p.k + k]);
  } else {
    const float v = e4m3_to_float(static_cast<const uint8_t*>(p.a)[row * p.k + k]);
    // The group's [ceil(K/128), M_g] block starts after the blocks of the earlier groups.
    const int64_t kb = ceil_div(p.k, 128);
    return v * p.scale_a[kb * begin + (k / 128) * rows + (row - begin)];
  }
}

template <int kInput>
__device__ __forceinline__ float load_b(const Problem& p, int64_t g, int64_t n, int64_t k) {
  if constexpr (kInput == DW_GEMM_IN_BF16) {
    return __bfloat162float(static_cast<const __nv_bfloat16*>(p.b)[(g * p.n + n) * p.k + k]);
  } else {
    const float v = e4m3_to_float(static_cast<const uint8_t*>(p.b)[(g * p.n + n) * p.k + k]);
    const int64_t kb = ceil_div(p.k, 128), nb = ceil_div(p.n, 128);
    return v * p.scale_b[(g * nb + n / 128) * kb + k / 128];
  }
}

template <int kInput, class OutT>
__global__ void __launch_bounds__(kThreads) reference_grouped_gemm(Problem p, RowRanges r) {
  __shared__ TileA sa;
  __shared__ TileB sb;
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
  const OutT* bias = static_cast<const OutT*>(p.bias);
  OutT* d = static_cast<OutT*>(p.d);
  for (int64_t m0 = static_cast<int64_t>(blockIdx.y) * kTileM; m0 < p.max_total_m;
       m0 += static_cast<int64_t>(gridDim.y) * kTileM) {
    const int64_t m1 = m0 + kTileM < p.max_total_m ? m0 + kTileM : p.max_total_m;
    // The first group that ends after m0 (ends never decrease): a binary search.
    int lo = 0, hi = p.groups;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (r.end[mid] > m0) hi = mid; else lo = mid + 1;
    }
    for (int g = lo; g < p.groups && r.begin[g] < m1; ++g) {
      const int64_t begin = r.begin[g], rows = r.end[g] - begin;
      const int64_t lo_row = begin > m0 ? begin : m0, hi_row = r.end[g] < m1 ? r.end[g] : m1;
      if (lo_row >= hi_row) continue;  // an empty group
      float acc[4][4] = {};
      for (int64_t k0 = 0; k0 < p.k; k0 += kTileK) {
        for (int i = tid; i < kTileM * kTileK; i += kThreads) {
          const int t = i / kTileK, kk = i % kTileK;
          const int64_t row = m0 + t, k = k0 + kk, n = n0 + t;
          sa[kk][t] = (row >= lo_row && row < hi_row && k < p.k) ? load_a<kInput>(p, row, k, begin, rows) : 0.0f;
          sb[kk][t] = (n < p.n && k < p.k) ? load_b<kInput>(p, g, n, k) : 0.0f;
        }
        __syncthreads();
        multiply_tile_step(sa, sb, tx, ty, acc);
        __syncthreads();
      }
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int64_t row = m0 + ty * 4 + i;
        if (row < lo_row || row >= hi_row) continue;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          const int64_t n = n0 + tx * 4 + j;
          if (n >= p.n) continue;
          float y = p.alpha * acc[i][j];
          if (bias != nullptr) y += to_float(bias[g * p.n + n]);
          d[row * p.n + n] = from_float<OutT>(p.out_scale * activate(y, p.activation));
        }
      }
    }
  }
}

template <class OutT>
void launch(const dw_gemm_grouped_desc& desc, const Problem& p, RowRanges r, cudaStream_t s) {
  const int64_t m_tiles = ceil_div(desc.max_total_m, kTileM);
  const dim3 grid(static_cast<unsigned>(ceil_div(desc.n, kTileN)),
                  static_cast<unsigned>(m_tiles < 65535 ? (m_tiles > 0 ? m_tiles : 1) : 65535));
  if (desc.input == DW_GEMM_IN_FP8_BLOCK128)
    reference_grouped_gemm<DW_GEMM_IN_FP8_BLOCK128, OutT><<<grid, kThreads, 0, s>>>(p, r);
  else
    reference_grouped_gemm<DW_GEMM_IN_BF16, OutT><<<grid, kThreads, 0, s>>>(p, r);
}

}  // namespace

size_t reference_workspace_bytes(const dw_gemm_grouped_desc& desc) {
  return 2 * sizeof(int64_t) * static_cast<size_t>(desc.groups);
}

dw_status reference_run(const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args, void* workspace,
                        cudaStream_t stream) {
  if (ceil_div(desc.n, kTileN) > INT32_MAX)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "n=%lld too large", (long long)desc.n);
  const RowRanges r = ranges_in(workspace, desc.groups);
  dw_status st = for_each_size_chunk(desc, args, [&](const GroupSizes& s) -> dw_status {
    setup_ranges<<<1, kSetupThreads, 0, stream>>>(s, r);
    return dw::check(cudaGetLastError(), kOperation, "setup kernel launch, groups=%d", desc.groups);
  });
  if (st != DW_SUCCESS || desc.max_total_m == 0) return st;
  Problem p{};
  p.a = args.a;
  p.b = args.b;
  p.d = args.d;
  p.scale_a = args.scale_a;
  p.scale_b = args.scale_b;
  p.bias = desc.has_bias ? args.bias : nullptr;
  p.n = desc.n;
  p.k = desc.k;
  p.max_total_m = desc.max_total_m;
  p.groups = desc.groups;
  p.activation = desc.activation;
  p.alpha = desc.alpha;
  p.out_scale = desc.out_scale;
  if (desc.output == DW_GEMM_OUT_F32) launch<float>(desc, p, r, stream);
  else launch<__nv_bfloat16>(desc, p, r, stream);
  return dw::check(cudaGetLastError(), kOperation, "launch, groups=%d n=%lld k=%lld input=%d", desc.groups,
                   (long long)desc.n, (long long)desc.k, desc.input);
}

}  // namespace dw::gemm::grouped
