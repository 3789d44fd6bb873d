package dev.deepwell.quant;

/**
 * How a logical {@code [R, C]} matrix of one-byte block scales is laid out in memory.
 *
 * <ul>
 *   <li>{@link #ROW_MAJOR}: {@code offset(r, c) = r * C + c}, {@code R * C} bytes.
 *   <li>{@link #SWIZZLED_128X4}: the tiled layout that sm_100 block-scaled GEMMs (CUTLASS,
 *       cuBLASLt) read. The matrix is padded with zero bytes to {@code [roundUp(R, 128),
 *       roundUp(C, 4)]} and cut into 128x4 tiles of 512 bytes, stored in row-tile-major order
 *       (all tiles of rows 0..127 first, left to right). Inside a tile, the entry at
 *       {@code (r, c)} sits at {@code (r % 32) * 16 + ((r / 32) % 4) * 4 + (c % 4)}: the 128 rows
 *       are interleaved as four groups of 32, so one 16-byte load gives a thread the four scale
 *       columns of four rows 32 apart, as the tensor core's scale-factor fetch expects.
 * </ul>
 *
 * {@link #convert} moves scales between the two layouts, bit-exactly both ways.
 */
public enum ScaleLayout {
  ROW_MAJOR,
  SWIZZLED_128X4;

  /** Tile height of {@link #SWIZZLED_128X4}. */
  public static final int TILE_ROWS = 128;
  /** Tile width of {@link #SWIZZLED_128X4}. */
  public static final int TILE_COLS = 4;

  /** Bytes a logical {@code [rows, cols]} scale matrix occupies in this layout. */
  public int sizeBytes(int rows, int cols) {
    checkShape(rows, cols);
    long n = this == ROW_MAJOR
        ? (long) rows * cols
        : (long) roundUp(rows, TILE_ROWS) * roundUp(cols, TILE_COLS);
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "scale matrix [" + rows + ", " + cols + "] is too large for one byte array in " + this);
    }
    return (int) n;
  }

  /** Byte offset of logical entry {@code (r, c)} of a {@code [rows, cols]} matrix. */
  public int offset(int r, int c, int rows, int cols) {
    checkShape(rows, cols);
    if (r < 0 || r >= rows) {
      throw new IllegalArgumentException("r " + r + " out of range [0, " + rows + ")");
    }
    if (c < 0 || c >= cols) {
      throw new IllegalArgumentException("c " + c + " out of range [0, " + cols + ")");
    }
    if (this == ROW_MAJOR) {
      return r * cols + c;
    }
    int tilesPerRowBand = roundUp(cols, TILE_COLS) / TILE_COLS;
    int tile = (r / TILE_ROWS) * tilesPerRowBand + c / TILE_COLS;
    return tile * (TILE_ROWS * TILE_COLS) + (r % 32) * 16 + ((r / 32) % 4) * 4 + (c % 4);
  }

  /**
   * Re-lays {@code scales}, a {@code [rows, cols]} matrix in layout {@code from}, into layout
   * {@code to}; returns a new array (a copy even when the layouts are equal). Padding bytes of the
   * swizzled layout are written as zero and ignored when read.
   */
  public static byte[] convert(byte[] scales, int rows, int cols, ScaleLayout from,
      ScaleLayout to) {
    if (scales == null) {
      throw new IllegalArgumentException("scales must not be null");
    }
    if (from == null || to == null) {
      throw new IllegalArgumentException("layouts must not be null (from=" + from + ", to=" + to
          + ")");
    }
    int expected = from.sizeBytes(rows, cols);
    if (scales.length != expected) {
      throw new IllegalArgumentException("scales.length " + scales.length + " != " + expected
          + " bytes of a [" + rows + ", " + cols + "] scale matrix in " + from);
    }
    byte[] out = new byte[to.sizeBytes(rows, cols)];
    if (from == to) {
      System.arraycopy(scales, 0, out, 0, scales.length);
      return out;
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[to.offset(r, c, rows, cols)] = scales[from.offset(r, c, rows, cols)];
      }
    }
    return out;
  }

  static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  private static void checkShape(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException(
          "scale matrix shape must be non-negative, got [" + rows + ", " + cols + "]");
    }
  }
}
