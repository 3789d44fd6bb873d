package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A CUDA stream (non-blocking): work enqueued on it runs in order, asynchronously to the host.
 * Copies between host and device go through pinned buffers ({@link PinnedHostBuffer}) so that
 * they are truly asynchronous.
 */
public final class CudaStream extends NativeResource {

  private final CudaDevice device;
  private final long handle;

  CudaStream(CudaDevice device, long handle, Release release) {
    super("CudaStream", release);
    this.device = device;
    this.handle = handle;
  }

  private static final class StreamRelease extends Release {
    private final long handle;

    StreamRelease(long handle, int device) {
      super("stream on device " + device);
      this.handle = handle;
    }

    @Override
    void free() {
      Natives.streamDestroy(handle);
    }
  }

  static CudaStream create(CudaDevice device) {
    NativeLibrary.requireReady();
    long handle = Natives.streamCreate(device.ordinal());
    return new CudaStream(device, handle, new StreamRelease(handle, device.ordinal()));
  }

  public CudaDevice device() {
    return device;
  }

  long handle() {
    ensureOpen();
    return handle;
  }

  /** Waits until everything enqueued so far has run. */
  public void synchronize() {
    long s = handle();
    NativeLibrary.requireReady();
    try {
      Natives.streamSynchronize(s);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** Later work on this stream waits for {@code event} (recorded on any stream of this device). */
  public void waitFor(CudaEvent event) {
    Objects.requireNonNull(event, "event");
    requireSameDevice(event.device(), "event");
    long s = handle();
    long e = event.handle();
    NativeLibrary.requireReady();
    try {
      Natives.streamWaitEvent(s, e);
    } finally {
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(event);
    }
  }

  /** Records {@code event} here: it completes when the work enqueued before it has run. */
  public void record(CudaEvent event) {
    Objects.requireNonNull(event, "event");
    event.recordOn(this);
  }

  /** Asynchronous copy of {@code bytes} from pinned host memory to device memory. */
  public void copyHostToDevice(PinnedHostBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    src.checkRange(srcOffset, bytes, "src");
    dst.checkRange(dstOffset, bytes, "dst");
    requireSameDevice(dst.device(), "dst");
    enqueueCopy(dst.addressAt(dstOffset), src.addressAt(srcOffset), bytes, 1, src, dst);
  }

  /** Asynchronous copy of {@code bytes} from device memory to pinned host memory. */
  public void copyDeviceToHost(DeviceBuffer src, long srcOffset, PinnedHostBuffer dst, long dstOffset, long bytes) {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    src.checkRange(srcOffset, bytes, "src");
    dst.checkRange(dstOffset, bytes, "dst");
    requireSameDevice(src.device(), "src");
    enqueueCopy(dst.addressAt(dstOffset), src.addressAt(srcOffset), bytes, 2, src, dst);
  }

  /** Asynchronous device-to-device copy through the CUDA runtime ({@code cudaMemcpyAsync}). */
  public void copyDeviceToDevice(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    src.checkRange(srcOffset, bytes, "src");
    dst.checkRange(dstOffset, bytes, "dst");
    requireSameDevice(src.device(), "src");
    requireSameDevice(dst.device(), "dst");
    if (src == dst && bytes > 0 && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes) {
      throw new IllegalArgumentException(
          "src [" + srcOffset + ", +" + bytes + ") and dst [" + dstOffset + ", +" + bytes + ") overlap");
    }
    enqueueCopy(dst.addressAt(dstOffset), src.addressAt(srcOffset), bytes, 3, src, dst);
  }

  private void enqueueCopy(long dstAddress, long srcAddress, long bytes, int kind, Object keep1, Object keep2) {
    long s = handle();
    NativeLibrary.requireReady();
    try {
      Natives.memcpyAsync(s, dstAddress, srcAddress, bytes, kind);
    } finally {
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(keep1);
      Reference.reachabilityFence(keep2);
    }
  }

  void requireSameDevice(CudaDevice other, String what) {
    if (other.ordinal() != device.ordinal()) {
      throw new IllegalArgumentException(
          what + " is on device " + other.ordinal() + " but this stream is on device " + device.ordinal());
    }
  }
}
