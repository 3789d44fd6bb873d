package dev.deepwell.gpu;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense row-major tensor in one {@link DeviceBuffer}: a shape and an element width in bits
 * (4 for packed FP4, 8, 16, 32 or 64). Closing the tensor closes its buffer.
 */
public final class DeviceTensor implements AutoCloseable {

  private final DeviceBuffer buffer;
  private final int elementBits;
  private final long[] shape;

  DeviceTensor(DeviceBuffer buffer, int elementBits, long[] shape) {
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    long bytes = byteSize(elementBits, shape);
    if (bytes != buffer.size()) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " of " + elementBits + "-bit elements needs " + bytes
              + " bytes, the buffer has " + buffer.size());
    }
    this.elementBits = elementBits;
    this.shape = shape.clone();
  }

  /**
   * Bytes of a dense tensor: ceil(elements * bits / 8). Every dimension must be >= 1 (a rank-0
   * shape is one element).
   */
  public static long byteSize(int elementBits, long... shape) {
    Objects.requireNonNull(shape, "shape");
    if (elementBits != 4 && elementBits != 8 && elementBits != 16 && elementBits != 32 && elementBits != 64) {
      throw new IllegalArgumentException("elementBits must be 4, 8, 16, 32 or 64, got " + elementBits);
    }
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 1) {
        throw new IllegalArgumentException("shape[" + i + "] must be >= 1, got " + shape[i] + " in " + Arrays.toString(shape));
      }
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^63 elements", e);
      }
    }
    if (elements > (Long.MAX_VALUE - 7) / elementBits) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large in bytes");
    }
    return (elements * elementBits + 7) / 8;
  }

  public DeviceBuffer buffer() {
    return buffer;
  }

  public int elementBits() {
    return elementBits;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  public long byteSize() {
    return buffer.size();
  }

  public boolean isClosed() {
    return buffer.isClosed();
  }

  @Override
  public void close() {
    buffer.close();
  }

  @Override
  public String toString() {
    return "DeviceTensor" + Arrays.toString(shape) + " x " + elementBits + " bits" + (isClosed() ? " (closed)" : "");
  }
}
