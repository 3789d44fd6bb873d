// NVFP4: E2M1 elements, UE4M3 scales per 1x16 run (NVFP4) or per 16x16 tile (NVFP4_2D), FP32
// per-tensor scale from the device-side tensor amax; optional stochastic rounding and 16-point
// random Hadamard transform. With the transform, the ROW and COL views see different values
// (each transforms along its own quantized axis), so their tensor amaxes are reduced by an
// amax-only pass of the same tile kernel, both from one read.
#include "quant_launch.h"
#include "quant_pipe.cuh"
#include "quant_pipe3.cuh"

namespace dwq {

namespace {
template <bool TWO_D, bool SR, bool HAD>
void launch(const QuantParams& p, const Grid& g, cudaStream_t s) {
  static int cache = 0;
  constexpr int THREADS = Cfg<Kind::NV, Elem::E2M1, TWO_D>::THREADS;
  auto* k = &quant_tile_kernel<Kind::NV, Elem::E2M1, TWO_D, SR, HAD, false>;
  k<<<grid_for(k, THREADS, g, &cache), THREADS, 0, s>>>(p);
}
template <bool TWO_D, bool SR>
void launch_h(const QuantParams& p, bool had, const Grid& g, cudaStream_t s) {
  had ? launch<TWO_D, SR, true>(p, g, s) : launch<TWO_D, SR, false>(p, g, s);
}
}  // namespace

void launch_nvfp4(const QuantParams& p, bool two_d, bool sr, bool had, const Grid& g, cudaStream_t s) {
  if (two_d) {
    sr ? launch_h<true, true>(p, had, g, s) : launch_h<true, false>(p, had, g, s);
  } else {
    sr ? launch_h<false, true>(p, had, g, s) : launch_h<false, false>(p, had, g, s);
  }
}

void launch_nvfp4_had_amax(const QuantParams& p, const Grid& g, cudaStream_t s) {
  static int cache = 0;
  constexpr int THREADS = Cfg<Kind::NV, Elem::E2M1, false>::THREADS;
  auto* k = &quant_tile_kernel<Kind::NV, Elem::E2M1, false, false, true, true>;
  k<<<grid_for(k, THREADS, g, &cache), THREADS, 0, s>>>(p);
}

void launch_nvfp4_pipe(const QuantParams& p, const Grid& g, cudaStream_t s) {
  if (g.pipe_version == 3) {
    launch_pipe3<Kind::NV, Elem::E2M1, false>(p, g, s);
    return;
  }
  launch_pipe<Kind::NV, Elem::E2M1, false>(p, g, s);
}

}  // namespace dwq
