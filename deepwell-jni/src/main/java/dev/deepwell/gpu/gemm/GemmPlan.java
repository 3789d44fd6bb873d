package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.GemmKernelSelector;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.GemmSelection;
import dev.deepwell.kernel.KernelProvider;
import java.util.Objects;

/**
 * A resolved kernel for one problem on one device: the selection (backend, configuration, the
 * reasons of every fallback) and, for a GPU kernel, the native plan that {@link GpuGemm#run}
 * launches. Made by {@link GpuGemm#plan}; immutable; reusable for every call of its problem.
 */
public final class GemmPlan {

  private final GemmProblem problem;
  private final GemmSelection selection;
  private final int device;
  private final String kernelName;
  private final int variant;
  private final int swizzle;
  private final long workspaceBytes;
  private final byte[] nativePlan;

  GemmPlan(GemmProblem problem, GemmSelection selection, int device, String kernelName, int variant, int swizzle,
      long workspaceBytes, byte[] nativePlan) {
    this.problem = Objects.requireNonNull(problem, "problem");
    this.selection = Objects.requireNonNull(selection, "selection");
    this.device = device;
    this.kernelName = Objects.requireNonNull(kernelName, "kernelName");
    this.variant = variant;
    this.swizzle = swizzle;
    this.workspaceBytes = workspaceBytes;
    this.nativePlan = nativePlan;
    if ((nativePlan == null) != (selection.provider() == KernelProvider.CPU)) {
      throw new IllegalArgumentException("a GPU plan needs a native plan, a CPU plan none");
    }
  }

  public GemmProblem problem() {
    return problem;
  }

  /** The chosen kernel with the reasons: why it, and why not each backend before it. */
  public GemmSelection selection() {
    return selection;
  }

  public KernelProvider provider() {
    return selection.provider();
  }

  /** The kernel's name as the native library reports it (the selection's for the CPU). */
  public String kernelName() {
    return kernelName;
  }

  /** The configuration within the backend (the C ABI's variant). */
  public int variant() {
    return variant;
  }

  /** The CUTLASS tile-raster swizzle the planner chose (0 for other backends). */
  public int swizzle() {
    return swizzle;
  }

  /** Device scratch the kernel needs ({@link GpuGemm} provides it). */
  public long workspaceBytes() {
    return workspaceBytes;
  }

  public int device() {
    return device;
  }

  /** Whether every operand pointer must be 16-byte aligned (TMA, cuBLASLt, the GEMV's vector loads). */
  public boolean needsTmaAlignment() {
    return provider() == KernelProvider.CUTLASS || provider() == KernelProvider.CUBLASLT
        || provider() == KernelProvider.DEEPWELL_GPU;
  }

  boolean onGpu() {
    return nativePlan != null;
  }

  byte[] nativePlan() {
    return nativePlan;
  }

  int requiredAlignment() {
    return needsTmaAlignment() ? GemmKernelSelector.TMA_ALIGNMENT : 1;
  }

  @Override
  public String toString() {
    return "GemmPlan{" + problem + " -> " + kernelName + " (" + provider().displayName()
        + (workspaceBytes > 0 ? ", workspace " + workspaceBytes + " B" : "") + "): " + selection.reason()
        + (selection.rejected().isEmpty() ? "" : "; passed over: " + String.join("; ", selection.rejected())) + "}";
  }
}
