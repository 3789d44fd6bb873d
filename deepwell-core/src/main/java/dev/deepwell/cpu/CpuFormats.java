package dev.deepwell.cpu;

import dev.deepwell.format.Bf16;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;

/**
 * Storage emulation: what a value looks like after being written in its format. BF16 rounds to
 * nearest even; quantized formats go through the reference quantizer and back
 * ({@code dev.deepwell.quant}), forward-pass recipe (round to nearest, no Hadamard), blocked along
 * the last dimension; a rank-3 tensor (expert weights) is quantized matrix by matrix.
 */
final class CpuFormats {

  private CpuFormats() {}

  /** {@code x} rounded to BF16, elementwise (a new array). */
  static float[] roundBf16(float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Bf16.decode(Bf16.encode(x[i]));
    }
    return y;
  }

  /** {@code x} as stored in {@code format} and read back (a new array). */
  static float[] emulate(float[] x, Shape shape, TensorFormat format, PrecisionConfig config) {
    switch (format) {
      case FP32:
        return x.clone();
      case BF16:
        return roundBf16(x);
      case INT32:
        throw new IllegalArgumentException("INT32 values are not floating point");
      default:
        return quantizeDequantize(x, shape, format, config);
    }
  }

  private static float[] quantizeDequantize(float[] x, Shape shape, TensorFormat format,
      PrecisionConfig config) {
    QuantFormat qf;
    QuantOptions.Builder opts = QuantOptions.builder().scaleRule(config.scaleRule());
    switch (format) {
      case FP8_TENSOR:
        qf = QuantFormat.FP8_TENSOR;
        break;
      case FP8_BLOCK_1X128:
        qf = QuantFormat.FP8_BLOCK;
        opts.fp8BlockShape(Fp8BlockShape.ACT_1X128);
        break;
      case FP8_BLOCK_128X128:
        qf = QuantFormat.FP8_BLOCK;
        opts.fp8BlockShape(Fp8BlockShape.WEIGHT_128X128);
        break;
      case MXFP8:
        qf = QuantFormat.MXFP8_E4M3;
        break;
      case NVFP4:
        qf = QuantFormat.NVFP4;
        break;
      case NVFP4_2D:
        qf = QuantFormat.NVFP4_2D;
        break;
      default:
        throw new AssertionError(format);
    }
    Quantizer quantizer = Quantizers.forFormat(qf);
    QuantOptions options = opts.build();
    int cols = Math.toIntExact(shape.last());
    int rows = Math.toIntExact(shape.rank() == 3 ? shape.dim(1) : shape.rows());
    int matrices = shape.rank() == 3 ? Math.toIntExact(shape.dim(0)) : 1;
    float[] out = new float[x.length];
    int per = rows * cols;
    for (int m = 0; m < matrices; m++) {
      float[] part = matrices == 1 ? x : java.util.Arrays.copyOfRange(x, m * per, (m + 1) * per);
      float[] back = quantizer.dequantize(quantizer.quantize(part, rows, cols, options));
      System.arraycopy(back, 0, out, m * per, per);
    }
    return out;
  }
}
