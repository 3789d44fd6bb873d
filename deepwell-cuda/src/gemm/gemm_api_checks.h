// What the two C ABI front ends, dense (gemm_dispatch.cpp) and grouped (gemm_grouped.cpp), check
// and look up alike: the device facts a plan needs, the epilogue fields of a desc, the operand
// pointers and the caller's workspace. One copy, so the two APIs word their errors the same way.
// Host code only; included by those two files alone (the CUTLASS units never see it, so a change
// here rebuilds no kernel).
#pragma once

#include <cstdint>
#include <cstring>

#include "gemm_internal.h"

namespace dw::gemm {

// Makes `device` current and reads what kernel selection needs about it.
inline dw_status device_info(int32_t device, const char* op, DeviceInfo* out) {
  dw_status s = dw::use_device(device, op);
  if (s != DW_SUCCESS) return s;
  out->device = device;
  out->sm_count = dw::sm_count(device);
  s = dw::check(cudaDeviceGetAttribute(&out->cc_major, cudaDevAttrComputeCapabilityMajor, device), op,
                "compute capability of device %d", device);
  if (s == DW_SUCCESS)
    s = dw::check(cudaDeviceGetAttribute(&out->cc_minor, cudaDevAttrComputeCapabilityMinor, device), op,
                  "compute capability of device %d", device);
  return s;
}

inline bool valid_output(int v) { return v == DW_GEMM_OUT_BF16 || v == DW_GEMM_OUT_F32; }
inline bool valid_activation(int v) { return v >= DW_GEMM_ACT_NONE && v <= DW_GEMM_ACT_SILU; }

// desc.output, desc.activation and desc.has_bias, which both descs carry under the same names.
inline dw_status check_epilogue_fields(int output, int activation, int has_bias, const char* op) {
  if (!valid_output(output))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.output=%d is not a dw_gemm_output", output);
  if (!valid_activation(activation))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.activation=%d is not a dw_gemm_activation", activation);
  if (has_bias != 0 && has_bias != 1)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.has_bias=%d must be 0 or 1", has_bias);
  return DW_SUCCESS;
}

// args.a, args.b and args.d, checked in that order.
inline dw_status check_operand_pointers(const void* a, const void* b, const void* d, const char* op) {
  if (a == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.a is null");
  if (b == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.b is null");
  if (d == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.d is null");
  return DW_SUCCESS;
}

// The caller's workspace against what the plan asked for.
inline dw_status check_workspace(const void* workspace, uint64_t workspace_bytes, uint64_t planned_bytes,
                                 const char* op) {
  if (workspace_bytes < planned_bytes)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "workspace_bytes=%llu, the plan needs %llu",
                    (unsigned long long)workspace_bytes, (unsigned long long)planned_bytes);
  if (planned_bytes > 0 && workspace == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "workspace is null, the plan needs %llu bytes",
                    (unsigned long long)planned_bytes);
  return DW_SUCCESS;
}

// Clears a plan (dw_gemm_plan_info or dw_gemm_grouped_plan_info) but for what was asked: the
// problem, the device, and a swizzle the caller preset. Every backend tried starts from this.
template <class PlanInfo, class Desc>
void reset_plan(PlanInfo* p, const Desc& desc, int32_t device, int32_t swizzle) {
  std::memset(p, 0, sizeof *p);
  p->planned = desc;
  p->device = device;
  p->swizzle = swizzle;
}

}  // namespace dw::gemm
