// CUTLASS 4.x sm90 building blocks shared by the sm90 GEMM families: the fused epilogue
// (an epilogue visitor tree) and one templated runner that turns a dw_gemm_desc/dw_gemm_args
// pair into CUTLASS arguments. Compiled only into sm_90a translation units.
//
// Layout convention (see gemm.h): A [M,K] row-major, B [N,K] row-major = a column-major K x N
// operand for CUTLASS ("TN"), D [M,N] row-major. Both operands are K-contiguous, which is the
// only layout wgmma accepts for 8-bit inputs and the fastest one for 16-bit inputs.
#pragma once

#include <climits>
#include <cstdint>

#include <cuda_runtime.h>

#include "cute/tensor.hpp"
#include "cutlass/cutlass.h"
#include "cutlass/detail/blockwise_scale_layout.hpp"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/sm90_visitor_compute_tma_warpspecialized.hpp"
#include "cutlass/epilogue/fusion/sm90_visitor_load_tma_warpspecialized.hpp"
#include "cutlass/epilogue/fusion/sm90_visitor_tma_warpspecialized.hpp"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/dispatch_policy.hpp"
#include "cutlass/gemm/kernel/gemm_universal.hpp"
#include "cutlass/numeric_types.h"
#include "cutlass/util/packed_stride.hpp"

#include "gemm_internal.h"

namespace dw::gemm::sm90 {

constexpr const char* kOperation = "CUTLASS sm90 GEMM";

// Records a failure under kOperation (see runtime/internal.h).
#define fail_sm90(status, ...) ::dw::fail((status), kOperation, __VA_ARGS__)

// ---------------------------------------------------------------------------------------------
// Epilogue: D = beta * C + out_scale * act(alpha * sA * sB * acc + bias)
//   beta is 1 with a residual (C = residual) and 0 without, in which case CUTLASS skips the
//   loads of C altogether. The activation is a run-time switch rather than a template
//   parameter: one kernel per tile configuration serves every epilogue, and the branch is
//   uniform across the grid.
// ---------------------------------------------------------------------------------------------

struct ActivationArguments {
  int kind = DW_GEMM_ACT_NONE;
  float out_scale = 1.0f;
};

CUTLASS_HOST_DEVICE float gelu_erf(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
CUTLASS_HOST_DEVICE float silu(float x) { return x / (1.0f + expf(-x)); }

// Sm90Compute calls ComputeFn<float> to find `Arguments` and ComputeFn<Array<float, N>> to
// compute; both take the same run-time arguments.
template <class T>
struct ScaledActivation {
  using Arguments = ActivationArguments;
  CUTLASS_HOST_DEVICE T operator()(T const& x, Arguments const& a) const {
    float v = static_cast<float>(x);
    if (a.kind == DW_GEMM_ACT_GELU) v = gelu_erf(v);
    else if (a.kind == DW_GEMM_ACT_SILU) v = silu(v);
    return T(a.out_scale * v);
  }
};

template <class T, int N>
struct ScaledActivation<cutlass::Array<T, N>> {
  using Arguments = ActivationArguments;
  CUTLASS_HOST_DEVICE cutlass::Array<T, N> operator()(cutlass::Array<T, N> const& x, Arguments const& a) const {
    cutlass::Array<T, N> y;
    // The branch sits outside the loops so that each loop is straight-line code.
    if (a.kind == DW_GEMM_ACT_GELU) {
      CUTLASS_PRAGMA_UNROLL
      for (int i = 0; i < N; ++i) y[i] = T(a.out_scale * gelu_erf(static_cast<float>(x[i])));
    } else if (a.kind == DW_GEMM_ACT_SILU) {
      CUTLASS_PRAGMA_UNROLL
      for (int i = 0; i < N; ++i) y[i] = T(a.out_scale * silu(static_cast<float>(x[i])));
    } else {
      CUTLASS_PRAGMA_UNROLL
      for (int i = 0; i < N; ++i) y[i] = T(a.out_scale * static_cast<float>(x[i]));
    }
    return y;
  }
};

constexpr auto kRound = cutlass::FloatRoundStyle::round_to_nearest;

template <class CtaTile, class ElementD>
using EpilogueTree = cutlass::epilogue::fusion::Sm90EVT<
    // beta * C + Z  (the CUTLASS specialisation that skips C loads when beta == 0)
    cutlass::epilogue::fusion::Sm90Compute<cutlass::homogeneous_multiply_add, ElementD, float, kRound>,
    cutlass::epilogue::fusion::Sm90ScalarBroadcast<float>,
    cutlass::epilogue::fusion::Sm90SrcFetch<ElementD>,
    // Z = out_scale * act(Y)
    cutlass::epilogue::fusion::Sm90EVT<
        cutlass::epilogue::fusion::Sm90Compute<ScaledActivation, float, float, kRound>,
        // Y = (alpha * sA * sB) * acc + bias[n]
        cutlass::epilogue::fusion::Sm90EVT<
            cutlass::epilogue::fusion::Sm90Compute<cutlass::homogeneous_multiply_add, float, float, kRound>,
            cutlass::epilogue::fusion::Sm90ScalarBroadcast<float, cute::Stride<cute::_0, cute::_0, cute::_0>, 3>,
            cutlass::epilogue::fusion::Sm90AccFetch,
            cutlass::epilogue::fusion::Sm90RowBroadcast<0, CtaTile, ElementD, float>>>>;

// ---------------------------------------------------------------------------------------------
// One kernel configuration.
// ---------------------------------------------------------------------------------------------

// How the operands are scaled. kBlock128: A per 1x128, B per 128x128 (gemm.h).
enum class Scaling { kNone, kTensor, kBlock128 };

// A's block scales are M-contiguous (loaded by TMA), B's K-contiguous.
using Block128ScaleConfig =
    cutlass::detail::Sm90BlockwiseScaleConfig<1, 128, 128, cute::GMMA::Major::MN, cute::GMMA::Major::K>;

// TileScheduler_: void = CUTLASS's default persistent (data-parallel) scheduler;
// cutlass::gemm::StreamKScheduler = stream-K (cooperative kernels only; run_config asks for the
// stream-K decomposition with deterministic reduction, see kStreamK below). kSplits_ > 1 (with
// the stream-K scheduler only) asks it for a split-K decomposition instead: the same kernel, so
// no second CUTLASS instantiation.
template <class ElementAB_, class ElementD_, class TileShape_, class ClusterShape_, class KernelSchedule_,
          class EpilogueSchedule_, Scaling kScaling_, class TileScheduler_ = void, int kSplits_ = 1>
struct Config {
  using ElementAB = ElementAB_;
  using ElementD = ElementD_;
  static constexpr Scaling kScaling = kScaling_;
  static constexpr bool kStreamK = cute::is_same_v<TileScheduler_, cutlass::gemm::StreamKScheduler>;
  static constexpr int kSplits = kSplits_;
  static_assert(kSplits == 1 || kStreamK, "split-K runs on the stream-K scheduler");
  using LayoutA = cutlass::layout::RowMajor;
  using LayoutB = cutlass::layout::ColumnMajor;
  using LayoutD = cutlass::layout::RowMajor;
  static constexpr int kAlignAB = 128 / cutlass::sizeof_bits<ElementAB>::value;
  static constexpr int kAlignD = 128 / cutlass::sizeof_bits<ElementD>::value;

  using Evt = EpilogueTree<TileShape_, ElementD>;
  using CollectiveEpilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape_, ClusterShape_,
      cutlass::epilogue::collective::EpilogueTileAuto, float, float, ElementD, LayoutD, kAlignD, ElementD, LayoutD,
      kAlignD, EpilogueSchedule_, Evt>::CollectiveOp;

  using LayoutSFA = decltype(Block128ScaleConfig::deduce_layoutSFA());
  using LayoutSFB = decltype(Block128ScaleConfig::deduce_layoutSFB());
  using OperandLayoutA = cute::conditional_t<kScaling == Scaling::kBlock128, cute::tuple<LayoutA, LayoutSFA>, LayoutA>;
  using OperandLayoutB = cute::conditional_t<kScaling == Scaling::kBlock128, cute::tuple<LayoutB, LayoutSFB>, LayoutB>;

  using CollectiveMainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, ElementAB, OperandLayoutA, kAlignAB, ElementAB,
      OperandLayoutB, kAlignAB, float, TileShape_, ClusterShape_,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(
          sizeof(typename CollectiveEpilogue::SharedStorage))>,
      KernelSchedule_>::CollectiveOp;

  static constexpr Sm90Tile kTile{cute::size<0>(TileShape_{}), cute::size<1>(TileShape_{}),
                                  cute::size<2>(TileShape_{}), kStreamK, kSplits_, false,
                                  cute::size<0>(ClusterShape_{}), cute::size<1>(ClusterShape_{})};

  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, CollectiveMainloop,
                                                      CollectiveEpilogue, TileScheduler_>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;
};

// Checks what TMA needs (16-byte row strides) and names the field that breaks it; CUTLASS's
// own can_implement only answers yes/no.
inline dw_status check_shape(const dw_gemm_desc& desc, int align_ab, int align_d, bool blockwise) {
  if (desc.m > INT_MAX || desc.n > INT_MAX || desc.k > INT_MAX)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "m, n and k must each fit in 32 bits");
  if (desc.k % align_ab != 0)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "k=%lld must be a multiple of %d (16-byte rows for TMA)",
                     (long long)desc.k, align_ab);
  if (desc.n % align_d != 0)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "n=%lld must be a multiple of %d (16-byte rows of D)",
                     (long long)desc.n, align_d);
  if (blockwise && desc.m % 4 != 0)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "FP8 block128: m=%lld must be a multiple of 4 (TMA rows of scale_a)",
                     (long long)desc.m);
  return DW_SUCCESS;
}

// Plans (needed != nullptr: only checks and sizes the workspace) or runs one configuration.
template <class Cfg>
dw_status run_config(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, int swizzle,
                     void* workspace, size_t workspace_bytes, cudaStream_t stream, size_t* needed) {
  using Gemm = typename Cfg::Gemm;
  using Kernel = typename Cfg::Kernel;
  using ElementAB = typename Cfg::ElementAB;
  using ElementD = typename Cfg::ElementD;
  constexpr bool kBlockwise = Cfg::kScaling == Scaling::kBlock128;

  dw_status st = check_shape(desc, Cfg::kAlignAB, Cfg::kAlignD, kBlockwise);
  if (st != DW_SUCCESS) return st;

  const int m = static_cast<int>(desc.m), n = static_cast<int>(desc.n), k = static_cast<int>(desc.k);
  auto stride_a = cutlass::make_cute_packed_stride(typename Kernel::StrideA{}, cute::make_shape(m, k, 1));
  auto stride_b = cutlass::make_cute_packed_stride(typename Kernel::StrideB{}, cute::make_shape(n, k, 1));
  auto stride_c = cutlass::make_cute_packed_stride(typename Kernel::StrideC{}, cute::make_shape(m, n, 1));
  auto stride_d = cutlass::make_cute_packed_stride(typename Kernel::StrideD{}, cute::make_shape(m, n, 1));

  auto* d = static_cast<ElementD*>(args.d);
  // Without a residual, C points at D (a valid tensor of the right shape) and beta is 0, so the
  // kernel never reads it.
  auto* c = desc.has_residual ? static_cast<ElementD const*>(args.residual) : d;
  const float* sa = Cfg::kScaling == Scaling::kTensor ? static_cast<const float*>(args.scale_a) : nullptr;
  const float* sb = Cfg::kScaling == Scaling::kTensor ? static_cast<const float*>(args.scale_b) : nullptr;
  auto* bias = desc.has_bias ? static_cast<ElementD const*>(args.bias) : nullptr;

  typename Gemm::Arguments arguments;
  arguments.mode = cutlass::gemm::GemmUniversalMode::kGemm;
  arguments.problem_shape = {m, n, k, 1};
  arguments.mainloop.ptr_A = static_cast<ElementAB const*>(args.a);
  arguments.mainloop.dA = stride_a;
  arguments.mainloop.ptr_B = static_cast<ElementAB const*>(args.b);
  arguments.mainloop.dB = stride_b;
  if constexpr (kBlockwise) {
    arguments.mainloop.ptr_SFA = static_cast<float const*>(args.scale_a);
    arguments.mainloop.layout_SFA = Block128ScaleConfig::tile_atom_to_shape_SFA(cute::make_shape(m, n, k, 1));
    arguments.mainloop.ptr_SFB = static_cast<float const*>(args.scale_b);
    arguments.mainloop.layout_SFB = Block128ScaleConfig::tile_atom_to_shape_SFB(cute::make_shape(m, n, k, 1));
  }
  arguments.epilogue.thread = {
      {{desc.has_residual ? 1.0f : 0.0f}},  // beta
      {},                                   // C
      {
          {
              {{desc.alpha, 1.0f, 1.0f}, {nullptr, sa, sb}},  // alpha * sA * sB
              {},                                             // acc
              {bias, ElementD(0), {}},                        // bias[n] (null: 0)
              {}                                              // multiply-add
          },
          {static_cast<int>(desc.activation), desc.out_scale}  // out_scale * act(.)
      },
      {}  // beta * C + Z
  };
  arguments.epilogue.ptr_C = c;
  arguments.epilogue.dC = stride_c;
  arguments.epilogue.ptr_D = d;
  arguments.epilogue.dD = stride_d;
  arguments.hw_info.device_id = dev.device;
  arguments.hw_info.sm_count = dev.sm_count;
  arguments.scheduler.max_swizzle_size = swizzle > 0 ? swizzle : 1;
  if constexpr (Cfg::kStreamK) {
    // Stream-K proper (CUTLASS's heuristic would fall back to data-parallel whenever the last
    // wave is at least half full; the planner has already decided that stream-K pays). The
    // partial sums of a tile's peers are added in K order (a turnstile): the same bits on every
    // run. CUTLASS itself still runs data-parallel where the tiles fill whole waves or a tile
    // has <= 8 k-iterations. The fixup happens on the FP32 accumulators before the epilogue,
    // which only the tile's final peer runs, so bias, activation, residual and out_scale are
    // applied once.
    // With kSplits > 1 the same scheduler cuts every tile's K loop into kSplits equal parts
    // instead (the planner's split-K rule), their partial sums added in the same fixed order.
    arguments.scheduler.decomposition_mode = Cfg::kSplits > 1 ? cutlass::gemm::kernel::detail::DecompositionMode::SplitK
                                                               : cutlass::gemm::kernel::detail::DecompositionMode::StreamK;
    arguments.scheduler.splits = Cfg::kSplits;
    arguments.scheduler.reduction_mode = cutlass::gemm::kernel::detail::ReductionMode::Deterministic;
  }

  if (Gemm::can_implement(arguments) != cutlass::Status::kSuccess)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "can_implement refused m=%lld n=%lld k=%lld", (long long)desc.m,
                     (long long)desc.n, (long long)desc.k);
  const size_t ws = Gemm::get_workspace_size(arguments);
  if (needed != nullptr) {
    *needed = ws;
    return DW_SUCCESS;
  }
  if (ws > workspace_bytes || (ws > 0 && workspace == nullptr))
    return fail_sm90(DW_ERROR_INVALID_ARGUMENT, "workspace of %zu bytes needed, %zu given", ws, workspace_bytes);

  Gemm gemm;
  cutlass::Status s = gemm.initialize(arguments, workspace, stream);
  if (s != cutlass::Status::kSuccess)
    return fail_sm90(DW_ERROR_INTERNAL, "initialize failed: %s", cutlassGetStatusString(s));
  s = gemm.run(stream);
  if (s != cutlass::Status::kSuccess) return fail_sm90(DW_ERROR_INTERNAL, "run failed: %s", cutlassGetStatusString(s));
  return dw::check(cudaGetLastError(), kOperation, "kernel launch, m=%lld n=%lld k=%lld", (long long)desc.m,
                   (long long)desc.n, (long long)desc.k);
}

// A family's table of configurations: name + planner/runner per output type.
struct VariantEntry {
  const char* name;
  Sm90Tile tile;
  dw_status (*run_bf16)(const DeviceInfo&, const dw_gemm_desc&, const dw_gemm_args&, int, void*, size_t, cudaStream_t,
                        size_t*);
  dw_status (*run_f32)(const DeviceInfo&, const dw_gemm_desc&, const dw_gemm_args&, int, void*, size_t, cudaStream_t,
                       size_t*);
};

// One table row per tile configuration, for both output types.
template <template <class> class Cfg>
constexpr VariantEntry entry(const char* name) {
  return VariantEntry{name, Cfg<cutlass::bfloat16_t>::kTile, &run_config<Cfg<cutlass::bfloat16_t>>,
                      &run_config<Cfg<float>>};
}

// Plans variant `v` of `table` (v < 0: the one sm90_choose_variant picks).
inline dw_status plan_variant(const VariantEntry* table, int count, const DeviceInfo& dev, const dw_gemm_desc& desc,
                              int v, dw_gemm_plan_info* plan) {
  if (v >= count) return fail_sm90(DW_ERROR_INVALID_ARGUMENT, "variant=%d: this family has %d", v, count);
  if (v < 0) {
    constexpr int kMaxTiles = 16;
    Sm90Tile tiles[kMaxTiles];
    for (int i = 0; i < count && i < kMaxTiles; ++i) tiles[i] = table[i].tile;
    v = sm90_choose_variant(dev, desc, tiles, count < kMaxTiles ? count : kMaxTiles);
  }
  const VariantEntry& e = table[v];
  if (plan->swizzle <= 0) plan->swizzle = sm90_choose_swizzle(dev, desc, e.tile);
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  size_t ws = 0;
  dw_gemm_args none{};
  dw_status st = fn(dev, desc, none, plan->swizzle, nullptr, 0, nullptr, &ws);
  if (st != DW_SUCCESS) return st;
  plan->variant = v;
  plan->workspace_bytes = ws;
  set_name(plan, e.name);
  return DW_SUCCESS;
}

inline dw_status run_variant(const VariantEntry* table, int count, const DeviceInfo& dev, const dw_gemm_desc& desc,
                             const dw_gemm_args& args, const dw_gemm_plan_info& plan, void* ws, size_t ws_bytes,
                             cudaStream_t stream) {
  if (plan.variant < 0 || plan.variant >= count)
    return fail_sm90(DW_ERROR_INVALID_ARGUMENT, "plan.variant=%d: this family has %d", plan.variant, count);
  const VariantEntry& e = table[plan.variant];
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  return fn(dev, desc, args, plan.swizzle, ws, ws_bytes, stream, nullptr);
}

// BF16 split-K with a separate reduction (gemm_sm90_bf16_splitk_reduce.cu): a BF16 family
// variant's run functions (needed != nullptr: plan only).
dw_status bf16_splitk_reduce_run_bf16(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                                       int swizzle, void* ws, size_t ws_bytes, cudaStream_t stream, size_t* needed);
dw_status bf16_splitk_reduce_run_f32(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                                      int swizzle, void* ws, size_t ws_bytes, cudaStream_t stream, size_t* needed);

}  // namespace dw::gemm::sm90
