// Host-only check of the 128x4 tiled block-scale layout (gemm.h DW_GEMM_SCALES_SWIZZLED_128X4):
// Deepwell's formula (gemm_blockscaled.h, which the re-layout kernel uses) against the vectors in
// scale_swizzle_vectors.txt (derived from CUTLASS's layout definition; the Java quantizer's
// ScaleLayout is checked against the same file by GemmScaleLayoutContractTest) and against
// CUTLASS's own Sm1xxBlockScaledConfig layouts (what the sm100/sm120 kernels are given), for the
// MXFP8 (32-deep) and NVFP4 (16-deep) views. Needs no GPU: the native build runs it (see
// src/gemm/sources.cmake) and fails when anything disagrees.
//
//   scale_layout_check VECTORS_FILE
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cute/tensor.hpp"
#include "cutlass/detail/sm100_blockscaled_layout.hpp"
#include "gemm/gemm_blockscaled.h"

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    if (failures <= 20) std::fprintf(stderr, "scale_layout_check: MISMATCH %s\n", what.c_str());
  }
}

// CUTLASS's byte offset of scale (r, c) for an operand with `rows` rows and `cols` scale
// columns, SF values per scale: the layout it builds for A (rows = M) evaluated at element
// (m = r, k = c * SF); B's layout is the same function of (N, K).
template <int SF>
int64_t cutlass_offset(int64_t rows, int64_t cols, int64_t r, int64_t c) {
  using Config = cutlass::detail::Sm1xxBlockScaledConfig<SF>;
  const int m = static_cast<int>(rows), k = static_cast<int>(cols * SF);
  auto sfa = Config::tile_atom_to_shape_SFA(cute::make_shape(m, 1, k, 1));
  auto sfb = Config::tile_atom_to_shape_SFB(cute::make_shape(1, m, k, 1));
  const int64_t a = sfa(static_cast<int>(r), static_cast<int>(c * SF), 0);
  const int64_t b = sfb(static_cast<int>(r), static_cast<int>(c * SF), 0);
  return a == b ? a : -1;
}

template <int SF>
int64_t cutlass_bytes(int64_t rows, int64_t cols) {
  using Config = cutlass::detail::Sm1xxBlockScaledConfig<SF>;
  auto sfa = Config::tile_atom_to_shape_SFA(cute::make_shape(static_cast<int>(rows), 1, static_cast<int>(cols * SF), 1));
  return cute::cosize(cute::filter_zeros(sfa));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s scale_swizzle_vectors.txt\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "scale_layout_check: cannot read %s\n", argv[1]);
    return 2;
  }
  int lines = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string kind;
    int64_t rows = 0, cols = 0;
    s >> kind >> rows >> cols;
    if (kind == "size") {
      int64_t bytes = 0;
      s >> bytes;
      expect(dw::gemm::swizzled_scale_bytes(rows, cols) == bytes, "deepwell size: " + line);
      expect(cutlass_bytes<32>(rows, cols) == bytes, "CUTLASS MXFP8 size: " + line);
      expect(cutlass_bytes<16>(rows, cols) == bytes, "CUTLASS NVFP4 size: " + line);
    } else if (kind == "at") {
      int64_t r = 0, c = 0, offset = 0;
      s >> r >> c >> offset;
      expect(dw::gemm::swizzled_scale_offset(r, c, cols) == offset, "deepwell offset: " + line);
      expect(cutlass_offset<32>(rows, cols, r, c) == offset, "CUTLASS MXFP8 offset: " + line);
      expect(cutlass_offset<16>(rows, cols, r, c) == offset, "CUTLASS NVFP4 offset: " + line);
    } else {
      expect(false, "unreadable line: " + line);
    }
    if (!s) expect(false, "unreadable line: " + line);
    ++lines;
  }
  if (lines < 100) expect(false, "only " + std::to_string(lines) + " vectors (the file is cut short?)");
  if (failures > 0) {
    std::fprintf(stderr, "scale_layout_check: FAILED, %d mismatches in %d vectors (%s)\n", failures, lines, argv[1]);
    return 1;
  }
  std::printf("scale_layout_check: %d vectors agree (Deepwell formula, CUTLASS MXFP8 and NVFP4 layouts)\n", lines);
  return 0;
}
