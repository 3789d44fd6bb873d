package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Hadamard16Test {

  /** FP64 reference: y = (1/4) H D x with H[i][j] = (-1)^popcount(i & j). */
  private static double[] reference(float[] x, int mask) {
    double[] y = new double[16];
    for (int i = 0; i < 16; i++) {
      double sum = 0;
      for (int j = 0; j < 16; j++) {
        double h = Integer.bitCount(i & j) % 2 == 0 ? 1 : -1;
        double d = ((mask >>> j) & 1) != 0 ? -1 : 1;
        sum += h * d * x[j];
      }
      y[i] = sum / 4;
    }
    return y;
  }

  @Test
  void forwardOfIntegersIsExactlyTheReferenceMatrixProduct() {
    // Sums of 16 small integers scaled by 1/4 are exact in float, so bit equality is expected.
    Random rnd = new Random(1);
    for (int trial = 0; trial < 50; trial++) {
      int mask = rnd.nextInt(1 << 16);
      float[] x = new float[16];
      for (int j = 0; j < 16; j++) {
        x[j] = rnd.nextInt(201) - 100;
      }
      double[] expected = reference(x, mask);
      float[] y = x.clone();
      Hadamard16.forward(y, 0, mask);
      for (int i = 0; i < 16; i++) {
        assertThat(y[i] == expected[i]).as("y[%d] = %s, expected %s", i, y[i], expected[i])
            .isTrue();
      }
      Hadamard16.inverse(y, 0, mask);
      for (int i = 0; i < 16; i++) {
        // Numeric equality: a zero may come back as -0 after a sign flip.
        assertThat(y[i] == x[i]).as("round trip of x[%d] = %s gave %s", i, x[i], y[i]).isTrue();
      }
    }
  }

  @Test
  void forwardOfRandomFloatsIsCloseToReferenceAndPreservesNorm() {
    Random rnd = new Random(2);
    for (int trial = 0; trial < 50; trial++) {
      int mask = rnd.nextInt(1 << 16);
      float[] x = new float[20];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) rnd.nextGaussian();
      }
      float[] y = x.clone();
      Hadamard16.forward(y, 4, mask); // offset: only x[4..19] change
      float[] block = new float[16];
      System.arraycopy(x, 4, block, 0, 16);
      double[] expected = reference(block, mask);
      double normX = 0;
      double normY = 0;
      for (int i = 0; i < 16; i++) {
        assertThat((double) y[4 + i]).isCloseTo(expected[i], within(1e-5));
        normX += (double) block[i] * block[i];
        normY += (double) y[4 + i] * y[4 + i];
      }
      assertThat(y[0]).isEqualTo(x[0]);
      assertThat(normY).isCloseTo(normX, within(1e-4 * normX));
      Hadamard16.inverse(y, 4, mask);
      for (int i = 0; i < 16; i++) {
        assertThat(y[4 + i]).isCloseTo(block[i], within(1e-5f));
      }
    }
  }

  @Test
  void unitVectorSpreadsToSixteenQuarters() {
    // x = e_5, mask sets bit 5: y = -(1/4) * column 5 of H.
    float[] v = new float[16];
    v[5] = 1f;
    Hadamard16.forward(v, 0, 1 << 5);
    for (int i = 0; i < 16; i++) {
      float h = Integer.bitCount(i & 5) % 2 == 0 ? 1f : -1f;
      assertThat(v[i]).isEqualTo(-0.25f * h);
    }
  }

  @Test
  void signMaskIsPhiloxWordZeroOfCounterZeroZeroZeroOne() {
    long seed = 0xDEADBEEFCAFEL;
    int[] w = Philox4x32.block(0, 0, 0, 1, (int) seed, (int) (seed >>> 32), 10);
    assertThat(Hadamard16.signMask(seed)).isEqualTo(w[0] & 0xFFFF);
    assertThat(Hadamard16.signMask(seed)).isEqualTo(Hadamard16.signMask(seed));
    assertThat(Hadamard16.signMask(1)).isNotEqualTo(Hadamard16.signMask(2));
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Hadamard16.forward(new float[15], 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    assertThatThrownBy(() -> Hadamard16.forward(new float[32], 17, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 17");
    assertThatThrownBy(() -> Hadamard16.inverse(null, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v must not be null");
    assertThatThrownBy(() -> Hadamard16.forward(new float[16], 0, 0x10000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signMask");
  }
}
