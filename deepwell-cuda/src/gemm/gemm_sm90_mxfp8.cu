// MXFP8 (E4M3 values, one E8M0 scale per 32 consecutive k of a row) on sm_90a: the family of the
// CUTLASS sm90 backend for DW_GEMM_IN_MXFP8. Hopper's tensor cores have no block-scaled MMA (that
// arrives with sm_100), so the 32-deep scales are applied in software, in one of three ways:
//
//  1. FP8 wgmma per 32 of K, promoting each partial sum into the FP32 accumulators with its
//     scales (acc += partial * sA[m] * sB[n]): gemm_sm90_mxfp8_wgmma.cu, our own kernel (CUTLASS
//     4.2's sm90 blockwise mainloop promotes at most once per 128 of K, see there). Bound by the
//     CUDA cores: two FP32 ops per accumulator per 32 of K, ~256 issue cycles against 128 cycles
//     of FP8 wgmma for a 128x128x32 step, so at best BF16's tensor rate. Variant count-3; measured
//     0.21-0.47x our BF16 (H100), never chosen, runs when forced.
//  2. Dequantize both operands to BF16 (exactly, see below) into the plan's workspace with one
//     memory-bound pass, then run our BF16 CUTLASS kernel on the copies (this file). The tensor
//     cores then run at the BF16 rate and the pass costs about 3 bytes of HBM traffic per operand
//     element (read 1, write 2): ~8% of the BF16 time at 8192^3 and 16384x32768x768, 30-50% where
//     N = 768. Variants 0 .. count-4: the BF16 family's configurations, one to one.
//  3. Fused: A dequantized in registers inside a BF16 wgmma main loop, only B through a pass
//     (gemm_sm90_mxfp8_fused.cu, our own kernel): the same BF16 operands as way 2, without A's
//     copy. Variants count-3 (128x256 tiles), count-2 (128x128) and count-1 (128x192).
//
// The choice (variant < 0) is sm90_mxfp8_way (gemm_sm90_select.cpp), from the measurements in
// docs/PERFORMANCE.md: way 3 where N <= 1024 and M >= 4096 (the activations are the large operand)
// or M >= 768 and K >= 8192 (weight gradients that fill the SMs), its tile and split-K by a fitted
// model; way 2 elsewhere.
//
// Exactness of way 2: every E4M3 value times 2^(e-127) is a number with at most 4 significant
// bits, so its BF16 copy (8 bits) is exact unless it falls below BF16's normal range (|x| < 2^-126,
// where it rounds to a BF16 subnormal) or above its largest value (it becomes infinite, as in
// FP32). The BF16 GEMM then accumulates in FP32 like the BF16 kernels. e = 255 (E8M0's NaN)
// and E4M3 NaN codes give NaN copies, which the GEMM propagates to their rows/columns of D.
//
// Scales: row-major [rows][ceil(K/32)] or the 128x4 tiled layout (desc.scale_layout), both read
// in place by the pass.
//
// Shapes (way 2): any M and K (K is zero-padded to a multiple of 8 in the copies, so their rows are
// 16-byte multiples for TMA); N as the BF16 kernels need it (a multiple of 8 for BF16 output,
// 4 for FP32). The variants are the BF16 family's configurations, chosen by its rules.
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include "gemm_blockscaled.h"
#include "gemm_internal.h"
#include "mxfp8_dequant.cuh"  // dequant_pair, shared with the fused kernel
#include "quantize/quant_math.cuh"  // dwq::e8m0_decode: 2^(e-127), 2^-127 for 0, NaN for 255

namespace dw::gemm {
namespace {

constexpr const char* kOperation = "CUTLASS sm90 GEMM";  // as the other sm90 families report
constexpr int kThreads = 256;
constexpr size_t kCopyAlign = 256;  // start of each BF16 copy in the workspace
constexpr int64_t kMaxBlocks = int64_t(1) << 20;

// ---------------------------------------------------------------------------------------------
// Workspace: [A as BF16, M x Kp][B as BF16, N x Kp][the BF16 kernel's own workspace]
// ---------------------------------------------------------------------------------------------

struct Layout {
  int64_t kp = 0;        // K rounded up to 8: BF16 rows of 16-byte multiples
  size_t a_offset = 0;
  size_t b_offset = 0;
  size_t gemm_offset = 0;  // the BF16 kernel's workspace starts here
};

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

Layout layout_for(const dw_gemm_desc& d) {
  Layout l;
  l.kp = (d.k + 7) / 8 * 8;
  const size_t row_bytes = static_cast<size_t>(l.kp) * 2;
  l.a_offset = 0;
  l.b_offset = round_up(static_cast<size_t>(d.m) * row_bytes, kCopyAlign);
  l.gemm_offset = l.b_offset + round_up(static_cast<size_t>(d.n) * row_bytes, kCopyAlign);
  return l;
}

// The problem the BF16 kernel solves: the same one on the BF16 copies.
dw_gemm_desc bf16_problem(const dw_gemm_desc& d, int64_t kp) {
  dw_gemm_desc b = d;
  b.input = DW_GEMM_IN_BF16;
  b.k = kp;
  b.scale_layout = DW_GEMM_SCALES_ROW_MAJOR;  // BF16 has no scales
  return b;
}

// ---------------------------------------------------------------------------------------------
// The dequantizing pass
// ---------------------------------------------------------------------------------------------

__device__ __forceinline__ float dequant_one(uint8_t code, float s) {
  const __half h(__nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(code), __NV_E4M3));
  return __half2float(h) * s;
}

struct Operand {
  const uint8_t* codes;   // [rows][k]
  const uint8_t* scales;  // [rows][ceil(k/32)], row-major or in the 128x4 tiled layout of gemm.h
  __nv_bfloat16* out;     // [rows][kp]
  int64_t rows;
};

// Where the scale of (row, 32-block c) is, for kb = ceil(k/32) scales per row.
template <bool kTiled>
__device__ __forceinline__ int64_t scale_index(int64_t row, int64_t c, int64_t kb) {
  if constexpr (kTiled) return swizzled_scale_offset(row, c, kb);
  else return row * kb + c;
}

// One launch converts both operands: work items [0, a_items) belong to A, the rest to B.
// Fast path (k a multiple of 16, 16-byte aligned codes): an item is 8 values of one row, read with
// one 8-byte load and written with one 16-byte store, so that every load and store instruction of a
// warp covers one contiguous range (256 and 512 bytes). The 8 share one scale.
template <bool kTiled>
__global__ void __launch_bounds__(kThreads) dequant_mxfp8_by8(Operand a, Operand b, int64_t k) {
  const int64_t per_row = k / 8, kb = (k + 31) / 32;
  const int64_t a_items = a.rows * per_row, items = a_items + b.rows * per_row;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kThreads;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < items; i += stride) {
    const bool is_a = i < a_items;
    const int64_t j = is_a ? i : i - a_items;
    const uint8_t* codes = is_a ? a.codes : b.codes;
    const uint8_t* scales = is_a ? a.scales : b.scales;
    __nv_bfloat16* out = is_a ? a.out : b.out;
    const int64_t row = j / per_row, k0 = (j - row * per_row) * 8;
    const float s = dwq::e8m0_decode(__ldg(scales + scale_index<kTiled>(row, k0 / 32, kb)));
    const uint2 v = __ldg(reinterpret_cast<const uint2*>(codes + row * k + k0));
    uint4 o;
    o.x = dequant_pair(v.x, s);
    o.y = dequant_pair(v.x >> 16, s);
    o.z = dequant_pair(v.y, s);
    o.w = dequant_pair(v.y >> 16, s);
    *reinterpret_cast<uint4*>(out + row * k + k0) = o;  // kp == k here
  }
}

// Any k and alignment: an item is 8 outputs of one row of the padded copy (one 16-byte store),
// read byte by byte; the padding k..kp-1 is written as +0 so that it adds nothing.
template <bool kTiled>
__global__ void __launch_bounds__(kThreads) dequant_mxfp8_any(Operand a, Operand b, int64_t k, int64_t kp) {
  const int64_t per_row = kp / 8, kb = (k + 31) / 32;
  const int64_t a_items = a.rows * per_row, items = a_items + b.rows * per_row;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * kThreads;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x; i < items; i += stride) {
    const bool is_a = i < a_items;
    const int64_t j = is_a ? i : i - a_items;
    const uint8_t* codes = is_a ? a.codes : b.codes;
    const uint8_t* scales = is_a ? a.scales : b.scales;
    __nv_bfloat16* out = is_a ? a.out : b.out;
    const int64_t row = j / per_row, k0 = (j - row * per_row) * 8;
    uint32_t words[4];
#pragma unroll
    for (int p = 0; p < 4; ++p) {
      float v[2];
#pragma unroll
      for (int q = 0; q < 2; ++q) {
        const int64_t kk = k0 + 2 * p + q;
        v[q] = kk < k ? dequant_one(codes[row * k + kk], dwq::e8m0_decode(scales[scale_index<kTiled>(row, kk / 32, kb)]))
                      : 0.0f;
      }
      const __nv_bfloat162_raw r = __floats2bfloat162_rn(v[0], v[1]);
      words[p] = static_cast<uint32_t>(r.x) | (static_cast<uint32_t>(r.y) << 16);
    }
    *reinterpret_cast<uint4*>(out + row * kp + k0) = make_uint4(words[0], words[1], words[2], words[3]);
  }
}

dw_status launch_dequant(const dw_gemm_desc& d, const dw_gemm_args& args, const Layout& l,
                         uint8_t* ws, cudaStream_t stream) {
  Operand a{static_cast<const uint8_t*>(args.a), static_cast<const uint8_t*>(args.scale_a),
            reinterpret_cast<__nv_bfloat16*>(ws + l.a_offset), d.m};
  Operand b{static_cast<const uint8_t*>(args.b), static_cast<const uint8_t*>(args.scale_b),
            reinterpret_cast<__nv_bfloat16*>(ws + l.b_offset), d.n};
  const bool fast = d.k % 16 == 0 && aligned16(args.a) && aligned16(args.b);
  const int64_t items = (d.m + d.n) * (fast ? d.k / 8 : l.kp / 8);
  int64_t blocks = (items + kThreads - 1) / kThreads;
  if (blocks > kMaxBlocks) blocks = kMaxBlocks;  // the kernels stride over the rest
  const unsigned grid = static_cast<unsigned>(blocks);
  const bool tiled = d.scale_layout == DW_GEMM_SCALES_SWIZZLED_128X4;
  if (fast && tiled) dequant_mxfp8_by8<true><<<grid, kThreads, 0, stream>>>(a, b, d.k);
  else if (fast) dequant_mxfp8_by8<false><<<grid, kThreads, 0, stream>>>(a, b, d.k);
  else if (tiled) dequant_mxfp8_any<true><<<grid, kThreads, 0, stream>>>(a, b, d.k, l.kp);
  else dequant_mxfp8_any<false><<<grid, kThreads, 0, stream>>>(a, b, d.k, l.kp);
  return dw::check(cudaGetLastError(), kOperation, "MXFP8 -> BF16 launch, m=%lld n=%lld k=%lld", (long long)d.m,
                   (long long)d.n, (long long)d.k);
}

// ---------------------------------------------------------------------------------------------
// The family: the BF16 family's configurations behind the pass
// ---------------------------------------------------------------------------------------------

// "cutlass_sm90_bf16_coop_..." -> "cutlass_sm90_mxfp8_deq_bf16_coop_...": the BF16 kernel's
// tile and schedule stay readable in the name (the Java catalogue parses them).
void set_family_name(dw_gemm_plan_info* p, const char* bf16_name) {
  static const char kPrefix[] = "cutlass_sm90_";
  const size_t n = sizeof kPrefix - 1;
  char name[sizeof p->name];
  if (std::strncmp(bf16_name, kPrefix, n) == 0) std::snprintf(name, sizeof name, "%smxfp8_deq_%s", kPrefix, bf16_name + n);
  else std::snprintf(name, sizeof name, "mxfp8_deq_%s", bf16_name);
  set_name(p, name);
}

// plan.opaque[0] keeps the BF16 kernel's own workspace size.
constexpr int kOpaqueGemmWorkspace = 0;

int deq_count() { return sm90_bf16_family().variant_count(); }
// After the dequantizing variants: the wgmma kernel (scales applied while accumulating), then the
// fused kernel (A dequantized in registers) with 128x256, 128x128 and 128x192 tiles (the last
// added after the others, so that their numbers stay).
int wgmma_variant() { return deq_count(); }
int fused_variant(int tile_n) { return deq_count() + (tile_n == 256 ? 1 : tile_n == 128 ? 2 : 3); }
int count() { return deq_count() + 4; }

dw_status plan_wgmma(const DeviceInfo& dev, const dw_gemm_desc& desc, dw_gemm_plan_info* p) {
  const dw_status st = mxfp8_wgmma_plan(dev, desc, p);
  if (st != DW_SUCCESS) return st;
  p->variant = wgmma_variant();
  p->swizzle = 1;  // its own raster (groups of 8 tile rows); not a CUTLASS swizzle
  return DW_SUCCESS;
}

dw_status plan_fused(const DeviceInfo& dev, const dw_gemm_desc& desc, int tile_n, dw_gemm_plan_info* p) {
  const dw_status st = mxfp8_fused_plan(dev, desc, tile_n, p);
  if (st != DW_SUCCESS) return st;
  p->variant = fused_variant(tile_n);
  p->swizzle = 1;  // its own raster, as the wgmma kernel's
  return DW_SUCCESS;
}

dw_status plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* p) {
  if (desc.scale_layout != DW_GEMM_SCALES_ROW_MAJOR && desc.scale_layout != DW_GEMM_SCALES_SWIZZLED_128X4)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation, "desc.scale_layout=%d is not a dw_gemm_scale_layout",
                    desc.scale_layout);
  if (variant == wgmma_variant()) return plan_wgmma(dev, desc, p);
  if (variant == fused_variant(256)) return plan_fused(dev, desc, 256, p);
  if (variant == fused_variant(128)) return plan_fused(dev, desc, 128, p);
  if (variant == fused_variant(192)) return plan_fused(dev, desc, 192, p);
  const Sm90Mxfp8Way way = variant < 0 ? sm90_mxfp8_way(dev, desc) : Sm90Mxfp8Way::kDequantize;
  if (way != Sm90Mxfp8Way::kDequantize) {
    dw_gemm_plan_info f = *p;
    const int tile_n = way == Sm90Mxfp8Way::kFused128x256 ? 256 : way == Sm90Mxfp8Way::kFused128x192 ? 192 : 128;
    if (plan_fused(dev, desc, tile_n, &f) == DW_SUCCESS) {
      *p = f;
      return DW_SUCCESS;
    }
    // refused (sizes past 2^31): the dequantizing way plans or says why
  }
  if (desc.k > INT_MAX - 7)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOperation, "MXFP8: k=%lld must fit in 32 bits once padded to 8",
                    (long long)desc.k);
  const Layout l = layout_for(desc);
  const dw_gemm_desc bd = bf16_problem(desc, l.kp);
  dw_gemm_plan_info bp = *p;  // the device and a preset swizzle carry over
  bp.planned = bd;
  dw_status st = sm90_bf16_family().plan(dev, bd, variant, &bp);
  if (st != DW_SUCCESS) return st;  // the BF16 family recorded why (alignment of N, variant)
  p->variant = bp.variant;
  p->swizzle = bp.swizzle;
  p->workspace_bytes = l.gemm_offset + bp.workspace_bytes;
  p->opaque[kOpaqueGemmWorkspace] = bp.workspace_bytes;
  set_family_name(p, bp.name);
  return DW_SUCCESS;
}

dw_status run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, const dw_gemm_plan_info& p,
              void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  if (p.variant == wgmma_variant()) return mxfp8_wgmma_run(dev, desc, args, workspace, workspace_bytes, stream);
  if (p.variant == fused_variant(256)) return mxfp8_fused_run(dev, desc, args, 256, workspace, workspace_bytes, stream);
  if (p.variant == fused_variant(128)) return mxfp8_fused_run(dev, desc, args, 128, workspace, workspace_bytes, stream);
  if (p.variant == fused_variant(192)) return mxfp8_fused_run(dev, desc, args, 192, workspace, workspace_bytes, stream);
  const Layout l = layout_for(desc);
  const uint64_t gemm_ws = p.opaque[kOpaqueGemmWorkspace];
  if (workspace == nullptr || workspace_bytes < l.gemm_offset + gemm_ws)
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation,
                    "MXFP8: workspace of %llu bytes needed (BF16 copies of A and B), %llu given",
                    (unsigned long long)(l.gemm_offset + gemm_ws), (unsigned long long)workspace_bytes);
  if (!aligned16(workspace))
    return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOperation,
                    "MXFP8: workspace must be 16-byte aligned (TMA reads the BF16 copies from it)");
  auto* ws = static_cast<uint8_t*>(workspace);
  dw_status st = launch_dequant(desc, args, l, ws, stream);
  if (st != DW_SUCCESS) return st;

  const dw_gemm_desc bd = bf16_problem(desc, l.kp);
  dw_gemm_args ba = args;
  ba.a = ws + l.a_offset;
  ba.b = ws + l.b_offset;
  ba.scale_a = nullptr;
  ba.scale_b = nullptr;
  dw_gemm_plan_info bp = p;
  bp.planned = bd;
  bp.workspace_bytes = gemm_ws;
  return sm90_bf16_family().run(dev, bd, ba, bp, ws + l.gemm_offset, workspace_bytes - l.gemm_offset, stream);
}

}  // namespace

const Sm90Family& sm90_mxfp8_family() {
  static const Sm90Family f{&count, &plan, &run};
  return f;
}

}  // namespace dw::gemm
