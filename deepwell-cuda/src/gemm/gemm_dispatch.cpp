// The C ABI of gemm.h: argument checks, backend choice, and the hand-off to the backends.
// Host code only; the kernels live in the per-family files.
#include <cstdio>

#include "gemm_api_checks.h"
#include "gemm_blockscaled.h"
#include "gemm_internal.h"
#include "gemm_sm90_nvfp4w.h"

namespace dw::gemm {

void set_name(dw_gemm_plan_info* plan, const char* name) {
  std::snprintf(plan->name, sizeof plan->name, "%s", name);
}

namespace {

constexpr const char* kPlanOp = "dw_gemm_plan";
constexpr const char* kRunOp = "dw_gemm_run";
// BF16 on Hopper tries cuBLASLt before CUTLASS up to this many rows of A, and from this K on when
// the output fits one round of 128x128 tiles (GemmKernelSelector.CUBLASLT_FIRST_MAX_M / _MIN_K).
constexpr int64_t kCublasLtFirstMaxM = 256;
constexpr int64_t kCublasLtFirstMinK = 64;

// Whether AUTO tries cuBLASLt before CUTLASS: on Hopper, where cuBLASLt was measured faster than
// our tile choice (H100, docs/PERFORMANCE.md): FP8 block scaling and FP8 per-tensor always (2-24%
// and 9-52% on every benchmark shape), BF16 at M <= 256 (1.05-2.4x: our tiles are 128 rows
// tall) and on outputs of at most one round of 128x128 tiles (1.1-2.4x on all 71 such shapes
// measured, K from 64 to 16384, 2026-11-27: cuBLASLt's split-K and 112-wide tiles fill the SMs
// where ours leave many idle; below K = 64 not measured). The Java chain
// (GemmKernelSelector.cublasLtFirst) has the same rule.
bool cublaslt_first(const DeviceInfo& dev, const dw_gemm_desc& d) {
  if (dev.cc_major != 9 || dev.cc_minor != 0) return false;
  if (d.input == DW_GEMM_IN_FP8_BLOCK128 || d.input == DW_GEMM_IN_FP8_TENSOR) return true;
  if (d.input != DW_GEMM_IN_BF16) return false;
  const int64_t tiles = ceil_div(d.m, 128) * ceil_div(d.n, 128);
  return d.m <= kCublasLtFirstMaxM || (tiles <= dev.sm_count && d.k >= kCublasLtFirstMinK);
}

bool valid_input(int v) { return v >= DW_GEMM_IN_BF16 && v <= DW_GEMM_IN_NVFP4_WEIGHT; }
bool valid_backend(int v) {
  return (v >= DW_GEMM_BACKEND_AUTO && v <= DW_GEMM_BACKEND_REFERENCE) || v == DW_GEMM_BACKEND_GEMV ||
         is_blockscaled_backend(static_cast<dw_gemm_backend>(v));
}

dw_status validate_desc(const dw_gemm_desc* d, const char* op) {
  if (d == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc is null");
  if (d->m < 1) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.m=%lld must be >= 1", (long long)d->m);
  if (d->n < 1) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.n=%lld must be >= 1", (long long)d->n);
  if (d->k < 1) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.k=%lld must be >= 1", (long long)d->k);
  if (!valid_input(d->input))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.input=%d is not a dw_gemm_input", d->input);
  const dw_status st = check_epilogue_fields(d->output, d->activation, d->has_bias, op);
  if (st != DW_SUCCESS) return st;
  if (d->has_residual != 0 && d->has_residual != 1)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.has_residual=%d must be 0 or 1", d->has_residual);
  if (d->scale_layout != DW_GEMM_SCALES_ROW_MAJOR && d->scale_layout != DW_GEMM_SCALES_SWIZZLED_128X4)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.scale_layout=%d is not a dw_gemm_scale_layout",
                    d->scale_layout);
  if (d->scale_layout != DW_GEMM_SCALES_ROW_MAJOR && d->input != DW_GEMM_IN_MXFP8 && d->input != DW_GEMM_IN_NVFP4)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                    "desc.scale_layout=%d: only MXFP8 and NVFP4 scales have a tiled layout (input is %d)",
                    d->scale_layout, d->input);
  return DW_SUCCESS;
}

dw_status validate_args(const dw_gemm_desc& d, const dw_gemm_args* a) {
  const char* op = kRunOp;
  if (a == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args is null");
  const dw_status st = check_operand_pointers(a->a, a->b, a->d, op);
  if (st != DW_SUCCESS) return st;
  if (d.input == DW_GEMM_IN_NVFP4_WEIGHT) {  // A is BF16 (no scales), B is NVFP4
    if (a->scale_a != nullptr || a->tensor_scale_a != nullptr)
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                      "args.scale_a and args.tensor_scale_a must be null for NVFP4_WEIGHT (A is BF16)");
    if (a->scale_b == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.scale_b is null (NVFP4_WEIGHT needs it)");
    if (a->tensor_scale_b == nullptr)
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.tensor_scale_b is null (NVFP4_WEIGHT needs it)");
  }
  const bool scaled = d.input != DW_GEMM_IN_BF16 && d.input != DW_GEMM_IN_NVFP4_WEIGHT;
  if (scaled && a->scale_a == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.scale_a is null but input format %d has scales", d.input);
  if (scaled && a->scale_b == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.scale_b is null but input format %d has scales", d.input);
  if (d.input == DW_GEMM_IN_NVFP4 && a->tensor_scale_a == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.tensor_scale_a is null (NVFP4 needs it)");
  if (d.input == DW_GEMM_IN_NVFP4 && a->tensor_scale_b == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.tensor_scale_b is null (NVFP4 needs it)");
  if (d.has_bias && a->bias == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.bias is null but desc.has_bias=1");
  if (d.has_residual && a->residual == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.residual is null but desc.has_residual=1");
  return DW_SUCCESS;
}

#if defined(DEEPWELL_HAVE_CUTLASS)
const Sm90Family* sm90_family_for(dw_gemm_input in) {
  switch (in) {
    case DW_GEMM_IN_BF16: return &sm90_bf16_family();
    case DW_GEMM_IN_FP8_TENSOR: return &sm90_fp8_tensor_family();
    case DW_GEMM_IN_FP8_BLOCK128: return &sm90_fp8_block_family();
    case DW_GEMM_IN_MXFP8: return &sm90_mxfp8_family();  // emulated: dequantized to BF16 first
    // Deepwell's own mixed-input kernel (weights decoded in registers): every M the GEMV leaves.
    case DW_GEMM_IN_NVFP4_WEIGHT: return &sm90_nvfp4_weight_family();
    default: return nullptr;  // NVFP4 x NVFP4 needs FP4 tensor cores (sm_100 / sm_120)
  }
}
#endif

dw_status plan_sm90(const DeviceInfo& dev, const dw_gemm_desc& d, int variant, dw_gemm_plan_info* p) {
  if (d.scale_layout != DW_GEMM_SCALES_ROW_MAJOR)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "CUTLASS sm90 reads row-major scales only (desc.scale_layout=%d)",
                    d.scale_layout);
#if defined(DEEPWELL_HAVE_CUTLASS)
  if (dev.cc_major != 9 || dev.cc_minor != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "CUTLASS sm90 kernels need compute capability 9.0, device %d has %d.%d", dev.device, dev.cc_major,
                    dev.cc_minor);
  const Sm90Family* f = sm90_family_for(d.input);
  if (f == nullptr)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "CUTLASS sm90: no kernel for input format %d", d.input);
  p->backend = DW_GEMM_BACKEND_CUTLASS_SM90;
  return f->plan(dev, d, variant, p);
#else
  (void)dev;
  (void)d;
  (void)variant;
  (void)p;
  return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "this library was built without the sm_90a GEMM kernels");
#endif
}

dw_status plan_reference(const dw_gemm_desc& d, int variant, dw_gemm_plan_info* p) {
  if (variant > 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "variant=%d: the reference backend has one", variant);
  p->backend = DW_GEMM_BACKEND_REFERENCE;
  p->variant = 0;
  p->workspace_bytes = reference_scale_workspace(d);  // tiled scales are re-laid to row-major first
  static const char* names[] = {"reference_bf16", "reference_fp8_tensor", "reference_fp8_block128",
                                "reference_mxfp8", "reference_nvfp4", "reference_nvfp4_weight"};
  set_name(p, names[d.input]);
  return DW_SUCCESS;
}

// alpha and out_scale may change between runs of one plan; nothing else may.
bool same_problem(const dw_gemm_desc& a, const dw_gemm_desc& b) {
  return a.m == b.m && a.n == b.n && a.k == b.k && a.input == b.input && a.output == b.output &&
         a.activation == b.activation && a.has_bias == b.has_bias && a.has_residual == b.has_residual &&
         a.scale_layout == b.scale_layout;
}

}  // namespace
}  // namespace dw::gemm

using namespace dw::gemm;

extern "C" {

int32_t dw_gemm_variant_count(dw_gemm_backend backend, dw_gemm_input input) {
  if (!valid_input(input)) return 0;
  switch (backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: {
#if defined(DEEPWELL_HAVE_CUTLASS)
      const Sm90Family* f = sm90_family_for(input);
      return f ? f->variant_count() : 0;
#else
      return 0;
#endif
    }
    case DW_GEMM_BACKEND_CUBLASLT:
      return (input == DW_GEMM_IN_BF16 || input == DW_GEMM_IN_FP8_TENSOR || input == DW_GEMM_IN_FP8_BLOCK128) ? 1 : 0;
    case DW_GEMM_BACKEND_REFERENCE: return 1;
    case DW_GEMM_BACKEND_GEMV: return gemv_variant_count(input);
    case DW_GEMM_BACKEND_CUTLASS_SM100:
    case DW_GEMM_BACKEND_CUTLASS_SM120: return blockscaled_variant_count(backend, input);
    default: return 0;
  }
}

dw_status dw_gemm_plan(int32_t device, const dw_gemm_desc* desc, dw_gemm_backend backend, int32_t variant,
                       dw_gemm_plan_info* out) {
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "out is null");
  dw_status st = validate_desc(desc, kPlanOp);
  if (st != DW_SUCCESS) return st;
  if (!valid_backend(backend))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "backend=%d is not a dw_gemm_backend", backend);
  DeviceInfo dev;
  st = device_info(device, kPlanOp, &dev);
  if (st != DW_SUCCESS) return st;
  const int32_t swizzle = out->swizzle;  // a caller may preset it (benchmarks); 0 = the plan's choice
  reset_plan(out, *desc, device, swizzle);
  switch (backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: return plan_sm90(dev, *desc, variant, out);
    case DW_GEMM_BACKEND_CUBLASLT:
      if (variant > 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "variant=%d: cuBLASLt has one", variant);
      return cublaslt_plan(dev, *desc, out);
    case DW_GEMM_BACKEND_REFERENCE: return plan_reference(*desc, variant, out);
    case DW_GEMM_BACKEND_GEMV: return gemv_plan(dev, *desc, variant, out);
    case DW_GEMM_BACKEND_CUTLASS_SM100:
    case DW_GEMM_BACKEND_CUTLASS_SM120: return plan_blockscaled(dev, *desc, backend, variant, out);
    case DW_GEMM_BACKEND_AUTO:
    default: {
      // The order of preference of the architecture notes: CUTLASS, cuBLASLt, reference; the
      // decode GEMV (NVFP4_WEIGHT, small M) before them all: nothing else reads that format fast.
      if (desc->input == DW_GEMM_IN_NVFP4_WEIGHT && gemv_plan(dev, *desc, -1, out) == DW_SUCCESS) return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      // Blackwell: its block-scaled CUTLASS kernels (MXFP8, NVFP4) first.
      const dw_gemm_backend blackwell = blockscaled_backend_for(dev);
      if (blackwell != DW_GEMM_BACKEND_AUTO && plan_blockscaled(dev, *desc, blackwell, -1, out) == DW_SUCCESS)
        return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      const bool lt_first = cublaslt_first(dev, *desc);
      if (lt_first && cublaslt_plan(dev, *desc, out) == DW_SUCCESS) return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      if (plan_sm90(dev, *desc, -1, out) == DW_SUCCESS) return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      if (!lt_first && cublaslt_plan(dev, *desc, out) == DW_SUCCESS) return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      return plan_reference(*desc, -1, out);
    }
  }
}

dw_status dw_gemm_run(const dw_gemm_desc* desc, const dw_gemm_args* args, const dw_gemm_plan_info* plan,
                      void* workspace, uint64_t workspace_bytes, void* stream) {
  if (plan == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp, "plan is null");
  dw_status st = validate_desc(desc, kRunOp);
  if (st != DW_SUCCESS) return st;
  st = validate_args(*desc, args);
  if (st != DW_SUCCESS) return st;
  if (!same_problem(*desc, plan->planned))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp,
                    "plan was made for another problem (m=%lld n=%lld k=%lld input=%d output=%d act=%d bias=%d "
                    "residual=%d)",
                    (long long)plan->planned.m, (long long)plan->planned.n, (long long)plan->planned.k,
                    plan->planned.input, plan->planned.output, plan->planned.activation, plan->planned.has_bias,
                    plan->planned.has_residual);
  st = check_workspace(workspace, workspace_bytes, plan->workspace_bytes, kRunOp);
  if (st != DW_SUCCESS) return st;
  DeviceInfo dev;
  st = device_info(plan->device, kRunOp, &dev);
  if (st != DW_SUCCESS) return st;
  auto s = static_cast<cudaStream_t>(stream);
  switch (plan->backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: {
#if defined(DEEPWELL_HAVE_CUTLASS)
      const Sm90Family* f = sm90_family_for(desc->input);
      if (f == nullptr)
        return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp, "CUTLASS sm90: no kernel for input %d", desc->input);
      return f->run(dev, *desc, *args, *plan, workspace, workspace_bytes, s);
#else
      return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp, "this library was built without the sm_90a GEMM kernels");
#endif
    }
    case DW_GEMM_BACKEND_CUBLASLT: return cublaslt_run(dev, *desc, *args, *plan, workspace, workspace_bytes, s);
    case DW_GEMM_BACKEND_REFERENCE:
      if (desc->scale_layout != DW_GEMM_SCALES_ROW_MAJOR)
        return reference_run_tiled_scales(*desc, *args, workspace, workspace_bytes, s);
      return reference_run(*desc, *args, s);
    case DW_GEMM_BACKEND_CUTLASS_SM100:
    case DW_GEMM_BACKEND_CUTLASS_SM120: return run_blockscaled(dev, *desc, *args, *plan, workspace, workspace_bytes, s);
    case DW_GEMM_BACKEND_GEMV: return gemv_run(*desc, *args, *plan, s);
    default:
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp, "plan.backend=%d is not a planned backend", plan->backend);
  }
}

}  // extern "C"
