// Grouped BF16 x BF16 -> BF16/FP32 GEMM (FP32 accumulation) on sm_90a for mixture-of-experts
// layers: CUTLASS's pointer-array TMA warp-specialized kernels with device-side problem shapes
// (gemm_grouped.h). Persistent: one CTA per SM walks the tiles of every group.
#include "gemm_sm90_grouped_common.cuh"

namespace dw::gemm::sm90::grouped {
namespace {

using cute::_1;
using cute::_2;
using cute::_64;
using cute::_128;
using cute::_256;
using cute::Shape;
using bf16 = cutlass::bfloat16_t;

using Coop = cutlass::gemm::KernelPtrArrayTmaWarpSpecializedCooperative;
using CoopEpi = cutlass::epilogue::PtrArrayTmaWarpSpecializedCooperative;
using Pingpong = cutlass::gemm::KernelPtrArrayTmaWarpSpecializedPingpong;
using PingpongEpi = cutlass::epilogue::PtrArrayTmaWarpSpecializedPingpong;

// Clusters pair CTAs along N: each group's M (its token count) is ragged, and the scheduler
// rounds every group's tile count up to whole clusters along both dimensions, so a cluster
// along M would pad every group by up to a tile; along N the shared N rarely needs padding.
// Two consumer warpgroups share a 128x256 tile: the large-group workhorse (N = 4096 is 16 x 256).
template <class D>
using Coop128x256 = GroupedConfig<bf16, D, Shape<_128, _256, _64>, Shape<_1, _2, _1>, Coop, CoopEpi, Scaling::kNone>;
// Each consumer warpgroup owns a 128x128 tile and the two alternate, so one's epilogue overlaps
// the other's mainloop: better for narrow N (768 = 6 x 128) and small groups.
template <class D>
using Pingpong128x128 =
    GroupedConfig<bf16, D, Shape<_128, _128, _64>, Shape<_1, _2, _1>, Pingpong, PingpongEpi, Scaling::kNone>;

const GroupedVariantEntry kVariants[] = {
    grouped_entry<Coop128x256>("cutlass_sm90_grouped_bf16_coop_128x256x64_c1x2"),
    grouped_entry<Pingpong128x128>("cutlass_sm90_grouped_bf16_pingpong_128x128x64_c1x2"),
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
const Sm90GroupedFamily& sm90_grouped_bf16_family() {
  static const Sm90GroupedFamily f{&sm90::grouped::count, &sm90::grouped::plan, &sm90::grouped::run};
  return f;
}
}  // namespace dw::gemm::grouped
