// Exhaustive host proof of the division-free scale and element formulas of the pipe3 kernel
// (quant_math.cuh, "division-free forms"; quant_pipe3.cuh): each against the reference formula it
// replaces, for every input the kernel can give it. No GPU needed:
//   g++ -O2 -ffp-contract=off -std=c++17 -pthread pipe3_math_check.cpp -o pipe3_math_check && ./pipe3_math_check
// Parts (about a minute on two cores):
//   1. MX scale codes from BF16 amax bits (both rules, E4M3/E5M2/E2M1): every finite amax;
//   2. RN(a / 448) (FP8 block scale) and RN(a / 6) (NVFP4 block scale): every finite BF16 a >= 0;
//   3. the branch-free FP8 block quotient: every finite BF16 block amax whose multiplier is not 0
//      and every BF16 value v with |v| <= amax, both signs: the same E4M3 code as e4m3(RN(v / s));
//   4. the E2M1 magnitude sum: every non-NaN float (2^32 - 2^24 inputs), and its form without the
//      saturating min for every float below 7 in magnitude.
// The hardware paths (cvt.rn.satfinite, mul.rn.bf16x2) are checked on the GPU by quantize_check.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string_view>
#include <thread>
#include <vector>

#include "../quant_math.cuh"

using namespace dwq;

namespace {

template <typename F>
unsigned long long parallel(uint64_t lo, uint64_t hi, F&& body) {
  const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<unsigned long long> bad{0};
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < n; ++t) {
    ts.emplace_back([&, t] {
      unsigned long long b = 0;
      for (uint64_t i = lo + t; i < hi; i += n) b += body(i);
      bad += b;
    });
  }
  for (auto& t : ts) t.join();
  return bad.load();
}

int mx_scale_codes() {
  int bad = 0;
  uint32_t max_code = 0;
  const int emaxes[3] = {8, 15, 2};
  const float elem_max[3] = {448.0f, 57344.0f, 6.0f};
  for (int ocp = 0; ocp <= 1; ++ocp) {
    for (int k = 0; k < 3; ++k) {
      const MxRule rule = mx_rule(ocp != 0, emaxes[k]);
      for (uint32_t a = 0; a <= 0x7F7Fu; ++a) {
        const uint32_t want = mx_scale_code(bf16_to_float(a), ocp != 0, emaxes[k], elem_max[k]);
        const uint32_t got = mx_scale_code_bf16(a, rule);
        if (got > max_code) max_code = got;
        if (got != want || (mx_inverse_scale_bf16(got) << 16) != f2u(mx_inverse_scale(got))) {
          if (bad < 5) std::printf("  MX scale mismatch: ocp %d emax %d amax bits 0x%04x: got %u want %u\n", ocp,
                                   emaxes[k], a, got, want);
          ++bad;
        }
      }
    }
  }
  std::printf("1. MX scale codes (2 rules x 3 element types x 32640 finite amax): %d mismatches, largest code %u "
              "(must stay <= 253: 2^(127 - code) normal)\n",
              bad, max_code);
  return bad != 0 || max_code > 253;
}

int block_scale_divisions() {
  int bad448 = 0, bad6 = 0;
  for (uint32_t a = 0; a <= 0x7F7Fu; ++a) {  // block amaxes reaching them are finite
    const float x = bf16_to_float(a);
    if (f2u(div448_rn(x)) != f2u(div_rn(x, 448.0f))) {
      if (bad448 < 5) std::printf("  a / 448 mismatch at 0x%04x\n", a);
      ++bad448;
    }
    if (f2u(div6_rn(x)) != f2u(div_rn(x, 6.0f))) {
      if (bad6 < 5) std::printf("  a / 6 mismatch at 0x%04x\n", a);
      ++bad6;
    }
  }
  std::printf("2. RN(a / 448), RN(a / 6) for every finite BF16 a >= 0: %d and %d mismatches\n", bad448, bad6);
  return bad448 != 0 || bad6 != 0;
}

int fp8_block_quotients() {
  std::atomic<unsigned long long> pairs{0}, sign_bad{0};
  const unsigned long long bad = parallel(0, 0x7F80u, [&](uint64_t ab) -> unsigned long long {
    const float a = bf16_to_float(static_cast<uint32_t>(ab));
    const float s = fp8_block_decode_scale(a);
    const float y = fp8_block_inverse(s);
    if (y == 0.0f) return 0;  // the kernel divides exactly in such blocks
    unsigned long long b = 0, n = 0, sb = 0;
    for (uint32_t vb = 0; vb < 65536; ++vb) {
      const float v = bf16_to_float(vb);
      if (!(std::fabs(v) <= a)) continue;  // NaN, Inf and |v| > amax never occur in a finite block
      ++n;
      const uint32_t want = e4m3_encode_sw(v / s), got = e4m3_encode_sw(fp8_block_quotient_finite(v, s, y));
      if (want != got) {
        if (b < 3) std::printf("  quotient mismatch: amax 0x%08x v 0x%08x got 0x%02x want 0x%02x\n", f2u(a), f2u(v), got,
                               want);
        ++b;
      }
      if ((want >> 7) != (vb >> 15)) ++sb;
    }
    pairs += n;
    sign_bad += sb;
    return b;
  });
  std::printf("3. FP8 block quotient without branches: %llu (amax, v) pairs, %llu E4M3 codes differ "
              "(reference sign bit != v's: %llu)\n",
              pairs.load(), bad, sign_bad.load());
  return bad != 0;
}

int e2m1_magnitudes() {
  const unsigned long long bad = parallel(0, 1ull << 16, [&](uint64_t hi) -> unsigned long long {
    unsigned long long b = 0;
    for (uint32_t lo = 0; lo < 65536; ++lo) {
      const uint32_t bits = static_cast<uint32_t>(hi << 16) | lo;
      const float q = u2f(bits);
      if (q != q) continue;
      const uint32_t s = e2m1_magnitude_sum_bits(q);
      const uint32_t got = (s & 7u) | ((bits >> 28) & 8u);
      if (got != e2m1_encode_generic(q) || (s & 0x807FFFF8u) != 0) {
        if (b < 3) std::printf("  E2M1 mismatch at 0x%08x: sum bits 0x%08x\n", bits, s);
        ++b;
      }
      if (std::fabs(q) < 7.0f) {  // the encoder without the saturating min, valid below 7
        const uint32_t s7 = e2m1_magnitude_sum_bits_below7(q);
        if ((s7 & 7u) != (s & 7u) || (s7 & 0x807FFFF8u) != 0) {
          if (b < 3) std::printf("  E2M1 (below 7) mismatch at 0x%08x: sum bits 0x%08x\n", bits, s7);
          ++b;
        }
      }
    }
    return b;
  });
  std::printf("4. E2M1 magnitude sum over every non-NaN float: %llu mismatches (code or stray bits 3..22, 31)\n", bad);
  return bad != 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string_view(argv[1]) == "--quick";  // parts 1 and 2 only
  int rc = mx_scale_codes();
  rc |= block_scale_divisions();
  if (!quick) {
    rc |= fp8_block_quotients();
    rc |= e2m1_magnitudes();
  }
  std::printf("pipe3 math check: %s\n", rc ? "FAILED" : "all equal to the reference");
  return rc;
}
