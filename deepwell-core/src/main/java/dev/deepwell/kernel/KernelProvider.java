package dev.deepwell.kernel;

/**
 * Where a kernel comes from, in the order binding tries them: the fastest specialised kernels
 * first, the always-available reference last.
 */
public enum KernelProvider {
  /** CUTLASS templates instantiated in deepwell-cuda for one architecture family. */
  CUTLASS("cutlass"),
  /** NVIDIA cuBLASLt, opened at run time. */
  CUBLASLT("cublaslt"),
  /** Deepwell's straightforward CUDA kernels: every op, any sm_80+ GPU, not tuned. */
  REFERENCE_GPU("reference-gpu"),
  /** The pure-Java CPU backend: every op and format, emulated. */
  CPU("cpu");

  private final String displayName;

  KernelProvider(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }
}
