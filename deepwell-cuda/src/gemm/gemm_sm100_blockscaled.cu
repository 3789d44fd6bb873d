// MXFP8 and NVFP4 GEMMs on sm_100a (B200/B100): CUTLASS's block-scaled tcgen05 MMA, which
// applies the 32- (MXFP8, E8M0) or 16-deep (NVFP4, UE4M3) scales inside the tensor core, with
// the accumulators in tensor memory (TMEM) and a warp-specialized TMA mainloop. Two shapes per
// format:
//   2-SM: a 256-row MMA tile split across the two CTAs of a cluster pair (each CTA holds half of
//         A's tile and the pair shares B's), the large-problem workhorse;
//   1-SM: a 128x128 tile, more tiles for small or narrow problems.
// NVFP4's per-tensor FP32 scales join alpha in the epilogue. Compiled only for sm_100a.
#include "gemm_blockscaled_common.cuh"

namespace dw::gemm::blockscaled {
namespace {

using cute::_1;
using cute::_2;
using cute::_128;
using cute::_256;
using cute::Shape;
using Sm100 = cutlass::arch::Sm100;
using Mxfp8 = cutlass::mx_float8_t<cutlass::float_e4m3_t>;
using Nvfp4 = cutlass::nv_float4_t<cutlass::float_e2m1_t>;

constexpr char kOp[] = "CUTLASS sm100 block-scaled GEMM";

// MXFP8: a K step of 128 values is one 128-byte swizzle row of FP8 and exactly one 4-column
// scale tile. NVFP4: 256 values fill the same 128 bytes.
template <class D>
using Mxfp8_2Sm = Config<Sm100, Mxfp8, D, Shape<_256, _256, _128>, Shape<_2, _1, _1>,
                         cutlass::gemm::KernelTmaWarpSpecialized2SmMxf8f6f4Sm100,
                         cutlass::epilogue::TmaWarpSpecialized2Sm, true, false>;
template <class D>
using Mxfp8_1Sm = Config<Sm100, Mxfp8, D, Shape<_128, _128, _128>, Shape<_1, _1, _1>,
                         cutlass::gemm::KernelTmaWarpSpecialized1SmMxf8f6f4Sm100,
                         cutlass::epilogue::TmaWarpSpecialized1Sm, false, false>;
template <class D>
using Nvfp4_2Sm = Config<Sm100, Nvfp4, D, Shape<_256, _256, _256>, Shape<_2, _1, _1>,
                         cutlass::gemm::KernelTmaWarpSpecialized2SmNvf4Sm100,
                         cutlass::epilogue::TmaWarpSpecialized2Sm, true, true>;
template <class D>
using Nvfp4_1Sm = Config<Sm100, Nvfp4, D, Shape<_128, _128, _256>, Shape<_1, _1, _1>,
                         cutlass::gemm::KernelTmaWarpSpecialized1SmNvf4Sm100,
                         cutlass::epilogue::TmaWarpSpecialized1Sm, false, true>;

// The 2-SM kernel first: it ties with nothing smaller per SM and wins ties (gemm_blockscaled.h).
const VariantEntry kMxfp8[] = {
    entry<Mxfp8_2Sm>("cutlass_sm100_mxfp8_2sm_256x256x128_c2x1"),
    entry<Mxfp8_1Sm>("cutlass_sm100_mxfp8_1sm_128x128x128_c1x1"),
};
const VariantEntry kNvfp4[] = {
    entry<Nvfp4_2Sm>("cutlass_sm100_nvfp4_2sm_256x256x256_c2x1"),
    entry<Nvfp4_1Sm>("cutlass_sm100_nvfp4_1sm_128x128x256_c1x1"),
};

}  // namespace
}  // namespace dw::gemm::blockscaled

namespace dw::gemm {
const BlockScaledFamily* sm100_blockscaled_family(dw_gemm_input in) {
  using namespace blockscaled;
  if (in == DW_GEMM_IN_MXFP8) return Family<kOp, kMxfp8>::get("sm100");
  if (in == DW_GEMM_IN_NVFP4) return Family<kOp, kNvfp4>::get("sm100");
  return nullptr;
}
}  // namespace dw::gemm
