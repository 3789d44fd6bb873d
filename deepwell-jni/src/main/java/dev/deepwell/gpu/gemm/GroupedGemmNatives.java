package dev.deepwell.gpu.gemm;

/**
 * The JNI entry points of the grouped GEMM (deepwell-jni/src/main/cpp/gemm_grouped_jni.cpp, over
 * deepwell/gemm_grouped.h). They trust their arguments: {@link GpuGroupedGemm} validates
 * everything first. A failed native status throws the runtime's exception types
 * ({@code CudaException} and its subclasses, naming the C operation, e.g. dw_gemm_grouped_run); a
 * backend that cannot run a problem throws one with code 10101 (DW_ERROR_GEMM_UNSUPPORTED).
 */
final class GroupedGemmNatives {

  private GroupedGemmNatives() {}

  /** sizeof(dw_gemm_grouped_plan_info): the length of the plan arrays below. */
  static native int planInfoSize();

  /** dw_gemm_grouped_variant_count (needs no GPU). */
  static native int variantCount(int backend, int input);

  /**
   * dw_gemm_grouped_plan. Writes the plan into {@code planOut} (planInfoSize() bytes) and
   * {@code infoOut} = {backend, variant, swizzle, workspaceBytes}; returns the kernel name.
   */
  static native String plan(int device, int groups, long maxTotalM, long n, long k, int input, int output,
      int activation, float alpha, float outScale, boolean hasBias, int backend, int variant, int swizzle,
      byte[] planOut, long[] infoOut);

  /**
   * dw_gemm_grouped_run of a plan made by {@link #plan}, alpha and outScale replaced. Exactly one
   * of {@code deviceSizes} (an address) and {@code hostSizes} is given; zero addresses are absent
   * arguments.
   */
  static native void run(long stream, byte[] plan, float alpha, float outScale, long a, long b, long d, long scaleA,
      long scaleB, long bias, long deviceSizes, int[] hostSizes, long sizesClamped, long workspace,
      long workspaceBytes);
}
