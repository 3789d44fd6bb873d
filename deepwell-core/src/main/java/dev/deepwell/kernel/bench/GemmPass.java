package dev.deepwell.kernel.bench;

import java.util.Locale;
import java.util.Objects;

/**
 * The three GEMMs of a linear layer Y = X W^T (X [M,K], W [N,K]) in training, as the C ABI's
 * K-major ("TN") problem each one is: the data gradient dX = dY W reduces over N, the weight
 * gradient dW = dY^T X over M, so with transposed copies of the operands they are plain GEMMs of
 * the permuted shapes.
 */
public enum GemmPass {
  /** Y = X W^T: (M, N, K). */
  FWD("fwd"),
  /** dX = dY W: (M, K, N). */
  DGRAD("dgrad"),
  /** dW = dY^T X: (N, K, M). */
  WGRAD("wgrad");

  private final String displayName;

  GemmPass(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  /** The (M, N, K) this pass computes for a layer whose forward GEMM is (m, n, k). */
  public long[] problemShape(long m, long n, long k) {
    switch (this) {
      case FWD:
        return new long[] {m, n, k};
      case DGRAD:
        return new long[] {m, k, n};
      case WGRAD:
        return new long[] {n, k, m};
      default:
        throw new AssertionError(this);
    }
  }

  /** The pass called {@code name} ("fwd", "dgrad", "wgrad"; case-insensitive). */
  public static GemmPass parse(String name) {
    Objects.requireNonNull(name, "name");
    String s = name.trim().toLowerCase(Locale.ROOT);
    for (GemmPass p : values()) {
      if (p.displayName.equals(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown pass '" + name + "' (use fwd, dgrad, wgrad)");
  }
}
