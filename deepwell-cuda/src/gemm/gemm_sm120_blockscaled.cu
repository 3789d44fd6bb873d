// MXFP8 and NVFP4 GEMMs on sm_120a (RTX 50xx, RTX PRO 6000): CUTLASS's block-scaled warp-level
// MMA (no tensor memory on this chip: the accumulators live in registers, as on Hopper), fed by
// a TMA warp-specialized cooperative mainloop. CUTLASS 4.2 supports only the TN layout and a
// 1x1x1 cluster here (no multicast), and the chip has ~100 KB of shared memory per SM, so one
// 128x128 tile per format. NVFP4's per-tensor FP32 scales join alpha in the epilogue. Compiled
// only for sm_120a.
#include "gemm_blockscaled_common.cuh"

namespace dw::gemm::blockscaled {
namespace {

using cute::_1;
using cute::_128;
using cute::Shape;
using Sm120 = cutlass::arch::Sm120;
using Mxfp8 = cutlass::mx_float8_t<cutlass::float_e4m3_t>;
using Nvfp4 = cutlass::nv_float4_t<cutlass::float_e2m1_t>;
using Coop = cutlass::gemm::KernelTmaWarpSpecializedCooperative;
using EpiAuto = cutlass::epilogue::collective::EpilogueScheduleAuto;

constexpr char kOp[] = "CUTLASS sm120 block-scaled GEMM";

template <class D>
using Mxfp8Coop = Config<Sm120, Mxfp8, D, Shape<_128, _128, _128>, Shape<_1, _1, _1>, Coop, EpiAuto, false, false>;
template <class D>
using Nvfp4Coop = Config<Sm120, Nvfp4, D, Shape<_128, _128, _128>, Shape<_1, _1, _1>, Coop, EpiAuto, false, true>;

const VariantEntry kMxfp8[] = {
    entry<Mxfp8Coop>("cutlass_sm120_mxfp8_coop_128x128x128_c1x1"),
};
const VariantEntry kNvfp4[] = {
    entry<Nvfp4Coop>("cutlass_sm120_nvfp4_coop_128x128x128_c1x1"),
};

}  // namespace
}  // namespace dw::gemm::blockscaled

namespace dw::gemm {
const BlockScaledFamily* sm120_blockscaled_family(dw_gemm_input in) {
  using namespace blockscaled;
  if (in == DW_GEMM_IN_MXFP8) return Family<kOp, kMxfp8>::get("sm120");
  if (in == DW_GEMM_IN_NVFP4) return Family<kOp, kNvfp4>::get("sm120");
  return nullptr;
}
}  // namespace dw::gemm
