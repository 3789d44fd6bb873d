// Deepwell's own BF16 wgmma kernel on sm_90a (gemm_sm90_bf16_wgmma.cu): run functions of the
// BF16 family's table (gemm_sm90_bf16.cu), one per output tile (2 x kWgRows) x kTileN, in the
// VariantEntry form (needed != nullptr: plan only, *needed = workspace bytes).
#pragma once

#include <cuda_runtime.h>

#include "gemm_internal.h"

namespace dw::gemm::sm90 {

template <bool kF32, int kWgRows, int kTileN>
dw_status bf16_wgmma_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, int swizzle,
                         void* workspace, size_t workspace_bytes, cudaStream_t stream, size_t* needed);

}  // namespace dw::gemm::sm90
