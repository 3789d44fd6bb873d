// sm_90a building blocks of Deepwell's own Hopper GEMM kernels (no CUTLASS): shared-memory
// mbarriers and their stage rings, TMA and bulk copies, wgmma descriptors and fences, the
// persistent tile raster, split-K work units and their reduction, the BF16 wgmma with A from
// registers or from shared memory and the staged stores of a register epilogue; on the host, their
// TMA descriptors, grid and split. Used by gemm_sm90_bf16_wgmma.cu (BF16, both operands by TMA),
// gemm_sm90_mxfp8_wgmma.cu (FP8 wgmma, scales applied while accumulating),
// gemm_sm90_mxfp8_fused.cu (BF16 wgmma, A dequantized in registers), gemm_sm90_nvfp4w.cu (NVFP4
// weights decoded in registers) and the decode GEMV's TMA engine (gemv_nvfp4_tma.cu, which uses only the mbarrier, ring and TMA parts: those are
// valid on every sm_90+ target; the wgmma parts are sm_90a only).
#pragma once

#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_bf16.h>

#include <cstdint>
#include <type_traits>

#include "gemm_epilogue_math.cuh"
#include "gemm_internal.h"

namespace dw::gemm::sm90 {

// The CTA both kernels launch: two consumer warpgroups (warps 0-7, 64 rows of the output tile
// each) and a producer warpgroup (warps 8-11) of which one lane of warp 8 issues the TMA copies.
// ptxas gives the CTA 64K / kThreads registers per thread at launch (168); setmaxnreg moves the
// producer group's surplus to the consumers and can never exceed what the CTA holds (an .inc that
// asks for more waits forever).
constexpr int kConsumerWarps = 8;
constexpr int kTmaWarp = kConsumerWarps;
constexpr int kThreads = (kConsumerWarps + 4) * 32;
constexpr int kProducerRegs = 40;
constexpr int kLaunchRegs = 65536 / kThreads / 8 * 8;
constexpr int kConsumerRegs = (kLaunchRegs * kThreads - 128 * kProducerRegs) / (kConsumerWarps * 32) / 8 * 8;
static_assert(kConsumerRegs == 232 && kConsumerRegs * kConsumerWarps * 32 + 128 * kProducerRegs <= 65536,
              "setmaxnreg budgets");

// ---- host ---------------------------------------------------------------------------------------

// A tiled tensor map of `rank` dimensions (dims[0] innermost, strides in bytes of dims 1..rank-1),
// boxes of box[] elements, zero fill outside the tensor; false when the driver lacks the encoder or
// refuses the map.
inline bool encode_tiled_map(CUtensorMap* map, CUtensorMapDataType type, uint32_t rank, const void* base,
                             const cuuint64_t* dims, const cuuint64_t* strides, const cuuint32_t* box,
                             CUtensorMapSwizzle swizzle) {
  const auto encode = reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(dw::tensor_map_encoder());
  if (encode == nullptr) return false;
  const cuuint32_t elem_strides[3] = {1u, 1u, 1u};
  return rank <= 3 &&
         encode(map, type, rank, const_cast<void*>(base), dims, strides, box, elem_strides,
                CU_TENSOR_MAP_INTERLEAVE_NONE, swizzle, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE) == CUDA_SUCCESS;
}

// A 2-D tensor map over a row-major [rows][cols] matrix (rows row_bytes apart), boxes of box_cols x
// box_rows elements (see encode_tiled_map).
inline bool encode_2d_map(CUtensorMap* map, CUtensorMapDataType type, const void* base, int64_t rows, int64_t cols,
                          int64_t row_bytes, uint32_t box_cols, uint32_t box_rows, CUtensorMapSwizzle swizzle) {
  const cuuint64_t dims[2] = {static_cast<cuuint64_t>(cols), static_cast<cuuint64_t>(rows)};
  const cuuint64_t strides[1] = {static_cast<cuuint64_t>(row_bytes)};
  const cuuint32_t box[2] = {box_cols, box_rows};
  return encode_tiled_map(map, type, 2, base, dims, strides, box, swizzle);
}

// The failure of encode_2d_map for an operation's A/B maps.
inline dw_status tensor_maps_refused(const char* operation, const dw_gemm_desc& d) {
  return dw::fail(DW_ERROR_INTERNAL, operation,
                  "the driver refused a TMA descriptor (m=%lld n=%lld k=%lld) or lacks cuTensorMapEncodeTiled",
                  (long long)d.m, (long long)d.n, (long long)d.k);
}

// A persistent kernel's grid: one CTA per SM, fewer when there are fewer work units.
inline int persistent_grid(const DeviceInfo& dev, int64_t units) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  return static_cast<int>(units < sms ? units : sms);
}

// Split-K of the NVFP4-weight kernel (the MXFP8 fused kernel's comes from a fitted model,
// sm90_mxfp8_fused_split in gemm_sm90_select.cpp): where its `tiles` output tiles fill less than
// half of the SMs (few tokens on few weight rows), each tile's K loop of `k_tiles` k-tiles is cut
// into as many ranges as fill one round, each at least kMinSplitKTiles (1024 of K) so that the
// FP32 partial sums' traffic stays small next to the main loop. Ranges are an even number of
// k-tiles (the kernels alternate two fragment sets) and none is empty. All ranges of a round start
// together, so the CTAs running at once share A's and B's tiles in L2; stream-K (one contiguous
// share of all k-tiles per CTA, tried for both kernels) loses that and ran up to 1.6x slower
// (docs/PERFORMANCE.md, session 16).
constexpr int kMinSplitKTiles = 16;

struct SplitK {
  int splits = 1, split_k_tiles = 0;
};

inline SplitK split_k_for(const DeviceInfo& dev, int64_t tiles, int64_t k_tiles) {
  const int64_t sms = dev.sm_count > 0 ? dev.sm_count : 1;
  int64_t s = 1;
  if (2 * tiles <= sms) {
    s = sms / tiles;
    if (s > k_tiles / kMinSplitKTiles) s = k_tiles / kMinSplitKTiles;
    if (s < 1) s = 1;
  }
  SplitK r;
  r.split_k_tiles = static_cast<int>((ceil_div(k_tiles, s) + 1) / 2 * 2);
  r.splits = static_cast<int>(ceil_div(k_tiles, r.split_k_tiles));
  return r;
}

// ---- device -------------------------------------------------------------------------------------

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(count) : "memory");
}

__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}

__device__ __forceinline__ void mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}

__device__ __forceinline__ void mbar_wait(uint32_t bar, uint32_t parity) {
  uint32_t done = 0;
  do {
    asm volatile(
        "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
        : "=r"(done)
        : "r"(bar), "r"(parity)
        : "memory");
  } while (done == 0);
}

// The first 1024-byte aligned byte of dynamic shared memory (the 128-byte swizzle's atom is 8
// rows of 128 bytes; launch with 1024 bytes of slack).
__device__ __forceinline__ uint8_t* align_smem_1024(uint8_t* smem_raw) {
  const uint32_t raw = smem_addr(smem_raw);
  return smem_raw + (((raw + 1023u) & ~1023u) - raw);
}

// The mbarriers of a producer/consumer ring of `stages` stages, from `base`: full(s) for every
// stage (the producer's arrivals, with the transaction bytes of its copies), then empty(s) (one
// arrival per consumer warp when it is done with the stage). A (stage, phase) pair walks the ring;
// phase is the parity a wait on full expects (a wait on empty expects phase ^ 1, which a fresh
// barrier passes at once).
struct RingBarriers {
  uint32_t base;
  int stages;
  __device__ uint32_t full(int s) const { return base + 8u * s; }
  __device__ uint32_t empty(int s) const { return base + 8u * (stages + s); }
  __device__ void advance(int& s, uint32_t& phase) const {
    if (++s == stages) {
      s = 0;
      phase ^= 1u;
    }
  }
  // One consumer warp hands stage s back to the producer (after all its lanes are done with it).
  __device__ void release(int s, int lane) const {
    __syncwarp();
    if (lane == 0) mbar_arrive(empty(s));
  }
  // Thread 0 sets up the barriers, every thread of the CTA waits for it.
  __device__ void init(uint32_t full_arrivals, uint32_t consumer_warps) const {
    if (threadIdx.x == 0) {
      for (int s = 0; s < stages; ++s) {
        mbar_init(full(s), full_arrivals);
        mbar_init(empty(s), consumer_warps);
      }
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncthreads();
  }
};

// A ring of kStages stages of kStageBytes from `base` (1024-aligned), its barriers after them; the
// producer's one arrival per stage (a lane that issues the TMA copies).
template <int kStages, int kStageBytes>
struct StageRing {
  uint32_t base;
  __device__ RingBarriers barriers() const { return RingBarriers{base + kStages * kStageBytes, kStages}; }
  __device__ uint32_t stage(int s) const { return base + s * kStageBytes; }
  __device__ uint32_t full(int s) const { return barriers().full(s); }
  __device__ uint32_t empty(int s) const { return barriers().empty(s); }
  __device__ static void advance(int& s, uint32_t& phase) { RingBarriers{0u, kStages}.advance(s, phase); }
  __device__ void release(int s, int lane) const { barriers().release(s, lane); }
  __device__ void init(int consumer_warps) const { barriers().init(1, consumer_warps); }
};

__device__ __forceinline__ void prefetch_tensor_map(const void* map) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<uint64_t>(map)) : "memory");
}

__device__ __forceinline__ void tma_load_2d(uint32_t dst, const void* map, int x, int y, uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];" ::"r"(
          dst),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(x), "r"(y), "r"(bar)
      : "memory");
}

__device__ __forceinline__ void tma_load_3d(uint32_t dst, const void* map, int x, int y, int z, uint32_t bar) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4}], [%5];" ::"r"(
          dst),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(x), "r"(y), "r"(z), "r"(bar)
      : "memory");
}

__device__ __forceinline__ void bulk_load(uint32_t dst, const void* src, uint32_t bytes, uint32_t bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(dst),
               "l"(src), "r"(bytes), "r"(bar)
               : "memory");
}

// Shared-memory matrix descriptor of a K-major operand tile written by TMA with the 128-byte
// swizzle: rows of 128 bytes, 8-row groups 1024 bytes apart (stride byte offset), layout type 1
// (SWIZZLE_128B) in bits 62-63; the leading byte offset is unused for this layout. Adding n to
// the descriptor moves its start by 16n bytes: +2 selects the next 32 bytes of K inside the
// swizzle atom (32 FP8 or 16 BF16 values).
__device__ __forceinline__ uint64_t sw128_desc(uint32_t addr) {
  return static_cast<uint64_t>((addr & 0x3FFFFu) >> 4) | (uint64_t(1) << 16) | (uint64_t(1024 >> 4) << 32) |
         (uint64_t(1) << 62);
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
template <int kPending>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(kPending) : "memory");
}

// Keeps the compiler from moving reads of wgmma results above wgmma_wait(): the asm "redefines"
// every register, after the wait in program order.
template <int kN>
__device__ __forceinline__ void fence_registers(float (&r)[kN]) {
#pragma unroll
  for (int i = 0; i < kN; ++i) asm volatile("" : "+f"(r[i])::"memory");
}

// Named barrier 1 among `threads` threads (the consumer warps; 0 is __syncthreads()).
__device__ __forceinline__ void named_sync(int threads) {
  asm volatile("bar.sync 1, %0;" ::"r"(threads) : "memory");
}

// Tile t of a persistent CTA's static schedule: groups of kGroupM tile rows, column-major inside
// a group (consecutive CTAs share B's tiles in L2).
template <int kGroupM>
__device__ __forceinline__ void tile_coords(int t, int tiles_m, int tiles_n, int& tm, int& tn) {
  const int per_group = kGroupM * tiles_n;
  const int group = t / per_group, first = group * kGroupM;
  const int rows = tiles_m - first < kGroupM ? tiles_m - first : kGroupM;
  const int within = t - group * per_group;
  tm = first + within % rows;
  tn = within / rows;
}

// Work unit u of a split-K persistent schedule: output tile u / splits (tile_coords' raster), K
// range u % splits of split_k_tiles k-tiles.
struct SplitWorkUnit {
  int tm, tn, split, k_begin, k_end;
};

template <int kGroupM>
__device__ __forceinline__ SplitWorkUnit split_work_unit(int u, int tiles_m, int tiles_n, int splits, int split_k_tiles,
                                                         int k_tiles) {
  SplitWorkUnit w;
  w.split = u % splits;
  tile_coords<kGroupM>(u / splits, tiles_m, tiles_n, w.tm, w.tn);
  w.k_begin = w.split * split_k_tiles;
  w.k_end = min(w.k_begin + split_k_tiles, k_tiles);
  return w;
}

// The consumers' k loop over one work unit's k-tiles [k_begin, k_end) of a ring, with two register
// fragment sets (the MXFP8 fused and NVFP4-weight kernels, whose wgmma A operand is decoded in
// registers): k-tile kt's wgmmas read one set while kt + 1 is decoded into the other, and
// wgmma_wait<1> after issuing kt retires kt - 1, which frees its stage and its set. load(stage,
// set, f) fills set f (set = 0 or 1, the k-tile's parity counted from k_begin) from a full stage;
// mma(stage, f) issues and commits the k-tile's wgmmas. (Three sets with wgmma_wait<2> make ptxas
// serialize every wgmma, C7513.) Returns after wgmma_wait<0> with the last k-tile's stage, which the
// caller releases once it has fenced its accumulators (fence_registers).
template <class Ring, class Load, class Mma>
__device__ __forceinline__ int two_set_k_loop(const Ring& ring, int& stage, uint32_t& phase, int k_begin, int k_end,
                                              int lane, Load&& load, Mma&& mma) {
  uint32_t f0[4][4], f1[4][4];
  mbar_wait(ring.full(stage), phase);
  load(stage, 0, f0);
  int prev = stage;
  for (int kt = k_begin; kt < k_end; kt += 2) {
    mma(stage, f0);
    wgmma_wait<1>();
    if (kt > k_begin) ring.release(prev, lane);
    prev = stage;
    ring.advance(stage, phase);
    if (kt + 1 >= k_end) break;
    mbar_wait(ring.full(stage), phase);
    load(stage, 1, f1);
    mma(stage, f1);
    wgmma_wait<1>();
    ring.release(prev, lane);
    prev = stage;
    ring.advance(stage, phase);
    if (kt + 2 < k_end) {
      mbar_wait(ring.full(stage), phase);
      load(stage, 0, f0);
    }
  }
  wgmma_wait<0>();
  return prev;
}

// The epilogue of a split-K work unit: its FP32 partial sums, plain, into plane `split` of
// partial[split][M][N] (the reduction applies the problem's epilogue).
__device__ __forceinline__ EpilogueArgs split_partial_epilogue(float* partial, int split, const EpilogueArgs& e) {
  const int64_t plane = static_cast<int64_t>(e.m) * e.n;
  return EpilogueArgs{partial + split * plane, nullptr, nullptr, e.m, e.n, 1.0f, 1.0f, DW_GEMM_ACT_NONE};
}

// ---- BF16 wgmma with A from registers (wgmma RS) ------------------------------------------------

#define DW_R8(b) "+f"(d[b]), "+f"(d[b + 1]), "+f"(d[b + 2]), "+f"(d[b + 3]), "+f"(d[b + 4]), "+f"(d[b + 5]), \
                 "+f"(d[b + 6]), "+f"(d[b + 7])

// d += A (64 x 16 from the four fragment registers a) * B (N x 16, K-major, descriptor db)^T.
__device__ __forceinline__ void wgmma_m64n256k16_bf16_rs(float (&d)[128], const uint32_t (&a)[4], uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, "
      "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "
      "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, "
      "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, "
      "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}, "
      "{%128, %129, %130, %131}, %132, p, 1, 1, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24), DW_R8(32), DW_R8(40), DW_R8(48), DW_R8(56), DW_R8(64), DW_R8(72),
        DW_R8(80), DW_R8(88), DW_R8(96), DW_R8(104), DW_R8(112), DW_R8(120)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db)
      : "memory");
}

__device__ __forceinline__ void wgmma_m64n192k16_bf16_rs(float (&d)[96], const uint32_t (&a)[4], uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n192k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, "
      "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "
      "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95}, "
      "{%96, %97, %98, %99}, %100, p, 1, 1, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24), DW_R8(32), DW_R8(40), DW_R8(48), DW_R8(56), DW_R8(64), DW_R8(72),
        DW_R8(80), DW_R8(88)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db)
      : "memory");
}

__device__ __forceinline__ void wgmma_m64n128k16_bf16_rs(float (&d)[64], const uint32_t (&a)[4], uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
      "{%64, %65, %66, %67}, %68, p, 1, 1, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24), DW_R8(32), DW_R8(40), DW_R8(48), DW_R8(56)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db)
      : "memory");
}

__device__ __forceinline__ void wgmma_m64n64k16_bf16_rs(float (&d)[32], const uint32_t (&a)[4], uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
      "{%32, %33, %34, %35}, %36, p, 1, 1, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24)
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(db)
      : "memory");
}

template <int kN>
__device__ __forceinline__ void wgmma_bf16_rs(float (&d)[kN / 2], const uint32_t (&a)[4], uint64_t db) {
  static_assert(kN == 256 || kN == 192 || kN == 128 || kN == 64, "wgmma RS widths of these kernels");
  if constexpr (kN == 256) wgmma_m64n256k16_bf16_rs(d, a, db);
  else if constexpr (kN == 192) wgmma_m64n192k16_bf16_rs(d, a, db);
  else if constexpr (kN == 128) wgmma_m64n128k16_bf16_rs(d, a, db);
  else wgmma_m64n64k16_bf16_rs(d, a, db);
}

// ---- BF16 wgmma with both operands from shared memory (wgmma SS) ---------------------------------
// The widths gemm_sm90_bf16_wgmma.cu builds (its 128x256, 128x192 and 128x128 tiles were measured in
// session 19 through wrappers like these and left out: see docs/PERFORMANCE.md).

// d += A (64 x 16, K-major, descriptor da) * B (N x 16, K-major, descriptor db)^T.
__device__ __forceinline__ void wgmma_m64n112k16_bf16_ss(float (&d)[56], uint64_t da, uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n112k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55}, "
      "%56, %57, p, 1, 1, 0, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24), DW_R8(32), DW_R8(40), DW_R8(48)
      : "l"(da), "l"(db)
      : "memory");
}

__device__ __forceinline__ void wgmma_m64n96k16_bf16_ss(float (&d)[48], uint64_t da, uint64_t db) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, 1, 0;\n"
      " wgmma.mma_async.sync.aligned.m64n96k16.f32.bf16.bf16 {"
      "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47}, "
      "%48, %49, p, 1, 1, 0, 0;\n}"
      : DW_R8(0), DW_R8(8), DW_R8(16), DW_R8(24), DW_R8(32), DW_R8(40)
      : "l"(da), "l"(db)
      : "memory");
}

#undef DW_R8

template <int kN>
__device__ __forceinline__ void wgmma_bf16_ss(float (&d)[kN / 2], uint64_t da, uint64_t db) {
  static_assert(kN == 112 || kN == 96, "wgmma SS widths of these kernels");
  if constexpr (kN == 112) wgmma_m64n112k16_bf16_ss(d, da, db);
  else wgmma_m64n96k16_bf16_ss(d, da, db);
}

// Two neighbouring outputs of a row: one 4- or 8-byte store when both exist and D's rows keep
// pairs aligned (N even), else one at a time.
template <class OutT>
__device__ __forceinline__ void store_pair(OutT* d, int64_t off, float v0, float v1, bool both, bool pair_ok) {
  if (both && pair_ok) {
    if constexpr (sizeof(OutT) == 4) {
      *reinterpret_cast<float2*>(d + off) = make_float2(v0, v1);
    } else {
      *reinterpret_cast<__nv_bfloat162*>(d + off) = __floats2bfloat162_rn(v0, v1);
    }
  } else {
    d[off] = from_float<OutT>(v0);
    if (both) d[off + 1] = from_float<OutT>(v1);
  }
}

// (EpilogueArgs, the epilogue a problem asks for: gemm_epilogue_math.cuh.)

// The epilogue of gemm.h (alpha, bias, GELU/SiLU, out_scale, residual) of a wgmma m64nN
// accumulator fragment (PTX ISA, wgmma D layout): thread (warp w of its warpgroup, lane l) holds
// rows 16w + l/4 and +8, columns 8i + 2(l%4) and +1, at acc[4i + 0..3] = (r, c), (r, c+1),
// (r+8, c), (r+8, c+1).
//
// Each warp passes its 16 rows through shared memory 32 columns at a time and stores them from
// a loop that is not unrolled: half a warp per row, 64 contiguous bytes of BF16 output per store
// instruction. The first version computed and stored straight from the registers, fully unrolled:
// ~200 KB of straight-line code (the activation, with erff, inlined per element), executed once
// per tile, which stalled on instruction fetch for 38% of an 8192^3 GEMM's time (Nsight Compute,
// H100, MXFP8 fused kernel).
constexpr int kEpilogueChunk = 32;                     // columns staged at a time
constexpr int kEpilogueStride = kEpilogueChunk + 8;    // floats per staged row (2-way bank conflicts at most)
constexpr int kEpilogueWarpFloats = 16 * kEpilogueStride;
constexpr int kEpilogueWarpBytes = kEpilogueWarpFloats * 4;  // 2560 bytes of shared memory per consumer warp

// Rows row_base .. row_base + 15, columns col_base .. col_base + width - 1 (width 32, or 16 for the
// last chunk of a 112-wide tile) of D from a warp's staging.
template <class OutT>
__device__ __forceinline__ void store_staged_chunk(const EpilogueArgs& e, const float* stage, int row_base,
                                                   int col_base, int lane, int width = kEpilogueChunk) {
  const int col = col_base + 2 * (lane & 15);
  if (col >= e.n || 2 * (lane & 15) >= width) return;
  const bool both = col + 1 < e.n, pair_ok = (e.n % 2) == 0;
  const OutT* bias = static_cast<const OutT*>(e.bias);
  const OutT* residual = static_cast<const OutT*>(e.residual);
  const float b0 = bias ? to_float(bias[col]) : 0.0f;
  const float b1 = (bias && both) ? to_float(bias[col + 1]) : 0.0f;
#pragma unroll 1
  for (int r = lane >> 4; r < 16; r += 2) {
    const int row = row_base + r;
    if (row >= e.m) break;
    const float2 a = *reinterpret_cast<const float2*>(stage + r * kEpilogueStride + 2 * (lane & 15));
    const int64_t off = static_cast<int64_t>(row) * e.n + col;
    float v0 = e.apply(a.x, b0);
    float v1 = e.apply(a.y, b1);
    if (residual) {
      v0 += to_float(residual[off]);
      if (both) v1 += to_float(residual[off + 1]);
    }
    store_pair(static_cast<OutT*>(e.d), off, v0, v1, both, pair_ok);
  }
}

// The plain epilogue (no bias, residual or activation; what a GEMM without fused steps runs) of
// a chunk that lies inside D with rows of 16-byte multiples: 8 columns per lane (four lanes per
// row, two passes of 8 rows), one 16-byte store (BF16) or two (FP32) each, unrolled. alpha and
// out_scale are applied as in the general path, skipped when both are 1 (the same values).
template <class OutT>
__device__ __forceinline__ void store_staged_chunk_plain(const EpilogueArgs& e, const float* stage, int row_base,
                                                         int col, int lane, bool unit_scales,
                                                         int width = kEpilogueChunk) {
  const int c = 8 * (lane % 4);
  if (c >= width) return;
#pragma unroll
  for (int pass = 0; pass < 2; ++pass) {
    const int r = 8 * pass + lane / 4, row = row_base + r;
    if (row >= e.m) break;
    const float4 lo = *reinterpret_cast<const float4*>(stage + r * kEpilogueStride + c);
    const float4 hi = *reinterpret_cast<const float4*>(stage + r * kEpilogueStride + c + 4);
    float v[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
    if (!unit_scales) {
#pragma unroll
      for (int i = 0; i < 8; ++i) v[i] = e.out_scale * (e.alpha * v[i]);
    }
    OutT* d = static_cast<OutT*>(e.d) + static_cast<int64_t>(row) * e.n + col + c;
    if constexpr (sizeof(OutT) == 4) {
      reinterpret_cast<float4*>(d)[0] = make_float4(v[0], v[1], v[2], v[3]);
      reinterpret_cast<float4*>(d)[1] = make_float4(v[4], v[5], v[6], v[7]);
    } else {
      uint4 packed;
      uint32_t* w = &packed.x;
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const __nv_bfloat162 pair = __floats2bfloat162_rn(v[2 * i], v[2 * i + 1]);
        w[i] = *reinterpret_cast<const uint32_t*>(&pair);
      }
      *reinterpret_cast<uint4*>(d) = packed;
    }
  }
}

// Whether D can take the plain epilogue's 16-byte stores: no bias, residual or activation, D
// 16-byte aligned with rows of 16-byte multiples (N % 8 for BF16, N % 4 for FP32).
template <class OutT>
__device__ __forceinline__ bool plain_vector_stores(const EpilogueArgs& e) {
  return e.bias == nullptr && e.residual == nullptr && e.activation == DW_GEMM_ACT_NONE &&
         e.n % (16 / static_cast<int>(sizeof(OutT))) == 0 && (reinterpret_cast<uintptr_t>(e.d) & 15u) == 0;
}

// Columns [32 chunk, 32 chunk + 32) of a thread's m64nN fragment (its rows lane / 4 and lane / 4 + 8
// of the warp's 16) into the warp's staging, row-major with kEpilogueStride floats per row; the
// fragment's last columns only where N is not a multiple of 32.
template <int kN>
__device__ __forceinline__ void stage_fragment_chunk(const float (&acc)[kN / 2], int chunk, int lane, float* stage) {
  const int r = lane / 4, q2 = 2 * (lane % 4);
#pragma unroll
  for (int j = 0; j < kEpilogueChunk / 8; ++j) {
    const int i = chunk * (kEpilogueChunk / 8) + j;
    if (i >= kN / 8) break;
    *reinterpret_cast<float2*>(stage + r * kEpilogueStride + 8 * j + q2) = make_float2(acc[4 * i], acc[4 * i + 1]);
    *reinterpret_cast<float2*>(stage + (r + 8) * kEpilogueStride + 8 * j + q2) =
        make_float2(acc[4 * i + 2], acc[4 * i + 3]);
  }
}

// row_base / col_base: the warp's first row and the fragment's first column in D; stage: this
// warp's kEpilogueWarpBytes of shared memory.
template <class OutT, int kN>
__device__ __forceinline__ void store_fragment(const EpilogueArgs& e, const float (&acc)[kN / 2], int row_base,
                                               int col_base, int lane, float* stage) {
  static_assert(kN % 16 == 0, "whole chunks, or a last half chunk (N = 112)");
  const bool plain = plain_vector_stores<OutT>(e);
  const bool unit_scales = e.alpha == 1.0f && e.out_scale == 1.0f;
#pragma unroll
  for (int chunk = 0; chunk < (kN + kEpilogueChunk - 1) / kEpilogueChunk; ++chunk) {
    const int width = kN - chunk * kEpilogueChunk < kEpilogueChunk ? kN - chunk * kEpilogueChunk : kEpilogueChunk;
    stage_fragment_chunk<kN>(acc, chunk, lane, stage);
    __syncwarp();
    const int col = col_base + chunk * kEpilogueChunk;
    if (plain && col + width <= e.n) store_staged_chunk_plain<OutT>(e, stage, row_base, col, lane, unit_scales, width);
    else store_staged_chunk<OutT>(e, stage, row_base, col, lane, width);
    __syncwarp();
  }
}

// ---- split-K: the partial sums added in split order, then the epilogue ----------------------------

constexpr int kReduceThreads = 256;
constexpr int kReduceBatch = 8;  // partial sums loaded before the first add

// partial[split][M][N] (FP32) summed in split order (deterministic) into D with the whole epilogue;
// alpha times *alpha_scale when given (a tensor scale that lives on the device) times alpha_factor.
// kVec = 4: four neighbouring outputs per thread, 16-byte loads (M x N % 4 == 0, so every plane
// stays 16-byte aligned); 1: one output. The loads of kReduceBatch splits are issued before the
// adds. The first form (one scalar load per add, 4 CTAs per SM) kept few bytes in flight: against
// it, in the same runs, the MXFP8 fused weight gradients that split ran 2-6% faster and the
// NVFP4-weight GEMMs that split 5-7% (H200, docs/PERFORMANCE.md, session 18). The adds keep
// split order, so the bits are those of the first form.
template <class OutT, int kVec>
__global__ void __launch_bounds__(kReduceThreads)
    reduce_split_partials(const float* partial, int splits, EpilogueArgs e, const float* alpha_scale,
                          float alpha_factor) {
  using Vec = std::conditional_t<kVec == 4, float4, float>;
  if (alpha_scale != nullptr) e.alpha = e.alpha * (*alpha_scale * alpha_factor);
  const int64_t plane = static_cast<int64_t>(e.m) * e.n / kVec;
  const Vec* planes = reinterpret_cast<const Vec*>(partial);
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kReduceThreads;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kReduceThreads + threadIdx.x; i < plane; i += stride) {
    float acc[kVec];
    for (int s0 = 0; s0 < splits; s0 += kReduceBatch) {
      Vec v[kReduceBatch];
#pragma unroll
      for (int j = 0; j < kReduceBatch; ++j)
        if (s0 + j < splits) v[j] = __ldcs(planes + (s0 + j) * plane + i);  // read once: evict first
#pragma unroll
      for (int j = 0; j < kReduceBatch; ++j) {
        if (s0 + j >= splits) break;
        const float* f = reinterpret_cast<const float*>(&v[j]);
#pragma unroll
        for (int c = 0; c < kVec; ++c) acc[c] = (s0 + j == 0) ? f[c] : acc[c] + f[c];
      }
    }
    const int64_t first = i * kVec;
#pragma unroll
    for (int c = 0; c < kVec; ++c) e.store<OutT>(acc[c], first + c, (first + c) % e.n);
  }
}

// Launches it (D of OutT) on a grid of a few resident waves (it strides over the rest). A template,
// so that only the translation units that reduce instantiate the kernel.
template <class OutT>
dw_status reduce_splits(const DeviceInfo& dev, const float* partial, int splits, const EpilogueArgs& e,
                        const float* alpha_scale, float alpha_factor, const char* operation, cudaStream_t stream) {
  const int64_t plane = static_cast<int64_t>(e.m) * e.n;
  const bool vec4 = plane % 4 == 0 && (reinterpret_cast<uintptr_t>(partial) & 15u) == 0;
  const int64_t items = vec4 ? plane / 4 : plane;
  int64_t blocks = (items + kReduceThreads - 1) / kReduceThreads;
  const int64_t cap = 8 * int64_t(dev.sm_count > 0 ? dev.sm_count : 1);  // 8 x 256 threads: a full SM
  if (blocks > cap) blocks = cap;
  if (blocks < 1) blocks = 1;
  if (vec4)
    reduce_split_partials<OutT, 4><<<static_cast<unsigned>(blocks), kReduceThreads, 0, stream>>>(
        partial, splits, e, alpha_scale, alpha_factor);
  else
    reduce_split_partials<OutT, 1><<<static_cast<unsigned>(blocks), kReduceThreads, 0, stream>>>(
        partial, splits, e, alpha_scale, alpha_factor);
  return dw::check(cudaGetLastError(), operation, "split-K reduction, %d splits", splits);
}

}  // namespace dw::gemm::sm90
