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

#include "gemm/gemm_internal.h"

namespace {

using dw::gemm::DeviceInfo;
using dw::gemm::Sm90FusedSplit;

constexpr int kTiles[3] = {256, 192, 128};

std::string row_for(int sms, int64_t m, int64_t n, int64_t k) {
  DeviceInfo dev;
  dev.sm_count = sms;
  dev.cc_major = 9;
  dw_gemm_desc d{};
  d.m = m;
  d.n = n;
  d.k = k;
  d.input = DW_GEMM_IN_MXFP8;
  d.output = DW_GEMM_OUT_BF16;
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
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "mxfp8_fused_choice_check: cannot read %s\n", argv[1]);
    return 2;
  }
  std::string line;
  int rows = 0, failures = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream r(line);
    int sms = 0;
    int64_t m = 0, n = 0, k = 0;
    if (!(r >> sms >> m >> n >> k)) {
      std::fprintf(stderr, "mxfp8_fused_choice_check: unreadable row '%s'\n", line.c_str());
      return 2;
    }
    ++rows;
    const std::string got = row_for(sms, m, n, k);
    if (got != line && ++failures <= 20)
      std::fprintf(stderr, "mxfp8_fused_choice_check: MISMATCH\n  table:  %s\n  native: %s\n", line.c_str(), got.c_str());
  }
  if (rows == 0) {
    std::fprintf(stderr, "mxfp8_fused_choice_check: no rows in %s\n", argv[1]);
    return 2;
  }
  if (failures > 0) {
    std::fprintf(stderr,
                 "mxfp8_fused_choice_check: %d of %d rows disagree: the model in gemm_sm90_select.cpp changed; "
                 "regenerate the table (--write) and update dev.deepwell.kernel.Mxfp8FusedSplit / GemmTileChoice\n",
                 failures, rows);
    return 1;
  }
  std::printf("mxfp8_fused_choice_check: %d rows agree\n", rows);
  return 0;
}
