package dev.deepwell.quant;

import java.util.Random;

/** Helpers shared by the quantizer tests: independent readers of the stored bytes, inputs. */
final class QuantTestSupport {

  private QuantTestSupport() {}

  /** Row-major transpose of a {@code [rows, cols]} matrix (written independently of Storage). */
  static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int r = i / cols;
      int c = i % cols;
      t[c * rows + r] = x[i];
    }
    return t;
  }

  /** Element code {@code p} (stored orientation) read straight from the packed bytes. */
  static int code(QuantizedTensor q, int p) {
    byte[] data = q.data();
    if (q.format().elementFormat().bits() == 8) {
      return data[p] & 0xFF;
    }
    int b = data[p / 2] & 0xFF;
    return (p % 2 == 0) ? b & 0xF : b >>> 4;
  }

  /** All element codes in stored order. */
  static int[] codes(QuantizedTensor q) {
    int n = q.rows() * q.cols();
    int[] out = new int[n];
    byte[] data = q.data();
    boolean fp4 = q.format().elementFormat().bits() == 4;
    for (int p = 0; p < n; p++) {
      out[p] = fp4 ? ((p % 2 == 0) ? data[p / 2] & 0xF : (data[p / 2] & 0xFF) >>> 4)
          : data[p] & 0xFF;
    }
    return out;
  }

  /** One-byte scale {@code (r, c)} of the logical scale matrix, wherever the layout puts it. */
  static int scaleByte(QuantizedTensor q, int r, int c) {
    int off = q.scaleLayout().offset(r, c, q.scaleRows(), q.scaleCols());
    return q.scales()[off] & 0xFF;
  }

  /** FP32 scale {@code (r, c)} of an FP8_BLOCK tensor, decoded from little-endian bytes. */
  static float fp32Scale(QuantizedTensor q, int r, int c) {
    byte[] s = q.scales();
    int off = 4 * (r * q.scaleCols() + c);
    int bits = (s[off] & 0xFF) | (s[off + 1] & 0xFF) << 8 | (s[off + 2] & 0xFF) << 16
        | (s[off + 3] & 0xFF) << 24;
    return Float.intBitsToFloat(bits);
  }

  /**
   * Random input whose runs of {@code block} elements along each row have their own magnitude
   * 2^U(minLog2, maxLog2) times a standard Gaussian, with ~3% exact zeros.
   */
  static float[] blockyGaussian(Random rnd, int rows, int cols, int block, int minLog2,
      int maxLog2) {
    float[] x = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < cols; b += block) {
        double mag = Math.pow(2, minLog2 + rnd.nextDouble() * (maxLog2 - minLog2));
        for (int j = b; j < Math.min(b + block, cols); j++) {
          x[r * cols + j] = rnd.nextInt(32) == 0 ? 0f : (float) (rnd.nextGaussian() * mag);
        }
      }
    }
    return x;
  }

  /** Numeric (not bitwise) float equality that also matches NaN with NaN. */
  static boolean same(float a, float b) {
    return a == b || (Float.isNaN(a) && Float.isNaN(b));
  }
}
