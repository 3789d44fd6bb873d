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

  static KernelProvider provider(int backend) {
    switch (backend) {
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
