package dev.deepwell.kernel;

import java.util.List;
import java.util.Objects;

/**
 * The kernel chosen for one GEMM problem, why, and why each backend tried before it was passed
 * over ("provider: reason", in chain order).
 *
 * @param problem  what was asked
 * @param variant  the chosen kernel configuration
 * @param reason   why it was chosen (first choice or fallback; for CUTLASS, the tile choice)
 * @param rejected why each earlier backend could not run it
 */
public record GemmSelection(GemmProblem problem, GemmVariant variant, String reason, List<String> rejected) {

  public GemmSelection {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(reason, "reason");
    rejected = List.copyOf(rejected);
  }

  public KernelProvider provider() {
    return variant.provider();
  }

  /** True when an earlier backend of the chain was passed over. */
  public boolean isFallback() {
    return !rejected.isEmpty();
  }

  @Override
  public String toString() {
    return variant.name() + " (" + reason + (rejected.isEmpty() ? "" : "; passed over: " + String.join("; ", rejected))
        + ")";
  }
}
