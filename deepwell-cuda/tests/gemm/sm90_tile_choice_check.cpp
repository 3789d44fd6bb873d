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
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gemm/gemm_internal.h"

namespace {

using dw::gemm::DeviceInfo;
using dw::gemm::Sm90Tile;

// gemm_sm90_bf16.cu: coop 128x256 c2x1, ping-pong 128x128 c2x1, coop 256x128 c1x2, coop 128x192 c2x1,
// stream-K 128x128 c2x1, split-K 3 128x128 c2x2, split-K with a separate reduction (128x128 c1x2).
const Sm90Tile kBf16[] = {{128, 256, 64, false, 1, false, 2, 1}, {128, 128, 64, false, 1, false, 2, 1},
                          {256, 128, 64, false, 1, false, 1, 2}, {128, 192, 64, false, 1, false, 2, 1},
                          {128, 128, 64, true, 1, false, 2, 1},  {128, 128, 64, true, 3, false, 2, 2},
                          {128, 128, 64, false, 1, true}};
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
  DeviceInfo dev;
  dev.sm_count = sms;
  dev.cc_major = 9;
  dw_gemm_desc d{};
  d.m = m;
  d.n = n;
  d.k = k;
  d.output = DW_GEMM_OUT_BF16;
  std::ostringstream o;
  o << sms << ' ' << m << ' ' << n << ' ' << k << ' ' << choose(dev, d, DW_GEMM_IN_BF16, kBf16) << ' '
    << choose(dev, d, DW_GEMM_IN_FP8_TENSOR, kFp8Tensor) << ' ' << choose(dev, d, DW_GEMM_IN_FP8_BLOCK128, kFp8Block);
  return o.str();
}

struct Table {
  std::vector<std::string> comments;  // kept in place on --write
  std::vector<std::string> rows;
};

bool read_table(const char* path, Table* t) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    (line[0] == '#' ? t->comments : t->rows).push_back(line);
  }
  return true;
}

bool parse(const std::string& line, int* sms, int64_t* m, int64_t* n, int64_t* k) {
  std::istringstream r(line);
  return static_cast<bool>(r >> *sms >> *m >> *n >> *k);
}

}  // namespace

int main(int argc, char** argv) {
  const bool write = argc == 3 && std::strcmp(argv[1], "--write") == 0;
  if (!write && argc != 2) {
    std::fprintf(stderr, "usage: %s [--write] TABLE\n", argv[0]);
    return 2;
  }
  const char* path = argv[argc - 1];
  Table t;
  if (!read_table(path, &t) || t.rows.empty()) {
    std::fprintf(stderr, "sm90_tile_choice_check: cannot read rows from %s\n", path);
    return 2;
  }
  std::vector<std::string> got;
  int failures = 0;
  for (const std::string& line : t.rows) {
    int sms = 0;
    int64_t m = 0, n = 0, k = 0;
    if (!parse(line, &sms, &m, &n, &k)) {
      std::fprintf(stderr, "sm90_tile_choice_check: unreadable row '%s'\n", line.c_str());
      return 2;
    }
    got.push_back(row_for(sms, m, n, k));
    if (got.back() != line && ++failures <= 20)
      std::fprintf(stderr, "sm90_tile_choice_check: MISMATCH\n  table:  %s\n  native: %s\n", line.c_str(),
                   got.back().c_str());
  }
  if (write) {
    std::ofstream out(path);
    for (const std::string& c : t.comments) out << c << '\n';
    for (const std::string& r : got) out << r << '\n';
    std::printf("sm90_tile_choice_check: wrote %zu rows to %s (%d changed)\n", got.size(), path, failures);
    return out ? 0 : 1;
  }
  if (failures > 0) {
    std::fprintf(stderr,
                 "sm90_tile_choice_check: %d of %zu rows disagree: a rule in gemm_sm90_select.cpp changed; "
                 "regenerate the table (--write) and update dev.deepwell.kernel.GemmTileChoice\n",
                 failures, t.rows.size());
    return 1;
  }
  std::printf("sm90_tile_choice_check: %zu rows agree\n", t.rows.size());
  return 0;
}
