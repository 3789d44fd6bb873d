package dev.deepwell.quant;

/**
 * A reference block quantizer: turns a row-major FP32 matrix into a {@link QuantizedTensor} of one
 * {@link QuantFormat} and back. Implementations are stateless and thread-safe. Each one's class
 * comment gives the exact sequence of IEEE float32 operations it performs, which the GPU kernels
 * reproduce byte for byte.
 */
public interface Quantizer {

  /**
   * Quantizes {@code x}, a row-major {@code [rows, cols]} matrix.
   *
   * @throws IllegalArgumentException on null/empty {@code x}, {@code rows} or {@code cols} {@literal <=} 0,
   *     {@code x.length != rows * cols}, a blocked dimension that is not a multiple of the block
   *     size, or options the format does not support; the message names the argument and sizes
   */
  QuantizedTensor quantize(float[] x, int rows, int cols, QuantOptions options);

  /** Dequantizes to a row-major {@code [rows, cols]} FP32 matrix in the original orientation. */
  float[] dequantize(QuantizedTensor q);
}
