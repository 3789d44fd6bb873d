package dev.deepwell.gpu.quant;

import dev.deepwell.quant.Axis;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.ScaleLayout;
import java.util.Objects;

/**
 * The shape arithmetic and argument checks of one quantized copy on the device: what the Java
 * reference accepts and how many bytes its codes and scales take, computed in Java so that a bad
 * request fails here, before any native call. The sizes equal those of the reference's
 * {@code QuantizedTensor} (tested).
 */
final class CopyLayout {

  final QuantFormat format;
  final int rows;
  final int cols;
  final QuantOptions options;
  final Fp8ScaleOrder order;
  final int storedRows;
  final int storedCols;
  final int scaleRows;
  final int scaleCols;
  final long dataBytes;
  final long scaleBytes;
  final boolean hasTensorScale;

  private CopyLayout(QuantFormat format, int rows, int cols, QuantOptions options, Fp8ScaleOrder order) {
    this.format = format;
    this.rows = rows;
    this.cols = cols;
    this.options = options;
    this.order = order;
    boolean row = options.axis() == Axis.ROW;
    this.storedRows = row ? rows : cols;
    this.storedCols = row ? cols : rows;
    long elements = (long) rows * cols;
    this.dataBytes = format.elementFormat().bits() == 4 ? elements / 2 : elements;
    this.hasTensorScale = format.isNvfp4() || format == QuantFormat.FP8_TENSOR;
    if (format == QuantFormat.FP8_TENSOR) {
      this.scaleRows = 0;
      this.scaleCols = 0;
      this.scaleBytes = 0;
    } else if (format == QuantFormat.FP8_BLOCK) {
      int tile = options.fp8BlockShape().tileRows();
      this.scaleRows = (storedRows + tile - 1) / tile;
      this.scaleCols = storedCols / format.blockSize();
      this.scaleBytes = 4L * scaleRows * scaleCols;
    } else {
      this.scaleRows = storedRows;
      this.scaleCols = storedCols / format.blockSize();
      this.scaleBytes = options.scaleLayout() == ScaleLayout.ROW_MAJOR
          ? (long) scaleRows * scaleCols
          : (long) roundUp(scaleRows, ScaleLayout.TILE_ROWS) * roundUp(scaleCols, ScaleLayout.TILE_COLS);
    }
  }

  /**
   * Checks and sizes a copy of a BF16 {@code [rows, cols]} input in {@code options.axis()}.
   *
   * @throws IllegalArgumentException naming the bad argument: non-positive sizes, a blocked
   *     dimension that is not a multiple of the block size, an option the format rejects
   */
  static CopyLayout of(QuantFormat format, int rows, int cols, QuantOptions options, Fp8ScaleOrder order) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(order, "fp8ScaleOrder");
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    if (cols <= 0) throw new IllegalArgumentException("cols must be > 0, got " + cols);
    int block = format.blockSize();
    if (block > 0) {
      boolean row = options.axis() == Axis.ROW;
      int blocked = row ? cols : rows;
      if (blocked % block != 0) {
        throw new IllegalArgumentException((row ? "cols" : "rows") + " (" + blocked
            + ") must be a multiple of the " + format.cliName() + " block size " + block + " for axis "
            + options.axis() + " (shape [" + rows + ", " + cols + "])");
      }
    }
    if (options.hadamard16() && !format.isNvfp4()) {
      throw new IllegalArgumentException(
          "hadamard16 applies only to nvfp4 and nvfp4-2d, not " + format.cliName());
    }
    if (options.scaleLayout() == ScaleLayout.SWIZZLED_128X4 && !format.hasByteScales()) {
      throw new IllegalArgumentException("scaleLayout " + options.scaleLayout()
          + " applies only to formats with one-byte block scales (MX, NVFP4), not " + format.cliName());
    }
    if (order == Fp8ScaleOrder.MN_MAJOR
        && (format != QuantFormat.FP8_BLOCK || options.fp8BlockShape() != Fp8BlockShape.ACT_1X128)) {
      throw new IllegalArgumentException("fp8ScaleOrder MN_MAJOR applies only to fp8-block with "
          + Fp8BlockShape.ACT_1X128 + ", not " + format.cliName()
          + (format == QuantFormat.FP8_BLOCK ? " " + options.fp8BlockShape() : ""));
    }
    return new CopyLayout(format, rows, cols, options, order);
  }

  /** The same request for the other axis. */
  CopyLayout withAxis(Axis axis) {
    return of(format, rows, cols, options.toBuilder().axis(axis).build(), order);
  }

  /** {@code dw_quant_options} codes: format, scale rule, scale layout, block shape, SR, Hadamard. */
  int[] nativeOptions() {
    int layout = order == Fp8ScaleOrder.MN_MAJOR ? 2 : (options.scaleLayout() == ScaleLayout.SWIZZLED_128X4 ? 1 : 0);
    return new int[] {
      format.ordinal(),
      options.scaleRule() == dev.deepwell.quant.ScaleRule.OCP ? 0 : 1,
      layout,
      options.fp8BlockShape() == Fp8BlockShape.WEIGHT_128X128 ? 1 : 0,
      options.stochasticRounding() ? 1 : 0,
      options.hadamard16() ? 1 : 0
    };
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }
}
