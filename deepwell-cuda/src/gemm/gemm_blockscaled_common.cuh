// CUTLASS 4.x building blocks of the Blackwell block-scaled GEMMs (MXFP8, NVFP4), shared by the
// sm_100a and sm_120a translation units: one configuration template over the arch, the operand
// pair type, the tile, the cluster and the schedules, and one runner that turns a dw_gemm_desc /
// dw_gemm_args pair into CUTLASS arguments. The epilogue is the sm90 family's visitor tree
// (gemm_sm90_common.cuh): every CUTLASS backend computes the same fused epilogue, and CUTLASS's
// sm100 and sm120 epilogues run sm90 visitor trees as they are.
//
// Layouts (gemm.h): A [M,K] row-major, B [N,K] row-major (column-major K x N for CUTLASS: "TN",
// the only layout the block-scaled MMAs take for these types), D [M,N] row-major. Scales arrive
// here already in the 128x4 tiled layout (gemm_blockscaled_dispatch.cpp stages row-major ones),
// which is CUTLASS's Sm1xxBlkScaledConfig layout for K-major operands.
#pragma once

#include <climits>
#include <cstdint>

#include "cutlass/detail/sm100_blockscaled_layout.hpp"
#include "gemm_blockscaled.h"
#include "gemm_sm90_common.cuh"

namespace dw::gemm::blockscaled {

// Records a failure under the family's name (see runtime/internal.h).
#define fail_bs(op, status, ...) ::dw::fail((status), (op), __VA_ARGS__)

// The D tile one CTA computes: a 2-SM MMA tile is split along M between the two CTAs of a pair.
template <class MmaTile, bool k2Sm>
struct CtaTileOf {
  using type = MmaTile;
};
template <class MmaTile>
struct CtaTileOf<MmaTile, true> {
  using type = cute::Shape<cute::Int<cute::tuple_element_t<0, MmaTile>::value / 2>, cute::tuple_element_t<1, MmaTile>,
                           cute::tuple_element_t<2, MmaTile>>;
};

// One kernel configuration. ElementPair: cutlass::mx_float8_t<float_e4m3_t> (MXFP8: E8M0 scale
// per 32) or cutlass::nv_float4_t<float_e2m1_t> (NVFP4: UE4M3 scale per 16).
template <class Arch, class ElementPair_, class ElementD_, class MmaTile_, class Cluster_, class KernelSchedule_,
          class EpilogueSchedule_, bool k2Sm_, bool kTensorScales_>
struct Config {
  using ElementPair = ElementPair_;
  using ElementD = ElementD_;
  static constexpr bool kTensorScales = kTensorScales_;  // NVFP4: alpha * tensor_scale_a * tensor_scale_b
  using DataType = typename ElementPair::DataType;
  using LayoutA = cutlass::layout::RowMajor;
  using LayoutB = cutlass::layout::ColumnMajor;
  using LayoutD = cutlass::layout::RowMajor;
  // 16-byte rows for TMA: 16 FP8 or 32 FP4 values.
  static constexpr int kAlignAB = 128 / cutlass::sizeof_bits<DataType>::value;
  static constexpr int kAlignD = 128 / cutlass::sizeof_bits<ElementD>::value;
  using CtaTile = typename CtaTileOf<MmaTile_, k2Sm_>::type;
  static constexpr int kCtaM = cute::tuple_element_t<0, CtaTile>::value;
  static constexpr int kCtaN = cute::tuple_element_t<1, CtaTile>::value;

  using Evt = sm90::EpilogueTree<CtaTile, ElementD>;
  // CUTLASS's automatic sm100 epilogue tile for a 256-wide block-scaled tile is 128x128, whose C
  // and D staging (the residual is read through shared memory) leaves an FP32 output no room for
  // the mainloop; 128x32 (FP32) / 128x64 (BF16) subtiles are what it picks for narrower tiles.
  static constexpr int kEpiN = cutlass::sizeof_bits<ElementD>::value == 32 ? 32 : 64;
  using EpilogueTile = cute::conditional_t<(kCtaN == 256 && cute::is_same_v<Arch, cutlass::arch::Sm100>),
                                           cute::Shape<cute::Int<(kCtaM < 128 ? kCtaM : 128)>, cute::Int<kEpiN>>,
                                           cutlass::epilogue::collective::EpilogueTileAuto>;
  using CollectiveEpilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      Arch, cutlass::arch::OpClassBlockScaledTensorOp, MmaTile_, Cluster_, EpilogueTile, float, float, ElementD,
      LayoutD, kAlignD, ElementD, LayoutD, kAlignD, EpilogueSchedule_, Evt>::CollectiveOp;

  using CollectiveMainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      Arch, cutlass::arch::OpClassBlockScaledTensorOp, ElementPair, LayoutA, kAlignAB, ElementPair, LayoutB, kAlignAB,
      float, MmaTile_, Cluster_,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(
          sizeof(typename CollectiveEpilogue::SharedStorage))>,
      KernelSchedule_>::CollectiveOp;

  // What the variant choice sees: the per-SM tile (gemm_blockscaled.h).
  static constexpr Sm90Tile kTile{kCtaM, kCtaN};

  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, CollectiveMainloop,
                                                      CollectiveEpilogue, void>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;
};

// What TMA needs (16-byte row strides), naming the field that breaks it; CUTLASS's own
// can_implement only answers yes/no.
inline dw_status check_shape(const char* op, const dw_gemm_desc& desc, int align_ab, int align_d) {
  if (desc.m > INT_MAX || desc.n > INT_MAX || desc.k > INT_MAX)
    return fail_bs(op, DW_ERROR_GEMM_UNSUPPORTED, "m, n and k must each fit in 32 bits");
  if (desc.k % align_ab != 0)
    return fail_bs(op, DW_ERROR_GEMM_UNSUPPORTED, "k=%lld must be a multiple of %d (16-byte rows for TMA)",
                   (long long)desc.k, align_ab);
  if (desc.n % align_d != 0)
    return fail_bs(op, DW_ERROR_GEMM_UNSUPPORTED, "n=%lld must be a multiple of %d (16-byte rows of D)",
                   (long long)desc.n, align_d);
  return DW_SUCCESS;
}

// Plans (needed != nullptr: only checks and sizes CUTLASS's workspace) or runs one
// configuration. args' scales are in the tiled layout.
template <class Cfg>
dw_status run_config(const char* op, const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                     int swizzle, void* workspace, size_t workspace_bytes, cudaStream_t stream, size_t* needed) {
  using Gemm = typename Cfg::Gemm;
  using Kernel = typename Cfg::Kernel;
  using Mainloop = typename Kernel::CollectiveMainloop;
  using ElementA = typename Mainloop::ArrayElementA;
  using ElementB = typename Mainloop::ArrayElementB;
  using ElementSF = typename Mainloop::ElementSF;
  using ElementD = typename Cfg::ElementD;
  using ScaleConfig = typename Mainloop::Sm1xxBlkScaledConfig;

  dw_status st = check_shape(op, desc, Cfg::kAlignAB, Cfg::kAlignD);
  if (st != DW_SUCCESS) return st;

  const int m = static_cast<int>(desc.m), n = static_cast<int>(desc.n), k = static_cast<int>(desc.k);
  const auto mnkl = cute::make_shape(m, n, k, 1);
  auto* d = static_cast<ElementD*>(args.d);
  // Without a residual, C points at D (a valid tensor of the right shape) and beta is 0, so the
  // kernel never reads it.
  auto* c = desc.has_residual ? static_cast<ElementD const*>(args.residual) : d;
  auto* bias = desc.has_bias ? static_cast<ElementD const*>(args.bias) : nullptr;

  typename Gemm::Arguments arguments;
  arguments.mode = cutlass::gemm::GemmUniversalMode::kGemm;
  arguments.problem_shape = {m, n, k, 1};
  arguments.mainloop.ptr_A = static_cast<ElementA const*>(args.a);
  arguments.mainloop.dA = cutlass::make_cute_packed_stride(typename Kernel::StrideA{}, cute::make_shape(m, k, 1));
  arguments.mainloop.ptr_B = static_cast<ElementB const*>(args.b);
  arguments.mainloop.dB = cutlass::make_cute_packed_stride(typename Kernel::StrideB{}, cute::make_shape(n, k, 1));
  arguments.mainloop.ptr_SFA = static_cast<ElementSF const*>(args.scale_a);
  arguments.mainloop.layout_SFA = ScaleConfig::tile_atom_to_shape_SFA(mnkl);
  arguments.mainloop.ptr_SFB = static_cast<ElementSF const*>(args.scale_b);
  arguments.mainloop.layout_SFB = ScaleConfig::tile_atom_to_shape_SFB(mnkl);
  arguments.epilogue.thread = {
      {{desc.has_residual ? 1.0f : 0.0f}},  // beta
      {},                                   // C
      {
          {
              {{desc.alpha, 1.0f, 1.0f},  // alpha * tensor scales (NVFP4; MXFP8 has none)
               {nullptr, Cfg::kTensorScales ? args.tensor_scale_a : nullptr,
                Cfg::kTensorScales ? args.tensor_scale_b : nullptr}},
              {},                                               // acc
              {bias, ElementD(0), {}},                          // bias[n] (null: 0)
              {}                                                // multiply-add
          },
          {static_cast<int>(desc.activation), desc.out_scale}  // out_scale * act(.)
      },
      {}  // beta * C + Z
  };
  arguments.epilogue.ptr_C = c;
  arguments.epilogue.dC = cutlass::make_cute_packed_stride(typename Kernel::StrideC{}, cute::make_shape(m, n, 1));
  arguments.epilogue.ptr_D = d;
  arguments.epilogue.dD = cutlass::make_cute_packed_stride(typename Kernel::StrideD{}, cute::make_shape(m, n, 1));
  arguments.hw_info.device_id = dev.device;
  arguments.hw_info.sm_count = dev.sm_count;
  arguments.scheduler.max_swizzle_size = swizzle > 0 ? swizzle : 1;

  if (Gemm::can_implement(arguments) != cutlass::Status::kSuccess)
    return fail_bs(op, DW_ERROR_GEMM_UNSUPPORTED, "can_implement refused m=%lld n=%lld k=%lld", (long long)desc.m,
                   (long long)desc.n, (long long)desc.k);
  const size_t ws = Gemm::get_workspace_size(arguments);
  if (needed != nullptr) {
    *needed = ws;
    return DW_SUCCESS;
  }
  if (ws > workspace_bytes || (ws > 0 && workspace == nullptr))
    return fail_bs(op, DW_ERROR_INVALID_ARGUMENT, "workspace of %zu bytes needed, %zu given", ws, workspace_bytes);

  Gemm gemm;
  cutlass::Status s = gemm.initialize(arguments, workspace, stream);
  if (s != cutlass::Status::kSuccess)
    return fail_bs(op, DW_ERROR_INTERNAL, "initialize failed: %s", cutlassGetStatusString(s));
  s = gemm.run(stream);
  if (s != cutlass::Status::kSuccess) return fail_bs(op, DW_ERROR_INTERNAL, "run failed: %s", cutlassGetStatusString(s));
  return dw::check(cudaGetLastError(), op, "kernel launch, m=%lld n=%lld k=%lld", (long long)desc.m,
                   (long long)desc.n, (long long)desc.k);
}

// A family's table row: the name, the per-SM tile, a planner/runner per output type.
using RunFn = dw_status (*)(const char*, const DeviceInfo&, const dw_gemm_desc&, const dw_gemm_args&, int, void*,
                            size_t, cudaStream_t, size_t*);
struct VariantEntry {
  const char* name;
  Sm90Tile tile;
  RunFn run_bf16;
  RunFn run_f32;
};

// One row per configuration, for both output types (the GemmAbiContractTest reads these names:
// keep the form entry<Config>("name")).
template <template <class> class Cfg>
constexpr VariantEntry entry(const char* name) {
  return VariantEntry{name, Cfg<cutlass::bfloat16_t>::kTile, &run_config<Cfg<cutlass::bfloat16_t>>,
                      &run_config<Cfg<float>>};
}

// Plans variant v (>= 0; the dispatcher chose it) of a table.
template <int kCount>
dw_status plan_variant(const char* op, const VariantEntry (&table)[kCount], const DeviceInfo& dev,
                       const dw_gemm_desc& desc, int v, dw_gemm_plan_info* plan) {
  if (v < 0 || v >= kCount) return fail_bs(op, DW_ERROR_INVALID_ARGUMENT, "variant=%d: this family has %d", v, kCount);
  const VariantEntry& e = table[v];
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  size_t ws = 0;
  dw_gemm_args none{};
  dw_status st = fn(op, dev, desc, none, plan->swizzle, nullptr, 0, nullptr, &ws);
  if (st != DW_SUCCESS) return st;
  plan->variant = v;
  plan->workspace_bytes = ws;
  set_name(plan, e.name);
  return DW_SUCCESS;
}

template <int kCount>
dw_status run_variant(const char* op, const VariantEntry (&table)[kCount], const DeviceInfo& dev,
                      const dw_gemm_desc& desc, const dw_gemm_args& args, const dw_gemm_plan_info& plan, void* ws,
                      size_t ws_bytes, cudaStream_t stream) {
  if (plan.variant < 0 || plan.variant >= kCount)
    return fail_bs(op, DW_ERROR_INVALID_ARGUMENT, "plan.variant=%d: this family has %d", plan.variant, kCount);
  const VariantEntry& e = table[plan.variant];
  auto fn = desc.output == DW_GEMM_OUT_F32 ? e.run_f32 : e.run_bf16;
  return fn(op, dev, desc, args, plan.swizzle, ws, ws_bytes, stream, nullptr);
}

// The per-SM tiles of a table, for the dispatcher's choice.
template <int kCount>
struct TileList {
  Sm90Tile tiles[kCount];
  explicit TileList(const VariantEntry (&table)[kCount]) {
    for (int i = 0; i < kCount; ++i) tiles[i] = table[i].tile;
  }
};

// A table as the dispatcher sees it (BlockScaledFamily), failures recorded under kOpName.
template <const auto& kOpName, const auto& kTable>
struct Family {
  static constexpr int kCount = sizeof(kTable) / sizeof(kTable[0]);
  static int count() { return kCount; }
  static const Sm90Tile* tiles() {
    static const TileList<kCount> list(kTable);
    return list.tiles;
  }
  static dw_status plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* p) {
    return plan_variant(kOpName, kTable, dev, desc, variant, p);
  }
  static dw_status run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                       const dw_gemm_plan_info& p, void* ws, size_t ws_bytes, cudaStream_t stream) {
    return run_variant(kOpName, kTable, dev, desc, args, p, ws, ws_bytes, stream);
  }
  static const BlockScaledFamily* get(const char* arch) {
    static const BlockScaledFamily f{arch, &count, &tiles, &plan, &run};
    return &f;
  }
};

}  // namespace dw::gemm::blockscaled
