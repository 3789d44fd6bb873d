// Shared between the GEMM backends: device facts, argument checks and the per-family entry
// points the dispatcher (gemm_dispatch.cpp) calls. Not part of the C ABI. Errors are recorded
// through the runtime's dw::fail / dw::check (runtime/internal.h), so dw_last_error() reports
// them like every other Deepwell call.
#pragma once

#include <cuda_runtime.h>

#include "deepwell/gemm.h"
#include "runtime/internal.h"

#if defined(__CUDACC__)
#define DW_GEMM_HD __host__ __device__
#else
#define DW_GEMM_HD
#endif

namespace dw::gemm {

// What kernel selection needs to know about the device a plan is for.
struct DeviceInfo {
  int32_t device = 0;
  int sm_count = 0;
  int cc_major = 0;
  int cc_minor = 0;
};

DW_GEMM_HD inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
// TMA and bulk copies read from 16-byte aligned global addresses (a misaligned one faults).
inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// Copies `name` into plan->name, truncated.
void set_name(dw_gemm_plan_info* plan, const char* name);

// ---- CUTLASS sm90 families (sm_90a only; in the build where DEEPWELL_HAVE_CUTLASS is defined) ----
// plan: fills plan->variant/swizzle/name/workspace_bytes for the given (or, variant < 0,
// chosen) kernel, or returns DW_ERROR_GEMM_UNSUPPORTED with a detail. run: launches it.
struct Sm90Family {
  int (*variant_count)();
  dw_status (*plan)(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* plan);
  dw_status (*run)(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                   const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream);
};
const Sm90Family& sm90_bf16_family();
const Sm90Family& sm90_fp8_tensor_family();
const Sm90Family& sm90_fp8_block_family();
// MXFP8, emulated: both operands dequantized to BF16 in the workspace, then the BF16 family.
const Sm90Family& sm90_mxfp8_family();

// MXFP8 with the 32-deep block scales applied while accumulating (gemm_sm90_mxfp8_wgmma.cu:
// Deepwell's own FP8 wgmma kernel, sm_90a, no CUTLASS): one variant of the MXFP8 family. Takes K
// a multiple of 16, any M and N; workspace = the tiled copies of row-major scales.
const char* mxfp8_wgmma_name();
dw_status mxfp8_wgmma_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, dw_gemm_plan_info* plan);
dw_status mxfp8_wgmma_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, void* workspace,
                          size_t workspace_bytes, cudaStream_t stream);
// MXFP8 with A dequantized in registers and B by a pass (gemm_sm90_mxfp8_fused.cu: Deepwell's own
// BF16 wgmma kernel, A from registers, sm_90a, no CUTLASS): variants of the MXFP8 family, output
// tiles 128 x tile_n (128, 192 or 256). K a multiple of 16, any M and N; workspace = the tiled copy of
// row-major scales + B's BF16 copy.
const char* mxfp8_fused_name(int tile_n);
dw_status mxfp8_fused_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int tile_n, dw_gemm_plan_info* plan);
dw_status mxfp8_fused_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, int tile_n,
                          void* workspace, size_t workspace_bytes, cudaStream_t stream);

// The tile of one sm90 configuration: a compile-time fact of its kernel, kept in the family's
// table next to the kernel.
struct Sm90Tile {
  int m, n;
  int k = 0;              // tile depth (0: not recorded); the stream-K model counts K in tiles of it
  bool stream_k = false;  // cooperative kernel with CUTLASS's stream-K tile scheduler
  int splits = 1;         // > 1: that scheduler in split-K mode, K cut into `splits` equal parts
  // Split-K with a separate reduction (gemm_sm90_bf16_splitk_reduce.cu): (tile, K range) pieces
  // of a grouped ping-pong GEMM into FP32 slots, then a kernel adding each tile's slots.
  bool separate_reduction = false;
  // The cluster shape (CTAs along M, N): CUTLASS launches whole clusters, so the grid is the tile
  // grid rounded up to it.
  int cluster_m = 1, cluster_n = 1;
  // Deepwell's own wgmma kernel (gemm_sm90_bf16_wgmma.cu), not CUTLASS: K cut into
  // sm90_deepwell_splits ranges, added inside the kernel.
  bool deepwell = false;
};
// The measured choice of configuration (gemm_sm90_select.cpp, host code only, so that retuning
// it rebuilds no CUTLASS translation unit).
int sm90_choose_variant(const DeviceInfo& dev, const dw_gemm_desc& desc, const Sm90Tile* tiles, int count);
int sm90_choose_swizzle(const DeviceInfo& dev, const dw_gemm_desc& desc, Sm90Tile tile);
// MXFP8: which of the family's ways AUTO takes (the fused kernel where it can run, K % 16 == 0;
// else the dequantizing pass + BF16 tiles, which takes any problem). The wgmma kernel is never
// chosen (measured slower everywhere); it runs when forced.
enum class Sm90Mxfp8Way { kDequantize, kFused128x256, kFused128x192, kFused128x128 };
Sm90Mxfp8Way sm90_mxfp8_way(const DeviceInfo& dev, const dw_gemm_desc& desc);
// The MXFP8 fused kernel's split-K for output tiles 128 x tile_n (128, 192 or 256): `splits` ranges of
// `split_k_tiles` (even) 64-deep k-tiles each, none empty; `cost` = the model's time of the call
// (less B's pass, the same for every choice) in units of 10 ns, to compare tiles.
struct Sm90FusedSplit {
  int splits = 1, split_k_tiles = 0;
  int64_t cost = 0;
};
Sm90FusedSplit sm90_mxfp8_fused_split(const DeviceInfo& dev, int64_t m, int64_t n, int64_t k, int tile_n);
// Deepwell's BF16 wgmma kernel: how many K ranges each of `tiles` output tiles of `k_tiles` 64-deep
// k-tiles gets (as many as fill one round of SMs where the tiles alone fill less, each at least 16
// k-tiles, at most 16 ranges; 1 for K = 0).
int sm90_deepwell_splits(int64_t tiles, int64_t k_tiles, int64_t sms);
// The BF16 split-K with a separate reduction: how many K ranges each of `tiles` 128x256 output
// tiles of `iterations` 64-deep k-tiles gets on `clusters` resident clusters of two (1 when the
// tiles alone fill them; 0 for K = 0).
int64_t sm90_reduce_splits(int64_t tiles, int64_t iterations, int64_t clusters);

// ---- reference (gemm_reference.cu) ----
dw_status reference_run(const dw_gemm_desc& desc, const dw_gemm_args& args, cudaStream_t stream);

// ---- Deepwell's decode GEMV (gemv_nvfp4.cu): NVFP4_WEIGHT, M <= DW_GEMM_GEMV_MAX_M ----
int gemv_variant_count(dw_gemm_input input);
dw_status gemv_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* plan);
dw_status gemv_run(const dw_gemm_desc& desc, const dw_gemm_args& args, const dw_gemm_plan_info& plan,
                   cudaStream_t stream);
// Its TMA engine (gemv_nvfp4_tma.cu): gemv_plan's choice where it is preferred (same variant, same
// kernel name: an engine of the one GEMV, as a tile size is of a CUTLASS variant); opaque = split,
// stages, shared memory.
bool gemv_tma_applies(const DeviceInfo& dev, const dw_gemm_desc& desc);
bool gemv_tma_preferred(const DeviceInfo& dev, const dw_gemm_desc& desc);
dw_status gemv_tma_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, uint64_t (&opaque)[3]);
dw_status gemv_tma_run(const dw_gemm_desc& desc, const dw_gemm_args& args, const uint64_t (&opaque)[3],
                       cudaStream_t stream);

// ---- cuBLASLt (gemm_cublaslt.cpp) ----
dw_status cublaslt_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, dw_gemm_plan_info* plan);
dw_status cublaslt_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                       const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream);

}  // namespace dw::gemm
