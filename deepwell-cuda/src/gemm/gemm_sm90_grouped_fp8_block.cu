// Grouped FP8 E4M3 GEMM with DeepSeek-style block scales on sm_90a, for mixture-of-experts
// layers: A (the routed tokens) scaled per 1x128 block, each expert's B per 128x128 block
// (gemm_grouped.h gives the per-group scale layouts). CUTLASS's pointer-array blockwise-scaling
// mainloop promotes each 128-deep partial product into the FP32 accumulators with its scales.
#include "gemm_sm90_grouped_common.cuh"

namespace dw::gemm::sm90::grouped {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::Shape;
using e4m3 = cutlass::float_e4m3_t;

using CoopBlock = cutlass::gemm::KernelPtrArrayTmaWarpSpecializedCooperativeFP8Blockwise;
using CoopEpi = cutlass::epilogue::PtrArrayTmaWarpSpecializedCooperative;
using PingpongBlock = cutlass::gemm::KernelPtrArrayTmaWarpSpecializedPingpongFP8Blockwise;
using PingpongEpi = cutlass::epilogue::PtrArrayTmaWarpSpecializedPingpong;

// As in the dense family (gemm_sm90_fp8_blockwise.cu): tile K is one 128-deep scale block, tile
// N a multiple of B's 128-row blocks, and the scaled promotion doubles the accumulator
// registers, which caps a warpgroup at 64x128. Clusters along N, as in the grouped BF16 family.
template <class D>
using Coop128x128 =
    GroupedConfig<e4m3, D, Shape<_128, _128, _128>, Shape<_1, _2, _1>, CoopBlock, CoopEpi, Scaling::kBlock128>;
// 64-row tiles pad small groups (a few tokens per expert) half as much.
template <class D>
using Pingpong64x128 =
    GroupedConfig<e4m3, D, Shape<_64, _128, _128>, Shape<_1, _2, _1>, PingpongBlock, PingpongEpi, Scaling::kBlock128>;

const GroupedVariantEntry kVariants[] = {
    grouped_entry<Coop128x128>("cutlass_sm90_grouped_fp8_block128_coop_128x128x128_c1x2"),
    grouped_entry<Pingpong64x128>("cutlass_sm90_grouped_fp8_block128_pingpong_64x128x128_c1x2"),
};
constexpr int kCount = sizeof(kVariants) / sizeof(kVariants[0]);

int count() { return kCount; }

dw_status plan(const DeviceInfo& dev, const dw_gemm_grouped_desc& desc, int variant, dw_gemm_grouped_plan_info* p) {
  return plan_grouped_variant(kVariants, kCount, dev, desc, variant, p);
}

dw_status run(const DeviceInfo& dev, const dw_gemm_grouped_desc& desc, const dw_gemm_grouped_args& args,
              const dw_gemm_grouped_plan_info& p, void* ws, size_t ws_bytes, cudaStream_t stream) {
  return run_grouped_variant(kVariants, kCount, dev, desc, args, p, ws, ws_bytes, stream);
}

}  // namespace
}  // namespace dw::gemm::sm90::grouped

namespace dw::gemm::grouped {
const Sm90GroupedFamily& sm90_grouped_fp8_block_family() {
  static const Sm90GroupedFamily f{&sm90::grouped::count, &sm90::grouped::plan, &sm90::grouped::run};
  return f;
}
}  // namespace dw::gemm::grouped
