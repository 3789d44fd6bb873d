package dev.deepwell.ir;

import java.util.Arrays;

/** The dimensions of a tensor, outermost first. Immutable; every dimension is > 0. */
public final class Shape {

  private final long[] dims;

  private Shape(long[] dims) {
    this.dims = dims;
  }

  public static Shape of(long... dims) {
    if (dims == null) {
      throw new NullPointerException("dims");
    }
    if (dims.length == 0) {
      throw new IllegalArgumentException("a shape needs at least one dimension");
    }
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] <= 0) {
        throw new IllegalArgumentException(
            "dimension " + i + " must be > 0, got " + dims[i] + " in " + Arrays.toString(dims));
      }
      n = Math.multiplyExact(n, dims[i]);
    }
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    if (i < 0) {
      i += dims.length;
    }
    if (i < 0 || i >= dims.length) {
      throw new IndexOutOfBoundsException("dim " + i + " of a rank-" + dims.length + " shape");
    }
    return dims[i];
  }

  /** The innermost (contiguous, GEMM K or feature) dimension. */
  public long last() {
    return dims[dims.length - 1];
  }

  /** Product of every dimension but the last: the rows of the tensor seen as a matrix. */
  public long rows() {
    long n = 1;
    for (int i = 0; i < dims.length - 1; i++) {
      n *= dims[i];
    }
    return n;
  }

  public long numel() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  public long[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
