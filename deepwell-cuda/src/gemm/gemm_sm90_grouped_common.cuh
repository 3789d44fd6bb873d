// CUTLASS 4.x sm90 grouped ("pointer-array") GEMM building blocks shared by the grouped
// families: one configuration template, the workspace layout, the setup kernel that turns the
// group sizes into CUTLASS's per-group problem shapes, pointers and strides, and the runner.
// Compiled only into sm_90a translation units.
//
// Why a setup kernel: the grouped kernels read every per-group fact from device arrays (the tile
// scheduler walks the problem shapes on the device; the producer warps rewrite their TMA
// descriptors per group). MoE routing leaves the group sizes on the device, so the arrays are
// built there too, and a run never waits for the host.
#pragma once

#include <climits>
#include <cstdint>
#include <cstdio>

#include "cutlass/gemm/group_array_problem_shape.hpp"
#include "gemm_grouped_internal.h"
#include "gemm_grouped_layout.cuh"
#include "gemm_sm90_common.cuh"

namespace dw::gemm::sm90::grouped {

using dw::gemm::grouped::GroupSizes;
using dw::gemm::grouped::kSetupThreads;

constexpr const char* kGroupedOperation = "CUTLASS sm90 grouped GEMM";

#define fail_grouped(status, ...) ::dw::fail((status), kGroupedOperation, __VA_ARGS__)

// D_g = out_scale * act(alpha * acc + bias[g][n]). The bias is a row broadcast read through an
// array of per-group pointers (null array: no bias, CUTLASS then skips the loads). There is no
// source tensor C: the epilogue is sourceless (ElementC = void), which also drops its smem.
template <class CtaTile, class ElementD>
using GroupedEpilogueTree = cutlass::epilogue::fusion::Sm90EVT<
    cutlass::epilogue::fusion::Sm90Compute<ScaledActivation, ElementD, float, kRound>,
    cutlass::epilogue::fusion::Sm90EVT<
        cutlass::epilogue::fusion::Sm90Compute<cutlass::homogeneous_multiply_add, float, float, kRound>,
        cutlass::epilogue::fusion::Sm90ScalarBroadcast<float>,
        cutlass::epilogue::fusion::Sm90AccFetch,
        cutlass::epilogue::fusion::Sm90RowBroadcast<0, CtaTile, ElementD*, float>>>;

template <class ElementAB_, class ElementD_, class TileShape_, class ClusterShape_, class KernelSchedule_,
          class EpilogueSchedule_, Scaling kScaling_>
struct GroupedConfig {
  using ElementAB = ElementAB_;
  using ElementD = ElementD_;
  static constexpr Scaling kScaling = kScaling_;
  static constexpr bool kBlockwise = kScaling == Scaling::kBlock128;
  using ProblemShape = cutlass::gemm::GroupProblemShape<cute::Shape<int, int, int>>;
  using LayoutA = cutlass::layout::RowMajor;
  using LayoutB = cutlass::layout::ColumnMajor;
  using LayoutD = cutlass::layout::RowMajor;
  static constexpr int kAlignAB = 128 / cutlass::sizeof_bits<ElementAB>::value;
  static constexpr int kAlignD = 128 / cutlass::sizeof_bits<ElementD>::value;

  using Evt = GroupedEpilogueTree<TileShape_, ElementD>;
  using CollectiveEpilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape_, ClusterShape_,
      cutlass::epilogue::collective::EpilogueTileAuto, float, float, void, LayoutD*, kAlignD, ElementD, LayoutD*,
      kAlignD, EpilogueSchedule_, Evt>::CollectiveOp;

  using LayoutSFA = decltype(Block128ScaleConfig::deduce_layoutSFA());
  using LayoutSFB = decltype(Block128ScaleConfig::deduce_layoutSFB());
  using OperandLayoutA = cute::conditional_t<kBlockwise, cute::tuple<LayoutA*, LayoutSFA*>, LayoutA*>;
  using OperandLayoutB = cute::conditional_t<kBlockwise, cute::tuple<LayoutB*, LayoutSFB*>, LayoutB*>;

  using CollectiveMainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, ElementAB, OperandLayoutA, kAlignAB, ElementAB,
      OperandLayoutB, kAlignAB, float, TileShape_, ClusterShape_,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(
          sizeof(typename CollectiveEpilogue::SharedStorage))>,
      KernelSchedule_>::CollectiveOp;

  static constexpr Sm90Tile kTile{cute::size<0>(TileShape_{}), cute::size<1>(TileShape_{})};
  static constexpr Sm90Tile kCluster{cute::size<0>(ClusterShape_{}), cute::size<1>(ClusterShape_{})};

  using Kernel = cutlass::gemm::kernel::GemmUniversal<ProblemShape, CollectiveMainloop, CollectiveEpilogue>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;
  using StrideA = typename Kernel::InternalStrideA;
  using StrideB = typename Kernel::InternalStrideB;
  using StrideD = typename Kernel::InternalStrideD;
};

// The per-group arrays in the front of the workspace, then CUTLASS's own workspace.
template <class Cfg>
struct Arrays {
  using Shape = typename Cfg::ProblemShape::UnderlyingProblemShape;
  using ElementAB = typename Cfg::ElementAB;
  using ElementD = typename Cfg::ElementD;
  Shape* shapes;
  const ElementAB** a;
  const ElementAB** b;
  ElementD** d;
  const ElementD** bias;
  typename Cfg::StrideA* stride_a;
  typename Cfg::StrideB* stride_b;
  typename Cfg::StrideD* stride_d;
  const float** sfa;  // FP8 block128 only
  const float** sfb;
  typename Cfg::LayoutSFA* layout_sfa;
  typename Cfg::LayoutSFB* layout_sfb;
  void* cutlass_workspace;

  // Lays the arrays of `groups` groups out from `base` (null: only counts); returns the bytes
  // in front of CUTLASS's workspace.
  static size_t carve(int groups, void* base, Arrays* out) {
    size_t off = 0;
    auto take = [&](auto** field, size_t element_bytes) {
      off = (off + 127) / 128 * 128;
      *field = base == nullptr ? nullptr
                               : reinterpret_cast<cute::remove_pointer_t<decltype(field)>>(static_cast<char*>(base) + off);
      off += element_bytes * static_cast<size_t>(groups);
    };
    Arrays a{};
    take(&a.shapes, sizeof(Shape));
    take(&a.a, sizeof(void*));
    take(&a.b, sizeof(void*));
    take(&a.d, sizeof(void*));
    take(&a.bias, sizeof(void*));
    take(&a.stride_a, sizeof(typename Cfg::StrideA));
    take(&a.stride_b, sizeof(typename Cfg::StrideB));
    take(&a.stride_d, sizeof(typename Cfg::StrideD));
    if constexpr (Cfg::kBlockwise) {
      take(&a.sfa, sizeof(void*));
      take(&a.sfb, sizeof(void*));
      take(&a.layout_sfa, sizeof(typename Cfg::LayoutSFA));
      take(&a.layout_sfb, sizeof(typename Cfg::LayoutSFB));
    }
    off = (off + 127) / 128 * 128;
    a.cutlass_workspace = base == nullptr ? nullptr : static_cast<char*>(base) + off;
    if (out != nullptr) *out = a;
    return off;
  }
};

// The call's tensors, as the setup kernel offsets them per group.
template <class Cfg>
struct Operands {
  const typename Cfg::ElementAB* a;
  const typename Cfg::ElementAB* b;
  typename Cfg::ElementD* d;
  const float* sfa;
  const float* sfb;
  const typename Cfg::ElementD* bias;
  int n, k;
};

template <class Cfg>
__global__ void __launch_bounds__(kSetupThreads)
    grouped_setup(const __grid_constant__ GroupSizes sizes, Arrays<Cfg> w, Operands<Cfg> op) {
  const int64_t n = op.n, k = op.k;
  const int64_t kb = ceil_div(k, 128), nb = ceil_div(n, 128);
  dw::gemm::grouped::for_each_group(sizes, [&](int32_t g, int32_t m, int64_t row) {
    // An empty group gets an all-zero shape: the scheduler gives it no tiles (tiles are counted
    // from M and N alone), and no TMA descriptor is ever built from it.
    w.shapes[g] = m > 0 ? cute::make_shape(m, op.n, op.k) : cute::make_shape(0, 0, 0);
    w.a[g] = op.a + row * k;
    w.b[g] = op.b + g * n * k;
    w.d[g] = op.d + row * n;
    w.bias[g] = op.bias != nullptr ? op.bias + g * n : nullptr;
    w.stride_a[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideA{}, cute::make_shape(m, op.k, 1));
    w.stride_b[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideB{}, cute::make_shape(op.n, op.k, 1));
    w.stride_d[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideD{}, cute::make_shape(m, op.n, 1));
    if constexpr (Cfg::kBlockwise) {
      // gemm.h's layouts per group: A's [kb, M_g] block after the blocks of earlier groups,
      // B's [nb, kb] per expert. (The sm90 grouped mainloop derives the scale layouts from the
      // group's M, N, K; the layout arrays are filled to match all the same.)
      w.sfa[g] = op.sfa + row * kb;
      w.sfb[g] = op.sfb + g * nb * kb;
      w.layout_sfa[g] = Block128ScaleConfig::tile_atom_to_shape_SFA(cute::make_shape(m, op.n, op.k, 1));
      w.layout_sfb[g] = Block128ScaleConfig::tile_atom_to_shape_SFB(cute::make_shape(m, op.n, op.k, 1));
    }
  });
}

// Checks what TMA needs (16-byte rows) and names the field that breaks it.
inline dw_status check_grouped_shape(const dw_gemm_grouped_desc& desc, int align_ab, int align_d) {
  if (desc.max_total_m > INT_MAX || desc.n > INT_MAX || desc.k > INT_MAX)
    return fail_grouped(DW_ERROR_GEMM_UNSUPPORTED, "max_total_m, n and k must each fit in 32 bits");
  if (desc.k % align_ab != 0)
    return fail_grouped(DW_ERROR_GEMM_UNSUPPORTED, "k=%lld must be a multiple of %d (16-byte rows for TMA)",
                        (long long)desc.k, align_ab);
  if (desc.n % align_d != 0)
    return fail_grouped(DW_ERROR_GEMM_UNSUPPORTED, "n=%lld must be a multiple of %d (16-byte rows of D)",
                        (long long)desc.n, align_d);
  return DW_SUCCESS;
}

// The arguments every grouped run fills alike from its per-group arrays: device problem shapes
// only (CUTLASS then launches one CTA per SM and finds the tiles of every group on the device), A,
// B and D through pointer and stride arrays, no source tensor C. The epilogue's thread arguments
// and the block scales are the caller's.
template <class Cfg>
typename Cfg::Gemm::Arguments pointer_array_arguments(const Arrays<Cfg>& w, int groups, const DeviceInfo& dev,
                                                      int swizzle) {
  typename Cfg::Gemm::Arguments arguments;
  arguments.mode = cutlass::gemm::GemmUniversalMode::kGrouped;
  arguments.problem_shape = {groups, w.shapes, nullptr};
  arguments.mainloop.ptr_A = w.a;
  arguments.mainloop.dA = w.stride_a;
  arguments.mainloop.ptr_B = w.b;
  arguments.mainloop.dB = w.stride_b;
  arguments.epilogue.ptr_C = nullptr;
  arguments.epilogue.dC = nullptr;
  arguments.epilogue.ptr_D = w.d;
  arguments.epilogue.dD = w.stride_d;
  arguments.hw_info.device_id = dev.device;
  arguments.hw_info.sm_count = dev.sm_count;
  arguments.scheduler.max_swizzle_size = swizzle > 0 ? swizzle : 1;
  return arguments;
}

// Plans (needed != nullptr: checks and sizes the workspace, launches nothing) or runs one
// configuration: the setup launch(es), then the grouped kernel.
template <class Cfg>
dw_status run_grouped_config(const DeviceInfo& dev, const dw_gemm_grouped_desc& desc,
                             const dw_gemm_grouped_args& args, int swizzle, void* workspace, size_t workspace_bytes,
                             cudaStream_t stream, size_t* needed) {
  using Gemm = typename Cfg::Gemm;
  using ElementAB = typename Cfg::ElementAB;
  using ElementD = typename Cfg::ElementD;

  dw_status st = check_grouped_shape(desc, Cfg::kAlignAB, Cfg::kAlignD);
  if (st != DW_SUCCESS) return st;

  Arrays<Cfg> w{};
  const size_t front = Arrays<Cfg>::carve(desc.groups, needed != nullptr ? nullptr : workspace, &w);

  typename Gemm::Arguments arguments = pointer_array_arguments<Cfg>(w, desc.groups, dev, swizzle);
  if constexpr (Cfg::kBlockwise) {
    arguments.mainloop.ptr_SFA = w.sfa;
    arguments.mainloop.layout_SFA = w.layout_sfa;
    arguments.mainloop.ptr_SFB = w.sfb;
    arguments.mainloop.layout_SFB = w.layout_sfb;
  }
  arguments.epilogue.thread = {
      {
          {{desc.alpha}},                                                           // alpha
          {},                                                                       // acc
          {desc.has_bias ? static_cast<const ElementD* const*>(w.bias) : nullptr, ElementD(0), {}},  // bias[g][n]
          {}                                                                        // multiply-add
      },
      {static_cast<int>(desc.activation), desc.out_scale}  // out_scale * act(.)
  };

  if (Gemm::can_implement(arguments) != cutlass::Status::kSuccess)
    return fail_grouped(DW_ERROR_GEMM_UNSUPPORTED, "can_implement refused groups=%d n=%lld k=%lld", desc.groups,
                        (long long)desc.n, (long long)desc.k);
  const size_t cutlass_ws = Gemm::get_workspace_size(arguments);
  if (needed != nullptr) {
    *needed = front + cutlass_ws;
    return DW_SUCCESS;
  }
  if (front + cutlass_ws > workspace_bytes || workspace == nullptr)
    return fail_grouped(DW_ERROR_INVALID_ARGUMENT, "workspace of %zu bytes needed, %zu given", front + cutlass_ws,
                        workspace_bytes);

  Operands<Cfg> op{static_cast<const ElementAB*>(args.a), static_cast<const ElementAB*>(args.b),
                   static_cast<ElementD*>(args.d),        args.scale_a,
                   args.scale_b,                          static_cast<const ElementD*>(args.bias),
                   static_cast<int>(desc.n),              static_cast<int>(desc.k)};
  st = dw::gemm::grouped::for_each_size_chunk(desc, args, [&](const GroupSizes& s) -> dw_status {
    grouped_setup<Cfg><<<1, kSetupThreads, 0, stream>>>(s, w, op);
    return dw::check(cudaGetLastError(), kGroupedOperation, "setup kernel launch, groups=%d", desc.groups);
  });
  if (st != DW_SUCCESS) return st;
  if (desc.max_total_m == 0) return DW_SUCCESS;  // every group is empty (the flag is written)

  Gemm gemm;
  cutlass::Status s = gemm.initialize(arguments, w.cutlass_workspace, stream);
  if (s != cutlass::Status::kSuccess)
    return fail_grouped(DW_ERROR_INTERNAL, "initialize failed: %s", cutlassGetStatusString(s));
  s = gemm.run(stream);
  if (s != cutlass::Status::kSuccess)
    return fail_grouped(DW_ERROR_INTERNAL, "run failed: %s", cutlassGetStatusString(s));
  return dw::check(cudaGetLastError(), kGroupedOperation, "kernel launch, groups=%d n=%lld k=%lld", desc.groups,
                   (long long)desc.n, (long long)desc.k);
}

// A family's table of configurations: name + planner/runner per output type.
struct GroupedVariantEntry {
  const char* name;
  Sm90Tile tile;
  Sm90Tile cluster;  // CTAs per cluster along M and N
  dw_status (*run_bf16)(const DeviceInfo&, const dw_gemm_grouped_desc&, const dw_gemm_grouped_args&, int, void*,
                        size_t, cudaStream_t, size_t*);
  dw_status (*run_f32)(const DeviceInfo&, const dw_gemm_grouped_desc&, const dw_gemm_grouped_args&, int, void*,
                       size_t, cudaStream_t, size_t*);
};

template <template <class> class Cfg>
constexpr GroupedVariantEntry grouped_entry(const char* name) {
  return GroupedVariantEntry{name, Cfg<cutlass::bfloat16_t>::kTile, Cfg<cutlass::bfloat16_t>::kCluster,
                             &run_grouped_config<Cfg<cutlass::bfloat16_t>>, &run_grouped_config<Cfg<float>>};
}

// The tile choice without the group sizes (unknown until the run): the average rows per group,
// max_total_m / G, stands in for M. A tile taller than that mostly multiplies padding.
inline int choose_grouped_variant(const GroupedVariantEntry* table, int count, const dw_gemm_grouped_desc& desc) {
  const int64_t avg_m = desc.max_total_m / desc.groups > 0 ? desc.max_total_m / desc.groups : 1;
  int best = 0;
  double best_waste = 1e300;
  for (int v = 0; v < count; ++v) {
    const Sm90Tile t = table[v].tile, c = table[v].cluster;
    // Padding of the average group in M and of N (the scheduler rounds each group's tiles up to
    // whole clusters in both), plus a small preference for the larger tile (fewer, larger tiles
    // reuse each loaded operand more).
    const double pad_m = static_cast<double>(ceil_div(ceil_div(avg_m, t.m), c.m) * c.m * t.m) / avg_m;
    const double pad_n = static_cast<double>(ceil_div(ceil_div(desc.n, t.n), c.n) * c.n * t.n) / desc.n;
    const double waste = pad_m * pad_n * (1.0 + 8.0 / (t.m + t.n));
    if (waste < best_waste) {
      best_waste = waste;
      best = v;
    }
  }
  return best;
}

inline dw_status plan_grouped_variant(const GroupedVariantEntry* table, int count, const DeviceInfo& dev,
                                      const dw_gemm_grouped_desc& desc, int v, dw_gemm_grouped_plan_info* plan) {
  if (v >= count) return fail_grouped(DW_ERROR_INVALID_ARGUMENT, "variant=%d: this family has %d", v, count);
  if (v < 0) v = choose_grouped_variant(table, count, desc);
  const GroupedVariantEntry& e = table[v];
  if (plan->swizzle <= 0) plan->swizzle = 1;
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  size_t ws = 0;
  dw_gemm_grouped_args none{};
  dw_status st = fn(dev, desc, none, plan->swizzle, nullptr, 0, nullptr, &ws);
  if (st != DW_SUCCESS) return st;
  plan->variant = v;
  plan->workspace_bytes = ws;
  std::snprintf(plan->name, sizeof plan->name, "%s", e.name);
  return DW_SUCCESS;
}

inline dw_status run_grouped_variant(const GroupedVariantEntry* table, int count, const DeviceInfo& dev,
                                     const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args,
                                     const dw_gemm_grouped_plan_info& plan, void* ws, size_t ws_bytes,
                                     cudaStream_t stream) {
  if (plan.variant < 0 || plan.variant >= count)
    return fail_grouped(DW_ERROR_INVALID_ARGUMENT, "plan.variant=%d: this family has %d", plan.variant, count);
  const GroupedVariantEntry& e = table[plan.variant];
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  return fn(dev, desc, args, plan.swizzle, ws, ws_bytes, stream, nullptr);
}

}  // namespace dw::gemm::sm90::grouped
