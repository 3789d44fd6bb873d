// FP8 E4M3 with FP32 scales: per 1x128 run or 128x128 tile (DeepSeek-V3 / cuBLAS blockwise
// scheme; the reference's correctly rounded division per element, computed exactly as a multiply
// and one FMA correction, see fp8_block_quotient), and per tensor (scale from the device-side
// tensor amax). ROW and/or COL copy from one read of the input.
#include "quant_launch.h"
#include "quant_pipe.cuh"
#include "quant_pipe3.cuh"

namespace dwq {

namespace {
template <bool TWO_D, bool SR>
void launch_block(const QuantParams& p, const Grid& g, cudaStream_t s) {
  static int cache = 0;
  constexpr int THREADS = Cfg<Kind::FP8_BLOCK, Elem::E4M3, TWO_D>::THREADS;
  auto* k = &quant_tile_kernel<Kind::FP8_BLOCK, Elem::E4M3, TWO_D, SR, false, false>;
  k<<<grid_for(k, THREADS, g, &cache), THREADS, 0, s>>>(p);
}
template <bool SR>
void launch_tensor(const QuantParams& p, const Grid& g, cudaStream_t s) {
  static int cache = 0;
  constexpr int THREADS = Cfg<Kind::FP8_TENSOR, Elem::E4M3, false>::THREADS;
  auto* k = &quant_tile_kernel<Kind::FP8_TENSOR, Elem::E4M3, false, SR, false, false>;
  k<<<grid_for(k, THREADS, g, &cache), THREADS, 0, s>>>(p);
}
}  // namespace

void launch_fp8_block(const QuantParams& p, bool two_d, bool sr, const Grid& g, cudaStream_t s) {
  if (two_d) {
    sr ? launch_block<true, true>(p, g, s) : launch_block<true, false>(p, g, s);
  } else {
    sr ? launch_block<false, true>(p, g, s) : launch_block<false, false>(p, g, s);
  }
}

void launch_fp8_tensor(const QuantParams& p, bool sr, const Grid& g, cudaStream_t s) {
  sr ? launch_tensor<true>(p, g, s) : launch_tensor<false>(p, g, s);
}

void launch_fp8_block_pipe(const QuantParams& p, bool two_d, const Grid& g, cudaStream_t s) {
  if (g.pipe_version == 3) {
    two_d ? launch_fp8_block2d_pipe3(p, g, s) : launch_pipe3<Kind::FP8_BLOCK, Elem::E4M3, false>(p, g, s);
    return;
  }
  two_d ? launch_pipe<Kind::FP8_BLOCK, Elem::E4M3, true>(p, g, s) : launch_pipe<Kind::FP8_BLOCK, Elem::E4M3, false>(p, g, s);
}

void launch_fp8_tensor_pipe(const QuantParams& p, const Grid& g, cudaStream_t s) {
  if (g.pipe_version == 3) {
    launch_pipe3<Kind::FP8_TENSOR, Elem::E4M3, false>(p, g, s);
    return;
  }
  launch_pipe<Kind::FP8_TENSOR, Elem::E4M3, false>(p, g, s);
}

}  // namespace dwq
