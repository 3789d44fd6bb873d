package dev.deepwell.kernel;

import java.util.Objects;

/**
 * Shape rules of a GEMM kernel beyond the alignment of K and N that every descriptor has: K a
 * multiple of something else (TMA rows, weight chunks) and a largest M (a decode GEMV). The
 * registry refuses a request that breaks one with {@link #refusal}, so a kernel's own rules are
 * written once, in its descriptor, and not as special cases of the registry.
 *
 * @param kMultiple multiple that K must be (1: any)
 * @param kReason   why, for the refusal (empty: none given)
 * @param maxM      largest M it takes
 * @param mReason   what the kernel is, for the refusal of a larger M
 */
public record GemmShapeLimits(int kMultiple, String kReason, long maxM, String mReason) {

  /** No rule beyond the descriptor's alignment. */
  public static final GemmShapeLimits NONE = new GemmShapeLimits(1, "", Long.MAX_VALUE, "");

  public GemmShapeLimits {
    Objects.requireNonNull(kReason, "kReason");
    Objects.requireNonNull(mReason, "mReason");
    if (kMultiple < 1) {
      throw new IllegalArgumentException("kMultiple must be >= 1, got " + kMultiple);
    }
    if (maxM < 1) {
      throw new IllegalArgumentException("maxM must be >= 1, got " + maxM);
    }
  }

  /** K must be a multiple of {@code multiple}, for the reason given (may be empty). */
  public static GemmShapeLimits kMultipleOf(int multiple, String reason) {
    return new GemmShapeLimits(multiple, reason, Long.MAX_VALUE, "");
  }

  /** The same K rule, and M at most {@code max}; {@code what} names the kernel in the refusal. */
  public GemmShapeLimits withMaxM(long max, String what) {
    return new GemmShapeLimits(kMultiple, kReason, max, what);
  }

  /** Why an M x K problem breaks these rules, or null when it does not. */
  public String refusal(long m, long k) {
    if (k % kMultiple != 0) {
      return "needs K a multiple of " + kMultiple + (kReason.isEmpty() ? "" : " (" + kReason + ")")
          + ", got K=" + k;
    }
    if (m > maxM) {
      return mReason + ": M=" + m + " exceeds " + maxM;
    }
    return null;
  }
}
