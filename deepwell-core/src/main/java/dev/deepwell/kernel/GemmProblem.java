package dev.deepwell.kernel;

import java.util.Objects;

/**
 * What one GEMM computes, without any memory: everything that chooses a kernel. Immutable; made
 * with {@link #builder(long, long, long, GemmInput)}.
 *
 * <pre>
 *   Y[m,n] = alpha * tensorScales * sum_k deq(A)[m,k] * deq(B)[n,k] + bias[n]
 *   D[m,n] = outScale * act(Y[m,n]) + residual[m,n]
 * </pre>
 *
 * A is {@code M x K}, B is {@code N x K} (the weight as stored, or the transposed copy of the
 * second operand of a backward GEMM), D is {@code M x N} row-major. Dimensions may be 0: a GEMM
 * with M or N = 0 writes nothing, one with K = 0 writes the epilogue of a zero accumulator.
 */
public final class GemmProblem extends AbstractGemmProblem {

  private final long m;
  private final boolean residual;
  private final OperandMajor aMajor;
  private final OperandMajor bMajor;

  private GemmProblem(Builder b) {
    super(b);
    this.m = b.m;
    this.residual = b.residual;
    this.aMajor = b.aMajor;
    this.bMajor = b.bMajor;
  }

  /**
   * A builder for an {@code [m, k] x [n, k]^T} GEMM of {@code input} operands, with a BF16
   * output, no activation, alpha = outScale = 1, no bias or residual, both operands K-major.
   *
   * @throws IllegalArgumentException if a dimension is negative
   * @throws NullPointerException if {@code input} is null
   */
  public static Builder builder(long m, long n, long k, GemmInput input) {
    return new Builder(m, n, k, input);
  }

  /** A builder preset to this problem. */
  public Builder toBuilder() {
    Builder b = new Builder(m, n(), k(), input()).epilogueOf(this);
    b.residual = residual;
    b.aMajor = aMajor;
    b.bMajor = bMajor;
    return b;
  }

  public long m() {
    return m;
  }

  public boolean hasResidual() {
    return residual;
  }

  public OperandMajor aMajor() {
    return aMajor;
  }

  public OperandMajor bMajor() {
    return bMajor;
  }

  /** Both operands K-major: the layout of the C ABI ("TN"). */
  public boolean isKMajor() {
    return aMajor == OperandMajor.K_MAJOR && bMajor == OperandMajor.K_MAJOR;
  }

  /** True when M or N is 0: there is nothing to write. */
  public boolean isEmpty() {
    return m == 0 || n() == 0;
  }

  /** 2 M N K: the multiply-adds of the product, counted as two operations each. */
  public double flops() {
    return 2.0 * m * n() * k();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GemmProblem)) {
      return false;
    }
    GemmProblem p = (GemmProblem) o;
    return m == p.m && sameIgnoringScales(p) && sameScales(p) && residual == p.residual && aMajor == p.aMajor
        && bMajor == p.bMajor;
  }

  @Override
  public int hashCode() {
    return Objects.hash(m, n(), k(), input(), output(), activation(), alpha(), outScale(), hasBias(), residual, aMajor,
        bMajor);
  }

  @Override
  public String toString() {
    String s = describe("GEMM", "M=" + m, residual ? " +residual" : "");
    return isKMajor() ? s : s + " A " + aMajor + " B " + bMajor;
  }

  /** Mutable builder; every setter checks its argument. */
  public static final class Builder extends AbstractGemmProblem.Builder<Builder> {
    private final long m;
    private boolean residual;
    private OperandMajor aMajor = OperandMajor.K_MAJOR;
    private OperandMajor bMajor = OperandMajor.K_MAJOR;

    private Builder(long m, long n, long k, GemmInput input) {
      super(n, k, input);
      if (m < 0) {
        throw new IllegalArgumentException("m must be >= 0, got " + m);
      }
      if (n < 0) {
        throw new IllegalArgumentException("n must be >= 0, got " + n);
      }
      if (k < 0) {
        throw new IllegalArgumentException("k must be >= 0, got " + k);
      }
      Objects.requireNonNull(input, "input");
      this.m = m;
    }

    /** Whether an M x N residual (of the output type) is added after the activation. */
    public Builder residual(boolean residual) {
      this.residual = residual;
      return this;
    }

    /**
     * How A and B are stored. Scaled formats are blocked along K, so they exist K-major only.
     *
     * @throws IllegalArgumentException for an MN-major operand of a scaled format
     */
    public Builder layout(OperandMajor aMajor, OperandMajor bMajor) {
      Objects.requireNonNull(aMajor, "aMajor");
      Objects.requireNonNull(bMajor, "bMajor");
      if (input.isScaled() && (aMajor != OperandMajor.K_MAJOR || bMajor != OperandMajor.K_MAJOR)) {
        throw new IllegalArgumentException(input.displayName() + " operands are blocked along K and stored "
            + "K-major only; got A " + aMajor + ", B " + bMajor + " (quantize the transposed copy instead)");
      }
      this.aMajor = aMajor;
      this.bMajor = bMajor;
      return this;
    }

    public GemmProblem build() {
      return new GemmProblem(this);
    }
  }
}
