// Shared by the grouped-GEMM backends (gemm_grouped.h): the group sizes as the setup kernels
// receive them and the per-backend entry points that gemm_grouped.cpp dispatches to. Not part
// of the C ABI. Host-visible: no CUTLASS here.
#pragma once

#include <cuda_runtime.h>

#include "deepwell/gemm_grouped.h"
#include "gemm_internal.h"

namespace dw::gemm::grouped {

// Host sizes travel to the device inside the setup kernel's parameters, this many per launch
// (2 KiB of the 4 KiB every CUDA version accepts).
constexpr int kHostChunk = 512;

// The group sizes of one setup launch. Either `device` points at all G sizes (one launch covers
// every group) or `host` holds `count` sizes starting at group `first`, whose rows start at
// `base_row` (the host knows every offset, so its chunks are independent launches).
struct GroupSizes {
  const int32_t* device;
  int32_t* clamped;      // optional flag written by the launch that covers group 0
  int32_t groups;        // G
  int32_t first;         // first group of this launch
  int32_t count;         // groups of this launch
  int32_t pad_;
  int64_t base_row;      // offset of group `first`
  int64_t max_total_m;   // rows available
  int32_t host[kHostChunk];
};

// Fills `out` for groups [first, first + count) from host sizes (already checked).
inline void host_chunk(const dw_gemm_grouped_desc& desc, const int32_t* sizes, int32_t first, int64_t base_row,
                       GroupSizes* out) {
  out->device = nullptr;
  out->clamped = nullptr;
  out->groups = desc.groups;
  out->first = first;
  out->count = desc.groups - first < kHostChunk ? desc.groups - first : kHostChunk;
  out->pad_ = 0;
  out->base_row = base_row;
  out->max_total_m = desc.max_total_m;
  for (int i = 0; i < out->count; ++i) out->host[i] = sizes[first + i];
}

// ---- CUTLASS sm90 families (sm_90a; built where DEEPWELL_HAVE_CUTLASS is defined) ----
// plan: fills plan->variant/swizzle/name/workspace_bytes or returns DW_ERROR_GEMM_UNSUPPORTED
// with a detail. run: the setup launch(es) for every chunk of `sizes`, then the GEMM.
struct Sm90GroupedFamily {
  int (*variant_count)();
  dw_status (*plan)(const DeviceInfo& dev, const dw_gemm_grouped_desc& desc, int variant,
                    dw_gemm_grouped_plan_info* plan);
  dw_status (*run)(const DeviceInfo& dev, const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args,
                   const dw_gemm_grouped_plan_info& plan, void* workspace, size_t workspace_bytes,
                   cudaStream_t stream);
};
const Sm90GroupedFamily& sm90_grouped_bf16_family();
const Sm90GroupedFamily& sm90_grouped_fp8_block_family();

// ---- reference (gemm_grouped_reference.cu): any architecture, BF16 and FP8_BLOCK128 ----
size_t reference_workspace_bytes(const dw_gemm_grouped_desc& desc);
dw_status reference_run(const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args, void* workspace,
                        cudaStream_t stream);

// The setup launches of `args`' sizes: calls launch(sizes) once for device sizes, once per
// chunk of kHostChunk for host sizes (which are already checked). Returns the first failure.
template <class Launch>
dw_status for_each_size_chunk(const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args, Launch launch) {
  GroupSizes s;
  if (args.group_m != nullptr) {
    s.device = args.group_m;
    s.clamped = args.sizes_clamped;
    s.groups = desc.groups;
    s.first = 0;
    s.count = desc.groups;
    s.pad_ = 0;
    s.base_row = 0;
    s.max_total_m = desc.max_total_m;
    return launch(s);
  }
  int64_t row = 0;
  for (int32_t first = 0; first < desc.groups; first += kHostChunk) {
    host_chunk(desc, args.group_m_host, first, row, &s);
    // Host sizes are checked, so they never clamp: the first chunk clears the flag.
    s.clamped = first == 0 ? args.sizes_clamped : nullptr;
    for (int i = 0; i < s.count; ++i) row += s.host[i];
    dw_status st = launch(s);
    if (st != DW_SUCCESS) return st;
  }
  return DW_SUCCESS;
}

}  // namespace dw::gemm::grouped
