// The arithmetic the two plain CUDA reference kernels share, the dense one (gemm_reference.cu)
// and the grouped one (gemm_grouped_reference.cu): their tile shape, the FP32 multiply of one
// K step of a tile from shared memory, and the E4M3 decode. They differ only in which rows and
// scales they load and where they write; keeping this part in one place keeps both yardsticks
// computing each output with the same FMAs in the same order. No CUTLASS.
#pragma once

#include <cstdint>

namespace dw::gemm::reference_tile {

// A 64x64 output tile per block of 256 threads, each thread 4x4 outputs; K in steps of 32.
constexpr int kTileM = 64, kTileN = 64, kTileK = 32, kThreads = 256;

// Shared-memory operand tiles, K-major; the +1 column keeps the threads of a warp off one bank.
using TileA = float[kTileK][kTileM + 1];
using TileB = float[kTileK][kTileN + 1];

// acc[i][j] += sum over the step's kTileK of A row (ty * 4 + i) times B row (tx * 4 + j), one
// fmaf per product in increasing k.
__device__ __forceinline__ void multiply_tile_step(const TileA& sa, const TileB& sb, int tx, int ty,
                                                   float (&acc)[4][4]) {
#pragma unroll 8
  for (int kk = 0; kk < kTileK; ++kk) {
    float av[4], bv[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) av[i] = sa[kk][ty * 4 + i];
#pragma unroll
    for (int j = 0; j < 4; ++j) bv[j] = sb[kk][tx * 4 + j];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
  }
}

// E4M3 ("FN": no infinities, S.1111.111 is NaN), bias 7, subnormals below 2^-6.
__device__ __forceinline__ float e4m3_to_float(uint8_t v) {
  const int sign = v >> 7, exp = (v >> 3) & 0xF, man = v & 0x7;
  float mag;
  if (exp == 0xF && man == 0x7) return __int_as_float(0x7fc00000);
  if (exp == 0) mag = ldexpf(static_cast<float>(man), -9);  // man/8 * 2^-6
  else mag = ldexpf(static_cast<float>(8 + man), exp - 10);  // (1 + man/8) * 2^(exp-7)
  return sign ? -mag : mag;
}

}  // namespace dw::gemm::reference_tile
