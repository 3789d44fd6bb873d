package dev.deepwell.gpu.quant;

import dev.deepwell.gpu.CudaStream;

/**
 * The JNI entry points of GPU quantization (deepwell-jni/src/main/cpp/quantize_jni.cpp, over
 * deepwell/quantize.h). They trust their arguments: {@link MicroscaleManager} validates
 * everything first. A failed native status throws the runtime's exception types
 * ({@code CudaException} and its subclasses).
 *
 * <p>{@code options} is {@code {format, scaleRule, scaleLayout, fp8BlockShape, stochastic,
 * hadamard16}} with the C ABI's codes ({@code dw_quant_options}).
 */
final class QuantNatives {

  private QuantNatives() {}

  /** The native handle of an open stream (reads the runtime's own accessor through JNI). */
  static native long streamHandle(CudaStream stream);

  /** dw_quantize; a zero data address leaves that copy out. */
  static native void quantize(long stream, int[] options, long seed, long x, int rows, int cols, long rowData,
      long rowScales, long rowTensorScale, long colData, long colScales, long colTensorScale, long workspace);

  /** dw_quantize_with_amax: as {@link #quantize}, the tensor amax read from the FP32 at device address {@code amax}. */
  static native void quantizeWithAmax(long stream, int[] options, long seed, long x, int rows, int cols, long rowData,
      long rowScales, long rowTensorScale, long colData, long colScales, long colTensorScale, long amax);

  /** dw_dequantize into {@code out} (outType 0 = FP32, 1 = BF16). */
  static native void dequantize(long stream, int[] options, long seed, int rows, int cols, int axis, long data,
      long scales, long tensorScale, long out, int outType);

  /** dw_quant_amax_bf16: the finite amax of {@code count} BF16 values, as one FP32 at {@code out}. */
  static native void amax(long stream, long x, long count, long out);
}
