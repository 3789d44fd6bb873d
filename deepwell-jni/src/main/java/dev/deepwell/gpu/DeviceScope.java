package dev.deepwell.gpu;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Owns device resources for a stretch of work: what it allocates (or is given with
 * {@link #own}) is closed, newest first, when the scope closes. Buffers are allocated and freed
 * in the order of the scope's stream. A resource closed earlier leaves the scope by itself.
 *
 * <pre>{@code
 * try (CudaStream stream = device.createStream();
 *      DeviceScope scope = DeviceScope.open(stream)) {
 *   DeviceBuffer a = scope.allocate(1 << 20);
 *   ...
 * }
 * }</pre>
 */
public final class DeviceScope implements AutoCloseable {

  private final CudaStream stream;
  private final Set<NativeResource> owned = new LinkedHashSet<>();
  private boolean closed;

  private DeviceScope(CudaStream stream) {
    this.stream = stream;
  }

  /** A scope whose allocations are ordered on {@code stream}; the stream must outlive it. */
  public static DeviceScope open(CudaStream stream) {
    Objects.requireNonNull(stream, "stream");
    stream.ensureOpen();
    return new DeviceScope(stream);
  }

  public CudaStream stream() {
    return stream;
  }

  public CudaDevice device() {
    return stream.device();
  }

  /** Allocates {@code bytes} (> 0) of device memory, stream-ordered. */
  public synchronized DeviceBuffer allocate(long bytes) {
    ensureOpen();
    return own(DeviceBuffer.allocate(stream, bytes));
  }

  /** Allocates a dense tensor of the given element width (bits) and shape. */
  public DeviceTensor allocateTensor(int elementBits, long... shape) {
    long bytes = DeviceTensor.byteSize(elementBits, shape);
    return new DeviceTensor(allocate(bytes), elementBits, shape);
  }

  /** Allocates {@code bytes} (> 0) of pinned host memory. */
  public synchronized PinnedHostBuffer allocatePinned(long bytes) {
    ensureOpen();
    return own(PinnedHostBuffer.allocate(bytes));
  }

  /** Makes this scope close {@code resource} (an event, a graph, ...) when it closes. */
  public synchronized <T extends NativeResource> T own(T resource) {
    Objects.requireNonNull(resource, "resource");
    ensureOpen();
    resource.ensureOpen();
    if (owned.add(resource)) resource.onClose(() -> forget(resource));
    return resource;
  }

  /** Resources still owned and open. */
  public synchronized int openResources() {
    return owned.size();
  }

  private synchronized void forget(NativeResource resource) {
    owned.remove(resource);
  }

  private void ensureOpen() {
    if (closed) throw new IllegalStateException("DeviceScope is closed");
  }

  /**
   * Closes every owned resource, newest first. If closing one fails, the rest are still closed
   * and the first failure is thrown with the others suppressed.
   */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    List<NativeResource> newestFirst = new ArrayList<>(owned);
    java.util.Collections.reverse(newestFirst);
    RuntimeException failure = null;
    for (NativeResource r : newestFirst) {
      try {
        r.close();
      } catch (RuntimeException e) {
        if (failure == null) failure = e;
        else failure.addSuppressed(e);
      }
    }
    owned.clear();
    if (failure != null) throw failure;
  }
}
