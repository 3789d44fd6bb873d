package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaStream;
import dev.deepwell.kernel.KernelProvider;

/** An op {@link KernelProfiler} can time: what it is, its work, and how to launch it once. */
public interface ProfiledOp {

  /** The kernel's name, for tables. */
  String name();

  /** Which backend runs it: GPU ops are timed with CUDA events, CPU ones with the host clock. */
  KernelProvider provider();

  /** Floating-point operations of one launch. */
  double flops();

  /** Bytes a perfect kernel moves to and from memory in one launch (every input read once, the output written once). */
  double bytes();

  /** The stream its launches go on (GPU ops; the profiler times that stream). */
  CudaStream stream();

  /** Enqueues one launch on {@link #stream()} (CPU ops run synchronously). */
  void launch();
}
