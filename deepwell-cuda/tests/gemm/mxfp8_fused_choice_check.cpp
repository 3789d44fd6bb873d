// Host-only check of the sm90 MXFP8 way and the fused kernel's split-K model
// (gemm_sm90_select.cpp: sm90_mxfp8_way, sm90_mxfp8_fused_split) against
// mxfp8_fused_choices.txt, the table the Java mirror (dev.deepwell.kernel.Mxfp8FusedSplit,
// GemmTileChoice) is tested with by Mxfp8FusedChoicesContractTest: so that the two planners cannot
// drift apart without a GPU to compare them on. Needs no GPU: the native build runs it (see
// src/gemm/sources.cmake) and fails when a row disagrees.
//
//   mxfp8_fused_choice_check TABLE            check every row
//   mxfp8_fused_choice_check --write TABLE    regenerate the table (after retuning the model)
//
// Row: sms m n k way | splits split_k_tiles cost for 128x256 | ... 128x192 | ... 128x128, where way
// is 0 (the dequantizing pass), 1 (fused 128x256), 2 (fused 128x192), 3 (fused 128x128); BF16 output.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "choice_table.h"

namespace {

using dw::gemm::DeviceInfo;
using dw::gemm::Sm90FusedSplit;

constexpr int kTiles[3] = {256, 192, 128};

std::string row_for(int sms, int64_t m, int64_t n, int64_t k) {
  const DeviceInfo dev = dw::gemm::choice_table::hopper(sms);
  const dw_gemm_desc d = dw::gemm::choice_table::problem(m, n, k, DW_GEMM_IN_MXFP8);
  std::ostringstream o;
  o << sms << ' ' << m << ' ' << n << ' ' << k << ' ' << static_cast<int>(dw::gemm::sm90_mxfp8_way(dev, d));
  for (const int t : kTiles) {
    const Sm90FusedSplit s = dw::gemm::sm90_mxfp8_fused_split(dev, m, n, k, t);
    o << ' ' << s.splits << ' ' << s.split_k_tiles << ' ' << s.cost;
  }
  return o.str();
}

int write_table(const char* path) {
  std::ofstream out(path);
  out << "# sms m n k way | splits split_k_tiles cost: 128x256 | 128x192 | 128x128 "
         "(mxfp8_fused_choice_check --write; way 0 pass, 1 fused 128x256, 2 fused 128x192, 3 fused 128x128)\n";
  const int sms_list[] = {132, 114, 78};
  const int64_t ms[] = {128, 512, 767, 768, 1024, 1280, 1536, 2048, 2304, 3072, 4095, 4096, 8192, 16384, 32768};
  const int64_t ns[] = {128, 256, 512, 768, 1000, 1024, 1032, 2048};
  const int64_t ks[] = {768, 2624, 4080, 4096, 8192, 16384, 16376, 32768};
  int rows = 0;
  for (const int sms : sms_list)
    for (const int64_t m : ms)
      for (const int64_t n : ns)
        for (const int64_t k : ks) out << row_for(sms, m, n, k) << '\n', ++rows;
  std::printf("mxfp8_fused_choice_check: wrote %d rows to %s\n", rows, path);
  return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write") == 0) return write_table(argv[2]);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s [--write] TABLE\n", argv[0]);
    return 2;
  }
  return dw::gemm::choice_table::check_rows(
      "mxfp8_fused_choice_check", argv[1], row_for,
      "the model in gemm_sm90_select.cpp changed; regenerate the table (--write) and update "
      "dev.deepwell.kernel.Mxfp8FusedSplit / GemmTileChoice",
      false);
}
