package dev.deepwell.cli;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A reproducible FP32 matrix that looks like a transformer's activations, for the demo: the
 * properties that make low-precision quantization hard are all present.
 *
 * <ul>
 *   <li>Heavy tails and many near-zero values: each element is the product {@code g * h} of two
 *       independent standard normals (kurtosis 9 against a Gaussian's 3), so blocks hold
 *       occasional values many standard deviations out next to many tiny ones, as activations
 *       after GELU/SwiGLU gating do.
 *   <li>Per-channel (column) scales, log-normal with sigma 0.5, and about 1% outlier channels
 *       10-30x larger than the rest: the outlier features found in large language models, which
 *       are what per-block scaling exists for.
 *   <li>Per-token (row) scales, log-normal with sigma 0.3: tokens differ in norm.
 * </ul>
 *
 * The values depend only on {@code (rows, cols, seed)}, not on the number of threads: every row
 * has its own random stream, split off a master stream in row order.
 */
final class SyntheticActivations {

  private SyntheticActivations() {}

  static float[] generate(int rows, int cols, long seed) {
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    if (cols <= 0) throw new IllegalArgumentException("cols must be > 0, got " + cols);
    long n = (long) rows * cols;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("rows x cols = " + n + " is more than one array holds");
    }
    SplittableRandom master = new SplittableRandom(seed);
    float[] colScale = new float[cols];
    for (int c = 0; c < cols; c++) {
      colScale[c] = (float) Math.exp(0.5 * master.nextGaussian());
    }
    int outliers = Math.max(1, cols / 100);
    for (int i = 0; i < outliers; i++) {
      colScale[master.nextInt(cols)] *= (float) (10 + 20 * master.nextDouble());
    }
    float[] rowScale = new float[rows];
    SplittableRandom[] rowStreams = new SplittableRandom[rows];
    for (int r = 0; r < rows; r++) {
      rowScale[r] = (float) Math.exp(0.3 * master.nextGaussian());
      rowStreams[r] = master.split();
    }
    float[] x = new float[(int) n];
    IntStream.range(0, rows).parallel().forEach(r -> {
      SplittableRandom rnd = rowStreams[r];
      int base = r * cols;
      float rs = rowScale[r];
      for (int c = 0; c < cols; c++) {
        double g = rnd.nextGaussian();
        double h = rnd.nextGaussian();
        x[base + c] = (float) (rs * colScale[c] * g * h);
      }
    });
    return x;
  }
}
