package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.KernelProvider;
import java.util.Objects;

/**
 * A resolved kernel for one grouped problem on one device: backend, configuration, workspace
 * size and the native plan {@link GpuGroupedGemm#run} launches. Made by
 * {@link GpuGroupedGemm#plan}; immutable; runs every call of its problem, whatever the group
 * sizes (they are read when the GEMM runs), with any alpha and outScale.
 */
public final class GroupedGemmPlan {

  private final GroupedGemmProblem problem;
  private final int device;
  private final KernelProvider provider;
  private final String kernelName;
  private final int variant;
  private final int swizzle;
  private final long workspaceBytes;
  private final byte[] nativePlan;

  GroupedGemmPlan(GroupedGemmProblem problem, int device, KernelProvider provider, String kernelName, int variant,
      int swizzle, long workspaceBytes, byte[] nativePlan) {
    this.problem = Objects.requireNonNull(problem, "problem");
    this.device = device;
    this.provider = Objects.requireNonNull(provider, "provider");
    this.kernelName = Objects.requireNonNull(kernelName, "kernelName");
    this.variant = variant;
    this.swizzle = swizzle;
    this.workspaceBytes = workspaceBytes;
    this.nativePlan = Objects.requireNonNull(nativePlan, "nativePlan");
  }

  public GroupedGemmProblem problem() {
    return problem;
  }

  public int device() {
    return device;
  }

  /** CUTLASS or REFERENCE_GPU. */
  public KernelProvider provider() {
    return provider;
  }

  public String kernelName() {
    return kernelName;
  }

  public int variant() {
    return variant;
  }

  public int swizzle() {
    return swizzle;
  }

  /** Device scratch of a run: the per-group arrays the setup kernel fills, plus CUTLASS's own. */
  public long workspaceBytes() {
    return workspaceBytes;
  }

  byte[] nativePlan() {
    return nativePlan;
  }

  @Override
  public String toString() {
    return "GroupedGemmPlan{" + problem + " -> " + kernelName + " (" + provider.displayName() + ", variant "
        + variant + ", workspace " + workspaceBytes + " B)}";
  }
}
