// FP8 128x128 blocks through pipe3 (quant_pipe3.cuh), in a translation unit of their own: the
// only pipe3 kernel that measured faster with its dynamic shared memory 16-byte rather than
// 1024-byte aligned (87.5 against 84% of copy, H100, 2026-11-26, same runs; see
// pipe3_dynamic_smem), and nvcc aligns the dynamic shared memory of every kernel of a translation
// unit alike, so no 1024-aligned kernel may be compiled next to it.
#include "quant_launch.h"
#include "quant_pipe3.cuh"

namespace dwq {

void launch_fp8_block2d_pipe3(const QuantParams& p, const Grid& g, cudaStream_t s) {
  launch_pipe3<Kind::FP8_BLOCK, Elem::E4M3, true>(p, g, s);
}

}  // namespace dwq
