package dev.deepwell.gpu.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.E8M0;
import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import java.util.Objects;

/**
 * Reads and writes the bytes of deepwell/gemm.h's arguments on the host, for the CPU backend of
 * {@link GpuGemm}: operands decoded to FP32 with their block scales applied (per-tensor scales
 * are left to the accumulator, as the kernels do), outputs encoded to BF16 or FP32. Each block
 * scale multiplies each code once in FP32, the order of the reference CUDA kernel and of
 * {@code dev.deepwell.quant}'s dequantizers. Little-endian throughout.
 */
final class GemmOperandCodec {

  private GemmOperandCodec() {}

  /**
   * An operand of {@code rows} rows of K values as stored (for an MN-major BF16 operand, simply
   * its values in memory order), block scales applied.
   *
   * @param isA A's FP8 block128 scales are M-contiguous ([ceil(K/128), rows]), B's are
   *            [ceil(rows/128), ceil(K/128)]
   */
  static float[] decodeOperand(GemmInput in, byte[] data, byte[] scales, int rows, int k, boolean isA) {
    Objects.requireNonNull(in, "input");
    Objects.requireNonNull(data, "data");
    if (in == GemmInput.NVFP4_WEIGHT) { // BF16 activations, NVFP4 weights
      return decodeOperand(isA ? GemmInput.BF16 : GemmInput.NVFP4, data, scales, rows, k, isA);
    }
    int n = Math.multiplyExact(rows, k);
    float[] out = new float[n];
    switch (in) {
      case BF16:
        for (int i = 0; i < n; i++) {
          out[i] = Bf16.decode((short) ((data[2 * i] & 0xFF) | (data[2 * i + 1] << 8)));
        }
        return out;
      case FP8_TENSOR:
        for (int i = 0; i < n; i++) {
          out[i] = Fp8E4M3.decode(data[i]);
        }
        return out;
      case FP8_BLOCK128: {
        int kb = (int) OperandLayout.ceilDiv(k, 128);
        for (int r = 0; r < rows; r++) {
          for (int q = 0; q < k; q++) {
            int s = isA ? (q / 128) * rows + r : (r / 128) * kb + q / 128;
            out[r * k + q] = Fp8E4M3.decode(data[r * k + q]) * floatAt(scales, 4 * s);
          }
        }
        return out;
      }
      case MXFP8: {
        int kb = (int) OperandLayout.ceilDiv(k, 32);
        for (int r = 0; r < rows; r++) {
          for (int q = 0; q < k; q++) {
            out[r * k + q] = Fp8E4M3.decode(data[r * k + q]) * E8M0.decode(scales[r * kb + q / 32] & 0xFF);
          }
        }
        return out;
      }
      case NVFP4: {
        int rowBytes = (int) OperandLayout.ceilDiv(k, 2);
        int kb = (int) OperandLayout.ceilDiv(k, 16);
        for (int r = 0; r < rows; r++) {
          for (int q = 0; q < k; q++) {
            byte b = data[r * rowBytes + q / 2];
            int code = (q & 1) == 0 ? Fp4E2M1.low(b) : Fp4E2M1.high(b);
            // UE4M3 read as E4M3, as the kernels do (a set sign bit, never written by the
            // quantizers, would negate the block rather than fail).
            out[r * k + q] = Fp4E2M1.decode(code) * Fp8E4M3.decode(scales[r * kb + q / 16]);
          }
        }
        return out;
      }
      default:
        throw new AssertionError(in);
    }
  }

  /** Values of the output type (bias, residual). */
  static float[] decodeOutput(GemmOutput type, byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    int n = bytes.length / type.bytes();
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = type == GemmOutput.BF16
          ? Bf16.decode((short) ((bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] << 8)))
          : floatAt(bytes, 4 * i);
    }
    return out;
  }

  /** Values in the output type's bytes (BF16: rounded to nearest even). */
  static byte[] encodeOutput(GemmOutput type, float[] values) {
    Objects.requireNonNull(values, "values");
    byte[] out = new byte[Math.multiplyExact(values.length, type.bytes())];
    for (int i = 0; i < values.length; i++) {
      if (type == GemmOutput.BF16) {
        short s = Bf16.encode(values[i]);
        out[2 * i] = (byte) s;
        out[2 * i + 1] = (byte) (s >>> 8);
      } else {
        int bits = Float.floatToRawIntBits(values[i]);
        out[4 * i] = (byte) bits;
        out[4 * i + 1] = (byte) (bits >>> 8);
        out[4 * i + 2] = (byte) (bits >>> 16);
        out[4 * i + 3] = (byte) (bits >>> 24);
      }
    }
    return out;
  }

  /** The FP32 stored little-endian at {@code b[off .. off+3]}. */
  static float floatAt(byte[] b, int off) {
    return Float.intBitsToFloat((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24);
  }
}
