// Re-lays MXFP8 / NVFP4 byte scales between gemm.h's row-major layout and the 128x4 tiled layout
// the Blackwell block-scaled tensor cores read (gemm_blockscaled.h). Plain CUDA, built for every
// target: the sm100/sm120 kernels call it for row-major scales, the reference backend (any GPU)
// for tiled ones, which is also how the tiled path is checked on a GPU without block-scaled MMA.
//
// Scales are tiny next to their operands (one byte per 32 or 16 values), so one thread per
// destination byte, writes coalesced, is plenty: the pass moves a few MB at most.
#include <cstdint>

#include "gemm_blockscaled.h"

namespace dw::gemm {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

// Destination = tiled: walk its bytes in order, padding included.
__global__ void row_major_to_tiled(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int64_t rows,
                                   int64_t cols, int64_t total) {
  const int64_t col_tiles = ceil_div(cols, kScaleTileCols);
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < total;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t tile = o / (kScaleTileRows * kScaleTileCols), within = o % (kScaleTileRows * kScaleTileCols);
    const int64_t r = (tile / col_tiles) * kScaleTileRows + ((within % 16) / 4) * 32 + within / 16;
    const int64_t c = (tile % col_tiles) * kScaleTileCols + within % 4;
    dst[o] = (r < rows && c < cols) ? src[r * cols + c] : uint8_t{0};
  }
}

// Destination = row-major: walk its bytes in order; the padding of the source is never read.
__global__ void tiled_to_row_major(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int64_t cols,
                                   int64_t total) {
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < total;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    dst[o] = src[swizzled_scale_offset(o / cols, o % cols, cols)];
  }
}

}  // namespace

dw_status relayout_scales(const void* src, void* dst, int64_t rows, int64_t cols, ScaleRelayout direction,
                          cudaStream_t stream) {
  constexpr const char* op = "GEMM scale re-layout";
  if (src == nullptr || dst == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "src or dst is null");
  if (rows < 1 || cols < 1)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "rows=%lld cols=%lld must be >= 1", (long long)rows,
                    (long long)cols);
  const bool to_tiled = direction == ScaleRelayout::kRowMajorToSwizzled;
  const int64_t total = to_tiled ? swizzled_scale_bytes(rows, cols) : rows * cols;
  const unsigned blocks = static_cast<unsigned>(ceil_div(total, kThreads) < kMaxBlocks ? ceil_div(total, kThreads)
                                                                                         : kMaxBlocks);
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  if (to_tiled) row_major_to_tiled<<<blocks, kThreads, 0, stream>>>(s, d, rows, cols, total);
  else tiled_to_row_major<<<blocks, kThreads, 0, stream>>>(s, d, cols, total);
  return dw::check(cudaGetLastError(), op, "launch for a [%lld, %lld] scale matrix", (long long)rows,
                   (long long)cols);
}

}  // namespace dw::gemm
