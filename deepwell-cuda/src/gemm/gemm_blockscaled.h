// The block-scaled (MXFP8, NVFP4) backends of Blackwell: CUTLASS sm100 (B200/B100: tcgen05 MMA,
// accumulators in tensor memory) and CUTLASS sm120 (RTX 50xx: block-scaled mma.sync), and the
// scale re-layout they share with the reference backend. Not part of the C ABI; host-visible
// (no CUTLASS here). The kernels themselves exist only in the sm_100a / sm_120a translation
// units of a build with CUTLASS; the re-layout kernel is plain CUDA built for every target.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "gemm_internal.h"

namespace dw::gemm {

// ---- the 128x4 tiled ("swizzled") scale layout of gemm.h (DW_GEMM_SCALES_SWIZZLED_128X4) ----
// One definition for host and device. It must equal CUTLASS's Sm1xxBlkScaledConfig layout (what
// the tensor cores read) and dev.deepwell.quant.ScaleLayout (what the Java quantizer writes):
// tests/gemm/scale_layout_check.cpp pins it to the first, GemmScaleLayoutContractTest (Java) to
// the second, both through tests/gemm/scale_swizzle_vectors.txt.

constexpr int64_t kScaleTileRows = 128;
constexpr int64_t kScaleTileCols = 4;

// Byte offset of entry (r, c) of a [rows, cols] byte-scale matrix (rows does not enter).
DW_GEMM_HD inline int64_t swizzled_scale_offset(int64_t r, int64_t c, int64_t cols) {
  const int64_t tile = (r / kScaleTileRows) * ceil_div(cols, kScaleTileCols) + c / kScaleTileCols;
  return tile * (kScaleTileRows * kScaleTileCols) + (r % 32) * 16 + ((r / 32) % 4) * 4 + (c % 4);
}

// Bytes of a [rows, cols] matrix in the tiled layout (padding included).
DW_GEMM_HD inline int64_t swizzled_scale_bytes(int64_t rows, int64_t cols) {
  return ceil_div(rows, kScaleTileRows) * kScaleTileRows * ceil_div(cols, kScaleTileCols) * kScaleTileCols;
}

// Scale columns of one operand row: ceil(K/32) for MXFP8, ceil(K/16) for NVFP4, 0 otherwise.
inline int64_t byte_scale_cols(const dw_gemm_desc& d) {
  if (d.input == DW_GEMM_IN_MXFP8) return ceil_div(d.k, 32);
  if (d.input == DW_GEMM_IN_NVFP4) return ceil_div(d.k, 16);
  return 0;
}

enum class ScaleRelayout { kRowMajorToSwizzled, kSwizzledToRowMajor };

// Re-lays a [rows, cols] byte-scale matrix from src into dst (device memory, not overlapping)
// on `stream`. Row-major -> tiled writes every padding byte as 0. One launch.
dw_status relayout_scales(const void* src, void* dst, int64_t rows, int64_t cols, ScaleRelayout direction,
                          cudaStream_t stream);

// Where a run puts the re-laid scales of A and B inside its workspace: A's at offset 0, B's at
// b_offset, the backend's own scratch from `bytes` on (all 256-byte aligned).
struct ScaleStaging {
  uint64_t b_offset = 0;
  uint64_t bytes = 0;
};
// The staging a problem needs to present its scales in `target` layout (0 bytes when they
// already are, or the format has no byte scales).
ScaleStaging scale_staging(const dw_gemm_desc& d, dw_gemm_scale_layout target);
// Re-lays args' scales into the staging area at the start of `workspace` and points `staged` at
// them; INVALID_ARGUMENT (under `operation`) when the workspace is smaller than the staging.
dw_status stage_scales(const dw_gemm_desc& d, const dw_gemm_args& args, dw_gemm_scale_layout target, void* workspace,
                       size_t workspace_bytes, const char* operation, cudaStream_t stream, dw_gemm_args* staged);

// ---- kernel tables of the sm100 / sm120 translation units ----
// tiles(): each configuration's footprint for the variant choice, the D tile ONE SM computes (a
// 2-SM kernel's MMA tile is twice as tall). The dispatcher picks the fewest rounds x tile area
// (a persistent kernel's time model, as gemm_sm90_select.cpp's fallback), earlier variants
// winning ties, which is also what the Java mirror (GemmTileChoice) computes. plan() gets the
// chosen variant (>= 0) and sizes CUTLASS's workspace; run() gets scales in the tiled layout.
struct BlockScaledFamily {
  const char* arch;  // "sm100" / "sm120", for messages
  int (*variant_count)();
  const Sm90Tile* (*tiles)();  // variant_count() entries
  dw_status (*plan)(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* plan);
  dw_status (*run)(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                   const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream);
};
// nullptr for formats without block-scaled kernels (everything but MXFP8 and NVFP4).
const BlockScaledFamily* sm100_blockscaled_family(dw_gemm_input in);
const BlockScaledFamily* sm120_blockscaled_family(dw_gemm_input in);

// ---- what gemm_dispatch.cpp calls (gemm_blockscaled_dispatch.cpp) ----
bool is_blockscaled_backend(dw_gemm_backend b);
int32_t blockscaled_variant_count(dw_gemm_backend b, dw_gemm_input in);
// The backend AUTO tries first on this device (CUTLASS_SM100 on 10.x, CUTLASS_SM120 on 12.x),
// or AUTO when there is none.
dw_gemm_backend blockscaled_backend_for(const DeviceInfo& dev);
// Plans `b` (CUTLASS_SM100 / CUTLASS_SM120): refuses other architectures by name, adds the
// scale staging to the workspace. variant < 0: the choice by problem size.
dw_status plan_blockscaled(const DeviceInfo& dev, const dw_gemm_desc& d, dw_gemm_backend b, int variant,
                           dw_gemm_plan_info* p);
dw_status run_blockscaled(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args,
                          const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream);
// The reference kernel reads row-major scales: with tiled ones it needs this much workspace,
// and this run re-lays them first.
uint64_t reference_scale_workspace(const dw_gemm_desc& d);
dw_status reference_run_tiled_scales(const dw_gemm_desc& d, const dw_gemm_args& args, void* workspace,
                                     size_t workspace_bytes, cudaStream_t stream);

// ---- sm100 block-scaled grouped GEMM (gemm_sm100_grouped_blockscaled.cu) ----
// An internal entry point, not (yet) in gemm_grouped.h, whose ABI has no byte-scale layout for
// groups and no per-expert tensor scales. Same packing as gemm_grouped.h:
//   A [sum M_g, K], B [G, N, K], D [sum M_g, N] (BF16), group sizes in device memory (int32 [G]).
// Scales, always in the 128x4 tiled layout (cols = ceil(K/32) MXFP8, ceil(K/16) NVFP4):
//   scale_a: the groups' [M_g, cols] matrices one after another, group g's starting at byte
//            512 * ceil(cols/4) * (ceil(M_0/128) + ... + ceil(M_{g-1}/128)) (each padded to 128
//            rows, so a group's tiles start on a tile boundary);
//   scale_b: G matrices [N, cols] of swizzled_scale_bytes(N, cols) bytes each.
// Epilogue: D_g = alpha * tensor_scale_a * tensor_scale_b[g] * acc (NVFP4; MXFP8: alpha * acc),
// BF16; no bias or activation. Sizes are clamped like gemm_grouped.h's device sizes: a negative
// M_g counts as 0 and rows past max_total_m are dropped.
struct GroupedBlockScaledArgs {
  const void* a;
  const void* b;
  void* d;
  const void* scale_a;
  const void* scale_b;
  const float* tensor_scale_a;  // NVFP4: one FP32 (the activations'); else null
  const float* tensor_scale_b;  // NVFP4: [G] FP32 (one per expert); else null
  const int32_t* group_m;       // device [G]
};
struct GroupedBlockScaledDesc {
  int32_t groups;       // G >= 1
  int64_t max_total_m;  // >= 0
  int64_t n, k;         // >= 1
  dw_gemm_input input;  // MXFP8 or NVFP4
  float alpha;
};
struct GroupedBlockScaledPlan {
  int32_t device;
  int32_t variant;
  uint64_t workspace_bytes;  // problem and pointer arrays, per-group alphas, CUTLASS's scratch
  char name[64];
};
// 0 in a build without CUTLASS; else the variants for `in` (0 for formats it has none for).
int32_t sm100_grouped_blockscaled_variant_count(dw_gemm_input in);
// Checks the desc and the device (compute capability 10.0), chooses (variant < 0) or checks the
// variant, and sizes the workspace, which depends on G and the SM count, not on the sizes.
dw_status sm100_grouped_blockscaled_plan(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc, int variant,
                                         GroupedBlockScaledPlan* plan);
// One setup kernel (group sizes -> problem shapes, pointers, scale layouts, alphas in the
// workspace), then the grouped kernel. Asynchronous; graph-capturable.
dw_status sm100_grouped_blockscaled_run(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc,
                                        const GroupedBlockScaledArgs& args, const GroupedBlockScaledPlan& plan,
                                        void* workspace, size_t workspace_bytes, cudaStream_t stream);

}  // namespace dw::gemm
