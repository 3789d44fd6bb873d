// MXFP8 (E4M3, E5M2) and MXFP4: 32-element blocks, E8M0 scales (OCP or CEIL rule), ROW and/or
// COL copy from one read of the BF16 input. The kernel is quant_tile.cuh's; this file picks
// the instantiations.
#include "quant_launch.h"
#include "quant_pipe.cuh"
#include "quant_pipe3.cuh"

namespace dwq {

namespace {
template <Elem E, bool SR>
void launch(const QuantParams& p, const Grid& g, cudaStream_t s) {
  static int cache = 0;
  constexpr int THREADS = Cfg<Kind::MX, E, false>::THREADS;
  auto* k = &quant_tile_kernel<Kind::MX, E, false, SR, false, false>;
  k<<<grid_for(k, THREADS, g, &cache), THREADS, 0, s>>>(p);
}
}  // namespace

void launch_mx(const QuantParams& p, Elem e, bool sr, const Grid& g, cudaStream_t s) {
  switch (e) {
    case Elem::E4M3: sr ? launch<Elem::E4M3, true>(p, g, s) : launch<Elem::E4M3, false>(p, g, s); break;
    case Elem::E5M2: sr ? launch<Elem::E5M2, true>(p, g, s) : launch<Elem::E5M2, false>(p, g, s); break;
    case Elem::E2M1: sr ? launch<Elem::E2M1, true>(p, g, s) : launch<Elem::E2M1, false>(p, g, s); break;
  }
}

void launch_mx_pipe(const QuantParams& p, Elem e, const Grid& g, cudaStream_t s) {
  if (g.pipe_version == 3) {
    switch (e) {
      case Elem::E4M3: launch_pipe3<Kind::MX, Elem::E4M3, false>(p, g, s); break;
      case Elem::E5M2: launch_pipe3<Kind::MX, Elem::E5M2, false>(p, g, s); break;
      case Elem::E2M1: launch_pipe3<Kind::MX, Elem::E2M1, false>(p, g, s); break;
    }
    return;
  }
  switch (e) {
    case Elem::E4M3: launch_pipe<Kind::MX, Elem::E4M3, false>(p, g, s); break;
    case Elem::E5M2: launch_pipe<Kind::MX, Elem::E5M2, false>(p, g, s); break;
    case Elem::E2M1: launch_pipe<Kind::MX, Elem::E2M1, false>(p, g, s); break;
  }
}

}  // namespace dwq
