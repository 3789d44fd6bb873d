package dev.deepwell.quant;

/**
 * The input seen in the storage orientation of an {@link Axis}: a row-major
 * {@code [storedRows, storedCols]} copy ({@code x} itself for ROW, its transpose for COL) whose
 * rows are the quantized runs, plus the map from a stored position back to the element's linear
 * index in the original input (what stochastic rounding keys its random bits on).
 */
final class Storage {
  final float[] values;
  final int storedRows;
  final int storedCols;
  private final Axis axis;
  private final int cols;

  private Storage(float[] values, int storedRows, int storedCols, Axis axis, int cols) {
    this.values = values;
    this.storedRows = storedRows;
    this.storedCols = storedCols;
    this.axis = axis;
    this.cols = cols;
  }

  /** A fresh copy of {@code x} in the axis's storage orientation (the caller may modify it). */
  static Storage of(float[] x, int rows, int cols, Axis axis) {
    if (axis == Axis.ROW) {
      return new Storage(x.clone(), rows, cols, axis, cols);
    }
    return new Storage(transpose(x, rows, cols), cols, rows, axis, cols);
  }

  /** Linear index, in the original row-major input, of stored element {@code p}. */
  long originalIndex(int p) {
    if (axis == Axis.ROW) {
      return p;
    }
    int c = p / storedCols;
    int r = p % storedCols;
    return (long) r * cols + c;
  }

  /** Row-major transpose of a {@code [rows, cols]} matrix. */
  static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = x[r * cols + c];
      }
    }
    return t;
  }

  /** Puts stored values back into the original orientation: {@code [rows, cols]} row-major. */
  static float[] toOriginal(float[] stored, int rows, int cols, Axis axis) {
    return axis == Axis.ROW ? stored : transpose(stored, cols, rows);
  }
}
