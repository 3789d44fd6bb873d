package dev.deepwell.kernel;

/**
 * Where a kernel comes from, in the order binding tries them: the fastest specialised kernels
 * first, the always-available reference last.
 */
public enum KernelProvider {
  /**
   * Deepwell's own tuned CUDA kernels for what the libraries lack (the NVFP4-weight decode GEMV),
   * built like the reference kernels. Specialised: considered only for the problems they were
   * written for, so they are never a fallback step for anything else.
   */
  DEEPWELL_GPU("deepwell-gpu"),
  /**
   * CUTLASS templates instantiated in deepwell-cuda for one architecture family, and the sm90
   * kernels of our own that the C ABI lists with them (MXFP8 wgmma and fused, NVFP4 weights).
   */
  CUTLASS("cutlass"),
  /** NVIDIA cuBLASLt, opened at run time. */
  CUBLASLT("cublaslt"),
  /**
   * Deepwell's straightforward CUDA kernels: every op, not tuned; built as sm_90a/sm_100a/sm_120a
   * machine code plus compute_90 PTX, so any GPU from sm_90 on.
   */
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
