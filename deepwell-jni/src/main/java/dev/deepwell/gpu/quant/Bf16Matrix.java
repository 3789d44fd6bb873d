package dev.deepwell.gpu.quant;

import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceTensor;
import java.util.Objects;

/**
 * A dense row-major BF16 matrix {@code [rows, cols]} in device memory: the input of
 * {@link MicroscaleManager}. The kernels read it with 16-byte vector loads, so the view must be
 * contiguous (row stride = cols) and start 16-byte aligned; other views are rejected here with an
 * {@link IllegalArgumentException} naming the problem.
 */
public final class Bf16Matrix {

  private final DeviceBuffer buffer;
  private final long offsetBytes;
  private final int rows;
  private final int cols;

  private Bf16Matrix(DeviceBuffer buffer, long offsetBytes, int rows, int cols) {
    this.buffer = buffer;
    this.offsetBytes = offsetBytes;
    this.rows = rows;
    this.cols = cols;
  }

  /** A rank-2 tensor of 16-bit elements, read as BF16. */
  public static Bf16Matrix of(DeviceTensor tensor) {
    Objects.requireNonNull(tensor, "tensor");
    if (tensor.isClosed()) throw new IllegalStateException("tensor is closed: " + tensor);
    if (tensor.elementBits() != 16) {
      throw new IllegalArgumentException("tensor must hold 16-bit (BF16) elements, got " + tensor.elementBits() + "-bit");
    }
    if (tensor.rank() != 2) {
      throw new IllegalArgumentException("tensor must have rank 2 [rows, cols], got rank " + tensor.rank());
    }
    long[] shape = tensor.shape();
    if (shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor dimensions must be < 2^31, got " + shape[0] + " x " + shape[1]);
    }
    return view(tensor.buffer(), 0, (int) shape[0], (int) shape[1], shape[1]);
  }

  /**
   * A view of {@code rows x cols} BF16 values starting {@code offsetBytes} into {@code buffer},
   * rows {@code rowStrideElements} apart.
   *
   * @throws IllegalArgumentException if the view is not contiguous ({@code rowStrideElements !=
   *     cols}), not 16-byte aligned, or has non-positive sizes
   * @throws IndexOutOfBoundsException if it does not fit in the buffer
   * @throws IllegalStateException if the buffer is closed
   */
  public static Bf16Matrix view(DeviceBuffer buffer, long offsetBytes, int rows, int cols, long rowStrideElements) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.isClosed()) throw new IllegalStateException("buffer is closed: " + buffer);
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    if (cols <= 0) throw new IllegalArgumentException("cols must be > 0, got " + cols);
    if (rowStrideElements != cols) {
      throw new IllegalArgumentException("non-contiguous input: row stride " + rowStrideElements
          + " elements != cols " + cols + "; the quantize kernels read dense row-major BF16 (copy it first)");
    }
    if (offsetBytes < 0) throw new IllegalArgumentException("offsetBytes must be >= 0, got " + offsetBytes);
    if (((buffer.address() + offsetBytes) & 15) != 0) {
      throw new IllegalArgumentException("misaligned input: device address 0x" + Long.toHexString(buffer.address())
          + " + offset " + offsetBytes + " is not 16-byte aligned");
    }
    long bytes = 2L * rows * cols;
    if (offsetBytes > buffer.size() - bytes) {
      throw new IndexOutOfBoundsException("view [" + offsetBytes + ", " + offsetBytes + " + " + bytes
          + ") of a [" + rows + ", " + cols + "] BF16 matrix exceeds the buffer's " + buffer.size() + " bytes");
    }
    return new Bf16Matrix(buffer, offsetBytes, rows, cols);
  }

  public DeviceBuffer buffer() {
    return buffer;
  }

  public long offsetBytes() {
    return offsetBytes;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Element count {@code rows * cols}. */
  public long elementCount() {
    return (long) rows * cols;
  }

  /** The device address of element (0, 0); throws {@link IllegalStateException} once the buffer is closed. */
  long address() {
    if (buffer.isClosed()) throw new IllegalStateException("the input's buffer is closed: " + buffer);
    return buffer.address() + offsetBytes;
  }

  @Override
  public String toString() {
    return "Bf16Matrix[" + rows + ", " + cols + "] at +" + offsetBytes + " of " + buffer;
  }
}
