package dev.deepwell.gpu.quant;

/** Element type of a dequantized device tensor. */
public enum DequantType {
  /** FP32, bit-identical to the Java reference's {@code dequantize} (NaN payloads aside). */
  F32(32),
  /** The FP32 values rounded to BF16 (round to nearest even, as {@code Bf16.encode}). */
  BF16(16);

  private final int bits;

  DequantType(int bits) {
    this.bits = bits;
  }

  /** Bits per element. */
  public int bits() {
    return bits;
  }
}
