package dev.deepwell.kernel;

import dev.deepwell.ir.TensorFormat;

/** The type of a GEMM's result D; the optional bias and residual have the same type. */
public enum GemmOutput {
  BF16(16, TensorFormat.BF16),
  FP32(32, TensorFormat.FP32);

  private final int bits;
  private final TensorFormat format;

  GemmOutput(int bits, TensorFormat format) {
    this.bits = bits;
    this.format = format;
  }

  /** Bits of one element (16 or 32). */
  public int bits() {
    return bits;
  }

  /** Bytes of one element (2 or 4). */
  public int bytes() {
    return bits / 8;
  }

  public TensorFormat format() {
    return format;
  }

  /** {@code x} rounded to this type (BF16: nearest, ties to even, like the kernels' stores). */
  public float round(float x) {
    if (this == FP32) {
      return x;
    }
    return dev.deepwell.format.Bf16.decode(dev.deepwell.format.Bf16.encode(x));
  }
}
