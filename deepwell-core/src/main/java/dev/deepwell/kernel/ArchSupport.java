package dev.deepwell.kernel;

import java.util.Set;
import java.util.TreeSet;

/**
 * The architectures a kernel runs on: an exact set of compute capabilities (kernels built for one
 * family, e.g. {100, 103}), every GPU from a minimum compute capability, or the host CPU.
 *
 * @param exact  the compute capabilities, or empty when {@code minSm} applies
 * @param minSm  lowest compute capability when {@code exact} is empty; 0 means the CPU
 */
public record ArchSupport(Set<Integer> exact, int minSm) {

  public ArchSupport {
    exact = Set.copyOf(exact);
    if (!exact.isEmpty() && minSm != -1) {
      throw new IllegalArgumentException("give either exact compute capabilities or minSm");
    }
    if (exact.isEmpty() && minSm < 0) {
      throw new IllegalArgumentException("minSm must be >= 0, got " + minSm);
    }
  }

  public static ArchSupport exactly(Integer... sms) {
    return new ArchSupport(Set.of(sms), -1);
  }

  public static ArchSupport from(int minSm) {
    if (minSm <= 0) {
      throw new IllegalArgumentException("minSm must be > 0 for a GPU, got " + minSm);
    }
    return new ArchSupport(Set.of(), minSm);
  }

  public static ArchSupport cpu() {
    return new ArchSupport(Set.of(), 0);
  }

  public boolean isCpu() {
    return exact.isEmpty() && minSm == 0;
  }

  /** Whether code for this architecture runs on {@code target}. */
  public boolean runsOn(CompileTarget target) {
    if (isCpu()) {
      return true; // the host CPU is present with every target
    }
    if (target.isCpu()) {
      return false;
    }
    return exact.isEmpty() ? target.smVersion() >= minSm : exact.contains(target.smVersion());
  }

  @Override
  public String toString() {
    if (isCpu()) {
      return "cpu";
    }
    if (exact.isEmpty()) {
      return "sm_" + minSm + "+";
    }
    StringBuilder sb = new StringBuilder();
    for (int sm : new TreeSet<>(exact)) {
      sb.append(sb.length() == 0 ? "" : "/").append("sm_").append(sm);
    }
    return sb.toString();
  }
}
