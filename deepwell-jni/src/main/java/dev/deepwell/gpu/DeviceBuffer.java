package dev.deepwell.gpu;

/**
 * A block of device memory from the stream-ordered pool of its device. Allocate it from a
 * {@link DeviceScope}; it is freed on the stream it was allocated on when closed (or, if that
 * stream is already closed, after the device has finished its work).
 *
 * <p>Every public method checks its arguments (offsets, sizes, bounds) and that the buffer is
 * open before any native call: a closed buffer throws {@link IllegalStateException}, a bad range
 * {@link IllegalArgumentException} or {@link IndexOutOfBoundsException}.
 */
public final class DeviceBuffer extends NativeResource {

  private final CudaDevice device;
  private final long address;
  private final long size;

  DeviceBuffer(CudaDevice device, long address, long size, Release release) {
    super("DeviceBuffer", release);
    this.device = device;
    this.address = address;
    this.size = size;
  }

  private static final class BufferRelease extends Release {
    private final long address;
    private final int device;
    private final CudaStream stream;

    BufferRelease(long address, long size, CudaStream stream) {
      super("DeviceBuffer of " + size + " bytes on device " + stream.device().ordinal());
      this.address = address;
      this.device = stream.device().ordinal();
      this.stream = stream;
    }

    @Override
    void free() {
      if (!stream.isClosed()) {
        try {
          Natives.freeAsync(stream.handle(), address);
          return;
        } catch (IllegalStateException closedMeanwhile) {
          // fall through to the synchronous free
        }
      }
      Natives.freeSync(device, address);
    }
  }

  static DeviceBuffer allocate(CudaStream stream, long bytes) {
    if (bytes <= 0) throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
    long s = stream.handle();
    NativeLibrary.requireReady();
    long address = Natives.mallocAsync(s, bytes);
    return new DeviceBuffer(stream.device(), address, bytes, new BufferRelease(address, bytes, stream));
  }

  public CudaDevice device() {
    return device;
  }

  public long size() {
    return size;
  }

  /**
   * The device address, for native code that takes raw pointers. Valid until {@link #close()};
   * keep this buffer reachable while native code uses it.
   */
  public long address() {
    ensureOpen();
    return address;
  }

  long addressAt(long offset) {
    ensureOpen();
    return address + offset;
  }

  /** Checks that the buffer is open and [offset, offset + bytes) lies inside it. */
  void checkRange(long offset, long bytes, String what) {
    ensureOpen();
    checkRange(size, offset, bytes, what);
  }

  static void checkRange(long size, long offset, long bytes, String what) {
    if (offset < 0) throw new IllegalArgumentException(what + " offset must be >= 0, got " + offset);
    if (bytes < 0) throw new IllegalArgumentException(what + " byte count must be >= 0, got " + bytes);
    if (offset > size - bytes) {
      throw new IndexOutOfBoundsException(
          what + " range [" + offset + ", " + offset + " + " + bytes + ") exceeds its size " + size);
    }
  }
}
