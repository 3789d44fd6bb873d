// Exhaustive host check of the FP8 block quotient (quant_math.cuh, fp8_block_quotient): for every
// finite BF16 block amax a and every BF16 value v with |v| <= a (and +-Inf), the E4M3 code of the
// kernel's quotient equals the reference's E4M3 code of RN(v / s), s = a / 448 (or 1). These are
// all the inputs the FP8 block kernel can see (no transform precedes it), about 2^30 pairs.
//   g++ -O2 -ffp-contract=off -std=c++17 -pthread fp8_block_quotient_check.cpp && ./a.out
#include <atomic>
#include <cstdio>
#include <thread>

#include "../quant_math.cuh"

using namespace dwq;

int main() {
  std::atomic<unsigned long long> bad{0}, total{0};
  auto work = [&](uint32_t a_lo, uint32_t a_hi) {
    unsigned long long b = 0, t = 0;
    for (uint32_t ab = a_lo; ab < a_hi; ++ab) {
      const float a = bf16_to_float(ab);
      const float s = fp8_block_decode_scale(a);
      const float y = fp8_block_inverse(s);
      for (uint32_t vb = 0; vb < 65536; ++vb) {
        const float v = bf16_to_float(vb);
        if (v != v || !(std::fabs(v) <= a || std::isinf(v))) continue;
        if (e4m3_encode_sw(fp8_block_quotient(v, s, y)) != e4m3_encode_sw(v / s)) {
          if (b < 5) std::printf("mismatch: amax 0x%08x v 0x%08x\n", f2u(a), f2u(v));
          ++b;
        }
        ++t;
      }
    }
    bad += b;
    total += t;
  };
  std::thread t1(work, 0, 0x3F00), t2(work, 0x3F00, 0x7F80);
  t1.join();
  t2.join();
  std::printf("fp8-block quotient: %llu (amax, v) pairs, %llu E4M3 codes differ from e4m3(RN(v / s))\n", total.load(),
              bad.load());
  return bad.load() != 0;
}
