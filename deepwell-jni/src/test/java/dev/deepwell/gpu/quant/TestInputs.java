package dev.deepwell.gpu.quant;

import dev.deepwell.format.Bf16;
import java.util.SplittableRandom;

/** BF16 test matrices: random (rows of very different magnitudes) and adversarial fills. */
enum TestInputs {
  RANDOM,
  ZEROS,
  /** BF16 subnormals and the smallest normals. */
  DENORMALS,
  /** One value near FLT_MAX in every 16-element run (so in every block of every format). */
  HUGE_PER_BLOCK,
  /** About 3% NaN, +Inf, -Inf. */
  NAN_INF,
  /** Every third 32-wide column band scaled by 1e-30 (blocks far below the tensor amax). */
  TINY_BLOCKS;

  short[] make(int rows, int cols, long seed) {
    SplittableRandom g = new SplittableRandom(seed);
    short[] x = new short[rows * cols];
    for (int r = 0; r < rows; r++) {
      float rowScale = (float) Math.scalb(1.0, g.nextInt(-30, 31));
      for (int c = 0; c < cols; c++) {
        float v = (float) (gaussian(g) * rowScale);
        switch (this) {
          case RANDOM:
            break;
          case ZEROS:
            v = g.nextBoolean() ? 0f : -0f;
            break;
          case DENORMALS:
            x[r * cols + c] = (short) ((g.nextInt() & 0x807F) | (g.nextInt(8) == 0 ? 0x0080 : 0));
            continue;
          case HUGE_PER_BLOCK:
            if (c % 16 == r % 16) v = (g.nextBoolean() ? 1f : -1f) * 3.0e38f;
            break;
          case NAN_INF:
            int k = g.nextInt(97);
            if (k == 0) v = Float.NaN;
            else if (k == 1) v = Float.POSITIVE_INFINITY;
            else if (k == 2) v = Float.NEGATIVE_INFINITY;
            break;
          case TINY_BLOCKS:
            if ((c / 32) % 3 == 1) v *= 1e-30f;
            break;
          default:
            throw new AssertionError(this);
        }
        x[r * cols + c] = Bf16.encode(v);
      }
    }
    return x;
  }

  static float[] toFloat(short[] bf16) {
    float[] f = new float[bf16.length];
    for (int i = 0; i < f.length; i++) f[i] = Bf16.decode(bf16[i]);
    return f;
  }

  private static double gaussian(SplittableRandom g) {
    double u = g.nextDouble(), v = g.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
  }
}
