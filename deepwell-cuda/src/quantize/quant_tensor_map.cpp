// The tensor map of pipe3's TMA fill (quant_pipe3.cuh). The driver's encoder comes from the
// runtime (dw::tensor_map_encoder), so the library does not link libcuda.
#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime_api.h>

#include <atomic>
#include <cstdint>

#include "runtime/internal.h"

namespace dwq {

namespace {
std::atomic<uint64_t> g_refusals{0};

PFN_cuTensorMapEncodeTiled_v12000 encoder() {
  return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(dw::tensor_map_encoder());
}
}  // namespace

// x[rows, cols] seen as (column, row % 16, row / 16): a box of 64 columns x 1 x 8 is the rows
// h, 16 + h, .., 112 + h of a 128-row tile, which the swizzle spreads over all eight 16-byte
// bank groups of a 128-byte line (see pipe3_tma_word). The strides grow with the dimension, as
// the encoder documents them.
bool pipe3_input_map(const uint16_t* x, uint32_t rows, uint32_t cols, CUtensorMap* map) {
  const PFN_cuTensorMapEncodeTiled_v12000 encode = encoder();
  if (encode == nullptr || x == nullptr || rows % 128u != 0u || cols % 128u != 0u ||
      (reinterpret_cast<uintptr_t>(x) & 15u) != 0u) {
    g_refusals.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const cuuint64_t row_bytes = static_cast<cuuint64_t>(cols) * 2u;
  const cuuint64_t dims[3] = {cols, 16u, rows / 16u};
  const cuuint64_t strides[2] = {row_bytes, row_bytes * 16u};
  const cuuint32_t box[3] = {64u, 1u, 8u};
  const cuuint32_t elem_strides[3] = {1u, 1u, 1u};
  const CUresult r = encode(map, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 3, const_cast<uint16_t*>(x), dims, strides, box,
                            elem_strides, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                            CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) g_refusals.fetch_add(1, std::memory_order_relaxed);
  return r == CUDA_SUCCESS;
}

uint64_t pipe3_tma_refusals() { return g_refusals.load(std::memory_order_relaxed); }

}  // namespace dwq
