package dev.deepwell.cpu;

import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The CPU's GEMM: the last backend of the kernel chain and the one that runs any layout. It takes
 * the operands already dequantized (codes times block scales) as FP32, accumulates in FP64,
 * applies the epilogue of {@link GemmProblem} in FP64 and rounds once, to the output type.
 *
 * <pre>
 *   D[m,n] = round(outScale * act(accScale * sum_k A[m,k] B[n,k] + bias[n]) + residual[m,n])
 * </pre>
 *
 * {@code accScale} is alpha times the operands' per-tensor scales, which the GPU kernels also
 * apply to the accumulator rather than to the operands.
 */
public final class CpuGemm {

  /** Below this many multiply-adds one thread is faster than forking. */
  private static final double PARALLEL_WORK = 1 << 20;

  private CpuGemm() {}

  /**
   * Computes D for {@code p}.
   *
   * @param a        A as stored: [M, K] row-major when K-major, else [K, M]
   * @param b        B as stored: [N, K] row-major when K-major, else [K, N]
   * @param accScale multiplies the accumulator (alpha x per-tensor scales)
   * @param bias     N values, iff {@code p.hasBias()}
   * @param residual M x N values, iff {@code p.hasResidual()}
   * @return D, M x N row-major, each value exactly representable in the output type
   */
  public static float[] compute(GemmProblem p, float[] a, float[] b, float accScale, float[] bias, float[] residual) {
    Objects.requireNonNull(p, "problem");
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    int m = toInt(p.m(), "m");
    int n = toInt(p.n(), "n");
    int k = toInt(p.k(), "k");
    check(a.length, (long) m * k, "a", "M*K");
    check(b.length, (long) n * k, "b", "N*K");
    check((long) m * n, (long) m * n, "d", "M*N");
    if (p.hasBias() != (bias != null)) {
      throw new IllegalArgumentException("bias must be given iff the problem has one (hasBias=" + p.hasBias() + ")");
    }
    if (bias != null) {
      check(bias.length, n, "bias", "N");
    }
    if (p.hasResidual() != (residual != null)) {
      throw new IllegalArgumentException("residual must be given iff the problem has one (hasResidual="
          + p.hasResidual() + ")");
    }
    if (residual != null) {
      check(residual.length, (long) m * n, "residual", "M*N");
    }
    // Both operands K-major (a copy where they are not), so that every dot product walks two
    // contiguous rows.
    float[] ak = p.aMajor() == OperandMajor.K_MAJOR ? a : transpose(a, k, m);
    float[] bk = p.bMajor() == OperandMajor.K_MAJOR ? b : transpose(b, k, n);
    float[] d = new float[Math.multiplyExact(m, n)];
    Epilogue e = new Epilogue(p, accScale, bias, residual, d, n);
    // Tasks of 16 rows x 64 columns of D (their A and B rows stay in cache), as many as there are
    // for the cores: a few rows of tokens (decode) still split along N.
    int rowTasks = (m + TASK_ROWS - 1) / TASK_ROWS;
    int columnTasks = (n + TASK_COLUMNS - 1) / TASK_COLUMNS;
    IntStream tasks = IntStream.range(0, Math.multiplyExact(rowTasks, columnTasks));
    if ((double) m * n * k > PARALLEL_WORK) {
      tasks = tasks.parallel();
    }
    tasks.forEach(t -> {
      int i0 = (t / columnTasks) * TASK_ROWS;
      int j0 = (t % columnTasks) * TASK_COLUMNS;
      block(ak, bk, k, i0, Math.min(m, i0 + TASK_ROWS), j0, Math.min(n, j0 + TASK_COLUMNS), e);
    });
    return d;
  }

  private static final int TASK_ROWS = 16;
  private static final int TASK_COLUMNS = 64;

  /**
   * D[i0, i1) x [j0, j1), 2 rows x 4 columns at a time (eight accumulators in registers; each B
   * element loaded serves two rows, each A element four columns). Every accumulator still adds its
   * K products in order from q = 0, as one dot product at a time would: the same bits. Against one
   * dot product at a time over the operands as stored (the first form), 2 cores: 3.2x at 512x768x768
   * with K-major operands, 5.4x with M-/N-major ones (docs/PERFORMANCE.md, CpuGemmBenchmark).
   */
  private static void block(float[] a, float[] b, int k, int i0, int i1, int j0, int j1, Epilogue e) {
    int i = i0;
    for (; i + 1 < i1; i += 2) {
      int r0 = i * k;
      int r1 = r0 + k;
      int j = j0;
      for (; j + 3 < j1; j += 4) {
        int c0 = j * k;
        int c1 = c0 + k;
        int c2 = c1 + k;
        int c3 = c2 + k;
        double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (int q = 0; q < k; q++) {
          double x0 = a[r0 + q];
          double x1 = a[r1 + q];
          double y0 = b[c0 + q];
          double y1 = b[c1 + q];
          double y2 = b[c2 + q];
          double y3 = b[c3 + q];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
        }
        e.store(i, j, s00);
        e.store(i, j + 1, s01);
        e.store(i, j + 2, s02);
        e.store(i, j + 3, s03);
        e.store(i + 1, j, s10);
        e.store(i + 1, j + 1, s11);
        e.store(i + 1, j + 2, s12);
        e.store(i + 1, j + 3, s13);
      }
      for (; j < j1; j++) {
        e.store(i, j, dot(a, r0, b, j * k, k));
        e.store(i + 1, j, dot(a, r1, b, j * k, k));
      }
    }
    if (i < i1) {  // an odd last row
      for (int j = j0; j < j1; j++) {
        e.store(i, j, dot(a, i * k, b, j * k, k));
      }
    }
  }

  private static double dot(float[] a, int ao, float[] b, int bo, int k) {
    double acc = 0;
    for (int q = 0; q < k; q++) {
      acc += (double) a[ao + q] * b[bo + q];
    }
    return acc;
  }

  /** [rows][cols] row-major -> [cols][rows] row-major, in 32 x 32 blocks. */
  private static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int r0 = 0; r0 < rows; r0 += 32) {
      for (int c0 = 0; c0 < cols; c0 += 32) {
        int r1 = Math.min(rows, r0 + 32);
        int c1 = Math.min(cols, c0 + 32);
        for (int r = r0; r < r1; r++) {
          for (int c = c0; c < c1; c++) {
            t[c * rows + r] = x[r * cols + c];
          }
        }
      }
    }
    return t;
  }

  /** The epilogue of one output element, in FP64, rounded once to the output type. */
  private static final class Epilogue {
    private final GemmProblem p;
    private final double accScale;
    private final float[] bias;
    private final float[] residual;
    private final float[] d;
    private final int n;

    Epilogue(GemmProblem p, float accScale, float[] bias, float[] residual, float[] d, int n) {
      this.p = p;
      this.accScale = accScale;
      this.bias = bias;
      this.residual = residual;
      this.d = d;
      this.n = n;
    }

    void store(int i, int j, double acc) {
      double y = accScale * acc + (bias == null ? 0 : bias[j]);
      double z = p.outScale() * p.activation().apply(y) + (residual == null ? 0 : residual[i * n + j]);
      d[i * n + j] = p.output().round((float) z);
    }
  }

  private static int toInt(long v, String name) {
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + "=" + v + " is too large for the CPU GEMM (Java arrays)");
    }
    return (int) v;
  }

  private static void check(long actual, long expected, String what, String formula) {
    if (expected > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " needs " + formula + " = " + expected
          + " elements, more than a Java array holds");
    }
    if (actual != expected) {
      throw new IllegalArgumentException(what + ".length " + actual + " != " + formula + " = " + expected);
    }
  }
}
