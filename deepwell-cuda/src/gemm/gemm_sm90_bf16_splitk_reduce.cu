// BF16 x BF16 -> BF16/FP32 on sm_90a for outputs too small to fill the GPU with a long K (the
// weight gradients, 768x768x16384): split-K with a separate reduction, built from CUTLASS's
// pointer-array ping-pong kernel.
//
// Why: CUTLASS 4.2 splits K only on its cooperative kernel (slower per tile than ping-pong here),
// and passes a tile's partial sums from one split to the next through a turnstile inside the GEMM,
// one after the other (its separate-reduction mode is disabled in this release). Here each tile's
// K loop is cut into S equal ranges, every (tile, range) piece is a group of one grouped GEMM (a
// 128x256 cluster tile and a K range, so one launch runs them all) and writes its FP32 partial
// sums to a slot of its own; no piece waits for another; a second kernel adds a tile's S slots in
// K order (the same bits on every run) and applies the epilogue.
//
// The groups are numbered split-major (all tiles' first ranges, then the second ...), so the pieces
// running at one time read the same K slab of A and B and share it in L2. A first version cut all
// k-iterations into one equal share per cluster, as stream-K does (pieces of a share in one or two
// tiles): balanced, but its concurrent pieces read K at scattered offsets and it ran 1.4-1.6x
// slower per k-iteration (H100, 2026-11-27: 380 TFLOP/s on 768x768x16384 where split-K 3 ran 449).
//
// S comes from a model of waves and slot traffic, host policy in gemm_sm90_select.cpp
// (sm90_reduce_splits; P cluster tiles, C resident clusters, I = ceil(K / 64)).
#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "gemm_epilogue_math.cuh"
#include "gemm_sm90_grouped_common.cuh"

namespace dw::gemm::sm90 {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::Shape;
using bf16 = cutlass::bfloat16_t;

// The grouped family's ping-pong 128x128 tile with clusters of two along N, FP32 output (the
// partial sums). Each group is one 128x256 cluster tile.
using PieceConfig = grouped::GroupedConfig<bf16, float, Shape<_128, _128, _64>, Shape<_1, _2, _1>,
                                           cutlass::gemm::KernelPtrArrayTmaWarpSpecializedPingpong,
                                           cutlass::epilogue::PtrArrayTmaWarpSpecializedPingpong, Scaling::kNone>;
using PieceArrays = grouped::Arrays<PieceConfig>;

constexpr const char* kSplitKReduce = "CUTLASS sm90 BF16 split-K with a separate reduction";
constexpr int kTileM = 128, kTileN = 256, kTileK = 64;  // the cluster tile, the k-iteration
constexpr int kSlotFloats = kTileM * kTileN;             // one piece's partial sums
constexpr int kSetupThreads = 1024;
constexpr int kReduceThreads = 256;

// The decomposition of one problem; the host and the setup kernel use the same.
struct Decomposition {
  int64_t m, n, k;
  int64_t tiles_n;     // cluster tiles along N
  int64_t tiles;       // P
  int64_t iterations;  // I: k-iterations per tile
  int64_t splits;      // S: K ranges per tile
  int64_t clusters;    // C: the grid, in clusters of two
  __host__ __device__ int64_t pieces() const { return tiles * splits; }
  __host__ __device__ int64_t range_begin(int64_t s) const { return s * iterations / splits; }
};

// How many clusters of two this kernel keeps resident at once (asked of the runtime with its real
// shared-memory footprint; cached per device): the grid, and the C of the split model, so that a
// decomposition meant as whole waves is not stretched by clusters the GPCs cannot place at once
// (CUTLASS's own sm90 grid assumes 66 pairs on a 132-SM H100; it measured 66 there). 0: unknown.
int resident_clusters(const DeviceInfo& dev) {
  static std::atomic<int> cache[64];
  const int slot = dev.device >= 0 && dev.device < 64 ? dev.device : -1;
  if (slot >= 0 && cache[slot].load() > 0) return cache[slot].load();
  using Kernel = PieceConfig::Kernel;
  const void* kernel = reinterpret_cast<const void*>(&cutlass::device_kernel<Kernel>);
  const int smem = static_cast<int>(Kernel::SharedStorageSize);
  if (cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  cudaLaunchConfig_t cfg{};
  cudaLaunchAttribute attr[1];
  cfg.gridDim = dim3(1, 2, 1);
  cfg.blockDim = dim3(Kernel::MaxThreadsPerBlock, 1, 1);
  cfg.dynamicSmemBytes = static_cast<size_t>(smem);
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = 1;
  attr[0].val.clusterDim.y = 2;
  attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  int clusters = 0;
  if (cudaOccupancyMaxActiveClusters(&clusters, kernel, &cfg) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  if (slot >= 0 && clusters > 0) cache[slot].store(clusters);
  return clusters;
}

// DEEPWELL_SPLITK_REDUCE_SPLITS (docs/NATIVE.md): an experiment's split count, 1-64; 0 when unset.
// Read once, not on every call: the decomposition is made again for each run.
int64_t forced_splits() {
  static const int64_t splits = [] {
    const char* v = std::getenv("DEEPWELL_SPLITK_REDUCE_SPLITS");
    if (v == nullptr) return int64_t{0};
    const int64_t want = std::atoll(v);
    return want < 1 ? int64_t{1} : want > 64 ? int64_t{64} : want;
  }();
  return splits;
}

Decomposition decompose(const DeviceInfo& dev, const dw_gemm_desc& d) {
  Decomposition r{};
  r.m = d.m;
  r.n = d.n;
  r.k = d.k;
  r.tiles_n = ceil_div(d.n, kTileN);
  r.tiles = ceil_div(d.m, kTileM) * r.tiles_n;
  r.iterations = ceil_div(d.k, kTileK);
  const int64_t pairs = dev.sm_count >= 2 ? dev.sm_count / 2 : 1, resident = resident_clusters(dev);
  r.clusters = resident > 0 && resident < pairs ? resident : pairs;
  r.splits = sm90_reduce_splits(r.tiles, r.iterations, r.clusters);  // 0 for K = 0: no pieces
  if (const int64_t want = forced_splits(); want > 0 && r.iterations > 0)
    r.splits = want < r.iterations ? want : r.iterations;
  return r;
}

// Workspace: [CUTLASS's per-group arrays | CUTLASS's workspace | slots]. The slots are P S x 128 KiB:
// for what the rule gives this variant (at most C / 2 tiles) a few MB; forced onto a large output
// with S = 1 they amount to an FP32 copy of D.
struct Layout {
  size_t slots, total;
};

// `front`: the arrays' bytes (PieceArrays::carve), after which CUTLASS's workspace starts.
Layout layout(const Decomposition& dc, size_t front, size_t cutlass_ws) {
  Layout l{};
  l.slots = (front + cutlass_ws + 255) / 256 * 256;
  l.total = l.slots + static_cast<size_t>(dc.pieces()) * kSlotFloats * sizeof(float);
  return l;
}

// Every group's shape, pointers and strides: group g = split s of tile t with g = s P + t; its
// slot is t S + s (a tile's slots adjacent, in K order).
__global__ void __launch_bounds__(kSetupThreads)
    setup_pieces(const Decomposition dc, PieceArrays w, const bf16* a, const bf16* b, float* slots) {
  for (int64_t g = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; g < dc.pieces();
       g += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t s = g / dc.tiles, t = g % dc.tiles;
    const int64_t m0 = t / dc.tiles_n * kTileM, n0 = t % dc.tiles_n * kTileN;
    const int64_t k0 = dc.range_begin(s) * kTileK, k_end = dc.range_begin(s + 1) * kTileK;
    const int64_t k1 = k_end < dc.k ? k_end : dc.k;
    const int mg = static_cast<int>(dc.m - m0 < kTileM ? dc.m - m0 : kTileM);
    const int ng = static_cast<int>(dc.n - n0 < kTileN ? dc.n - n0 : kTileN);
    w.shapes[g] = cute::make_shape(mg, ng, static_cast<int>(k1 - k0));
    w.a[g] = a + m0 * dc.k + k0;
    w.b[g] = b + n0 * dc.k + k0;
    w.d[g] = slots + (t * dc.splits + s) * kSlotFloats;
    w.bias[g] = nullptr;
    // The full K is the row stride of A and B; a slot's rows are kTileN floats apart.
    w.stride_a[g] =
        cutlass::make_cute_packed_stride(PieceConfig::StrideA{}, cute::make_shape(mg, static_cast<int>(dc.k), 1));
    w.stride_b[g] =
        cutlass::make_cute_packed_stride(PieceConfig::StrideB{}, cute::make_shape(ng, static_cast<int>(dc.k), 1));
    w.stride_d[g] = cutlass::make_cute_packed_stride(PieceConfig::StrideD{}, cute::make_shape(mg, int{kTileN}, 1));
  }
}

// D[m][n..n+3] = epilogue(sum of the tile's S slots, in K order); four columns per thread (N is a
// multiple of 4 for either output type).
template <class OutT>
__global__ void __launch_bounds__(kReduceThreads)
    reduce_pieces(const Decomposition dc, const float* slots, EpilogueArgs e) {
  const int64_t quads_per_row = dc.n / 4, quads = dc.m * quads_per_row;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kReduceThreads;
  for (int64_t q = static_cast<int64_t>(blockIdx.x) * kReduceThreads + threadIdx.x; q < quads; q += stride) {
    const int64_t m = q / quads_per_row, n = q % quads_per_row * 4;
    const int64_t tile = m / kTileM * dc.tiles_n + n / kTileN;
    const int64_t offset = m % kTileM * kTileN + n % kTileN;
    float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int64_t s = tile * dc.splits; s < (tile + 1) * dc.splits; ++s) {
      const float4 p = *reinterpret_cast<const float4*>(slots + s * kSlotFloats + offset);
      acc.x += p.x;
      acc.y += p.y;
      acc.z += p.z;
      acc.w += p.w;
    }
    const float in[4] = {acc.x, acc.y, acc.z, acc.w};
    const int64_t i = m * dc.n + n;
#pragma unroll
    for (int j = 0; j < 4; ++j) e.store<OutT>(in[j], i + j, n + j);
  }
}

// Plans (needed != nullptr: checks and sizes the workspace) or runs.
template <class OutT>
dw_status run_splitk_reduce(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, int swizzle,
                             void* workspace, size_t workspace_bytes, cudaStream_t stream, size_t* needed) {
  using Gemm = typename PieceConfig::Gemm;
  constexpr int kAlignD = 16 / static_cast<int>(sizeof(OutT));
  dw_status st = check_shape(desc, PieceConfig::kAlignAB, kAlignD, false);
  if (st != DW_SUCCESS) return st;
  if (desc.m == 0 || desc.n == 0) {
    if (needed != nullptr) *needed = 0;
    return DW_SUCCESS;
  }
  const Decomposition dc = decompose(dev, desc);
  if (dc.pieces() > INT_MAX / 2)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "m=%lld n=%lld: too many tiles", (long long)desc.m,
                     (long long)desc.n);
  const int groups = static_cast<int>(dc.pieces());

  char* base = static_cast<char*>(workspace);
  PieceArrays w{};
  const size_t front = PieceArrays::carve(groups, needed != nullptr ? nullptr : base, &w);

  typename Gemm::Arguments arguments = grouped::pointer_array_arguments<PieceConfig>(w, groups, dev, swizzle);
  // Plain partial sums: alpha, bias, activation and out_scale belong to the reduction.
  arguments.epilogue.thread = {{{{1.0f}}, {}, {nullptr, 0.0f, {}}, {}}, {static_cast<int>(DW_GEMM_ACT_NONE), 1.0f}};
  arguments.hw_info.max_active_clusters = static_cast<int>(dc.clusters);  // the grid S was chosen for
  const bool has_pieces = dc.pieces() > 0;  // K = 0: the reduction alone writes epilogue(0)
  if (has_pieces && Gemm::can_implement(arguments) != cutlass::Status::kSuccess)
    return fail_sm90(DW_ERROR_GEMM_UNSUPPORTED, "can_implement refused m=%lld n=%lld k=%lld", (long long)desc.m,
                     (long long)desc.n, (long long)desc.k);
  const Layout l = layout(dc, front, has_pieces ? Gemm::get_workspace_size(arguments) : 0);
  if (needed != nullptr) {
    *needed = l.total;
    return DW_SUCCESS;
  }
  if (l.total > workspace_bytes || workspace == nullptr)
    return fail_sm90(DW_ERROR_INVALID_ARGUMENT, "workspace of %zu bytes needed, %zu given", l.total,
                     workspace_bytes);
  float* slots = reinterpret_cast<float*>(base + l.slots);

  if (has_pieces) {
    const int64_t blocks = ceil_div(dc.pieces(), int64_t{kSetupThreads});
    setup_pieces<<<static_cast<unsigned>(blocks), kSetupThreads, 0, stream>>>(
        dc, w, static_cast<const bf16*>(args.a), static_cast<const bf16*>(args.b), slots);
    st = dw::check(cudaGetLastError(), kSplitKReduce, "setup kernel launch, %d pieces", groups);
    if (st != DW_SUCCESS) return st;
    Gemm gemm;
    cutlass::Status s = gemm.initialize(arguments, w.cutlass_workspace, stream);
    if (s != cutlass::Status::kSuccess)
      return fail_sm90(DW_ERROR_INTERNAL, "initialize failed: %s", cutlassGetStatusString(s));
    s = gemm.run(stream);
    if (s != cutlass::Status::kSuccess)
      return fail_sm90(DW_ERROR_INTERNAL, "run failed: %s", cutlassGetStatusString(s));
    st = dw::check(cudaGetLastError(), kSplitKReduce, "kernel launch, m=%lld n=%lld k=%lld, %d pieces",
                   (long long)desc.m, (long long)desc.n, (long long)desc.k, groups);
    if (st != DW_SUCCESS) return st;
  }
  const int64_t quads = desc.m * desc.n / 4;
  const int64_t blocks64 = ceil_div(quads, int64_t{kReduceThreads});
  const int64_t cap = int64_t{dev.sm_count > 0 ? dev.sm_count : 1} * 8;
  const unsigned blocks = static_cast<unsigned>(blocks64 < cap ? blocks64 : cap);
  const EpilogueArgs e = epilogue_args(desc, args);
  using DevOut = cute::conditional_t<cute::is_same_v<OutT, float>, float, __nv_bfloat16>;
  reduce_pieces<DevOut><<<blocks, kReduceThreads, 0, stream>>>(dc, slots, e);
  return dw::check(cudaGetLastError(), kSplitKReduce, "reduction launch, %d pieces", groups);
}

}  // namespace

dw_status bf16_splitk_reduce_run_bf16(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                                       int swizzle, void* ws, size_t ws_bytes, cudaStream_t stream, size_t* needed) {
  return run_splitk_reduce<bf16>(dev, desc, args, swizzle, ws, ws_bytes, stream, needed);
}

dw_status bf16_splitk_reduce_run_f32(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                                      int swizzle, void* ws, size_t ws_bytes, cudaStream_t stream, size_t* needed) {
  return run_splitk_reduce<float>(dev, desc, args, swizzle, ws, ws_bytes, stream, needed);
}

}  // namespace dw::gemm::sm90
