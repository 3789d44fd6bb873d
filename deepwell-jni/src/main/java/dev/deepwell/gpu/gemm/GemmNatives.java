package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaStream;

/**
 * The JNI entry points of the GEMM (deepwell-jni/src/main/cpp/gemm_jni.cpp, over
 * deepwell/gemm.h). They trust their arguments: {@link GpuGemm} validates everything first. A
 * failed native status throws the runtime's exception types ({@code CudaException} and its
 * subclasses); a backend that cannot run a problem throws one with code 10101
 * (DW_ERROR_GEMM_UNSUPPORTED).
 */
final class GemmNatives {

  private GemmNatives() {}

  /** The native handle of an open stream (reads the runtime's own accessor through JNI). */
  static native long streamHandle(CudaStream stream);

  /** sizeof(dw_gemm_plan_info): the length of the plan arrays below. */
  static native int planInfoSize();

  /** dw_gemm_variant_count: variants of a backend for an input format in this build (needs no GPU). */
  static native int variantCount(int backend, int input);

  /**
   * dw_gemm_plan. Writes the plan into {@code planOut} (planInfoSize() bytes) and
   * {@code infoOut} = {backend, variant, swizzle, workspaceBytes}; returns the kernel name.
   */
  static native String plan(int device, long m, long n, long k, int input, int output, int activation, float alpha,
      float outScale, boolean hasBias, boolean hasResidual, int backend, int variant, int swizzle, byte[] planOut,
      long[] infoOut);

  /**
   * dw_gemm_run of a plan made by {@link #plan} with the problem it was planned for, alpha and
   * outScale replaced (gemm.h lets both change between runs). Zero addresses are absent arguments.
   */
  static native void run(long stream, byte[] plan, float alpha, float outScale, long a, long b, long d, long scaleA,
      long scaleB, long tensorScaleA, long tensorScaleB, long bias, long residual, long workspace,
      long workspaceBytes);
}
