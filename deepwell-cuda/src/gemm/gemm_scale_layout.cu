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

__device__ __forceinline__ bool word_aligned(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 3u) == 0;
}

// A word of up to `count` (1-4) bytes at p, low byte first: one 32-bit access where p is aligned and
// the word whole, else bytes. The tiled side is word-aligned in every caller of the library
// (workspaces, CUTLASS's scale tensors) but a caller's own tiled scales need not be; a row-major
// row's last word is partial unless cols % 4 == 0.
__device__ __forceinline__ uint32_t load_word(const uint8_t* p, int count) {
  if (count == 4 && word_aligned(p)) return *reinterpret_cast<const uint32_t*>(p);
  uint32_t word = 0;
  for (int j = 0; j < count; ++j) word |= static_cast<uint32_t>(p[j]) << (8 * j);
  return word;
}

__device__ __forceinline__ void store_word(uint8_t* p, uint32_t word, int count) {
  if (count == 4 && word_aligned(p)) {
    *reinterpret_cast<uint32_t*>(p) = word;
    return;
  }
  for (int j = 0; j < count; ++j) p[j] = static_cast<uint8_t>(word >> (8 * j));
}

// The bytes of a row-major row's word starting at column c0.
__device__ __forceinline__ int row_word_bytes(int64_t c0, int64_t cols) {
  return cols - c0 < 4 ? static_cast<int>(cols - c0) : 4;
}

// Padding (rows past `rows`, columns past `cols`) comes out 0.
__global__ void __launch_bounds__(kThreads)
    row_major_to_tiled(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int64_t rows, int64_t cols,
                       int64_t col_tiles, int64_t tiles) {
  const int r = static_cast<int>(threadIdx.x);
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t row = (tile / col_tiles) * kScaleTileRows + r, c0 = (tile % col_tiles) * kScaleTileCols;
    const uint32_t word = row < rows ? load_word(src + row * cols + c0, row_word_bytes(c0, cols)) : 0u;
    store_word(dst + 4 * (tile * kTileWords + tile_word(r)), word, 4);
  }
}

// The source's padding is never written out.
__global__ void __launch_bounds__(kThreads)
    tiled_to_row_major(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst, int64_t rows, int64_t cols,
                       int64_t col_tiles, int64_t tiles) {
  const int r = static_cast<int>(threadIdx.x);
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t row = (tile / col_tiles) * kScaleTileRows + r, c0 = (tile % col_tiles) * kScaleTileCols;
    if (row >= rows) continue;
    const uint32_t word = load_word(src + 4 * (tile * kTileWords + tile_word(r)), 4);
    store_word(dst + row * cols + c0, word, row_word_bytes(c0, cols));
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
    row_major_to_tiled<<<blocks, kThreads, 0, stream>>>(s, d, rows, cols, col_tiles, tiles);
  else
    tiled_to_row_major<<<blocks, kThreads, 0, stream>>>(s, d, rows, cols, col_tiles, tiles);
  return dw::check(cudaGetLastError(), op, "launch for a [%lld, %lld] scale matrix", (long long)rows,
                   (long long)cols);
}

}  // namespace dw::gemm
