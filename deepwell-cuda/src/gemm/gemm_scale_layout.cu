// Re-lays MXFP8 / NVFP4 byte scales between gemm.h's row-major layout and the 128x4 tiled layout
// the Blackwell block-scaled tensor cores read (gemm_blockscaled.h). Plain CUDA, built for every
// target: the sm100/sm120 kernels call it for row-major scales, the reference backend (any GPU)
// for tiled ones, which is also how the tiled path is checked on a GPU without block-scaled MMA.
//
// One block of 128 threads per 128x4 tile, one 32-bit word per thread: thread r moves the tile's
// row r (4 bytes of one row-major row) to or from word (r % 32) * 4 + r / 32 of the tile. Index
// arithmetic is per tile, not per byte: the first version (a thread per byte, 64-bit divisions for
// each) took ~10 us for the 3.7 MB of scales of 14336 x 4096 NVFP4 weights, a fifth of a 16-token
// GEMM on an H100 (docs/PERFORMANCE.md, session 15). Neighbouring blocks take the next tile of the
// same 128 rows, so a row's 32-byte sector is read from L2 once and used by 8 blocks.
#include <cstdint>

#include "gemm_blockscaled.h"

namespace dw::gemm {
namespace {

constexpr int kThreads = static_cast<int>(kScaleTileRows);      // one per row of a tile
constexpr int kTileWords = static_cast<int>(kScaleTileRows * kScaleTileCols / 4);
constexpr int64_t kMaxBlocks = int64_t{1} << 20;                 // grid-stride beyond this

// Word r of a tile in the tiled layout (see swizzled_scale_offset: (r % 32) * 16 + (r / 32) * 4 bytes).
__device__ __forceinline__ int tile_word(int r) { return (r % 32) * 4 + r / 32; }

__host__ __device__ __forceinline__ bool word_aligned(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 3u) == 0;
}

// The tiled side is word-aligned in every caller of the library (workspaces, CUTLASS's scale
// tensors); a caller's own tiled scales need not be, so unaligned ones are moved a byte at a time.
__device__ __forceinline__ uint32_t load_word(const uint8_t* p, bool aligned) {
  if (aligned) return *reinterpret_cast<const uint32_t*>(p);
  return p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

__device__ __forceinline__ void store_word(uint8_t* p, uint32_t word, bool aligned) {
  if (aligned) {
    *reinterpret_cast<uint32_t*>(p) = word;
    return;
  }
  for (int j = 0; j < 4; ++j) p[j] = static_cast<uint8_t>(word >> (8 * j));
}

// Padding (rows past `rows`, columns past `cols`) comes out 0.
__global__ void __launch_bounds__(kThreads)
    row_major_to_tiled(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, bool dst_aligned, int64_t rows,
                       int64_t cols, int64_t col_tiles, int64_t tiles) {
  const int r = static_cast<int>(threadIdx.x);
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t row = (tile / col_tiles) * kScaleTileRows + r, c0 = (tile % col_tiles) * kScaleTileCols;
    uint32_t word = 0;
    if (row < rows) {
      const uint8_t* p = src + row * cols + c0;
      if (c0 + 4 <= cols && word_aligned(p)) {
        word = *reinterpret_cast<const uint32_t*>(p);
      } else {
        for (int j = 0; j < 4 && c0 + j < cols; ++j) word |= static_cast<uint32_t>(p[j]) << (8 * j);
      }
    }
    store_word(dst + 4 * (tile * kTileWords + tile_word(r)), word, dst_aligned);
  }
}

// The source's padding is never written out.
__global__ void __launch_bounds__(kThreads)
    tiled_to_row_major(const uint8_t* __restrict__ src, bool src_aligned, uint8_t* __restrict__ dst, int64_t rows,
                       int64_t cols, int64_t col_tiles, int64_t tiles) {
  const int r = static_cast<int>(threadIdx.x);
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t row = (tile / col_tiles) * kScaleTileRows + r, c0 = (tile % col_tiles) * kScaleTileCols;
    if (row >= rows) continue;
    const uint32_t word = load_word(src + 4 * (tile * kTileWords + tile_word(r)), src_aligned);
    uint8_t* p = dst + row * cols + c0;
    if (c0 + 4 <= cols && word_aligned(p)) {
      *reinterpret_cast<uint32_t*>(p) = word;
    } else {
      for (int j = 0; j < 4 && c0 + j < cols; ++j) p[j] = static_cast<uint8_t>(word >> (8 * j));
    }
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
  const int64_t col_tiles = ceil_div(cols, kScaleTileCols), tiles = ceil_div(rows, kScaleTileRows) * col_tiles;
  const auto blocks = static_cast<unsigned>(tiles < kMaxBlocks ? tiles : kMaxBlocks);
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  if (direction == ScaleRelayout::kRowMajorToSwizzled)
    row_major_to_tiled<<<blocks, kThreads, 0, stream>>>(s, d, word_aligned(d), rows, cols, col_tiles, tiles);
  else
    tiled_to_row_major<<<blocks, kThreads, 0, stream>>>(s, word_aligned(s), d, rows, cols, col_tiles, tiles);
  return dw::check(cudaGetLastError(), op, "launch for a [%lld, %lld] scale matrix", (long long)rows,
                   (long long)cols);
}

}  // namespace dw::gemm
