package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.KernelProvider;

/** The codes of deepwell/gemm.h, in one place. */
final class GemmAbi {

  // dw_gemm_backend
  static final int BACKEND_AUTO = 0;
  static final int BACKEND_CUTLASS_SM90 = 1;
  static final int BACKEND_CUBLASLT = 2;
  static final int BACKEND_REFERENCE = 3;
  static final int BACKEND_GEMV = 4;
  /** Block-scaled (MXFP8, NVFP4) tcgen05 kernels; sm_100a code, compute capability 10.0. */
  static final int BACKEND_CUTLASS_SM100 = 5;
  /** Block-scaled (MXFP8, NVFP4) MMA kernels; sm_120a code, compute capability 12.0. */
  static final int BACKEND_CUTLASS_SM120 = 6;

  // dw_gemm_scale_layout (desc.scale_layout). The Java side passes row-major scales (the JNI glue
  // zero-initialises the desc); the sm100/sm120 kernels re-lay them into their workspace.
  static final int SCALES_ROW_MAJOR = 0;
  static final int SCALES_SWIZZLED_128X4 = 1;

  // dw_status values a plan may fail with that mean "this backend cannot", not "the GPU broke".
  static final int DW_ERROR_INVALID_ARGUMENT = 10001;
  static final int DW_ERROR_LIBRARY_MISSING = 10005;
  static final int DW_ERROR_INTERNAL = 10099;
  static final int DW_ERROR_GEMM_UNSUPPORTED = 10101;

  /** Bytes of one dw_gemm_plan_info; checked against the library's sizeof at load. */
  static final int PLAN_INFO_BYTES_MIN = 64;

  private GemmAbi() {}

  static int backend(KernelProvider p) {
    switch (p) {
      case DEEPWELL_GPU:
        return BACKEND_GEMV;
      case CUTLASS:
        return BACKEND_CUTLASS_SM90;
      case CUBLASLT:
        return BACKEND_CUBLASLT;
      case REFERENCE_GPU:
        return BACKEND_REFERENCE;
      default:
        throw new IllegalArgumentException(p + " has no dw_gemm_backend (it runs on the host)");
    }
  }

  /**
   * The backend that runs {@code p}'s kernels on a device of compute capability {@code smVersion}:
   * CUTLASS is one backend per architecture (sm_90a, sm_100a, sm_120a builds); the others are
   * the same everywhere.
   */
  static int backend(KernelProvider p, int smVersion) {
    if (p == KernelProvider.CUTLASS) {
      return cutlassBackend(smVersion);
    }
    return backend(p);
  }

  /** The CUTLASS backend of an architecture (sm_90 for every one that has no kernels of its own). */
  static int cutlassBackend(int smVersion) {
    return smVersion == 100 ? BACKEND_CUTLASS_SM100 : smVersion == 120 ? BACKEND_CUTLASS_SM120 : BACKEND_CUTLASS_SM90;
  }

  /** The compute capability a CUTLASS backend's kernels load on. */
  static int cutlassArch(int backend) {
    switch (backend) {
      case BACKEND_CUTLASS_SM90:
        return 90;
      case BACKEND_CUTLASS_SM100:
        return 100;
      case BACKEND_CUTLASS_SM120:
        return 120;
      default:
        throw new IllegalArgumentException("backend " + backend + " is not a CUTLASS backend");
    }
  }

  static KernelProvider provider(int backend) {
    switch (backend) {
      case BACKEND_CUTLASS_SM100:
      case BACKEND_CUTLASS_SM120:
        return KernelProvider.CUTLASS;
      case BACKEND_GEMV:
        return KernelProvider.DEEPWELL_GPU;
      case BACKEND_CUTLASS_SM90:
        return KernelProvider.CUTLASS;
      case BACKEND_CUBLASLT:
        return KernelProvider.CUBLASLT;
      case BACKEND_REFERENCE:
        return KernelProvider.REFERENCE_GPU;
      default:
        throw new IllegalStateException("the native planner returned backend " + backend);
    }
  }

  static int input(GemmInput in) {
    switch (in) {
      case BF16:
        return 0;
      case FP8_TENSOR:
        return 1;
      case FP8_BLOCK128:
        return 2;
      case MXFP8:
        return 3;
      case NVFP4:
        return 4;
      case NVFP4_WEIGHT:
        return 5;
      default:
        throw new AssertionError(in);
    }
  }

  static int output(GemmOutput out) {
    return out == GemmOutput.BF16 ? 0 : 1;
  }

  static int activation(GemmActivation act) {
    switch (act) {
      case NONE:
        return 0;
      case GELU:
        return 1;
      case SILU:
        return 2;
      default:
        throw new AssertionError(act);
    }
  }
}
