// NVFP4 weights x BF16 activations (DW_GEMM_IN_NVFP4_WEIGHT) on sm_90a for any M: Deepwell's own
// mixed-input GEMM, the weights dequantized in registers inside a BF16 wgmma main loop
// (gemm_sm90_nvfp4w.cu). The decode GEMV (gemv_nvfp4.cu) stays AUTO's first choice where it
// applies (M <= DW_GEMM_GEMV_MAX_M); this family takes every larger M ("prefill") that the
// reference kernel took before. It is a family of the CUTLASS sm90 backend, as the MXFP8 fused
// kernel is, though it uses no CUTLASS code. Host-visible; kept out of gemm_internal.h so that
// changing it rebuilds no CUTLASS translation unit.
#pragma once

#include "gemm_internal.h"

namespace dw::gemm {

// Variants, in the C ABI's order: D tiles of 256 / 128 / 64 tokens (M) x 128 weight rows (N).
constexpr int kNvfp4wVariants = 3;
DW_GEMM_HD constexpr int nvfp4w_tile_m(int variant) { return variant == 0 ? 256 : variant == 1 ? 128 : 64; }
constexpr int kNvfp4wTileN = 128;

// The family (sm_90a translation unit, built where the CUTLASS sm90 families are).
const Sm90Family& sm90_nvfp4_weight_family();

// AUTO's choice among the variants (gemm_sm90_select.cpp, host code; mirrored by the Java
// GemmTileChoice): 64 tokens up to M = 64, 128 up to 128, beyond that 256 where its tiles fill at
// least half of the SMs, else 128 (measured, see there).
int sm90_nvfp4w_choose_variant(const DeviceInfo& dev, const dw_gemm_desc& desc);

}  // namespace dw::gemm
