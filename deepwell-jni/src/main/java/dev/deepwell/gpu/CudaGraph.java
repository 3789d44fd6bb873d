package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A CUDA graph recorded from the work enqueued on a stream (stream capture). Instantiate it once,
 * then replay the {@link CudaGraphExec} as often as needed: one launch for the whole recorded
 * sequence, which is what makes many small kernels cheap.
 */
public final class CudaGraph extends NativeResource {

  private final CudaDevice device;
  private final long handle;

  private CudaGraph(CudaDevice device, long handle) {
    super("CudaGraph", new GraphRelease(handle, device.ordinal()));
    this.device = device;
    this.handle = handle;
  }

  private static final class GraphRelease extends Release {
    private final long handle;

    GraphRelease(long handle, int device) {
      super("graph on device " + device);
      this.handle = handle;
    }

    @Override
    void free() {
      Natives.graphDestroy(handle);
    }
  }

  /**
   * Records what {@code work} enqueues on {@code stream} (nothing runs). Capture is thread-local:
   * other threads may use CUDA meanwhile. Inside {@code work}, anything that waits for the device
   * (synchronize, a blocking copy) is illegal and ends the capture with a {@link CudaException}.
   * If {@code work} throws, the capture is discarded and the exception rethrown.
   */
  public static CudaGraph capture(CudaStream stream, Consumer<CudaStream> work) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(work, "work");
    long s = stream.handle();
    NativeLibrary.requireReady();
    try {
      Natives.beginCapture(s);
      try {
        work.accept(stream);
      } catch (RuntimeException | Error e) {
        try {
          long g = Natives.endCapture(s);
          if (g != 0) Natives.graphDestroy(g);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      return new CudaGraph(stream.device(), Natives.endCapture(s));
    } finally {
      Reference.reachabilityFence(stream);
    }
  }

  public CudaDevice device() {
    return device;
  }

  /** Nodes (kernels, copies, ...) in the graph. */
  public long nodeCount() {
    long g = handle();
    NativeLibrary.requireReady();
    try {
      return Natives.graphNodeCount(g);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** An executable instance; independent of this graph afterwards (this one may be closed). */
  public CudaGraphExec instantiate() {
    long g = handle();
    NativeLibrary.requireReady();
    try {
      return new CudaGraphExec(device, Natives.graphInstantiate(g));
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  long handle() {
    ensureOpen();
    return handle;
  }
}
