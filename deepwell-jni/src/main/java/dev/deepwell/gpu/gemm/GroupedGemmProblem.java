package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.AbstractGemmProblem;
import dev.deepwell.kernel.GemmInput;
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
public final class GroupedGemmProblem extends AbstractGemmProblem {

  /** The most groups of one call (DW_GEMM_GROUPED_MAX_GROUPS). */
  public static final int MAX_GROUPS = 65536;
  /** The largest maxTotalM, N and K: the kernels index with 32-bit integers. */
  public static final long MAX_DIM = Integer.MAX_VALUE;

  private final int groups;
  private final long maxTotalM;

  private GroupedGemmProblem(Builder b) {
    super(b);
    this.groups = b.groups;
    this.maxTotalM = b.maxTotalM;
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
    return new Builder(this);
  }

  public int groups() {
    return groups;
  }

  /** The rows A and D hold: an upper bound of the sum of the group sizes. */
  public long maxTotalM() {
    return maxTotalM;
  }

  /** 2 T N K for a run whose groups hold {@code totalM} rows in all. */
  public double flops(long totalM) {
    return 2.0 * totalM * n() * k();
  }

  /** The same problem with another alpha and outScale (a plan runs either). */
  boolean sameShape(GroupedGemmProblem o) {
    return groups == o.groups && maxTotalM == o.maxTotalM && sameIgnoringScales(o);
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
    return sameShape(p) && sameScales(p);
  }

  @Override
  public int hashCode() {
    return Objects.hash(groups, maxTotalM, n(), k(), input(), output(), activation(), alpha(), outScale(), hasBias());
  }

  @Override
  public String toString() {
    return describe("grouped GEMM", "G=" + groups + " maxTotalM=" + maxTotalM, "");
  }

  /** Mutable builder; every setter checks its argument. */
  public static final class Builder extends AbstractGemmProblem.Builder<Builder> {
    private final int groups;
    private final long maxTotalM;

    private Builder(int groups, long maxTotalM, long n, long k, GemmInput input) {
      super(n, k, input);
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
    }

    private Builder(GroupedGemmProblem p) {
      this(p.groups, p.maxTotalM, p.n(), p.k(), p.input());
      epilogueOf(p);
    }

    public GroupedGemmProblem build() {
      GroupedGemmProblem p = new GroupedGemmProblem(this);
      // Every buffer's size must be a Java long: checked once here so that no later product overflows.
      long n = p.n();
      long k = p.k();
      try {
        long esz = p.input().elementBits() / 8;
        Math.multiplyExact(Math.multiplyExact(Math.multiplyExact((long) groups, n), k), esz);
        Math.multiplyExact(Math.multiplyExact((long) groups, n), 4L);
        Math.multiplyExact(Math.multiplyExact(Math.max(maxTotalM, 1), Math.max(n, k)), 4L);
      } catch (ArithmeticException overflow) {
        throw new IllegalArgumentException("the buffers of G=" + groups + ", maxTotalM=" + maxTotalM + ", N=" + n
            + ", K=" + k + " would exceed 2^63 bytes", overflow);
      }
      return p;
    }
  }
}
