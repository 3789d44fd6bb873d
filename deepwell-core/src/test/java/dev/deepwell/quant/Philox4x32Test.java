package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Philox4x32Test {

  // Known-answer vectors of Random123 (tests/kat_vectors, D. E. Shaw Research): counter[4] key[2]
  // -> output[4]. Only the numbers are used, as reference data.
  private static final int[][] KAT_10 = {
      {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
          0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
      {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
          0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
      {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
          0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
  };
  private static final int[][] KAT_7 = {
      {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
          0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48},
      {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
          0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662},
      {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
          0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a},
  };

  @Test
  void philox4x32_10_matchesRandom123KnownAnswers() {
    for (int[] v : KAT_10) {
      int[] out = Philox4x32.block(new int[] {v[0], v[1], v[2], v[3]}, new int[] {v[4], v[5]});
      assertThat(out).containsExactly(v[6], v[7], v[8], v[9]);
    }
  }

  @Test
  void philox4x32_7_matchesRandom123KnownAnswers() {
    // The 7-round vectors pin down the key schedule (bump between rounds, not before the first).
    for (int[] v : KAT_7) {
      int[] out = Philox4x32.block(v[0], v[1], v[2], v[3], v[4], v[5], 7);
      assertThat(out).containsExactly(v[6], v[7], v[8], v[9]);
    }
  }

  @Test
  void random24_isWordIModFourOfCounterIDivFourShiftedRight8() {
    long seed = 0x0123456789ABCDEFL;
    long[] indices = {0, 1, 2, 3, 4, 7, 1001, (5L << 34) + 6};
    for (long i : indices) {
      long group = i / 4;
      int[] w = Philox4x32.block((int) group, (int) (group >>> 32), 0, 0, 0x89ABCDEF, 0x01234567,
          10);
      assertThat(Philox4x32.random24(seed, i)).as("index %d", i).isEqualTo(w[(int) (i % 4)] >>> 8);
    }
  }

  @Test
  void random24_usesTheHighCounterWordForIndicesBeyond2To34() {
    // i/4 = 2^32 must not alias i/4 = 0.
    assertThat(Philox4x32.random24(7, 1L << 34)).isNotEqualTo(Philox4x32.random24(7, 0));
    assertThat(Philox4x32.random24(7, 1L << 34)).isEqualTo(
        Philox4x32.block(0, 1, 0, 0, 7, 0, 10)[0] >>> 8);
  }

  @Test
  void random24_staysIn24BitsAndLooksUniform() {
    int n = 40_000;
    int below = 0;
    Set<Integer> distinct = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int r = Philox4x32.random24(42, i);
      assertThat(r).isBetween(0, (1 << 24) - 1);
      if (r < (1 << 23)) {
        below++;
      }
      distinct.add(r);
    }
    // Binomial(n, 1/2): sd = 100; 6 sigma.
    assertThat(below).isBetween(n / 2 - 600, n / 2 + 600);
    assertThat(distinct.size()).isGreaterThan(n - 200);
  }

  @Test
  void streamMatchesTheStatelessFunction() {
    Philox4x32.Stream stream = new Philox4x32.Stream(-5);
    for (long i : new long[] {0, 1, 5, 4, 3, 100, 99, 101}) {
      assertThat(stream.random24(i)).isEqualTo(Philox4x32.random24(-5, i));
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Philox4x32.block(new int[3], new int[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counter");
    assertThatThrownBy(() -> Philox4x32.block(new int[4], null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
    assertThatThrownBy(() -> Philox4x32.block(0, 0, 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds");
    assertThatThrownBy(() -> Philox4x32.random24(0, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("elementIndex");
  }
}
