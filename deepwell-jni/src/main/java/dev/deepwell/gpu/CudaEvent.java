package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;

/** A CUDA event: a marker in a stream, for ordering between streams and for timing. */
public final class CudaEvent extends NativeResource {

  private final CudaDevice device;
  private final long handle;
  private final boolean timing;

  CudaEvent(CudaDevice device, long handle, boolean timing, Release release) {
    super("CudaEvent", release);
    this.device = device;
    this.handle = handle;
    this.timing = timing;
  }

  private static final class EventRelease extends Release {
    private final long handle;

    EventRelease(long handle, int device) {
      super("event on device " + device);
      this.handle = handle;
    }

    @Override
    void free() {
      Natives.eventDestroy(handle);
    }
  }

  static CudaEvent create(CudaDevice device, boolean timing) {
    NativeLibrary.requireReady();
    long handle = Natives.eventCreate(device.ordinal(), timing);
    return new CudaEvent(device, handle, timing, new EventRelease(handle, device.ordinal()));
  }

  public CudaDevice device() {
    return device;
  }

  public boolean timing() {
    return timing;
  }

  long handle() {
    ensureOpen();
    return handle;
  }

  void recordOn(CudaStream stream) {
    stream.requireSameDevice(device, "event");
    long e = handle();
    long s = stream.handle();
    NativeLibrary.requireReady();
    try {
      Natives.eventRecord(e, s);
    } finally {
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(stream);
    }
  }

  /** Waits until the work before the last record of this event has run. */
  public void synchronize() {
    long e = handle();
    NativeLibrary.requireReady();
    try {
      Natives.eventSynchronize(e);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** Milliseconds from {@code this} to {@code end}; both recorded and completed, both timing events. */
  public float elapsedMillisTo(CudaEvent end) {
    Objects.requireNonNull(end, "end");
    if (!timing || !end.timing) throw new IllegalArgumentException("both events must be created with timing=true");
    if (end.device.ordinal() != device.ordinal()) {
      throw new IllegalArgumentException("events are on devices " + device.ordinal() + " and " + end.device.ordinal());
    }
    long a = handle();
    long b = end.handle();
    NativeLibrary.requireReady();
    try {
      return Natives.eventElapsedMillis(a, b);
    } finally {
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(end);
    }
  }
}
