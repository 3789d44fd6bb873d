// The C ABI of gemm_grouped.h: argument checks (each failure names its field), backend choice
// and the hand-off to the backends. Host code only; the kernels live in the per-family files.
#include <cstdio>

#include "gemm_api_checks.h"
#include "gemm_grouped_internal.h"

namespace dw::gemm::grouped {
namespace {

constexpr const char* kPlanOp = "dw_gemm_grouped_plan";
constexpr const char* kRunOp = "dw_gemm_grouped_run";

bool valid_input(int v) { return v == DW_GEMM_IN_BF16 || v == DW_GEMM_IN_FP8_BLOCK128; }
// The backends with a grouped GEMM; other dw_gemm_backend values (cuBLASLt, ...) have none here.
bool grouped_backend(int v) {
  return v == DW_GEMM_BACKEND_AUTO || v == DW_GEMM_BACKEND_CUTLASS_SM90 || v == DW_GEMM_BACKEND_REFERENCE;
}

dw_status validate_desc(const dw_gemm_grouped_desc* d, const char* op) {
  if (d == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc is null");
  if (d->groups < 1 || d->groups > DW_GEMM_GROUPED_MAX_GROUPS)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.groups=%d must be in [1, %d]", d->groups,
                    DW_GEMM_GROUPED_MAX_GROUPS);
  if (d->max_total_m < 0 || d->max_total_m > INT32_MAX)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.max_total_m=%lld must be in [0, 2^31 - 1]",
                    (long long)d->max_total_m);
  if (d->n < 1 || d->n > INT32_MAX)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.n=%lld must be in [1, 2^31 - 1]", (long long)d->n);
  if (d->k < 1 || d->k > INT32_MAX)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "desc.k=%lld must be in [1, 2^31 - 1]", (long long)d->k);
  if (!valid_input(d->input))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                    "desc.input=%d: grouped GEMMs take DW_GEMM_IN_BF16 (0) or DW_GEMM_IN_FP8_BLOCK128 (2)", d->input);
  return check_epilogue_fields(d->output, d->activation, d->has_bias, op);
}

dw_status validate_args(const dw_gemm_grouped_desc& d, const dw_gemm_grouped_args* a) {
  const char* op = kRunOp;
  if (a == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args is null");
  if ((a->group_m == nullptr) == (a->group_m_host == nullptr))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                    "exactly one of args.group_m (device sizes) and args.group_m_host (host sizes) must be given, "
                    "got %s",
                    a->group_m == nullptr ? "neither" : "both");
  if (d.max_total_m > 0) {  // with no rows at all, A, B and D are never read
    const dw_status st = check_operand_pointers(a->a, a->b, a->d, op);
    if (st != DW_SUCCESS) return st;
  }
  const bool scaled = d.input == DW_GEMM_IN_FP8_BLOCK128;
  if (scaled && d.max_total_m > 0 && a->scale_a == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.scale_a is null but FP8 block128 operands have scales");
  if (scaled && d.max_total_m > 0 && a->scale_b == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.scale_b is null but FP8 block128 operands have scales");
  if (!scaled && (a->scale_a != nullptr || a->scale_b != nullptr))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.%s was given, but BF16 operands have no scales",
                    a->scale_a != nullptr ? "scale_a" : "scale_b");
  if (d.has_bias && d.max_total_m > 0 && a->bias == nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.bias is null but desc.has_bias=1");
  if (!d.has_bias && a->bias != nullptr)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.bias was given but desc.has_bias=0");
  // Pointers TMA reads need 16 bytes; the reference kernel needs element alignment only, but one
  // rule for every backend keeps a plan's choice from changing what a caller may pass.
  const void* ptrs[] = {a->a, a->b, a->d, a->bias};
  const char* names[] = {"args.a", "args.b", "args.d", "args.bias"};
  for (int i = 0; i < 4; ++i)
    if (reinterpret_cast<uintptr_t>(ptrs[i]) % 16 != 0)
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s=%p is not 16-byte aligned", names[i], ptrs[i]);
  const void* words[] = {a->scale_a, a->scale_b, a->group_m, a->sizes_clamped};
  const char* word_names[] = {"args.scale_a", "args.scale_b", "args.group_m", "args.sizes_clamped"};
  for (int i = 0; i < 4; ++i)
    if (reinterpret_cast<uintptr_t>(words[i]) % 4 != 0)
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "%s=%p is not 4-byte aligned", word_names[i], words[i]);
  if (a->group_m_host != nullptr) {
    int64_t total = 0;
    for (int32_t g = 0; g < d.groups; ++g) {
      const int32_t m = a->group_m_host[g];
      if (m < 0) return dw::fail(DW_ERROR_INVALID_ARGUMENT, op, "args.group_m_host[%d]=%d must be >= 0", g, m);
      total += m;
      if (total > d.max_total_m)
        return dw::fail(DW_ERROR_INVALID_ARGUMENT, op,
                        "args.group_m_host: groups 0..%d hold %lld rows, more than desc.max_total_m=%lld", g,
                        (long long)total, (long long)d.max_total_m);
    }
  }
  return DW_SUCCESS;
}

#if defined(DEEPWELL_HAVE_CUTLASS)
const Sm90GroupedFamily* sm90_family_for(dw_gemm_input in) {
  switch (in) {
    case DW_GEMM_IN_BF16: return &sm90_grouped_bf16_family();
    case DW_GEMM_IN_FP8_BLOCK128: return &sm90_grouped_fp8_block_family();
    default: return nullptr;
  }
}
#endif

dw_status plan_sm90(const DeviceInfo& dev, const dw_gemm_grouped_desc& d, int variant,
                    dw_gemm_grouped_plan_info* p) {
#if defined(DEEPWELL_HAVE_CUTLASS)
  if (dev.cc_major != 9 || dev.cc_minor != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "CUTLASS sm90 grouped kernels need compute capability 9.0, device %d has %d.%d", dev.device,
                    dev.cc_major, dev.cc_minor);
  if (dev.sm_count <= 0)
    return dw::fail(DW_ERROR_INTERNAL, kPlanOp, "SM count of device %d unknown", dev.device);
  const Sm90GroupedFamily* f = sm90_family_for(d.input);
  if (f == nullptr)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "CUTLASS sm90: no grouped kernel for input format %d",
                    d.input);
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

dw_status plan_reference(const dw_gemm_grouped_desc& d, int variant, dw_gemm_grouped_plan_info* p) {
  if (variant > 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "variant=%d: the reference backend has one", variant);
  p->backend = DW_GEMM_BACKEND_REFERENCE;
  p->variant = 0;
  p->workspace_bytes = reference_workspace_bytes(d);
  std::snprintf(p->name, sizeof p->name, "%s",
                d.input == DW_GEMM_IN_BF16 ? "reference_grouped_bf16" : "reference_grouped_fp8_block128");
  return DW_SUCCESS;
}

// alpha and out_scale may change between runs of one plan; nothing else may.
bool same_problem(const dw_gemm_grouped_desc& a, const dw_gemm_grouped_desc& b) {
  return a.groups == b.groups && a.has_bias == b.has_bias && a.max_total_m == b.max_total_m && a.n == b.n &&
         a.k == b.k && a.input == b.input && a.output == b.output && a.activation == b.activation;
}

}  // namespace
}  // namespace dw::gemm::grouped

using namespace dw::gemm::grouped;
using dw::gemm::check_workspace;
using dw::gemm::device_info;
using dw::gemm::DeviceInfo;
using dw::gemm::reset_plan;

extern "C" {

int32_t dw_gemm_grouped_variant_count(dw_gemm_backend backend, dw_gemm_input input) {
  if (!valid_input(input)) return 0;
  switch (backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: {
#if defined(DEEPWELL_HAVE_CUTLASS)
      const Sm90GroupedFamily* f = sm90_family_for(input);
      return f ? f->variant_count() : 0;
#else
      return 0;
#endif
    }
    case DW_GEMM_BACKEND_REFERENCE: return 1;
    default: return 0;
  }
}

dw_status dw_gemm_grouped_plan(int32_t device, const dw_gemm_grouped_desc* desc, dw_gemm_backend backend,
                               int32_t variant, dw_gemm_grouped_plan_info* out) {
  if (out == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "out is null");
  dw_status st = validate_desc(desc, kPlanOp);
  if (st != DW_SUCCESS) return st;
  if (backend < 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "backend=%d is not a dw_gemm_backend", backend);
  if (!grouped_backend(backend))
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "backend=%d has no grouped GEMM (grouped: AUTO, CUTLASS_SM90, REFERENCE)", backend);
  DeviceInfo dev;
  st = device_info(device, kPlanOp, &dev);
  if (st != DW_SUCCESS) return st;
  const int32_t swizzle = out->swizzle;  // a caller may preset it (benchmarks); 0 = the plan's choice
  if (swizzle != 0 && swizzle != 1 && swizzle != 2 && swizzle != 4 && swizzle != 8)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "out->swizzle=%d must be 0, 1, 2, 4 or 8", swizzle);
  reset_plan(out, *desc, device, swizzle);
  switch (backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: return plan_sm90(dev, *desc, variant, out);
    case DW_GEMM_BACKEND_REFERENCE: return plan_reference(*desc, variant, out);
    case DW_GEMM_BACKEND_AUTO:
    default:
      if (plan_sm90(dev, *desc, -1, out) == DW_SUCCESS) return DW_SUCCESS;
      reset_plan(out, *desc, device, swizzle);
      return plan_reference(*desc, -1, out);
  }
}

dw_status dw_gemm_grouped_run(const dw_gemm_grouped_desc* desc, const dw_gemm_grouped_args* args,
                              const dw_gemm_grouped_plan_info* plan, void* workspace, uint64_t workspace_bytes,
                              void* stream) {
  if (plan == nullptr) return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp, "plan is null");
  dw_status st = validate_desc(desc, kRunOp);
  if (st != DW_SUCCESS) return st;
  if (!same_problem(*desc, plan->planned))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp,
                    "plan was made for another problem (groups=%d max_total_m=%lld n=%lld k=%lld input=%d "
                    "output=%d act=%d bias=%d)",
                    plan->planned.groups, (long long)plan->planned.max_total_m, (long long)plan->planned.n,
                    (long long)plan->planned.k, plan->planned.input, plan->planned.output, plan->planned.activation,
                    plan->planned.has_bias);
  st = validate_args(*desc, args);
  if (st != DW_SUCCESS) return st;
  st = check_workspace(workspace, workspace_bytes, plan->workspace_bytes, kRunOp);
  if (st != DW_SUCCESS) return st;
  if (reinterpret_cast<uintptr_t>(workspace) % 128 != 0)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp, "workspace=%p is not 128-byte aligned (TMA descriptors)",
                    workspace);
  DeviceInfo dev;
  st = device_info(plan->device, kRunOp, &dev);
  if (st != DW_SUCCESS) return st;
  auto s = static_cast<cudaStream_t>(stream);
  switch (plan->backend) {
    case DW_GEMM_BACKEND_CUTLASS_SM90: {
#if defined(DEEPWELL_HAVE_CUTLASS)
      const Sm90GroupedFamily* f = sm90_family_for(desc->input);
      if (f == nullptr)
        return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp, "CUTLASS sm90: no grouped kernel for input %d",
                        desc->input);
      return f->run(dev, *desc, *args, *plan, workspace, workspace_bytes, s);
#else
      return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp, "this library was built without the sm_90a GEMM kernels");
#endif
    }
    case DW_GEMM_BACKEND_REFERENCE: return reference_run(*desc, *args, workspace, s);
    default:
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, kRunOp, "plan.backend=%d is not a planned backend", plan->backend);
  }
}

}  // extern "C"
