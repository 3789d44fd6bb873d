// The C ABI's view of the Blackwell block-scaled backends (CUTLASS_SM100, CUTLASS_SM120):
// architecture checks, the variant choice, and the scale staging around the kernels, so that
// gemm_dispatch.cpp only hands over. Host code only; built for every target. The kernel tables
// (gemm_sm100_blockscaled.cu, gemm_sm120_blockscaled.cu) exist where DEEPWELL_HAVE_CUTLASS is
// defined.
#include <cstdint>

#include "gemm_blockscaled.h"

namespace dw::gemm {
namespace {

constexpr const char* kPlanOp = "dw_gemm_plan";
constexpr const char* kRunOp = "dw_gemm_run";

uint64_t align256(uint64_t x) { return (x + 255) & ~uint64_t{255}; }

// The compute capability an architecture-specific ("a") target runs on: sm_100a code loads on
// 10.0 only (not on 10.3), sm_120a code on 12.0 only.
struct ArchNeed {
  const char* name;
  const char* target;
  const char* devices;
  int major, minor;
};

ArchNeed need_of(dw_gemm_backend b) {
  return b == DW_GEMM_BACKEND_CUTLASS_SM100 ? ArchNeed{"CUTLASS sm100", "sm_100a", "B200, B100", 10, 0}
                                            : ArchNeed{"CUTLASS sm120", "sm_120a", "RTX 50xx, RTX PRO 6000", 12, 0};
}

const BlockScaledFamily* family_of(dw_gemm_backend b, dw_gemm_input in) {
#if defined(DEEPWELL_HAVE_CUTLASS)
  if (b == DW_GEMM_BACKEND_CUTLASS_SM100) return sm100_blockscaled_family(in);
  if (b == DW_GEMM_BACKEND_CUTLASS_SM120) return sm120_blockscaled_family(in);
#else
  (void)b;
  (void)in;
#endif
  return nullptr;
}

#if defined(DEEPWELL_HAVE_CUTLASS)
// Fewest rounds x per-SM tile area, earlier variants winning ties: a persistent kernel's time is
// about (rounds of one tile per SM) x (time of one tile). A 2-SM configuration is listed with its
// per-SM half of the MMA tile, so it ties with a 1-SM kernel of that tile and wins by order (it
// reads half of B per SM). The same rule as GemmTileChoice's default in the Java mirror.
int choose_variant(const DeviceInfo& dev, const dw_gemm_desc& d, const Sm90Tile* tiles, int count) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  int best = 0;
  int64_t best_cost = 0;
  for (int v = 0; v < count; ++v) {
    const int64_t tiles_of_v = ceil_div(d.m, tiles[v].m) * ceil_div(d.n, tiles[v].n);
    const int64_t cost = ceil_div(tiles_of_v, sms) * tiles[v].m * tiles[v].n;
    if (v == 0 || cost < best_cost) {
      best = v;
      best_cost = cost;
    }
  }
  return best;
}
#endif

}  // namespace

ScaleStaging scale_staging(const dw_gemm_desc& d, dw_gemm_scale_layout target) {
  ScaleStaging s;
  const int64_t cols = byte_scale_cols(d);
  if (cols == 0 || d.scale_layout == target) return s;
  const bool tiled = target == DW_GEMM_SCALES_SWIZZLED_128X4;
  const int64_t a = tiled ? swizzled_scale_bytes(d.m, cols) : d.m * cols;
  const int64_t b = tiled ? swizzled_scale_bytes(d.n, cols) : d.n * cols;
  s.b_offset = align256(static_cast<uint64_t>(a));
  s.bytes = align256(s.b_offset + static_cast<uint64_t>(b));
  return s;
}

dw_status stage_scales(const dw_gemm_desc& d, const dw_gemm_args& args, dw_gemm_scale_layout target, void* workspace,
                       size_t workspace_bytes, const char* operation, cudaStream_t stream, dw_gemm_args* staged) {
  *staged = args;
  const ScaleStaging s = scale_staging(d, target);
  if (s.bytes == 0) return DW_SUCCESS;
  if (workspace == nullptr || workspace_bytes < s.bytes)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, operation, "workspace of %llu bytes, the re-laid scales need %llu",
                    (unsigned long long)(workspace == nullptr ? 0 : workspace_bytes), (unsigned long long)s.bytes);
  const int64_t cols = byte_scale_cols(d);
  const ScaleRelayout dir = target == DW_GEMM_SCALES_SWIZZLED_128X4 ? ScaleRelayout::kRowMajorToSwizzled
                                                                     : ScaleRelayout::kSwizzledToRowMajor;
  auto* base = static_cast<uint8_t*>(workspace);
  dw_status st = relayout_scales(args.scale_a, base, d.m, cols, dir, stream);
  if (st == DW_SUCCESS) st = relayout_scales(args.scale_b, base + s.b_offset, d.n, cols, dir, stream);
  staged->scale_a = base;
  staged->scale_b = base + s.b_offset;
  return st;
}

bool is_blockscaled_backend(dw_gemm_backend b) {
  return b == DW_GEMM_BACKEND_CUTLASS_SM100 || b == DW_GEMM_BACKEND_CUTLASS_SM120;
}

int32_t blockscaled_variant_count(dw_gemm_backend b, dw_gemm_input in) {
  const BlockScaledFamily* f = family_of(b, in);
  return f != nullptr ? f->variant_count() : 0;
}

dw_gemm_backend blockscaled_backend_for(const DeviceInfo& dev) {
  if (dev.cc_major == 10) return DW_GEMM_BACKEND_CUTLASS_SM100;
  if (dev.cc_major == 12) return DW_GEMM_BACKEND_CUTLASS_SM120;
  return DW_GEMM_BACKEND_AUTO;
}

dw_status plan_blockscaled(const DeviceInfo& dev, const dw_gemm_desc& d, dw_gemm_backend b, int variant,
                           dw_gemm_plan_info* p) {
  if (!is_blockscaled_backend(b))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "backend=%d is not a block-scaled backend", b);
  const ArchNeed need = need_of(b);
#if !defined(DEEPWELL_HAVE_CUTLASS)
  (void)dev;
  (void)d;
  (void)variant;
  (void)p;
  return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp, "%s: this library was built without CUTLASS, so without its %s "
                  "kernels", need.name, need.target);
#else
  if (dev.cc_major != need.major || dev.cc_minor != need.minor)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "%s kernels are built for %s and need compute capability %d.%d (%s); device %d has %d.%d",
                    need.name, need.target, need.major, need.minor, need.devices, dev.device, dev.cc_major,
                    dev.cc_minor);
  const BlockScaledFamily* f = family_of(b, d.input);
  if (f == nullptr)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                    "%s: no kernel for input format %d (block-scaled MXFP8 and NVFP4 only)", need.name, d.input);
  const int count = f->variant_count();
  if (variant >= count)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kPlanOp, "variant=%d: CUTLASS %s has %d for input format %d", variant,
                    f->arch, count, d.input);
  if (variant < 0) variant = choose_variant(dev, d, f->tiles(), count);
  // Larger raster swizzles are unmeasured on Blackwell; 1 is what the sm90 measurements chose.
  if (p->swizzle <= 0) p->swizzle = 1;
  p->backend = b;
  dw_status st = f->plan(dev, d, variant, p);
  if (st != DW_SUCCESS) return st;
  p->workspace_bytes += scale_staging(d, DW_GEMM_SCALES_SWIZZLED_128X4).bytes;
  return DW_SUCCESS;
#endif
}

dw_status run_blockscaled(const DeviceInfo& dev, const dw_gemm_desc& d, const dw_gemm_args& args,
                          const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  const BlockScaledFamily* f = family_of(plan.backend, d.input);
  if (f == nullptr)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp, "%s: no kernel for input format %d in this build",
                    need_of(plan.backend).name, d.input);
  const ScaleStaging s = scale_staging(d, DW_GEMM_SCALES_SWIZZLED_128X4);
  dw_gemm_args staged;
  dw_status st =
      stage_scales(d, args, DW_GEMM_SCALES_SWIZZLED_128X4, workspace, workspace_bytes, kRunOp, stream, &staged);
  if (st != DW_SUCCESS) return st;
  void* rest = s.bytes > 0 ? static_cast<void*>(static_cast<uint8_t*>(workspace) + s.bytes) : workspace;
  return f->run(dev, d, staged, plan, rest, workspace_bytes - s.bytes, stream);
}

uint64_t reference_scale_workspace(const dw_gemm_desc& d) { return scale_staging(d, DW_GEMM_SCALES_ROW_MAJOR).bytes; }

dw_status reference_run_tiled_scales(const dw_gemm_desc& d, const dw_gemm_args& args, void* workspace,
                                     size_t workspace_bytes, cudaStream_t stream) {
  dw_gemm_args staged;
  dw_status st = stage_scales(d, args, DW_GEMM_SCALES_ROW_MAJOR, workspace, workspace_bytes, kRunOp, stream, &staged);
  if (st != DW_SUCCESS) return st;
  dw_gemm_desc row_major = d;
  row_major.scale_layout = DW_GEMM_SCALES_ROW_MAJOR;
  return reference_run(row_major, staged, stream);
}

#if !defined(DEEPWELL_HAVE_CUTLASS)
// Without CUTLASS the grouped kernel does not exist; its entry points say so.
int32_t sm100_grouped_blockscaled_variant_count(dw_gemm_input) { return 0; }

dw_status sm100_grouped_blockscaled_plan(const DeviceInfo&, const GroupedBlockScaledDesc&, int,
                                         GroupedBlockScaledPlan*) {
  return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kPlanOp,
                  "CUTLASS sm100 grouped: this library was built without CUTLASS, so without its sm_100a kernels");
}

dw_status sm100_grouped_blockscaled_run(const DeviceInfo&, const GroupedBlockScaledDesc&,
                                        const GroupedBlockScaledArgs&, const GroupedBlockScaledPlan&, void*, size_t,
                                        cudaStream_t) {
  return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kRunOp,
                  "CUTLASS sm100 grouped: this library was built without CUTLASS, so without its sm_100a kernels");
}
#endif

}  // namespace dw::gemm
