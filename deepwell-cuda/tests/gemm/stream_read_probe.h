// The decode benchmark's speed of light (stream_read_probe.cu): read some buffers, nothing else.
#pragma once

#include <cstddef>

#include <cuda_runtime.h>

struct StreamReadSpans {
  static constexpr int kMax = 4;
  const void* ptr[kMax] = {};
  size_t bytes[kMax] = {};
  int count = 0;
};

// CTAs that fill the GPU once (0 on a CUDA error).
int stream_read_grid();
// Reads every byte of `spans` with `unroll` (4 or 8) 16-byte loads in flight per thread; `sink`
// holds `grid` words, XOR-ed with what was read.
cudaError_t launch_stream_read(const StreamReadSpans& spans, unsigned* sink, int grid, int unroll, cudaStream_t stream);
