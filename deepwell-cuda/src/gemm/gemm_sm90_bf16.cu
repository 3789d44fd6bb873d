// BF16 x BF16 -> BF16/FP32 (FP32 accumulation) on sm_90a: TMA warp-specialized kernels,
// persistent, cooperative and ping-pong schedules, and cooperative with stream-K.
#include "gemm_sm90_bf16_wgmma.h"
#include "gemm_sm90_common.cuh"

namespace dw::gemm::sm90 {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::_192;
using cute::_256;
using cute::Shape;
using bf16 = cutlass::bfloat16_t;

using Coop = cutlass::gemm::KernelTmaWarpSpecializedCooperative;
using CoopEpi = cutlass::epilogue::TmaWarpSpecializedCooperative;
using Pingpong = cutlass::gemm::KernelTmaWarpSpecializedPingpong;
using PingpongEpi = cutlass::epilogue::TmaWarpSpecialized;
using StreamK = cutlass::gemm::StreamKScheduler;

// Two consumer warpgroups share a 128x256 tile (64x256 each); clusters of two along M share
// B's tile through TMA multicast. The large-problem workhorse.
template <class D>
using Coop128x256 = Config<bf16, D, Shape<_128, _256, _64>, Shape<_2, _1, _1>, Coop, CoopEpi, Scaling::kNone>;
// Each consumer warpgroup owns a whole 128x128 tile and the two alternate, so one's epilogue
// overlaps the other's mainloop: better where tiles are few or K is short.
template <class D>
using Pingpong128x128 = Config<bf16, D, Shape<_128, _128, _64>, Shape<_2, _1, _1>, Pingpong, PingpongEpi, Scaling::kNone>;
// 256x128 cooperative: the transposed tile of the first, for narrow N (N = 768 is 6 x 128 but
// only 3 x 256).
template <class D>
using Coop256x128 = Config<bf16, D, Shape<_256, _128, _64>, Shape<_1, _2, _1>, Coop, CoopEpi, Scaling::kNone>;
// A tile sized so that one round fills the SMs where the three above leave many of them idle:
// the weight gradient 4096x768x16384 has 32 x 4 = 128 tiles of 128x192 for 132 SMs, against 96
// of 128x256 or 256x128 and 192 (two rounds) of 128x128; cuBLASLt runs a 192-wide tile there too
// (Nsight Compute, H100, 2026-11-26: nvjet 192x128). A 128x112 tile (126 tiles for 2304x768)
// was tried the same day and dropped: CuTe's selector needs CUTE_SM90_EXTENDED_MMA_SHAPES_ENABLED
// to give it a 64x112 WGMMA, and even then it ran 537 TFLOP/s where stream-K 128x128 ran 580.
template <class D>
using Coop128x192 = Config<bf16, D, Shape<_128, _192, _64>, Shape<_2, _1, _1>, Coop, CoopEpi, Scaling::kNone>;
// Stream-K (cooperative only: CUTLASS's ping-pong kernel has no stream-K scheduler). For outputs
// with too few tiles to fill the SMs and a long K (weight gradients: 768x768x16384 has 36 tiles
// of 128x128 for 132 SMs), the K loops of all tiles are cut into equal shares, one per SM; the
// planner takes it when its model says so (gemm_sm90_select.cpp). 128x128 keeps the chain of
// peers that pass a tile's partial sums along short. (Tried on 2026-11-26 and dropped: a 128x256
// stream-K tile, whose FP32-output kernel spills 44 bytes and which the model never prefers, and
// a 128x112 one, which spills 52-56 bytes and ran 394-500 TFLOP/s where 128x128 ran 419-606.)
template <class D>
using StreamK128x128 =
    Config<bf16, D, Shape<_128, _128, _64>, Shape<_2, _1, _1>, Coop, CoopEpi, Scaling::kNone, StreamK>;
// The same kernel in split-K 3 mode, for outputs whose 128x128 tiles fill between a half and all
// of the SMs three times over with a long K: 768x768x16384 (36 tiles, 108 CTAs on 132 SMs) ran
// 451.7 TFLOP/s against 418.8 for stream-K (H100, 2026-11-26), where 2304x768 and 768x2048 lost
// with it (489 vs 581, 461 vs 579). cuBLASLt runs a split-K 3 kernel on that shape too.
// Clusters of 2x2 (A's tile multicast along N as well as B's along M: a quarter less L2 traffic per
// CTA) ran 768x768x16384 at 477.7 / 477.9 TFLOP/s against 449.5 / 451.4 for 2x1 (H100, 2026-11-27,
// two rounds); the same 2x2 clusters lost on every data-parallel tile tried (PERFORMANCE.md).
template <class D>
using SplitK3_128x128 =
    Config<bf16, D, Shape<_128, _128, _64>, Shape<_2, _2, _1>, Coop, CoopEpi, Scaling::kNone, StreamK, 3>;

// The stream-K configurations follow the data-parallel ones (the planner's rules expect that).
constexpr VariantEntry kVariants[] = {
    entry<Coop128x256>("cutlass_sm90_bf16_coop_128x256x64_c2x1"),
    entry<Pingpong128x128>("cutlass_sm90_bf16_pingpong_128x128x64_c2x1"),
    entry<Coop256x128>("cutlass_sm90_bf16_coop_256x128x64_c1x2"),
    entry<Coop128x192>("cutlass_sm90_bf16_coop_128x192x64_c2x1"),
    entry<StreamK128x128>("cutlass_sm90_bf16_streamk_128x128x64_c2x1"),
    entry<SplitK3_128x128>("cutlass_sm90_bf16_splitk3_128x128x64_c2x2"),
    // Split-K as pieces of the grouped ping-pong kernel, partial sums added by a second kernel
    // (gemm_sm90_bf16_splitk_reduce.cu); it chooses its own split count.
    VariantEntry{"cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2",
                 Sm90Tile{128, 128, 64, false, 1, true}, &bf16_splitk_reduce_run_bf16,
                 &bf16_splitk_reduce_run_f32},
    // Deepwell's own TMA + wgmma kernel (gemm_sm90_bf16_wgmma.cu), its own split-K, 112- and 96-wide
    // tiles: where 128-wide tiles fill the SMs badly (2304x768 is 126 tiles of 128x112 and 108 of
    // 128x128; 768x2048 is 132 of 128x96 and 96 of 128x128).
    VariantEntry{"deepwell_sm90_bf16_128x112x64", Sm90Tile{128, 112, 64, false, 1, false, 1, 1, true},
                 &bf16_wgmma_run<false, 64, 112>, &bf16_wgmma_run<true, 64, 112>},
    VariantEntry{"deepwell_sm90_bf16_128x96x64", Sm90Tile{128, 96, 64, false, 1, false, 1, 1, true},
                 &bf16_wgmma_run<false, 64, 96>, &bf16_wgmma_run<true, 64, 96>},
};
constexpr int kCount = sizeof(kVariants) / sizeof(kVariants[0]);

// The MXFP8 family reports these configurations as "cutlass_sm90_mxfp8_deq_bf16_..." ("mxfp8_deq_"
// inserted, gemm_sm90_mxfp8.cu's set_family_name) in dw_gemm_plan_info.name: a longer name arrives
// cut short and matches no entry of the Java catalogue (session 12's first name of variant 6 did).
constexpr bool names_fit_their_mxfp8_form() {
  constexpr size_t kInserted = sizeof("mxfp8_deq_") - 1, kRoom = sizeof(dw_gemm_plan_info::name) - 1;
  for (const VariantEntry& e : kVariants) {
    size_t n = 0;
    while (e.name[n] != '\0') ++n;
    if (n + kInserted > kRoom) return false;
  }
  return true;
}
static_assert(names_fit_their_mxfp8_form(), "a BF16 variant's name is too long for its MXFP8 form");

int count() { return kCount; }

dw_status plan(const DeviceInfo& dev, const dw_gemm_desc& desc, int variant, dw_gemm_plan_info* p) {
  return plan_variant(kVariants, kCount, dev, desc, variant, p);
}

dw_status run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args, const dw_gemm_plan_info& p,
              void* ws, size_t ws_bytes, cudaStream_t stream) {
  return run_variant(kVariants, kCount, dev, desc, args, p, ws, ws_bytes, stream);
}

}  // namespace
}  // namespace dw::gemm::sm90

namespace dw::gemm {
const Sm90Family& sm90_bf16_family() {
  static const Sm90Family f{&sm90::count, &sm90::plan, &sm90::run};
  return f;
}
}  // namespace dw::gemm
