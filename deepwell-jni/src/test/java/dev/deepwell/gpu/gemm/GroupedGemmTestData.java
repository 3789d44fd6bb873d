package dev.deepwell.gpu.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The arguments of one grouped GEMM on the host, laid out as deepwell/gemm_grouped.h wants them
 * (BF16, or FP8 E4M3 with A's 1x128 scales in per-group blocks and each expert's 128x128
 * scales), the dequantized operands in FP64, and the FP64 reference result computed group by
 * group with each group's own expert. Quantization here is the textbook one (scale = amax / 448,
 * round to nearest even), written independently of the code under test.
 */
final class GroupedGemmTestData {

  final GroupedGemmProblem problem;
  final int[] sizes;
  final long[] offsets;
  final int total;
  final byte[] a;
  final byte[] b;
  final byte[] scaleA;  // FP8 only
  final byte[] scaleB;
  final byte[] bias;    // when the problem has one
  final double[] biasValues;
  private final double[] deqA;  // [total, K]
  private final double[] deqB;  // [G, N, K]

  private GroupedGemmTestData(GroupedGemmProblem p, int[] sizes, long seed) {
    this.problem = p;
    this.sizes = sizes.clone();
    int g = p.groups();
    int n = (int) p.n();
    int k = (int) p.k();
    offsets = new long[g];
    int t = 0;
    for (int i = 0; i < g; i++) {
      offsets[i] = t;
      t += sizes[i];
    }
    total = t;
    SplittableRandom r = new SplittableRandom(seed);
    float[] va = values(r, total, k);
    float[] vb = values(r, g * n, k);
    deqA = new double[total * k];
    deqB = new double[g * n * k];
    if (p.input() == GemmInput.BF16) {
      a = bf16(va, deqA);
      b = bf16(vb, deqB);
      scaleA = null;
      scaleB = null;
    } else {
      int kb = (k + 127) / 128;
      int nb = (n + 127) / 128;
      a = new byte[total * k];
      b = new byte[g * n * k];
      float[] sa = new float[kb * total];
      float[] sb = new float[g * nb * kb];
      for (int grp = 0; grp < g; grp++) {
        int off = (int) offsets[grp];
        int m = sizes[grp];
        for (int i = 0; i < m; i++) {
          for (int bk = 0; bk < kb; bk++) {
            int row = off + i;
            float s = quantizeBlock(va, k, row, row + 1, bk * 128, Math.min(k, bk * 128 + 128), a, deqA);
            sa[kb * off + bk * m + i] = s; // group's [kb, M_g] block, M-contiguous
          }
        }
        for (int bn = 0; bn < nb; bn++) {
          for (int bk = 0; bk < kb; bk++) {
            int r0 = grp * n + bn * 128;
            int r1 = grp * n + Math.min(n, bn * 128 + 128);
            sb[(grp * nb + bn) * kb + bk] = quantizeBlock(vb, k, r0, r1, bk * 128, Math.min(k, bk * 128 + 128), b,
                deqB);
          }
        }
      }
      scaleA = floats(sa);
      scaleB = floats(sb);
    }
    if (p.hasBias()) {
      biasValues = new double[g * n];
      float[] f = new float[g * n];
      for (int i = 0; i < f.length; i++) {
        biasValues[i] = p.output().round((float) (2 * gaussian(r)));
        f[i] = (float) biasValues[i];
      }
      bias = GemmOperandCodec.encodeOutput(p.output(), f);
    } else {
      biasValues = null;
      bias = null;
    }
  }

  static GroupedGemmTestData random(GroupedGemmProblem p, int[] sizes, long seed) {
    if (sizes.length != p.groups()) {
      throw new IllegalArgumentException("sizes has " + sizes.length + " entries for " + p.groups() + " groups");
    }
    return new GroupedGemmTestData(p, sizes, seed);
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Gaussian rows with a per-row magnitude between 2^-3 and 2^3, so block scales differ. */
  private static float[] values(SplittableRandom r, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      double mag = Math.scalb(1.0, r.nextInt(-3, 4));
      for (int j = 0; j < cols; j++) {
        v[i * cols + j] = (float) (mag * gaussian(r));
      }
    }
    return v;
  }

  private static byte[] bf16(float[] v, double[] deq) {
    byte[] out = new byte[2 * v.length];
    for (int i = 0; i < v.length; i++) {
      short s = Bf16.encode(v[i]);
      out[2 * i] = (byte) s;
      out[2 * i + 1] = (byte) (s >>> 8);
      deq[i] = Bf16.decode(s);
    }
    return out;
  }

  /** E4M3 codes of rows [r0, r1) x columns [c0, c1) with one scale amax / 448; returns the scale. */
  private static float quantizeBlock(float[] v, int k, int r0, int r1, int c0, int c1, byte[] codes, double[] deq) {
    double amax = 0;
    for (int r = r0; r < r1; r++) {
      for (int c = c0; c < c1; c++) {
        amax = Math.max(amax, Math.abs(v[r * k + c]));
      }
    }
    float s = (float) (amax > 0 ? amax / Fp8E4M3.MAX : 1.0);
    for (int r = r0; r < r1; r++) {
      for (int c = c0; c < c1; c++) {
        byte code = Fp8E4M3.encode(v[r * k + c] / s);
        codes[r * k + c] = code;
        deq[r * k + c] = (double) Fp8E4M3.decode(code) * s;
      }
    }
    return s;
  }

  private static byte[] floats(float[] f) {
    ByteBuffer bb = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : f) {
      bb.putFloat(x);
    }
    return bb.array();
  }

  /**
   * Null when the first {@code total} rows of {@code got} are within the bound of
   * {@link GemmTolerance} (output rounding, FP32 epilogue, the accumulation of the input format),
   * else a description of the worst miss.
   */
  String check(float[] got) {
    GroupedGemmProblem p = problem;
    int n = (int) p.n();
    int k = (int) p.k();
    double out = p.output() == GemmOutput.BF16 ? GemmTolerance.OUT_BF16 : GemmTolerance.OUT_FP32;
    double acc = GemmTolerance.accumulation(p.input());
    double slope = p.activation().maxSlope();
    double os = Math.abs(p.outScale());
    double worstRatio = 1;
    String worst = null;
    int grp = 0;
    for (int row = 0; row < total; row++) {
      while (row >= offsets[grp] + sizes[grp]) {
        grp++;
      }
      for (int j = 0; j < n; j++) {
        double dot = 0;
        double mag = 0;
        for (int q = 0; q < k; q++) {
          double x = deqA[row * k + q] * deqB[(grp * n + j) * k + q];
          dot += x;
          mag += Math.abs(x);
        }
        double s = Math.abs(p.alpha()) * mag;
        double y = p.alpha() * dot + (biasValues == null ? 0 : biasValues[grp * n + j]);
        double ref = p.outScale() * p.activation().apply(y);
        double b = biasValues == null ? 0 : Math.abs(biasValues[grp * n + j]);
        double allowed = out * Math.abs(ref) + GemmTolerance.EPILOGUE * os * slope * (s + b)
            + acc * slope * os * s + Double.MIN_NORMAL;
        float d = got[row * n + j];
        double ratio = Float.isFinite(d) ? Math.abs(d - ref) / allowed : Double.POSITIVE_INFINITY;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worst = String.format(Locale.ROOT, "D[%d, %d] (group %d) = %.9g, reference %.9g: %.2fx the allowed error",
              row, j, grp, d, ref, ratio);
        }
      }
    }
    return worst;
  }
}
