package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import java.util.Locale;
import java.util.Objects;

/**
 * What one grouped GEMM computes (deepwell/gemm_grouped.h), without memory or group sizes: G
 * GEMMs that share N and K, group g with its own M_g rows (the tokens routed to expert g), for
 * every row of group g:
 *
 * <pre>
 *   Y[m,n] = alpha * sum_k deq(A_g)[m,k] * deq(B_g)[n,k] + bias[g][n]
 *   D_g[m,n] = outScale * act(Y[m,n])
 * </pre>
 *
 * A is packed {@code [sum M_g, K]}, B is {@code [G, N, K]}, D is {@code [sum M_g, N]}, all
 * row-major. The group sizes are known only when the GEMM runs (they come from the router), so a
 * problem carries their upper bound {@code maxTotalM} instead: the rows of A and D the buffers
 * hold. Immutable; made with {@link #builder}.
 */
public final class GroupedGemmProblem {

  /** The most groups of one call (DW_GEMM_GROUPED_MAX_GROUPS). */
  public static final int MAX_GROUPS = 65536;
  /** The largest maxTotalM, N and K: the kernels index with 32-bit integers. */
  public static final long MAX_DIM = Integer.MAX_VALUE;

  private final int groups;
  private final long maxTotalM;
  private final long n;
  private final long k;
  private final GemmInput input;
  private final GemmOutput output;
  private final GemmActivation activation;
  private final float alpha;
  private final float outScale;
  private final boolean bias;

  private GroupedGemmProblem(Builder b) {
    this.groups = b.groups;
    this.maxTotalM = b.maxTotalM;
    this.n = b.n;
    this.k = b.k;
    this.input = b.input;
    this.output = b.output;
    this.activation = b.activation;
    this.alpha = b.alpha;
    this.outScale = b.outScale;
    this.bias = b.bias;
  }

  /**
   * A builder for {@code groups} GEMMs of {@code input} operands with at most {@code maxTotalM}
   * rows in all: BF16 output, no activation, alpha = outScale = 1, no bias.
   *
   * @throws IllegalArgumentException for a size out of range or an input format without a grouped
   *     kernel (only BF16 and FP8_BLOCK128 have one)
   */
  public static Builder builder(int groups, long maxTotalM, long n, long k, GemmInput input) {
    return new Builder(groups, maxTotalM, n, k, input);
  }

  public Builder toBuilder() {
    Builder b = new Builder(groups, maxTotalM, n, k, input);
    b.output = output;
    b.activation = activation;
    b.alpha = alpha;
    b.outScale = outScale;
    b.bias = bias;
    return b;
  }

  public int groups() {
    return groups;
  }

  /** The rows A and D hold: an upper bound of the sum of the group sizes. */
  public long maxTotalM() {
    return maxTotalM;
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

  public float alpha() {
    return alpha;
  }

  public float outScale() {
    return outScale;
  }

  /** Whether a bias [G, N] of the output type is added before the activation. */
  public boolean hasBias() {
    return bias;
  }

  /** 2 T N K for a run whose groups hold {@code totalM} rows in all. */
  public double flops(long totalM) {
    return 2.0 * totalM * n * k;
  }

  /** The same problem with another alpha and outScale (a plan runs either). */
  boolean sameShape(GroupedGemmProblem o) {
    return groups == o.groups && maxTotalM == o.maxTotalM && n == o.n && k == o.k && input == o.input
        && output == o.output && activation == o.activation && bias == o.bias;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GroupedGemmProblem)) {
      return false;
    }
    GroupedGemmProblem p = (GroupedGemmProblem) o;
    return sameShape(p) && Float.floatToIntBits(alpha) == Float.floatToIntBits(p.alpha)
        && Float.floatToIntBits(outScale) == Float.floatToIntBits(p.outScale);
  }

  @Override
  public int hashCode() {
    return Objects.hash(groups, maxTotalM, n, k, input, output, activation, alpha, outScale, bias);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("grouped GEMM ").append(input.displayName()).append(" G=").append(groups)
        .append(" maxTotalM=").append(maxTotalM).append(" N=").append(n).append(" K=").append(k).append(" -> ")
        .append(output.name().toLowerCase(Locale.ROOT));
    if (activation != GemmActivation.NONE) {
      sb.append(" +").append(activation.name().toLowerCase(Locale.ROOT));
    }
    if (bias) {
      sb.append(" +bias");
    }
    if (alpha != 1f) {
      sb.append(" alpha=").append(alpha);
    }
    if (outScale != 1f) {
      sb.append(" outScale=").append(outScale);
    }
    return sb.toString();
  }

  /** Mutable builder; every setter checks its argument. */
  public static final class Builder {
    private final int groups;
    private final long maxTotalM;
    private final long n;
    private final long k;
    private final GemmInput input;
    private GemmOutput output = GemmOutput.BF16;
    private GemmActivation activation = GemmActivation.NONE;
    private float alpha = 1f;
    private float outScale = 1f;
    private boolean bias;

    private Builder(int groups, long maxTotalM, long n, long k, GemmInput input) {
      if (groups < 1 || groups > MAX_GROUPS) {
        throw new IllegalArgumentException("groups must be in [1, " + MAX_GROUPS + "], got " + groups);
      }
      if (maxTotalM < 0 || maxTotalM > MAX_DIM) {
        throw new IllegalArgumentException("maxTotalM must be in [0, 2^31 - 1], got " + maxTotalM);
      }
      if (n < 1 || n > MAX_DIM) {
        throw new IllegalArgumentException("n must be in [1, 2^31 - 1], got " + n);
      }
      if (k < 1 || k > MAX_DIM) {
        throw new IllegalArgumentException("k must be in [1, 2^31 - 1], got " + k);
      }
      Objects.requireNonNull(input, "input");
      if (input != GemmInput.BF16 && input != GemmInput.FP8_BLOCK128) {
        throw new IllegalArgumentException("input " + input.displayName() + ": grouped GEMMs take "
            + GemmInput.BF16.displayName() + " or " + GemmInput.FP8_BLOCK128.displayName() + " operands");
      }
      this.groups = groups;
      this.maxTotalM = maxTotalM;
      this.n = n;
      this.k = k;
      this.input = input;
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

    /** Whether a bias [G, N] (one row per expert, of the output type) is added before the activation. */
    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    public GroupedGemmProblem build() {
      // Every buffer's size must be a Java long: checked once here so that no later product overflows.
      try {
        long esz = input.elementBits() / 8;
        Math.multiplyExact(Math.multiplyExact(Math.multiplyExact((long) groups, n), k), esz);
        Math.multiplyExact(Math.multiplyExact((long) groups, n), 4L);
        Math.multiplyExact(Math.multiplyExact(Math.max(maxTotalM, 1), Math.max(n, k)), 4L);
      } catch (ArithmeticException overflow) {
        throw new IllegalArgumentException("the buffers of G=" + groups + ", maxTotalM=" + maxTotalM + ", N=" + n
            + ", K=" + k + " would exceed 2^63 bytes", overflow);
      }
      return new GroupedGemmProblem(this);
    }
  }
}
