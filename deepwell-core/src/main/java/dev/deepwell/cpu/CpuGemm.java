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
    // Element (row, q) of each operand is at row * rowStride + q * kStride.
    boolean aK = p.aMajor() == OperandMajor.K_MAJOR;
    boolean bK = p.bMajor() == OperandMajor.K_MAJOR;
    int aRow = aK ? k : 1;
    int aStep = aK ? 1 : m;
    int bRow = bK ? k : 1;
    int bStep = bK ? 1 : n;
    float[] d = new float[Math.multiplyExact(m, n)];
    IntStream rows = IntStream.range(0, m);
    if ((double) m * n * k > PARALLEL_WORK) {
      rows = rows.parallel();
    }
    rows.forEach(i -> {
      for (int j = 0; j < n; j++) {
        double acc = 0;
        int ao = i * aRow;
        int bo = j * bRow;
        for (int q = 0; q < k; q++) {
          acc += (double) a[ao + q * aStep] * b[bo + q * bStep];
        }
        double y = accScale * acc + (bias == null ? 0 : bias[j]);
        double z = p.outScale() * p.activation().apply(y) + (residual == null ? 0 : residual[i * n + j]);
        d[i * n + j] = p.output().round((float) z);
      }
    });
    return d;
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
