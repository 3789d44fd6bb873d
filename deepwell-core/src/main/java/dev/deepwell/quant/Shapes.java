package dev.deepwell.quant;

/** Argument checks and the size arithmetic shared by the quantizers and {@link QuantizedTensor}. */
final class Shapes {

  private Shapes() {}

  /** Checks the input array against the shape, then the shape against the format and options. */
  static void checkInput(QuantFormat format, float[] x, int rows, int cols,
      QuantOptions options) {
    if (x == null) {
      throw new IllegalArgumentException("x must not be null");
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("x must not be empty");
    }
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    checkShape(format, rows, cols, options);
    if (x.length != rows * cols) {
      throw new IllegalArgumentException("x.length " + x.length + " != rows * cols = " + rows
          + " * " + cols + " = " + (rows * cols));
    }
  }

  /** Checks rows/cols, the blocked dimension's divisibility, and options the format rejects. */
  static void checkShape(QuantFormat format, int rows, int cols, QuantOptions options) {
    if (rows <= 0) {
      throw new IllegalArgumentException("rows must be > 0, got " + rows);
    }
    if (cols <= 0) {
      throw new IllegalArgumentException("cols must be > 0, got " + cols);
    }
    if ((long) rows * cols > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "rows * cols = " + rows + " * " + cols + " exceeds the largest Java array");
    }
    int block = format.blockSize();
    if (block > 0) {
      boolean row = options.axis() == Axis.ROW;
      int blocked = row ? cols : rows;
      if (blocked % block != 0) {
        throw new IllegalArgumentException((row ? "cols" : "rows") + " (" + blocked
            + ") must be a multiple of the " + format.cliName() + " block size " + block
            + " for axis " + options.axis() + " (shape [" + rows + ", " + cols + "])");
      }
    }
    if (options.hadamard16() && !format.isNvfp4()) {
      throw new IllegalArgumentException(
          "hadamard16 applies only to nvfp4 and nvfp4-2d, not " + format.cliName());
    }
    checkLayout(format, options.scaleLayout());
  }

  static void checkLayout(QuantFormat format, ScaleLayout layout) {
    if (layout == ScaleLayout.SWIZZLED_128X4 && !format.hasByteScales()) {
      throw new IllegalArgumentException("scaleLayout " + layout
          + " applies only to formats with one-byte block scales (MX, NVFP4), not "
          + format.cliName());
    }
  }

  static int storedRows(int rows, int cols, Axis axis) {
    return axis == Axis.ROW ? rows : cols;
  }

  static int storedCols(int rows, int cols, Axis axis) {
    return axis == Axis.ROW ? cols : rows;
  }

  static int dataBytes(QuantFormat format, int rows, int cols) {
    int n = rows * cols;
    return format.elementFormat().bits() == 4 ? n / 2 : n;
  }

  static int scaleRows(QuantFormat format, int rows, int cols, QuantOptions options) {
    int sRows = storedRows(rows, cols, options.axis());
    switch (format) {
      case FP8_TENSOR:
        return 0;
      case FP8_BLOCK:
        int tile = options.fp8BlockShape().tileRows();
        return (sRows + tile - 1) / tile;
      default:
        return sRows;
    }
  }

  static int scaleCols(QuantFormat format, int rows, int cols, QuantOptions options) {
    if (format == QuantFormat.FP8_TENSOR) {
      return 0;
    }
    return storedCols(rows, cols, options.axis()) / format.blockSize();
  }

  static int scaleBytes(QuantFormat format, int rows, int cols, QuantOptions options) {
    int sr = scaleRows(format, rows, cols, options);
    int sc = scaleCols(format, rows, cols, options);
    if (format.hasByteScales()) {
      return options.scaleLayout().sizeBytes(sr, sc);
    }
    return 4 * sr * sc;
  }
}
