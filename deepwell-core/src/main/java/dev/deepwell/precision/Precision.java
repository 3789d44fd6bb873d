package dev.deepwell.precision;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The compute precision of a layer: the format its GEMM operands are quantized to. Non-GEMM layers
 * (norms, attention, element-wise ops) only ever run in {@link #BF16} or {@link #FP32}.
 *
 * <p>{@link #alignment()} is the multiple that a low-precision GEMM's K and N (and, in training,
 * M) must be: the scale block of the format, raised to 32 for NVFP4 because a row of packed 4-bit
 * values must be 16-byte aligned for the tensor-memory copies that feed the MMA.
 */
public enum Precision {
  FP32("fp32", 32, 0, 4),
  BF16("bf16", 16, 0, 8),
  /** FP8 E4M3 with one FP32 scale per tensor. */
  FP8("fp8", 8, 0, 16),
  /** FP8 E4M3 with FP32 scales per 1x128 activation block and 128x128 weight block. */
  FP8_BLOCK("fp8-block", 8, 128, 128),
  /** OCP MXFP8: FP8 E4M3 with one E8M0 scale per 32 elements. */
  MXFP8("mxfp8", 8, 32, 32),
  /** NVFP4: FP4 E2M1 with one UE4M3 scale per 16 elements and one FP32 scale per tensor. */
  NVFP4("nvfp4", 4, 16, 32);

  private final String cliName;
  private final int elementBits;
  private final int blockSize;
  private final int alignment;

  Precision(String cliName, int elementBits, int blockSize, int alignment) {
    this.cliName = cliName;
    this.elementBits = elementBits;
    this.blockSize = blockSize;
    this.alignment = alignment;
  }

  /** Lower-case name used on the command line and in plans, e.g. {@code "mxfp8"}. */
  public String cliName() {
    return cliName;
  }

  /** Bits of one stored element, scales not counted. */
  public int elementBits() {
    return elementBits;
  }

  /** Elements per scale block along the quantized axis; 0 for tensor-scaled or unscaled formats. */
  public int blockSize() {
    return blockSize;
  }

  /** The multiple a GEMM's K and N must be for this precision's kernels (see class comment). */
  public int alignment() {
    return alignment;
  }

  /** True for the quantized formats (FP8, FP8_BLOCK, MXFP8, NVFP4). */
  public boolean isLowPrecision() {
    return elementBits <= 8;
  }

  /** The precision called {@code name} (its {@link #cliName()} or enum name, any case). */
  public static Precision parse(String name) {
    if (name == null) {
      throw new NullPointerException("precision name");
    }
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Precision p : values()) {
      if (p.cliName.equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + name + "'; valid: "
        + Arrays.stream(values()).map(Precision::cliName).collect(Collectors.joining(", ")));
  }
}
