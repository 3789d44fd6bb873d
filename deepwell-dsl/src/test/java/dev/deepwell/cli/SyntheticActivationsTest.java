package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SyntheticActivationsTest {

  @Test
  void reproducibleFromTheSeedAndDifferentForAnotherSeed() {
    float[] a = SyntheticActivations.generate(64, 256, 9);
    float[] b = SyntheticActivations.generate(64, 256, 9);
    float[] c = SyntheticActivations.generate(64, 256, 10);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void rowsDoNotDependOnHowManyRowsFollow() {
    // Each row's stream is split off in row order, so a taller tensor starts with the same rows.
    float[] small = SyntheticActivations.generate(8, 128, 3);
    float[] tall = SyntheticActivations.generate(300, 128, 3);
    for (int i = 0; i < small.length; i++) assertThat(tall[i]).isEqualTo(small[i]);
  }

  @Test
  void heavyTailedWithOutlierChannels() {
    int rows = 512;
    int cols = 1024;
    float[] x = SyntheticActivations.generate(rows, cols, 42);
    double m2 = 0;
    double m4 = 0;
    for (float v : x) {
      assertThat(Float.isFinite(v)).isTrue();
      m2 += (double) v * v;
      m4 += (double) v * v * v * v;
    }
    m2 /= x.length;
    m4 /= x.length;
    // A Gaussian has kurtosis 3; the scale mixtures make this one far heavier.
    assertThat(m4 / (m2 * m2)).isGreaterThan(10);

    double[] colRms = new double[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) colRms[c] += (double) x[r * cols + c] * x[r * cols + c];
    }
    double[] sorted = colRms.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[cols / 2];
    long outliers = java.util.Arrays.stream(colRms).filter(v -> v > 25 * median).count();
    // ~1% of 1024 channels were scaled 10-30x (RMS^2 100-900x); log-normal spread adds a few.
    assertThat(outliers).isBetween(5L, 30L);
  }

  @Test
  void rejectsBadShapes() {
    assertThatThrownBy(() -> SyntheticActivations.generate(0, 4, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
    assertThatThrownBy(() -> SyntheticActivations.generate(4, -1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cols");
  }
}
