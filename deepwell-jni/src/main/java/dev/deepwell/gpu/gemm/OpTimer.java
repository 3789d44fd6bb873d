package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.kernel.KernelUsageLog;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Times each GPU GEMM with a pair of CUDA events and hands the times to the usage log once they
 * are known, without waiting at launch: pending pairs are read when the summary is asked for,
 * or (oldest first) when too many are pending. Events are reused.
 */
final class OpTimer implements AutoCloseable {

  private static final int MAX_PENDING = 256;

  private record Pending(String kernel, CudaEvent start, CudaEvent end) {}

  private final CudaDevice device;
  private final Deque<CudaEvent> free = new ArrayDeque<>();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Deque<CudaEvent> all = new ArrayDeque<>();

  OpTimer(CudaDevice device) {
    this.device = device;
  }

  /** Records a start event on {@code stream}; pass it to {@link #end} or {@link #abandon}. */
  CudaEvent begin(CudaStream stream) {
    CudaEvent e = take();
    try {
      stream.record(e);
    } catch (RuntimeException ex) {
      free.push(e);
      throw ex;
    }
    return e;
  }

  void abandon(CudaEvent start) {
    free.push(start);
  }

  /** Records the end event; the op's time goes to {@code log} under {@code kernel} later. */
  void end(CudaStream stream, CudaEvent start, String kernel, KernelUsageLog log) {
    CudaEvent e = take();
    try {
      stream.record(e);
    } catch (RuntimeException ex) {
      free.push(e);
      free.push(start);
      throw ex;
    }
    pending.add(new Pending(kernel, start, e));
    if (pending.size() > MAX_PENDING) {
      resolve(log, MAX_PENDING / 2);
    }
  }

  /** Reads the times of the oldest {@code count} pending ops (waiting for them to finish). */
  void resolve(KernelUsageLog log, int count) {
    for (int i = 0; i < count && !pending.isEmpty(); i++) {
      Pending p = pending.poll();
      try {
        p.end.synchronize();
        log.addTime(p.kernel, p.start.elapsedMillisTo(p.end) / 1e3);
      } finally {
        free.push(p.start);
        free.push(p.end);
      }
    }
  }

  void resolveAll(KernelUsageLog log) {
    resolve(log, pending.size());
  }

  private CudaEvent take() {
    CudaEvent e = free.poll();
    if (e == null) {
      e = device.createEvent(true);
      all.add(e);
    }
    return e;
  }

  @Override
  public void close() {
    pending.clear();
    free.clear();
    RuntimeException first = null;
    for (CudaEvent e : all) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        if (first == null) {
          first = ex;
        } else {
          first.addSuppressed(ex);
        }
      }
    }
    all.clear();
    if (first != null) {
      throw first;
    }
  }
}
