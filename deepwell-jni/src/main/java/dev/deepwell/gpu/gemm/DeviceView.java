package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceTensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A GEMM operand's device memory: the bytes from {@code offset} to the end of a
 * {@link DeviceBuffer}, optionally with the shape and element width it is meant to hold (given
 * by a {@link DeviceTensor}, or declared), which {@link GpuGemm} then checks against the
 * problem. Holds its buffer, so the buffer stays reachable while the view is in use. Immutable.
 */
public final class DeviceView {

  /** The memory behind a view; a test can stand in for a real buffer. */
  interface Memory {
    /** The base address; throws IllegalStateException once freed. */
    long address();

    long size();

    int device();

    boolean isClosed();

    String describe();

    /** The buffer for host copies (empty for memory that is not a DeviceBuffer). */
    Optional<DeviceBuffer> buffer();
  }

  private static final class BufferMemory implements Memory {
    private final DeviceBuffer buffer;

    BufferMemory(DeviceBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public long address() {
      return buffer.address();
    }

    @Override
    public long size() {
      return buffer.size();
    }

    @Override
    public int device() {
      return buffer.device().ordinal();
    }

    @Override
    public boolean isClosed() {
      return buffer.isClosed();
    }

    @Override
    public String describe() {
      return buffer.toString();
    }

    @Override
    public Optional<DeviceBuffer> buffer() {
      return Optional.of(buffer);
    }
  }

  private final Memory memory;
  private final long offset;
  private final int elementBits;
  private final long[] shape;
  private final QuantTag quant;

  private DeviceView(Memory memory, long offset, int elementBits, long[] shape, QuantTag quant) {
    this.memory = memory;
    this.offset = offset;
    this.elementBits = elementBits;
    this.shape = shape;
    this.quant = quant;
  }

  /** All of {@code buffer}, shape unknown (only its size is checked). */
  public static DeviceView of(DeviceBuffer buffer) {
    return of(buffer, 0);
  }

  /** {@code buffer} from {@code offsetBytes} on, shape unknown. */
  public static DeviceView of(DeviceBuffer buffer, long offsetBytes) {
    Objects.requireNonNull(buffer, "buffer");
    return of(new BufferMemory(buffer), offsetBytes, 0, null, null);
  }

  /** A tensor's buffer with its shape and element width, both checked against the problem. */
  public static DeviceView of(DeviceTensor tensor) {
    Objects.requireNonNull(tensor, "tensor");
    return of(new BufferMemory(tensor.buffer()), 0, tensor.elementBits(), tensor.shape(), null);
  }

  /**
   * {@code buffer} from {@code offsetBytes} on, declared to hold a dense row-major
   * {@code shape} of {@code elementBits}-bit elements.
   */
  public static DeviceView of(DeviceBuffer buffer, long offsetBytes, int elementBits, long... shape) {
    Objects.requireNonNull(buffer, "buffer");
    Objects.requireNonNull(shape, "shape");
    return of(new BufferMemory(buffer), offsetBytes, elementBits, shape.clone(), null);
  }

  static DeviceView of(Memory memory, long offsetBytes, int elementBits, long[] shape, QuantTag quant) {
    Objects.requireNonNull(memory, "memory");
    if (offsetBytes < 0) {
      throw new IllegalArgumentException("offsetBytes must be >= 0, got " + offsetBytes);
    }
    if (offsetBytes > memory.size()) {
      throw new IndexOutOfBoundsException("offsetBytes " + offsetBytes + " is past the end of " + memory.describe());
    }
    if (shape != null) {
      if (elementBits != 4 && elementBits != 8 && elementBits != 16 && elementBits != 32) {
        throw new IllegalArgumentException("elementBits must be 4, 8, 16 or 32, got " + elementBits);
      }
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException("shape[" + i + "] must be >= 0, got " + Arrays.toString(shape));
        }
      }
    }
    return new DeviceView(memory, offsetBytes, shape == null ? 0 : elementBits, shape, quant);
  }

  /** This view, marked as part of a quantized tensor (format checks). */
  DeviceView withQuant(QuantTag tag) {
    return new DeviceView(memory, offset, elementBits, shape, tag);
  }

  Memory memory() {
    return memory;
  }

  public long offset() {
    return offset;
  }

  /** Bytes from the offset to the end of the buffer. */
  public long bytes() {
    return memory.size() - offset;
  }

  /** The declared shape, if any. */
  public Optional<long[]> shape() {
    return shape == null ? Optional.empty() : Optional.of(shape.clone());
  }

  /** The declared element width in bits (0 when no shape was declared). */
  public int elementBits() {
    return elementBits;
  }

  Optional<QuantTag> quant() {
    return Optional.ofNullable(quant);
  }

  public boolean isClosed() {
    return memory.isClosed();
  }

  /** The device address of the first byte; throws IllegalStateException when the buffer is closed. */
  long address() {
    return memory.address() + offset;
  }

  int device() {
    return memory.device();
  }

  @Override
  public String toString() {
    return (shape == null ? "" : Arrays.toString(shape) + " x " + elementBits + " bits at ") + "+" + offset + " of "
        + memory.describe();
  }
}
