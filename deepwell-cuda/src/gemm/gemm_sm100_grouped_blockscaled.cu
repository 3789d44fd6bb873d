// Block-scaled grouped GEMM for mixture-of-experts layers on sm_100a (B200/B100): one launch of
// CUTLASS's pointer-array tcgen05 kernel runs every expert's GEMM, MXFP8 or NVFP4, reading the
// problem shapes, operand pointers and scale layouts from device memory. A setup kernel builds
// those arrays from the group sizes (device memory: what a routing kernel writes), so nothing is
// read back to the host and a run stays graph-capturable. The packing and the scale layout are
// described in gemm_blockscaled.h (GroupedBlockScaledArgs). Compiled only for sm_100a.
//
// One configuration per format: a 1-SM 128x256 tile (a 2-SM tile would need clusters of two CTAs
// on the same expert, and per-expert M is often small). BF16 output; per-group alpha.
#include <climits>
#include <cstdint>
#include <cstdio>

#include "cutlass/epilogue/fusion/operations.hpp"
#include "gemm_blockscaled_common.cuh"

namespace dw::gemm::blockscaled::grouped {
namespace {

using cute::_1;
using cute::_64;
using cute::_128;
using cute::_256;
using cute::Shape;
using Sm100 = cutlass::arch::Sm100;
using Mxfp8 = cutlass::mx_float8_t<cutlass::float_e4m3_t>;
using Nvfp4 = cutlass::nv_float4_t<cutlass::float_e2m1_t>;
using bf16 = cutlass::bfloat16_t;

constexpr const char* kOp = "CUTLASS sm100 block-scaled grouped GEMM";
constexpr int kSetupThreads = 256;

template <class ElementPair_, class MmaTile, class KernelSchedule>
struct GroupedConfig {
  using ElementPair = ElementPair_;
  using ProblemShape = cutlass::gemm::GroupProblemShape<Shape<int, int, int>>;
  using LayoutA = cutlass::layout::RowMajor;
  using LayoutB = cutlass::layout::ColumnMajor;
  using LayoutD = cutlass::layout::RowMajor;
  static constexpr int kAlignAB = 128 / cutlass::sizeof_bits<typename ElementPair::DataType>::value;
  static constexpr int kAlignD = 8;
  // D = alpha_g * acc, alpha_g read from a per-group array; no C (void: no source loads).
  using Fusion = cutlass::epilogue::fusion::LinearCombination<bf16, float, void, float>;
  using CollectiveEpilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      Sm100, cutlass::arch::OpClassBlockScaledTensorOp, MmaTile, Shape<_1, _1, _1>, Shape<_128, _64>, float, float,
      void, LayoutD*, kAlignD, bf16, LayoutD*, kAlignD, cutlass::epilogue::PtrArrayTmaWarpSpecialized1Sm,
      Fusion>::CollectiveOp;
  using CollectiveMainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      Sm100, cutlass::arch::OpClassBlockScaledTensorOp, ElementPair, LayoutA*, kAlignAB, ElementPair, LayoutB*,
      kAlignAB, float, MmaTile, Shape<_1, _1, _1>,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(
          sizeof(typename CollectiveEpilogue::SharedStorage))>,
      KernelSchedule>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<ProblemShape, CollectiveMainloop, CollectiveEpilogue>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;

  using Shape3 = typename ProblemShape::UnderlyingProblemShape;
  using ElementA = typename CollectiveMainloop::ArrayElementA;
  using ElementB = typename CollectiveMainloop::ArrayElementB;
  using ElementSF = typename CollectiveMainloop::ElementSF;
  using StrideA = cute::remove_pointer_t<typename Kernel::StrideA>;
  using StrideB = cute::remove_pointer_t<typename Kernel::StrideB>;
  using StrideD = cute::remove_pointer_t<typename Kernel::StrideD>;
  using LayoutSFA = cute::remove_pointer_t<typename CollectiveMainloop::LayoutSFA>;
  using LayoutSFB = cute::remove_pointer_t<typename CollectiveMainloop::LayoutSFB>;
  using ScaleConfig = typename CollectiveMainloop::Sm1xxBlkScaledConfig;
};

using Mxfp8Grouped = GroupedConfig<Mxfp8, Shape<_128, _256, _128>,
                                   cutlass::gemm::KernelPtrArrayTmaWarpSpecialized1SmMxf8f6f4Sm100>;
using Nvfp4Grouped = GroupedConfig<Nvfp4, Shape<_128, _256, _256>,
                                   cutlass::gemm::KernelPtrArrayTmaWarpSpecialized1SmNvf4Sm100>;

// The per-group arrays in the workspace, each 256-byte aligned, then CUTLASS's scratch.
template <class Cfg>
struct Arrays {
  typename Cfg::Shape3* shapes;
  const typename Cfg::ElementA** a;
  const typename Cfg::ElementB** b;
  const typename Cfg::ElementSF** sfa;
  const typename Cfg::ElementSF** sfb;
  bf16** d;
  typename Cfg::StrideA* stride_a;
  typename Cfg::StrideB* stride_b;
  typename Cfg::StrideD* stride_d;
  typename Cfg::LayoutSFA* layout_sfa;
  typename Cfg::LayoutSFB* layout_sfb;
  float* alpha;
  size_t bytes;  // of all of the above

  // Carves `base` (nullptr: only counts the bytes).
  Arrays(void* base, int64_t groups) {
    size_t at = 0;
    auto take = [&](auto*& p, size_t elem) {
      using T = cute::remove_reference_t<decltype(*p)>;
      p = base ? reinterpret_cast<T*>(static_cast<char*>(base) + at) : nullptr;
      at += (static_cast<size_t>(groups) * elem + 255) & ~size_t{255};
    };
    take(shapes, sizeof(*shapes));
    take(a, sizeof(*a));
    take(b, sizeof(*b));
    take(sfa, sizeof(*sfa));
    take(sfb, sizeof(*sfb));
    take(d, sizeof(*d));
    take(stride_a, sizeof(*stride_a));
    take(stride_b, sizeof(*stride_b));
    take(stride_d, sizeof(*stride_d));
    take(layout_sfa, sizeof(*layout_sfa));
    take(layout_sfb, sizeof(*layout_sfb));
    take(alpha, sizeof(*alpha));
    bytes = at;
  }
};

// Inclusive block-wide scan of one value per thread (Hillis-Steele; G is at most a few
// thousand, one block is plenty).
__device__ int64_t block_scan(int64_t v, int64_t* buf) {
  const int t = static_cast<int>(threadIdx.x);
  buf[t] = v;
  __syncthreads();
  for (int d = 1; d < kSetupThreads; d <<= 1) {
    const int64_t add = t >= d ? buf[t - d] : 0;
    __syncthreads();
    buf[t] += add;
    __syncthreads();
  }
  const int64_t r = buf[t];
  __syncthreads();
  return r;
}

// One block: each thread takes a contiguous run of groups. Two scans: the rows of A and D (sizes
// clamped so no group reaches past max_total_m) and the 128-row tiles of scale_a.
template <class Cfg>
__global__ void __launch_bounds__(kSetupThreads) setup(GroupedBlockScaledDesc desc, GroupedBlockScaledArgs args,
                                                       Arrays<Cfg> out) {
  __shared__ int64_t buf[kSetupThreads];
  const int t = static_cast<int>(threadIdx.x), G = desc.groups;
  const int per = (G + kSetupThreads - 1) / kSetupThreads;
  const int lo = min(G, t * per), hi = min(G, lo + per);
  int64_t own = 0;
  for (int g = lo; g < hi; ++g) own += max(static_cast<int64_t>(args.group_m[g]), int64_t{0});
  int64_t row = block_scan(own, buf) - own;  // unclamped first row of group lo
  // Clamped sizes of this run and their scale tiles.
  int64_t tiles = 0;
  for (int g = lo; g < hi; ++g) {
    const int64_t m = max(static_cast<int64_t>(args.group_m[g]), int64_t{0});
    const int64_t start = min(row, desc.max_total_m);
    const int64_t mc = min(m, desc.max_total_m - start);
    tiles += (mc + 127) / 128;
    row += m;
  }
  int64_t tile = block_scan(tiles, buf) - tiles;
  row -= own;  // back to the run's first row

  const int n = static_cast<int>(desc.n), k = static_cast<int>(desc.k);
  const int64_t cols = desc.input == DW_GEMM_IN_MXFP8 ? (desc.k + 31) / 32 : (desc.k + 15) / 16;
  const int64_t row_bytes = desc.input == DW_GEMM_IN_MXFP8 ? desc.k : desc.k / 2;
  const int64_t scale_row_bytes = (cols + 3) / 4 * 4;
  const int64_t sfb_bytes = swizzled_scale_bytes(desc.n, cols);
  const float tsa = args.tensor_scale_a != nullptr ? *args.tensor_scale_a : 1.0f;
  for (int g = lo; g < hi; ++g) {
    const int64_t m = max(static_cast<int64_t>(args.group_m[g]), int64_t{0});
    const int64_t start = min(row, desc.max_total_m);
    const int mc = static_cast<int>(min(m, desc.max_total_m - start));
    out.shapes[g] = typename Cfg::Shape3(mc, n, k);
    out.a[g] = reinterpret_cast<const typename Cfg::ElementA*>(static_cast<const uint8_t*>(args.a) + start * row_bytes);
    out.b[g] = reinterpret_cast<const typename Cfg::ElementB*>(static_cast<const uint8_t*>(args.b) +
                                                               static_cast<int64_t>(g) * desc.n * row_bytes);
    out.sfa[g] = reinterpret_cast<const typename Cfg::ElementSF*>(static_cast<const uint8_t*>(args.scale_a) +
                                                                  tile * 128 * scale_row_bytes);
    out.sfb[g] = reinterpret_cast<const typename Cfg::ElementSF*>(static_cast<const uint8_t*>(args.scale_b) +
                                                                  static_cast<int64_t>(g) * sfb_bytes);
    out.d[g] = static_cast<bf16*>(args.d) + start * desc.n;
    out.stride_a[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideA{}, cute::make_shape(mc, k, 1));
    out.stride_b[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideB{}, cute::make_shape(n, k, 1));
    out.stride_d[g] = cutlass::make_cute_packed_stride(typename Cfg::StrideD{}, cute::make_shape(mc, n, 1));
    out.layout_sfa[g] = Cfg::ScaleConfig::tile_atom_to_shape_SFA(cute::make_shape(mc, n, k, 1));
    out.layout_sfb[g] = Cfg::ScaleConfig::tile_atom_to_shape_SFB(cute::make_shape(mc, n, k, 1));
    out.alpha[g] = desc.alpha * (args.tensor_scale_b != nullptr ? tsa * args.tensor_scale_b[g] : 1.0f);
    tile += (mc + 127) / 128;
    row += m;
  }
}

template <class Cfg>
typename Cfg::Gemm::Arguments arguments(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc,
                                        const Arrays<Cfg>& arr) {
  typename Cfg::Gemm::Arguments args;
  args.mode = cutlass::gemm::GemmUniversalMode::kGrouped;
  args.problem_shape = {desc.groups, arr.shapes, nullptr};  // sizes live on the device only
  args.mainloop.ptr_A = arr.a;
  args.mainloop.dA = arr.stride_a;
  args.mainloop.ptr_B = arr.b;
  args.mainloop.dB = arr.stride_b;
  args.mainloop.ptr_SFA = arr.sfa;
  args.mainloop.layout_SFA = arr.layout_sfa;
  args.mainloop.ptr_SFB = arr.sfb;
  args.mainloop.layout_SFB = arr.layout_sfb;
  args.epilogue.thread.alpha_ptr = arr.alpha;
  args.epilogue.thread.dAlpha = {cute::_0{}, cute::_0{}, 1};  // alpha[g] for group g
  args.epilogue.thread.beta = 0.0f;
  args.epilogue.ptr_C = nullptr;
  args.epilogue.dC = arr.stride_d;
  args.epilogue.ptr_D = arr.d;
  args.epilogue.dD = arr.stride_d;
  args.hw_info.device_id = dev.device;
  args.hw_info.sm_count = dev.sm_count;
  return args;
}

template <class Cfg>
dw_status plan_config(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc, size_t* workspace) {
  const Arrays<Cfg> counted(nullptr, desc.groups);
  auto args = arguments<Cfg>(dev, desc, counted);
  if (Cfg::Gemm::can_implement(args) != cutlass::Status::kSuccess)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "can_implement refused n=%lld k=%lld groups=%d",
                      (long long)desc.n, (long long)desc.k, desc.groups);
  *workspace = counted.bytes + Cfg::Gemm::get_workspace_size(args);
  return DW_SUCCESS;
}

template <class Cfg>
dw_status run_config(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc, const GroupedBlockScaledArgs& a,
                     void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  const Arrays<Cfg> arr(workspace, desc.groups);
  if (arr.bytes > workspace_bytes)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "workspace of %zu bytes, the group arrays need %zu",
                      workspace_bytes, arr.bytes);
  setup<Cfg><<<1, kSetupThreads, 0, stream>>>(desc, a, arr);
  dw_status st = ::dw::check(cudaGetLastError(), kOp, "setup kernel launch, %d groups", desc.groups);
  if (st != DW_SUCCESS) return st;
  auto args = arguments<Cfg>(dev, desc, arr);
  const size_t ws = Cfg::Gemm::get_workspace_size(args);
  if (arr.bytes + ws > workspace_bytes)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "workspace of %zu bytes, %zu needed", workspace_bytes,
                      arr.bytes + ws);
  typename Cfg::Gemm gemm;
  void* cutlass_ws = static_cast<char*>(workspace) + arr.bytes;
  cutlass::Status s = gemm.initialize(args, cutlass_ws, stream);
  if (s != cutlass::Status::kSuccess)
    return ::dw::fail(DW_ERROR_INTERNAL, kOp, "initialize failed: %s", cutlassGetStatusString(s));
  s = gemm.run(stream);
  if (s != cutlass::Status::kSuccess) return ::dw::fail(DW_ERROR_INTERNAL, kOp, "run failed: %s", cutlassGetStatusString(s));
  return ::dw::check(cudaGetLastError(), kOp, "kernel launch, %d groups", desc.groups);
}

struct Entry {
  const char* name;
  dw_status (*plan)(const DeviceInfo&, const GroupedBlockScaledDesc&, size_t*);
  dw_status (*run)(const DeviceInfo&, const GroupedBlockScaledDesc&, const GroupedBlockScaledArgs&, void*, size_t,
                   cudaStream_t);
};
const Entry kMxfp8[] = {
    {"cutlass_sm100_grouped_mxfp8_1sm_128x256x128_c1x1", &plan_config<Mxfp8Grouped>, &run_config<Mxfp8Grouped>},
};
const Entry kNvfp4[] = {
    {"cutlass_sm100_grouped_nvfp4_1sm_128x256x256_c1x1", &plan_config<Nvfp4Grouped>, &run_config<Nvfp4Grouped>},
};

const Entry* table(dw_gemm_input in, int* count) {
  if (in == DW_GEMM_IN_MXFP8) {
    *count = static_cast<int>(sizeof(kMxfp8) / sizeof(kMxfp8[0]));
    return kMxfp8;
  }
  if (in == DW_GEMM_IN_NVFP4) {
    *count = static_cast<int>(sizeof(kNvfp4) / sizeof(kNvfp4[0]));
    return kNvfp4;
  }
  *count = 0;
  return nullptr;
}

dw_status check_desc(const DeviceInfo& dev, const GroupedBlockScaledDesc& d) {
  if (dev.cc_major != 10 || dev.cc_minor != 0)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp,
                      "the kernels are built for sm_100a and need compute capability 10.0 (B200, B100); device %d "
                      "has %d.%d",
                      dev.device, dev.cc_major, dev.cc_minor);
  if (d.groups < 1 || d.groups > 65536)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "groups=%d must be in [1, 65536]", d.groups);
  if (d.n < 1 || d.k < 1 || d.max_total_m < 0)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "n=%lld, k=%lld must be >= 1 and max_total_m=%lld >= 0",
                      (long long)d.n, (long long)d.k, (long long)d.max_total_m);
  if (d.n > INT_MAX || d.k > INT_MAX || d.max_total_m > INT_MAX)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "n, k and max_total_m must each fit in 32 bits");
  const int align = d.input == DW_GEMM_IN_MXFP8 ? 16 : 32;
  if (d.k % align != 0)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "k=%lld must be a multiple of %d (16-byte rows for TMA)",
                      (long long)d.k, align);
  if (d.n % 8 != 0)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "n=%lld must be a multiple of 8 (16-byte rows of BF16 D)",
                      (long long)d.n);
  return DW_SUCCESS;
}

}  // namespace
}  // namespace dw::gemm::blockscaled::grouped

namespace dw::gemm {
using namespace blockscaled::grouped;

int32_t sm100_grouped_blockscaled_variant_count(dw_gemm_input in) {
  int count = 0;
  table(in, &count);
  return count;
}

dw_status sm100_grouped_blockscaled_plan(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc, int variant,
                                         GroupedBlockScaledPlan* plan) {
  if (plan == nullptr) return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "plan is null");
  int count = 0;
  const Entry* t = table(desc.input, &count);
  if (t == nullptr)
    return ::dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "input format %d: MXFP8 and NVFP4 only", desc.input);
  dw_status st = check_desc(dev, desc);
  if (st != DW_SUCCESS) return st;
  if (variant >= count)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "variant=%d: this format has %d", variant, count);
  if (variant < 0) variant = 0;
  size_t ws = 0;
  st = t[variant].plan(dev, desc, &ws);
  if (st != DW_SUCCESS) return st;
  plan->device = dev.device;
  plan->variant = variant;
  plan->workspace_bytes = ws;
  std::snprintf(plan->name, sizeof plan->name, "%s", t[variant].name);
  return DW_SUCCESS;
}

dw_status sm100_grouped_blockscaled_run(const DeviceInfo& dev, const GroupedBlockScaledDesc& desc,
                                        const GroupedBlockScaledArgs& args, const GroupedBlockScaledPlan& plan,
                                        void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  int count = 0;
  const Entry* t = table(desc.input, &count);
  if (t == nullptr || plan.variant < 0 || plan.variant >= count)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "plan.variant=%d is not a variant of input format %d",
                      plan.variant, desc.input);
  dw_status st = check_desc(dev, desc);
  if (st != DW_SUCCESS) return st;
  if (args.a == nullptr || args.b == nullptr || args.d == nullptr || args.scale_a == nullptr ||
      args.scale_b == nullptr || args.group_m == nullptr)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "a, b, d, scale_a, scale_b and group_m must all be given");
  if (desc.input == DW_GEMM_IN_NVFP4 && (args.tensor_scale_a == nullptr || args.tensor_scale_b == nullptr))
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "NVFP4 needs tensor_scale_a and tensor_scale_b");
  if (workspace == nullptr || workspace_bytes < plan.workspace_bytes)
    return ::dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp, "workspace of %zu bytes, the plan needs %llu", workspace_bytes,
                      (unsigned long long)plan.workspace_bytes);
  return t[plan.variant].run(dev, desc, args, workspace, workspace_bytes, stream);
}

}  // namespace dw::gemm
