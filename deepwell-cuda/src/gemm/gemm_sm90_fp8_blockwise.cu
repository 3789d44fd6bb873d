// FP8 E4M3 with DeepSeek-style block scales on sm_90a: A scaled per 1x128 block (one FP32 per
// row per 128 of K), B per 128x128 block. CUTLASS's blockwise-scaling mainloop multiplies each
// 128-deep partial product by its two scales while promoting it into the FP32 accumulators,
// so the scales never touch the operands in memory.
#include "gemm_sm90_common.cuh"

namespace dw::gemm::sm90 {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::Shape;
using e4m3 = cutlass::float_e4m3_t;

using CoopBlock = cutlass::gemm::KernelTmaWarpSpecializedCooperativeFP8Blockwise;
using CoopEpi = cutlass::epilogue::TmaWarpSpecializedCooperative;
using PingpongBlock = cutlass::gemm::KernelTmaWarpSpecializedPingpongFP8Blockwise;
using PingpongEpi = cutlass::epilogue::TmaWarpSpecialized;

// Tile K equals the 128-deep scale blocks and tile N must be a multiple of B's 128-row scale
// blocks. The scaled promotion doubles the accumulator registers, so a warpgroup holds at most
// 64x128 of them: 64x256 (128x256 cooperative) spills, and CUTLASS 4.2 refuses 64x192 with
// B's scales read at a 64-row granularity (static assertion "Accumulator and scaleB must have
// same shape" in fp8_accumulation.hpp; tried 2026-11-25).
template <class D>
using Coop128x128 = Config<e4m3, D, Shape<_128, _128, _128>, Shape<_1, _2, _1>, CoopBlock, CoopEpi, Scaling::kBlock128>;
template <class D>
using Pingpong64x128 =
    Config<e4m3, D, Shape<_64, _128, _128>, Shape<_1, _2, _1>, PingpongBlock, PingpongEpi, Scaling::kBlock128>;
// Stream-K on the cooperative tile (CUTLASS 4.2's blockwise mainloop reads the scales of the
// k-tiles a work unit covers, wherever its share of K starts): few output tiles and a long K,
// see gemm_sm90_bf16.cu and the planner's model in gemm_sm90_select.cpp.
template <class D>
using StreamK128x128 = Config<e4m3, D, Shape<_128, _128, _128>, Shape<_1, _2, _1>, CoopBlock, CoopEpi,
                              Scaling::kBlock128, cutlass::gemm::StreamKScheduler>;

// The stream-K configurations follow the data-parallel ones (the planner's rules expect that).
const VariantEntry kVariants[] = {
    entry<Coop128x128>("cutlass_sm90_fp8_block128_coop_128x128x128_c1x2"),
    entry<Pingpong64x128>("cutlass_sm90_fp8_block128_pingpong_64x128x128_c1x2"),
    entry<StreamK128x128>("cutlass_sm90_fp8_block128_streamk_128x128x128_c1x2"),
};
constexpr int kCount = sizeof(kVariants) / sizeof(kVariants[0]);

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
const Sm90Family& sm90_fp8_block_family() {
  static const Sm90Family f{&sm90::count, &sm90::plan, &sm90::run};
  return f;
}
}  // namespace dw::gemm
