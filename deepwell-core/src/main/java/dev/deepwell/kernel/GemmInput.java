package dev.deepwell.kernel;

import dev.deepwell.ir.TensorFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The operand formats a GEMM kernel reads, one value for both operands (A, the activation or
 * gradient, and B, the weight or second operand). Each names the {@link TensorFormat} of A and
 * of B, so a graph op's pair of formats maps to exactly one of these. A and B share the format
 * except in {@link #NVFP4_WEIGHT} (BF16 activations, NVFP4 weights).
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
  NVFP4("nvfp4", 4, 16, TensorFormat.NVFP4, TensorFormat.NVFP4),
  /**
   * Mixed input for inference: BF16 activations (A, no scales) and NVFP4 weights (B, laid out
   * as {@link #NVFP4}'s B: UE4M3 per 16 values of K, one FP32 tensor scale), dequantized in the
   * kernel's main loop. Decode sizes (M up to {@link GemmKernelSelector#GEMV_MAX_M}) run
   * Deepwell's own GEMV; larger M on Hopper our sm90 kernel (listed under CUTLASS), elsewhere the
   * reference kernel.
   */
  NVFP4_WEIGHT("nvfp4-weight", 4, 16, TensorFormat.BF16, TensorFormat.NVFP4);

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

  /** Bits of one stored element of B (16, 8 or 4); of A too, except for {@link #NVFP4_WEIGHT}. */
  public int elementBits() {
    return elementBits;
  }

  /** Bits of one stored element of A (16 for {@link #NVFP4_WEIGHT}'s BF16 activations). */
  public int aElementBits() {
    return this == NVFP4_WEIGHT ? 16 : elementBits;
  }

  /** Bits of one stored element of B. */
  public int bElementBits() {
    return elementBits;
  }

  /** True when A carries scales of its own (false for BF16 and {@link #NVFP4_WEIGHT}'s A). */
  public boolean hasAScales() {
    return isScaled() && this != NVFP4_WEIGHT;
  }

  /** Values of K per block scale of B, and of A where it has them (0: no block scales). */
  public int kBlock() {
    return kBlock;
  }

  /** True when the format carries scales of any kind (everything but BF16). */
  public boolean isScaled() {
    return this != BF16;
  }

  /**
   * True for the formats with one FP32 scale per operand (FP8 per tensor, NVFP4's second level);
   * {@link #NVFP4_WEIGHT} has B's only.
   */
  public boolean hasTensorScale() {
    return this == FP8_TENSOR || this == NVFP4 || this == NVFP4_WEIGHT;
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
      boolean bOk = b == in.bFormat || ((in == NVFP4 || in == NVFP4_WEIGHT) && b == TensorFormat.NVFP4_2D);
      if (a == in.aFormat && bOk) {
        return Optional.of(in);
      }
    }
    return Optional.empty();
  }
}
