// Host-only check of the sm90 tile planner (gemm_sm90_select.cpp: sm90_choose_variant for BF16, FP8
// per-tensor and FP8 1x128/128x128 block) against sm90_tile_choices.txt, the table the Java mirror
// (dev.deepwell.kernel.GemmTileChoice) is tested with by GemmStreamKChoiceTest: so that the two
// planners cannot drift apart without a GPU to compare them on. The native build runs it (see
// src/gemm/sources.cmake) and fails when a row disagrees; the GPU test GemmRegistryGpuTest compares
// the two planners again through the library, on the real variant tables.
//
//   sm90_tile_choice_check TABLE            check every row
//   sm90_tile_choice_check --write TABLE    rewrite the choices of the table's problems (after
//                                           retuning a rule; then update GemmTileChoice to match)
//
// Row: sms m n k v(bf16) v(fp8-tensor) v(fp8-block128), BF16 output.
//
// The variant tables below transcribe the CUTLASS configurations of gemm_sm90_bf16.cu,
// gemm_sm90_fp8_tensor.cu and gemm_sm90_fp8_blockwise.cu (tile M x N x K, stream-K, split-K parts,
// separate reduction, cluster M x N), in their order: those are CUDA translation units, which a
// host program cannot include. A change there must be made here too (the Java catalogue,
// GemmKernelCatalog, names the same configurations); on 2026-11-28 this transcription reproduced
// all 128 rows the table then had before the split-K rule changed.
#include <cstring>
#include <sstream>
#include <string>

#include "choice_table.h"

namespace {

using dw::gemm::DeviceInfo;
using dw::gemm::Sm90Tile;
namespace table = dw::gemm::choice_table;

// gemm_sm90_bf16.cu: coop 128x256 c2x1, ping-pong 128x128 c2x1, coop 256x128 c1x2, coop 128x192 c2x1,
// stream-K 128x128 c2x1, split-K 3 128x128 c2x2, split-K with a separate reduction (128x128 c1x2),
// Deepwell's own kernel with 128x112 and 128x96 tiles (gemm_sm90_bf16_wgmma.cu).
const Sm90Tile kBf16[] = {{128, 256, 64, false, 1, false, 2, 1}, {128, 128, 64, false, 1, false, 2, 1},
                          {256, 128, 64, false, 1, false, 1, 2}, {128, 192, 64, false, 1, false, 2, 1},
                          {128, 128, 64, true, 1, false, 2, 1},  {128, 128, 64, true, 3, false, 2, 2},
                          {128, 128, 64, false, 1, true},        {128, 112, 64, false, 1, false, 1, 1, true},
                          {128, 96, 64, false, 1, false, 1, 1, true}};
// gemm_sm90_fp8_tensor.cu: coop 128x192x128 c2x1, coop 128x128x128 c1x2, ping-pong 64x128x128 c1x2,
// stream-K 128x128x128 c1x2.
const Sm90Tile kFp8Tensor[] = {{128, 192, 128, false, 1, false, 2, 1}, {128, 128, 128, false, 1, false, 1, 2},
                               {64, 128, 128, false, 1, false, 1, 2}, {128, 128, 128, true, 1, false, 1, 2}};
// gemm_sm90_fp8_blockwise.cu: coop 128x128x128 c1x2, ping-pong 64x128x128 c1x2, stream-K 128x128x128 c1x2.
const Sm90Tile kFp8Block[] = {{128, 128, 128, false, 1, false, 1, 2}, {64, 128, 128, false, 1, false, 1, 2},
                              {128, 128, 128, true, 1, false, 1, 2}};

template <size_t kCount>
int choose(const DeviceInfo& dev, dw_gemm_desc d, dw_gemm_input in, const Sm90Tile (&tiles)[kCount]) {
  d.input = in;
  return dw::gemm::sm90_choose_variant(dev, d, tiles, static_cast<int>(kCount));
}

std::string row_for(int sms, int64_t m, int64_t n, int64_t k) {
  const DeviceInfo dev = table::hopper(sms);
  const dw_gemm_desc d = table::problem(m, n, k, DW_GEMM_IN_BF16);
  std::ostringstream o;
  o << sms << ' ' << m << ' ' << n << ' ' << k << ' ' << choose(dev, d, DW_GEMM_IN_BF16, kBf16) << ' '
    << choose(dev, d, DW_GEMM_IN_FP8_TENSOR, kFp8Tensor) << ' ' << choose(dev, d, DW_GEMM_IN_FP8_BLOCK128, kFp8Block);
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  const bool write = argc == 3 && std::strcmp(argv[1], "--write") == 0;
  if (!write && argc != 2) {
    std::fprintf(stderr, "usage: %s [--write] TABLE\n", argv[0]);
    return 2;
  }
  return table::check_rows("sm90_tile_choice_check", argv[argc - 1], row_for,
                           "a rule in gemm_sm90_select.cpp changed; regenerate the table (--write) and update "
                           "dev.deepwell.kernel.GemmTileChoice",
                           write);
}
