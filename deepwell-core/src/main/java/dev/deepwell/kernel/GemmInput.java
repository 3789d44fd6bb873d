package dev.deepwell.kernel;

import dev.deepwell.ir.TensorFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The operand formats a GEMM kernel reads, one value for both operands (A, the activation or
 * gradient, and B, the weight or second operand). Each names the {@link TensorFormat} of A and
 * of B, so a graph op's pair of formats maps to exactly one of these.
 */
public enum GemmInput {
  /** BF16 operands. */
  BF16("bf16", 16, 0, TensorFormat.BF16, TensorFormat.BF16),
  /** FP8 E4M3 with one FP32 decode scale per operand. */
  FP8_TENSOR("fp8-tensor", 8, 0, TensorFormat.FP8_TENSOR, TensorFormat.FP8_TENSOR),
  /** FP8 E4M3, A scaled per 1x128 block, B per 128x128 block (FP32 scales). */
  FP8_BLOCK128("fp8-block128", 8, 128, TensorFormat.FP8_BLOCK_1X128, TensorFormat.FP8_BLOCK_128X128),
  /** FP8 E4M3 with one E8M0 scale per 32 values of K. */
  MXFP8("mxfp8", 8, 32, TensorFormat.MXFP8, TensorFormat.MXFP8),
  /** FP4 E2M1 with one UE4M3 scale per 16 values of K and one FP32 scale per operand. */
  NVFP4("nvfp4", 4, 16, TensorFormat.NVFP4, TensorFormat.NVFP4);

  private final String displayName;
  private final int elementBits;
  private final int kBlock;
  private final TensorFormat aFormat;
  private final TensorFormat bFormat;

  GemmInput(String displayName, int elementBits, int kBlock, TensorFormat aFormat, TensorFormat bFormat) {
    this.displayName = displayName;
    this.elementBits = elementBits;
    this.kBlock = kBlock;
    this.aFormat = aFormat;
    this.bFormat = bFormat;
  }

  public String displayName() {
    return displayName;
  }

  /** Bits of one stored element of A or B (16, 8 or 4). */
  public int elementBits() {
    return elementBits;
  }

  /** Values of K per block scale (0: no block scales). */
  public int kBlock() {
    return kBlock;
  }

  /** True when the format carries scales of any kind (everything but BF16). */
  public boolean isScaled() {
    return this != BF16;
  }

  /** True for the formats with one FP32 scale per operand (FP8 per tensor, NVFP4's second level). */
  public boolean hasTensorScale() {
    return this == FP8_TENSOR || this == NVFP4;
  }

  /** True for the formats with block scales along K. */
  public boolean hasBlockScales() {
    return kBlock > 0;
  }

  /** The format of operand A. */
  public TensorFormat aFormat() {
    return aFormat;
  }

  /** The format of operand B; NVFP4 also accepts {@link TensorFormat#NVFP4_2D} (see {@link #of}). */
  public TensorFormat bFormat() {
    return bFormat;
  }

  /**
   * The input kind that reads A in {@code a} and B in {@code b}, if any. NVFP4_2D weights are
   * stored with one scale per 16 values of each row (the 2-D tile's scale repeated), the layout
   * the NVFP4 GEMM reads, so they pair with NVFP4 activations.
   */
  public static Optional<GemmInput> of(TensorFormat a, TensorFormat b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    for (GemmInput in : values()) {
      boolean bOk = b == in.bFormat || (in == NVFP4 && b == TensorFormat.NVFP4_2D);
      if (a == in.aFormat && bOk) {
        return Optional.of(in);
      }
    }
    return Optional.empty();
  }
}
