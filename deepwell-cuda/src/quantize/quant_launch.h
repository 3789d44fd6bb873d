// Launchers of the quantize kernel families, called by quantize_api.cu (which validates every
// argument first). They only launch: the caller checks the launch (dw::after_launch).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "quant_tile.cuh"

namespace dwq {

// CTA tiles over a [rows, cols] input for a kind (64x64, 128x128 for FP8 blocks).
inline uint64_t tile_count(Kind k, uint32_t rows, uint32_t cols) {
  const uint64_t t = k == Kind::FP8_BLOCK ? 128 : 64;
  return ((rows + t - 1) / t) * ((cols + t - 1) / t);
}

// How many CTAs to launch: one per tile (the default), or (persistent) as many as fit on the
// device at once, each striding over the tiles and loading its next tile while it works on the
// current one.
struct Grid {
  uint32_t tiles;
  int sm_count;
  bool persistent;
  int device;         // pipelined kernel: the device the launch goes to
  uint32_t group;     // pipelined kernel: tile rows per band of the visiting order
  uint32_t max_ctas;  // pipelined kernel: cap on the grid, 0 = as many CTAs as fit
  int pipe_version;   // pipelined kernel: 2 (DEEPWELL_QUANT_GRID=pipe), 1 (pipe1) or 3 (pipe3)
  uint32_t tiles_r = 8, tiles_c = 2;  // pipe3: tiles per group whose scales are stored together
  uint32_t store_evict_first = 0;     // pipe3: codes and scales stored with an L2 evict-first hint
  uint32_t mx_mul_fp32 = 0;           // pipe3: MX elements scaled by FP32 multiplies, not mul.bf16x2
  uint32_t fetch_tma = 0;             // pipe3: ring filled by TMA copies, not by cp.async (LDGSTS)
  uint32_t ctas_per_sm = 1;           // pipe3: CTAs per SM (1 or 2 fit)
  uint32_t* group_counter = nullptr;  // pipe3: zeroed device counter: groups claimed dynamically
};

// `cache` is a per-kernel static (CTAs per SM from the occupancy calculator, 0 until known).
template <typename F>
unsigned grid_for(F kernel, int threads, const Grid& g, int* cache) {
  if (!g.persistent || g.sm_count <= 0) return g.tiles;
  int per_sm = __atomic_load_n(cache, __ATOMIC_RELAXED);
  if (per_sm <= 0) {
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, 0) != cudaSuccess || per_sm < 1) {
      (void)cudaGetLastError();
      per_sm = 1;
    }
    __atomic_store_n(cache, per_sm, __ATOMIC_RELAXED);
  }
  const uint64_t n = static_cast<uint64_t>(per_sm) * static_cast<uint64_t>(g.sm_count);
  return static_cast<unsigned>(n < g.tiles ? n : g.tiles);
}

void launch_mx(const QuantParams& p, Elem e, bool sr, const Grid& grid, cudaStream_t s);
void launch_nvfp4(const QuantParams& p, bool two_d, bool sr, bool had, const Grid& grid, cudaStream_t s);
// Hadamard-transformed tensor amax of the ROW and/or COL view (p.amax_dirs) into p.amax_out.
void launch_nvfp4_had_amax(const QuantParams& p, const Grid& grid, cudaStream_t s);
void launch_fp8_block(const QuantParams& p, bool two_d, bool sr, const Grid& grid, cudaStream_t s);
void launch_fp8_tensor(const QuantParams& p, bool sr, const Grid& grid, cudaStream_t s);

// The pipelined kernel (quant_pipe.cuh) for the cases pipe_eligible() accepts in quantize_api.cu:
// x 16-byte aligned with cols % 8 == 0, rows % pipe_tile_rows(kind, version) == 0, cols % 128 ==
// 0, no stochastic rounding, no Hadamard transform, 1-D NVFP4.
// grid.pipe_version 3 runs quant_pipe3.cuh's kernel (128x128 tiles, cols % 128 == 0 as well).
inline uint32_t pipe_tile_rows(Kind k, int version) { return (k == Kind::FP8_BLOCK || version != 1) ? 128u : 64u; }
void launch_mx_pipe(const QuantParams& p, Elem e, const Grid& grid, cudaStream_t s);
void launch_nvfp4_pipe(const QuantParams& p, const Grid& grid, cudaStream_t s);
void launch_fp8_block_pipe(const QuantParams& p, bool two_d, const Grid& grid, cudaStream_t s);
void launch_fp8_tensor_pipe(const QuantParams& p, const Grid& grid, cudaStream_t s);
// pipe3 for FP8 128x128 blocks (fp8_block2d_pipe3.cu: a translation unit of its own, see there).
void launch_fp8_block2d_pipe3(const QuantParams& p, const Grid& grid, cudaStream_t s);

// Finite amax of n BF16 values, max-ed (as FP32 bits) into *out, which the caller zeroed.
void launch_amax_bf16(const uint16_t* x, uint64_t n, uint32_t* out, int sm_count, cudaStream_t s);

struct DequantParams {
  const uint8_t* data;
  const uint8_t* scales;
  const float* tensor_scale;
  void* out;
  uint32_t rows, cols;  // of x
  uint32_t axis;        // 0 ROW, 1 COL
  uint32_t layout;
  uint32_t two_d;       // NVFP4_2D / FP8 128x128 (scales already per row for NVFP4_2D)
  uint32_t had_mask;
  uint32_t bf16_out;
};
void launch_dequantize(const DequantParams& d, int format, bool had, int sm_count, cudaStream_t s);

}  // namespace dwq
