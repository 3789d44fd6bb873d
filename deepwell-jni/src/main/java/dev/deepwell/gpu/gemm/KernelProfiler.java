package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.kernel.KernelProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Times an op with CUDA events on one stream: warm-up launches, then one back-to-back batch
 * between two events (the mean, with launches queued ahead of the GPU) and the same number of
 * launches each between its own pair of events (median and minimum). CPU ops are timed with the
 * host clock. For benchmarks and the CLI; never a unit test.
 */
public final class KernelProfiler implements AutoCloseable {

  private final CudaStream stream;
  private final List<CudaEvent> marks = new ArrayList<>();

  /** A profiler of ops that run on {@code stream}; its timing events are made as needed. */
  public KernelProfiler(CudaStream stream) {
    this.stream = Objects.requireNonNull(stream, "stream");
  }

  private CudaEvent mark(int i) {
    while (marks.size() <= i) {
      marks.add(stream.device().createEvent(true));
    }
    return marks.get(i);
  }

  /**
   * Runs {@code op} {@code warmup} times, then times {@code iterations} launches twice over.
   *
   * @throws IllegalArgumentException if warmup < 0 or iterations < 1
   */
  public KernelProfile profile(ProfiledOp op, int warmup, int iterations) {
    Objects.requireNonNull(op, "op");
    if (warmup < 0) {
      throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
    }
    if (op.provider() != KernelProvider.CPU) {
      if (op.stream() != stream) {
        throw new IllegalArgumentException(op.name() + " launches on " + op.stream() + ", the profiler times "
            + stream);
      }
      mark(iterations); // every event exists before the first timed launch
    }
    for (int i = 0; i < warmup; i++) {
      op.launch();
    }
    double[] each = new double[iterations];
    double meanMs;
    if (op.provider() == KernelProvider.CPU) {
      long t0 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        op.launch();
      }
      meanMs = (System.nanoTime() - t0) / 1e6 / iterations;
      for (int i = 0; i < iterations; i++) {
        long s = System.nanoTime();
        op.launch();
        each[i] = (System.nanoTime() - s) / 1e6;
      }
    } else {
      stream.synchronize();
      stream.record(mark(0));
      for (int i = 0; i < iterations; i++) {
        op.launch();
      }
      stream.record(mark(1));
      mark(1).synchronize();
      meanMs = mark(0).elapsedMillisTo(mark(1)) / iterations;
      stream.record(mark(0));
      for (int i = 0; i < iterations; i++) {
        op.launch();
        stream.record(mark(i + 1));
      }
      mark(iterations).synchronize();
      for (int i = 0; i < iterations; i++) {
        each[i] = mark(i).elapsedMillisTo(mark(i + 1));
      }
    }
    double[] sorted = each.clone();
    Arrays.sort(sorted);
    double median = iterations % 2 == 1 ? sorted[iterations / 2]
        : (sorted[iterations / 2 - 1] + sorted[iterations / 2]) / 2;
    double seconds = median / 1e3;
    return new KernelProfile(op.name(), op.provider(), iterations, median, sorted[0], meanMs,
        op.flops() / seconds / 1e12, op.bytes() / seconds / 1e9);
  }

  @Override
  public void close() {
    for (CudaEvent e : marks) {
      e.close();
    }
    marks.clear();
  }
}
