package dev.deepwell.gpu;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every Java object that owns a native handle (device memory, pinned memory, stream,
 * event, graph). {@link #close()} frees it once; afterwards every use throws
 * {@link IllegalStateException}. A {@link Cleaner} frees what was never closed and logs it as a
 * leak: it is a safety net, not the way to manage GPU memory (use a {@link DeviceScope}).
 *
 * <p>Threads: use and close a resource on one thread at a time; closing one while another thread
 * is using it is a race (pinned host buffers guard against it, since the host touches their
 * memory).
 */
public abstract class NativeResource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NativeResource.class);
  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * Frees one native object. Must not refer to the resource that owns it (the Cleaner could
   * never run); runs at most once.
   */
  abstract static class Release implements Runnable {
    final String description;
    private volatile boolean explicit;

    Release(String description) {
      this.description = description;
    }

    @Override
    public final void run() {
      if (CudaErrors.contextLost()) return; // nothing can be freed in a dead context; the process ends
      if (explicit) {
        free();
        return;
      }
      LOG.warn("{} was not closed; the Cleaner freed it (close it, or allocate it from a DeviceScope)", description);
      try {
        free();
      } catch (RuntimeException e) {
        LOG.warn("freeing leaked {} failed: {}", description, e.toString());
      }
    }

    /** Frees the object; called from close() (errors propagate) or the Cleaner thread. */
    abstract void free();
  }

  private final String kind;
  private final Release release;
  private final Cleaner.Cleanable cleanable;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Runnable onClose;

  NativeResource(String kind, Release release) {
    this.kind = kind;
    this.release = release;
    this.cleanable = CLEANER.register(this, release);
  }

  /** Throws {@link IllegalStateException} when closed. */
  final void ensureOpen() {
    if (closed.get()) throw new IllegalStateException(kind + " is closed: " + release.description);
  }

  public final boolean isClosed() {
    return closed.get();
  }

  /** Called once, first thing in close() (the owning scope forgets this resource). */
  final void onClose(Runnable hook) {
    this.onClose = hook;
  }

  /** Frees the native object. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    Runnable hook = onClose;
    if (hook != null) hook.run();
    release.explicit = true;
    cleanable.clean();
  }

  @Override
  public String toString() {
    return release.description + (isClosed() ? " (closed)" : "");
  }
}
