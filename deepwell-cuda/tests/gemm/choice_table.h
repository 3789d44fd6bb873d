// What the host checks of the sm90 planners (mxfp8_fused_choice_check, sm90_tile_choice_check) share:
// a Hopper device of some SM count, a problem, and the check of a table of rows "sms m n k ..." against
// what the native planner gives for each row's problem (the table the Java mirror is tested with).
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gemm/gemm_internal.h"

namespace dw::gemm::choice_table {

inline DeviceInfo hopper(int sms) {
  DeviceInfo dev;
  dev.sm_count = sms;
  dev.cc_major = 9;
  return dev;
}

inline dw_gemm_desc problem(int64_t m, int64_t n, int64_t k, dw_gemm_input input) {
  dw_gemm_desc d{};
  d.m = m;
  d.n = n;
  d.k = k;
  d.input = input;
  d.output = DW_GEMM_OUT_BF16;
  return d;
}

// The row the planner gives for a problem on `sms` SMs.
using RowFor = std::string (*)(int sms, int64_t m, int64_t n, int64_t k);

// Compares every row of `path` with row_for of its problem and reports up to 20 mismatches; with
// `rewrite`, writes the planner's rows back instead (comments first). 0: all agree (or written), 1:
// some disagree (`hint` says what to do), 2: the table cannot be read.
inline int check_rows(const char* tool, const char* path, RowFor row_for, const char* hint, bool rewrite) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read %s\n", tool, path);
    return 2;
  }
  std::vector<std::string> comments, got;
  std::string line;
  int failures = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      comments.push_back(line);
      continue;
    }
    std::istringstream r(line);
    int sms = 0;
    int64_t m = 0, n = 0, k = 0;
    if (!(r >> sms >> m >> n >> k)) {
      std::fprintf(stderr, "%s: unreadable row '%s'\n", tool, line.c_str());
      return 2;
    }
    got.push_back(row_for(sms, m, n, k));
    if (got.back() != line && ++failures <= 20)
      std::fprintf(stderr, "%s: MISMATCH\n  table:  %s\n  native: %s\n", tool, line.c_str(), got.back().c_str());
  }
  in.close();
  if (got.empty()) {
    std::fprintf(stderr, "%s: no rows in %s\n", tool, path);
    return 2;
  }
  if (rewrite) {
    std::ofstream out(path);
    for (const std::string& c : comments) out << c << '\n';
    for (const std::string& r : got) out << r << '\n';
    std::printf("%s: wrote %zu rows to %s (%d changed)\n", tool, got.size(), path, failures);
    return out ? 0 : 1;
  }
  if (failures > 0) {
    std::fprintf(stderr, "%s: %d of %zu rows disagree: %s\n", tool, failures, got.size(), hint);
    return 1;
  }
  std::printf("%s: %zu rows agree\n", tool, got.size());
  return 0;
}

}  // namespace dw::gemm::choice_table
