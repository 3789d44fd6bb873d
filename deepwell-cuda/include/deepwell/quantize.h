/*
 * Deepwell GPU quantization: C ABI of the kernels in deepwell-cuda/src/quantize.
 *
 * Quantizes a row-major BF16 matrix x [rows, cols] on the device into the block formats of
 * dev.deepwell.quant (the Java reference), byte for byte identical to it, and dequantizes them.
 * One dw_quantize call reads x once and writes the ROW copy, the COL copy, or both:
 *   ROW: codes in x's order, row-major [rows, cols]; one scale per 1 x B run of a row;
 *        block scales form a [rows, cols / B] matrix.
 *   COL: codes of x's transpose, row-major [cols, rows] (what a GEMM reading the column-wise
 *        operand needs); one scale per B x 1 run of a column; scales [cols, rows / B].
 * FP8 codes take one byte; FP4 codes two per byte, low nibble first.
 *
 * Formats (dw_quant_format, same order as the Java enum QuantFormat):
 *   MXFP8_E4M3, MXFP8_E5M2, MXFP4  B = 32, E8M0 scale bytes (scale_rule OCP or CEIL)
 *   NVFP4                          B = 16, UE4M3 scale bytes, FP32 tensor scale
 *   NVFP4_2D                       one UE4M3 scale per 16x16 tile, repeated on each of its rows
 *   FP8_TENSOR                     E4M3, no block scales, FP32 tensor scale
 *   FP8_BLOCK                      E4M3, FP32 scales per 1x128 run or per 128x128 tile
 * Options: stochastic rounding (Philox4x32-10 keyed by seed and the element's index in x),
 * the 16-point random Hadamard transform before NVFP4 quantization (sign mask from seed).
 *
 * Scale layouts: ROW_MAJOR; SWIZZLED_128X4 (one-byte scales only: the 128x4 tiled layout of
 * sm_100 block-scaled GEMMs, zero padding included); MN_MAJOR (FP8_BLOCK 1x128 only: entry
 * (m, kb) at kb * M + m, the layout of the sm_90 blockwise GEMM's A scales, see gemm.h).
 *
 * Shapes: rows, cols in [1, 2^31). The blocked dimension of each requested copy must be a
 * multiple of B (ROW: cols, COL: rows); the other may be ragged (partial 2-D tiles at the edge).
 * FP8_TENSOR takes any shape.
 *
 * Nothing here allocates, synchronises or keeps state between calls: work is enqueued on the
 * stream and may be captured into a CUDA graph. NVFP4 and FP8_TENSOR first reduce the tensor
 * amax on the device into `workspace` (DW_QUANT_WORKSPACE_BYTES, 16-byte aligned). The other
 * formats take a null workspace, but run faster with one: the kernel then hands its tiles out
 * through a counter kept there (zeroed on the stream first). Either way, calls that share a
 * workspace must be ordered (the same stream).
 */
#ifndef DEEPWELL_QUANTIZE_H
#define DEEPWELL_QUANTIZE_H

#include <stdint.h>

#include "deepwell/deepwell.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dw_quant_format {
  DW_QUANT_MXFP8_E4M3 = 0,
  DW_QUANT_MXFP8_E5M2 = 1,
  DW_QUANT_MXFP4 = 2,
  DW_QUANT_NVFP4 = 3,
  DW_QUANT_NVFP4_2D = 4,
  DW_QUANT_FP8_TENSOR = 5,
  DW_QUANT_FP8_BLOCK = 6
} dw_quant_format;

typedef enum dw_quant_axis { DW_QUANT_AXIS_ROW = 0, DW_QUANT_AXIS_COL = 1 } dw_quant_axis;

typedef enum dw_quant_scale_rule { DW_QUANT_SCALE_OCP = 0, DW_QUANT_SCALE_CEIL = 1 } dw_quant_scale_rule;

typedef enum dw_quant_scale_layout {
  DW_QUANT_LAYOUT_ROW_MAJOR = 0,
  DW_QUANT_LAYOUT_SWIZZLED_128X4 = 1,
  DW_QUANT_LAYOUT_MN_MAJOR = 2
} dw_quant_scale_layout;

typedef enum dw_quant_fp8_block_shape {
  DW_QUANT_FP8_BLOCK_1X128 = 0,
  DW_QUANT_FP8_BLOCK_128X128 = 1
} dw_quant_fp8_block_shape;

typedef struct dw_quant_options {
  int32_t format;              /* dw_quant_format                                   */
  int32_t scale_rule;          /* dw_quant_scale_rule (MX formats)                  */
  int32_t scale_layout;        /* dw_quant_scale_layout                             */
  int32_t fp8_block_shape;     /* dw_quant_fp8_block_shape (FP8_BLOCK)              */
  int32_t stochastic_rounding; /* 0 or 1                                            */
  int32_t hadamard16;          /* 0 or 1 (NVFP4, NVFP4_2D only)                     */
  uint64_t seed;               /* Philox key: stochastic rounding, Hadamard signs   */
} dw_quant_options;

/* Sizes of one quantized copy. */
typedef struct dw_quant_layout_info {
  uint64_t data_bytes;      /* codes                                                         */
  uint64_t scale_bytes;     /* block scales in the chosen layout (0 for FP8_TENSOR)          */
  int64_t scale_rows;       /* logical (unpadded) scale matrix                               */
  int64_t scale_cols;
  int32_t has_tensor_scale; /* 1 for NVFP4, NVFP4_2D, FP8_TENSOR: one FP32 in tensor_scale   */
} dw_quant_layout_info;

/* Checks options and shape for one copy (axis: dw_quant_axis) and gives its sizes. */
dw_status dw_quant_layout(const dw_quant_options* options, int64_t rows, int64_t cols, int32_t axis,
                          dw_quant_layout_info* out);

#define DW_QUANT_WORKSPACE_BYTES 256

/* Where one copy goes (device pointers). data: 16-byte aligned; scales: 4-byte aligned (null
 * for FP8_TENSOR); tensor_scale: one FP32 (null unless has_tensor_scale). */
typedef struct dw_quant_output {
  void* data;
  void* scales;
  float* tensor_scale;
} dw_quant_output;

/* Quantizes x (BF16, row-major [rows, cols], 2-byte aligned; 16-byte alignment and cols % 8 == 0
 * give the vector path) into the ROW copy (row_out non-null), the COL copy (col_out non-null),
 * or both in one pass over x. The options' axis-free fields apply to both copies. */
dw_status dw_quantize(dw_stream stream, const dw_quant_options* options, const void* x, int64_t rows, int64_t cols,
                      const dw_quant_output* row_out, const dw_quant_output* col_out, void* workspace);

/* As dw_quantize, for the formats with a tensor scale (NVFP4, NVFP4_2D, FP8_TENSOR; not with
 * hadamard16), with the tensor amax given instead of reduced from x: `amax` is one FP32 in device
 * memory (4-byte aligned), read by the kernel when it runs (so a producer kernel earlier on the
 * stream may write it, e.g. in its epilogue, or a delayed-scaling history may supply it). No
 * amax pass runs: x is read once. With *amax equal to the largest |x| over x's finite elements
 * (what dw_quant_amax_bf16 gives) the outputs are byte for byte those of dw_quantize; any other
 * finite value >= 0 is used as the tensor amax of the same formulas (elements beyond it
 * saturate). NaN, Inf or negative values give unspecified codes (but stay in bounds). No
 * workspace is needed: calls may overlap freely. */
dw_status dw_quantize_with_amax(dw_stream stream, const dw_quant_options* options, const void* x, int64_t rows,
                                int64_t cols, const dw_quant_output* row_out, const dw_quant_output* col_out,
                                const float* amax);

typedef enum dw_dequant_type { DW_DEQUANT_F32 = 0, DW_DEQUANT_BF16 = 1 } dw_dequant_type;

/* Dequantizes one copy (axis: which one) into out, row-major [rows, cols] in x's orientation:
 * FP32 values exactly as the Java reference's dequantize, or those rounded to BF16 (RNE).
 * tensor_scale is the device FP32 that dw_quantize wrote (null unless has_tensor_scale). With
 * hadamard16 the inverse transform is applied. */
dw_status dw_dequantize(dw_stream stream, const dw_quant_options* options, int64_t rows, int64_t cols, int32_t axis,
                        const void* data, const void* scales, const float* tensor_scale, void* out,
                        int32_t out_type);

/* The largest |x| over the finite elements of `count` BF16 values, as an FP32 written to
 * amax_out (device); 0 when none is finite. */
dw_status dw_quant_amax_bf16(dw_stream stream, const void* x, uint64_t count, float* amax_out);

#ifdef __cplusplus
}
#endif

#endif /* DEEPWELL_QUANTIZE_H */
