package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;

/** An instantiated CUDA graph: {@link #launch} replays the whole recorded sequence at once. */
public final class CudaGraphExec extends NativeResource {

  private final CudaDevice device;
  private final long handle;

  CudaGraphExec(CudaDevice device, long handle) {
    super("CudaGraphExec", new ExecRelease(handle, device.ordinal()));
    this.device = device;
    this.handle = handle;
  }

  private static final class ExecRelease extends Release {
    private final long handle;

    ExecRelease(long handle, int device) {
      super("graph exec on device " + device);
      this.handle = handle;
    }

    @Override
    void free() {
      Natives.graphExecDestroy(handle);
    }
  }

  public CudaDevice device() {
    return device;
  }

  /** Enqueues one replay of the graph on {@code stream} (same device). */
  public void launch(CudaStream stream) {
    Objects.requireNonNull(stream, "stream");
    stream.requireSameDevice(device, "graph");
    long e = handle();
    long s = stream.handle();
    NativeLibrary.requireReady();
    try {
      Natives.graphLaunch(e, s);
    } finally {
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(stream);
    }
  }

  long handle() {
    ensureOpen();
    return handle;
  }
}
