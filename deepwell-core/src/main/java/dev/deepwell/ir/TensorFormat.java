package dev.deepwell.ir;

import dev.deepwell.precision.Precision;

/**
 * How a tensor is stored. Quantized formats are blocked along the last dimension (the GEMM K
 * axis) unless they are two-dimensional; {@link #storageBytes(Shape)} counts the elements plus
 * every scale the format carries.
 */
public enum TensorFormat {
  INT32("int32"),
  FP32("fp32"),
  BF16("bf16"),
  /** FP8 E4M3, one FP32 scale per tensor. */
  FP8_TENSOR("fp8"),
  /** FP8 E4M3, one FP32 scale per 1x128 block (activations). */
  FP8_BLOCK_1X128("fp8-1x128"),
  /** FP8 E4M3, one FP32 scale per 128x128 tile (weights). */
  FP8_BLOCK_128X128("fp8-128x128"),
  /** FP8 E4M3, one E8M0 scale per 32 elements. */
  MXFP8("mxfp8"),
  /** FP4 E2M1, one UE4M3 scale per 16 elements, one FP32 scale per tensor. */
  NVFP4("nvfp4"),
  /**
   * FP4 E2M1, one UE4M3 scale per 16x16 tile, one FP32 scale per tensor. The tile's scale is
   * stored once per row, in the 1x16 layout GEMMs read (as {@code dev.deepwell.quant} does), so it
   * takes the bytes of {@link #NVFP4}; its gain is that one copy serves both GEMM orientations.
   */
  NVFP4_2D("nvfp4-2d");

  private final String displayName;

  TensorFormat(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  public boolean isQuantized() {
    return ordinal() >= FP8_TENSOR.ordinal();
  }

  /**
   * True for formats whose scales run along one axis only, so the transposed operand a backward
   * GEMM needs must be quantized separately (a second copy), unlike tensor-scaled or 2-D tiles.
   */
  public boolean isOneDimensionalBlocked() {
    return this == FP8_BLOCK_1X128 || this == MXFP8 || this == NVFP4;
  }

  /** The compute precision this storage format belongs to. */
  public Precision precision() {
    switch (this) {
      case FP32:
        return Precision.FP32;
      case BF16:
        return Precision.BF16;
      case FP8_TENSOR:
        return Precision.FP8;
      case FP8_BLOCK_1X128:
      case FP8_BLOCK_128X128:
        return Precision.FP8_BLOCK;
      case MXFP8:
        return Precision.MXFP8;
      case NVFP4:
      case NVFP4_2D:
        return Precision.NVFP4;
      default:
        throw new IllegalStateException(this + " has no compute precision");
    }
  }

  /** The format a GEMM in {@code p} reads its activation operand in. */
  public static TensorFormat activationFormat(Precision p) {
    switch (p) {
      case FP32:
        return FP32;
      case BF16:
        return BF16;
      case FP8:
        return FP8_TENSOR;
      case FP8_BLOCK:
        return FP8_BLOCK_1X128;
      case MXFP8:
        return MXFP8;
      case NVFP4:
        return NVFP4;
      default:
        throw new IllegalArgumentException("no activation format for " + p);
    }
  }

  /** The format a GEMM in {@code p} reads its weight operand in. */
  public static TensorFormat weightFormat(Precision p, boolean nvfp4TwoDimensional) {
    switch (p) {
      case FP8_BLOCK:
        return FP8_BLOCK_128X128;
      case NVFP4:
        return nvfp4TwoDimensional ? NVFP4_2D : NVFP4;
      default:
        return activationFormat(p);
    }
  }

  /** Bytes of a tensor of {@code shape} in this format, scales included. */
  public long storageBytes(Shape shape) {
    long n = shape.numel();
    long cols = shape.last();
    long rows = shape.rows();
    long matrices = shape.rank() >= 2 ? rows / shape.dim(-2) : 1;
    long matRows = shape.rank() >= 2 ? shape.dim(-2) : 1;
    switch (this) {
      case INT32:
      case FP32:
        return 4 * n;
      case BF16:
        return 2 * n;
      case FP8_TENSOR:
        return n + 4;
      case FP8_BLOCK_1X128:
        return n + 4 * rows * ceilDiv(cols, 128);
      case FP8_BLOCK_128X128:
        return n + 4 * matrices * ceilDiv(matRows, 128) * ceilDiv(cols, 128);
      case MXFP8:
        return n + rows * ceilDiv(cols, 32);
      case NVFP4:
      case NVFP4_2D:
        return ceilDiv(n, 2) + rows * ceilDiv(cols, 16) + 4;
      default:
        throw new AssertionError(this);
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
