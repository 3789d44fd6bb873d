// FP8 E4M3 x E4M3 with one FP32 scale per operand (alpha = alpha * scale_a * scale_b, applied
// in the epilogue) -> BF16/FP32 on sm_90a. The mainloop promotes the tensor cores' partial
// sums into FP32 registers every 4 MMAs (128 of K) rather than accumulating a whole K in the
// tensor core's narrower accumulator ("fast accumulation"): the accuracy training needs.
#include "gemm_sm90_common.cuh"

namespace dw::gemm::sm90 {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::Shape;
using e4m3 = cutlass::float_e4m3_t;

using Coop = cutlass::gemm::KernelTmaWarpSpecializedCooperative;
using CoopEpi = cutlass::epilogue::TmaWarpSpecializedCooperative;
using Pingpong = cutlass::gemm::KernelTmaWarpSpecializedPingpong;
using PingpongEpi = cutlass::epilogue::TmaWarpSpecialized;
using StreamK = cutlass::gemm::StreamKScheduler;

// Promotion keeps a second set of accumulators, so a warpgroup holds twice its tile's share
// of registers: 64x256 per warpgroup (the 128x256 cooperative tile of BF16) spills (ptxas:
// ~900 bytes), 64x192 is the widest that fits.
template <class D>
using Coop128x192 =
    Config<e4m3, D, Shape<_128, cute::Int<192>, _128>, Shape<_2, _1, _1>, Coop, CoopEpi, Scaling::kTensor>;
template <class D>
using Coop128x128 = Config<e4m3, D, Shape<_128, _128, _128>, Shape<_1, _2, _1>, Coop, CoopEpi, Scaling::kTensor>;
// Ping-pong with a 64-row tile per warpgroup: for few tiles or short K.
template <class D>
using Pingpong64x128 = Config<e4m3, D, Shape<_64, _128, _128>, Shape<_1, _2, _1>, Pingpong, PingpongEpi, Scaling::kTensor>;
// Stream-K on the 128x128 cooperative tile: few output tiles and a long K (weight gradients),
// see gemm_sm90_bf16.cu and the planner's model in gemm_sm90_select.cpp.
template <class D>
using StreamK128x128 =
    Config<e4m3, D, Shape<_128, _128, _128>, Shape<_1, _2, _1>, Coop, CoopEpi, Scaling::kTensor, StreamK>;

// The stream-K configurations follow the data-parallel ones (the planner's rules expect that).
const VariantEntry kVariants[] = {
    entry<Coop128x192>("cutlass_sm90_fp8_tensor_coop_128x192x128_c2x1"),
    entry<Coop128x128>("cutlass_sm90_fp8_tensor_coop_128x128x128_c1x2"),
    entry<Pingpong64x128>("cutlass_sm90_fp8_tensor_pingpong_64x128x128_c1x2"),
    entry<StreamK128x128>("cutlass_sm90_fp8_tensor_streamk_128x128x128_c1x2"),
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
const Sm90Family& sm90_fp8_tensor_family() {
  static const Sm90Family f{&sm90::count, &sm90::plan, &sm90::run};
  return f;
}
}  // namespace dw::gemm
