package dev.deepwell.quant;

import java.util.Arrays;
import java.util.Objects;

/**
 * A block-quantized tensor: packed element codes, block scales and (for NVFP4 / FP8_TENSOR) a
 * per-tensor FP32 decode scale. Immutable; every array goes in and out as a defensive copy.
 *
 * <p>{@link #rows()} x {@link #cols()} is the logical shape of the <em>original</em> row-major
 * input. The data is stored in the axis's orientation (see {@link Axis}): {@code [rows, cols]}
 * for ROW, {@code [cols, rows]} for COL ({@link #storedRows()} x {@link #storedCols()}), one byte
 * per FP8 code, two FP4 codes per byte (low nibble first, i.e. element {@code 2k} in the low
 * nibble of byte {@code k}).
 *
 * <p>Scales: one-byte E8M0 / UE4M3 codes forming a logical {@code [scaleRows, scaleCols]} matrix
 * laid out per {@link #scaleLayout()}; for FP8_BLOCK, FP32 decode scales as little-endian 4-byte
 * words in row-major order; for FP8_TENSOR, no bytes (the one scale is {@link #tensorScale()}).
 */
public final class QuantizedTensor {

  private final QuantFormat format;
  private final int rows;
  private final int cols;
  private final QuantOptions options;
  private final byte[] data;
  private final byte[] scales;
  private final int scaleRows;
  private final int scaleCols;
  private final float tensorScale;

  private QuantizedTensor(QuantFormat format, int rows, int cols, QuantOptions options,
      byte[] data, byte[] scales, float tensorScale) {
    this.format = format;
    this.rows = rows;
    this.cols = cols;
    this.options = options;
    this.data = data;
    this.scales = scales;
    this.scaleRows = Shapes.scaleRows(format, rows, cols, options);
    this.scaleCols = Shapes.scaleCols(format, rows, cols, options);
    this.tensorScale = tensorScale;
  }

  /**
   * Wraps quantized bytes (e.g. produced by a GPU kernel) after checking that every size agrees
   * with {@code format}, the shape and {@code options} (axis, scale layout, FP8 block shape).
   * The arrays are copied.
   *
   * @param tensorScale the per-tensor FP32 decode scale for NVFP4 / NVFP4_2D / FP8_TENSOR
   *     (finite, > 0); exactly 1.0 for the other formats
   */
  public static QuantizedTensor of(QuantFormat format, int rows, int cols, QuantOptions options,
      byte[] data, byte[] scales, float tensorScale) {
    if (format == null) {
      throw new IllegalArgumentException("format must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    if (data == null) {
      throw new IllegalArgumentException("data must not be null");
    }
    if (scales == null) {
      throw new IllegalArgumentException("scales must not be null");
    }
    Shapes.checkShape(format, rows, cols, options);
    int dataBytes = Shapes.dataBytes(format, rows, cols);
    if (data.length != dataBytes) {
      throw new IllegalArgumentException("data.length " + data.length + " != " + dataBytes
          + " bytes of " + format.cliName() + " [" + rows + ", " + cols + "]");
    }
    int scaleBytes = Shapes.scaleBytes(format, rows, cols, options);
    if (scales.length != scaleBytes) {
      throw new IllegalArgumentException("scales.length " + scales.length + " != " + scaleBytes
          + " bytes of " + format.cliName() + " [" + rows + ", " + cols + "] scales with "
          + options);
    }
    if (format.isNvfp4()) {
      for (int i = 0; i < scales.length; i++) {
        if ((scales[i] & 0x80) != 0) {
          throw new IllegalArgumentException("scales[" + i + "] = 0x"
              + Integer.toHexString(scales[i] & 0xFF) + " is not a UE4M3 code (sign bit set)");
        }
      }
    }
    if (format == QuantFormat.FP8_BLOCK) {
      for (int off = 0; off < scales.length; off += 4) {
        float s = Fp8BlockQuantizer.getFloatLe(scales, off);
        if (!(s > 0f && s <= Float.MAX_VALUE)) {
          throw new IllegalArgumentException("FP32 block scale " + (off / 4)
              + " must be finite and > 0, got " + s);
        }
      }
    }
    boolean hasTensorScale = format.isNvfp4() || format == QuantFormat.FP8_TENSOR;
    if (hasTensorScale && !(tensorScale > 0f && tensorScale < Float.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(
          "tensorScale must be finite and > 0 for " + format.cliName() + ", got " + tensorScale);
    }
    if (!hasTensorScale && tensorScale != 1f) {
      throw new IllegalArgumentException(
          "tensorScale must be 1.0 for " + format.cliName() + ", got " + tensorScale);
    }
    return new QuantizedTensor(format, rows, cols, options, data.clone(), scales.clone(),
        tensorScale);
  }

  /** Package-private: takes ownership of arrays the quantizers just built (no copy). */
  static QuantizedTensor wrap(QuantFormat format, int rows, int cols, QuantOptions options,
      byte[] data, byte[] scales, float tensorScale) {
    return new QuantizedTensor(format, rows, cols, options, data, scales, tensorScale);
  }

  public QuantFormat format() {
    return format;
  }

  /** Rows of the original input. */
  public int rows() {
    return rows;
  }

  /** Columns of the original input. */
  public int cols() {
    return cols;
  }

  public Axis axis() {
    return options.axis();
  }

  public ScaleLayout scaleLayout() {
    return options.scaleLayout();
  }

  /** The options used to quantize; their scale layout tracks {@link #scaleLayout()}. */
  public QuantOptions options() {
    return options;
  }

  /** Rows of the stored data: {@code rows} for ROW, {@code cols} for COL. */
  public int storedRows() {
    return options.axis() == Axis.ROW ? rows : cols;
  }

  /** Columns of the stored data (quantized axis): {@code cols} for ROW, {@code rows} for COL. */
  public int storedCols() {
    return options.axis() == Axis.ROW ? cols : rows;
  }

  /** The packed element codes (a copy). */
  public byte[] data() {
    return data.clone();
  }

  /** The scale bytes (a copy). */
  public byte[] scales() {
    return scales.clone();
  }

  /** Rows of the logical (unpadded) scale matrix; 0 for FP8_TENSOR. */
  public int scaleRows() {
    return scaleRows;
  }

  /** Columns of the logical (unpadded) scale matrix; 0 for FP8_TENSOR. */
  public int scaleCols() {
    return scaleCols;
  }

  /** Per-tensor FP32 decode scale (NVFP4, NVFP4_2D, FP8_TENSOR); 1.0 for the other formats. */
  public float tensorScale() {
    return tensorScale;
  }

  /** Package-private zero-copy access for the quantizers' dequantize paths. */
  byte[] dataUnsafe() {
    return data;
  }

  /** Package-private zero-copy access to the scale bytes as stored. */
  byte[] dataUnsafeScales() {
    return scales;
  }

  /** Package-private: scale bytes in row-major order, without copying when already row-major. */
  byte[] rowMajorScalesUnsafe() {
    if (options.scaleLayout() == ScaleLayout.ROW_MAJOR) {
      return scales;
    }
    return ScaleLayout.convert(scales, scaleRows, scaleCols, options.scaleLayout(),
        ScaleLayout.ROW_MAJOR);
  }

  /**
   * The same tensor with its block scales re-laid in {@code target} (bit-exact both ways); this
   * tensor when already in {@code target}. Formats without one-byte block scales (FP8_TENSOR,
   * FP8_BLOCK) only support ROW_MAJOR.
   */
  public QuantizedTensor withScaleLayout(ScaleLayout target) {
    if (target == null) {
      throw new IllegalArgumentException("target scale layout must not be null");
    }
    if (target == options.scaleLayout()) {
      return this;
    }
    Shapes.checkLayout(format, target);
    byte[] converted =
        ScaleLayout.convert(scales, scaleRows, scaleCols, options.scaleLayout(), target);
    QuantOptions newOptions = options.toBuilder().scaleLayout(target).build();
    return new QuantizedTensor(format, rows, cols, newOptions, data, converted, tensorScale);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof QuantizedTensor)) {
      return false;
    }
    QuantizedTensor that = (QuantizedTensor) o;
    return format == that.format
        && rows == that.rows
        && cols == that.cols
        && Float.floatToIntBits(tensorScale) == Float.floatToIntBits(that.tensorScale)
        && options.equals(that.options)
        && Arrays.equals(data, that.data)
        && Arrays.equals(scales, that.scales);
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, rows, cols, tensorScale, options, Arrays.hashCode(data),
        Arrays.hashCode(scales));
  }

  @Override
  public String toString() {
    return "QuantizedTensor{" + format.cliName() + " [" + rows + ", " + cols + "] axis="
        + options.axis() + " scales [" + scaleRows + ", " + scaleCols + "] "
        + options.scaleLayout() + " tensorScale=" + tensorScale + " dataBytes=" + data.length
        + "}";
  }
}
