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
public final class GemmProblem {

  private final long m;
  private final long n;
  private final long k;
  private final GemmInput input;
  private final GemmOutput output;
  private final GemmActivation activation;
  private final float alpha;
  private final float outScale;
  private final boolean bias;
  private final boolean residual;
  private final OperandMajor aMajor;
  private final OperandMajor bMajor;

  private GemmProblem(Builder b) {
    this.m = b.m;
    this.n = b.n;
    this.k = b.k;
    this.input = b.input;
    this.output = b.output;
    this.activation = b.activation;
    this.alpha = b.alpha;
    this.outScale = b.outScale;
    this.bias = b.bias;
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
    Builder b = new Builder(m, n, k, input);
    b.output = output;
    b.activation = activation;
    b.alpha = alpha;
    b.outScale = outScale;
    b.bias = bias;
    b.residual = residual;
    b.aMajor = aMajor;
    b.bMajor = bMajor;
    return b;
  }

  public long m() {
    return m;
  }

  public long n() {
    return n;
  }

  public long k() {
    return k;
  }

  public GemmInput input() {
    return input;
  }

  public GemmOutput output() {
    return output;
  }

  public GemmActivation activation() {
    return activation;
  }

  /** Multiplies the accumulator (host value). */
  public float alpha() {
    return alpha;
  }

  /** Multiplies act(Y) (host value). */
  public float outScale() {
    return outScale;
  }

  public boolean hasBias() {
    return bias;
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
    return m == 0 || n == 0;
  }

  /** 2 M N K: the multiply-adds of the product, counted as two operations each. */
  public double flops() {
    return 2.0 * m * n * k;
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
    return m == p.m && n == p.n && k == p.k && input == p.input && output == p.output
        && activation == p.activation && Float.floatToIntBits(alpha) == Float.floatToIntBits(p.alpha)
        && Float.floatToIntBits(outScale) == Float.floatToIntBits(p.outScale) && bias == p.bias
        && residual == p.residual && aMajor == p.aMajor && bMajor == p.bMajor;
  }

  @Override
  public int hashCode() {
    return Objects.hash(m, n, k, input, output, activation, alpha, outScale, bias, residual, aMajor, bMajor);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("GEMM ").append(input.displayName()).append(" M=").append(m).append(" N=").append(n)
        .append(" K=").append(k).append(" -> ").append(output.name().toLowerCase(java.util.Locale.ROOT));
    if (activation != GemmActivation.NONE) {
      sb.append(" +").append(activation.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (bias) {
      sb.append(" +bias");
    }
    if (residual) {
      sb.append(" +residual");
    }
    if (alpha != 1f) {
      sb.append(" alpha=").append(alpha);
    }
    if (outScale != 1f) {
      sb.append(" outScale=").append(outScale);
    }
    if (!isKMajor()) {
      sb.append(" A ").append(aMajor).append(" B ").append(bMajor);
    }
    return sb.toString();
  }

  /** Mutable builder; every setter checks its argument. */
  public static final class Builder {
    private final long m;
    private final long n;
    private final long k;
    private final GemmInput input;
    private GemmOutput output = GemmOutput.BF16;
    private GemmActivation activation = GemmActivation.NONE;
    private float alpha = 1f;
    private float outScale = 1f;
    private boolean bias;
    private boolean residual;
    private OperandMajor aMajor = OperandMajor.K_MAJOR;
    private OperandMajor bMajor = OperandMajor.K_MAJOR;

    private Builder(long m, long n, long k, GemmInput input) {
      if (m < 0) {
        throw new IllegalArgumentException("m must be >= 0, got " + m);
      }
      if (n < 0) {
        throw new IllegalArgumentException("n must be >= 0, got " + n);
      }
      if (k < 0) {
        throw new IllegalArgumentException("k must be >= 0, got " + k);
      }
      this.m = m;
      this.n = n;
      this.k = k;
      this.input = Objects.requireNonNull(input, "input");
    }

    public Builder output(GemmOutput output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    public Builder activation(GemmActivation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** @throws IllegalArgumentException unless finite */
    public Builder alpha(float alpha) {
      if (!Float.isFinite(alpha)) {
        throw new IllegalArgumentException("alpha must be finite, got " + alpha);
      }
      this.alpha = alpha;
      return this;
    }

    /** @throws IllegalArgumentException unless finite */
    public Builder outScale(float outScale) {
      if (!Float.isFinite(outScale)) {
        throw new IllegalArgumentException("outScale must be finite, got " + outScale);
      }
      this.outScale = outScale;
      return this;
    }

    /** Whether a bias row of N values (of the output type) is added before the activation. */
    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
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
