package dev.deepwell.bench.gpu;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaGraph;
import dev.deepwell.gpu.CudaGraphExec;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceKernels;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.PinnedHostBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost per kernel of 1,000 tiny kernels ({@code x[0..256) += 1}, the same work as
 * {@code torch_launch_peer.py}) launched from Java: one JNI call per kernel, or one replay of a
 * CUDA graph that holds all 1,000. Each invocation ends with a stream synchronisation, so the
 * time is the whole sequence on the GPU, divided by 1,000 (JMH's operations per invocation).
 *
 * <p>{@code java -jar benchmarks.jar LaunchOverheadBenchmark} on a GPU host.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LaunchOverheadBenchmark {

  public static final int KERNELS = 1000;
  public static final int ELEMENTS = 256;

  private CudaStream stream;
  private DeviceScope scope;
  private DeviceBuffer x;
  private CudaGraphExec graph;

  @Setup(Level.Trial)
  public void setUp() {
    CudaDevice device = CudaDevice.get(0);
    stream = device.createStream();
    scope = DeviceScope.open(stream);
    x = scope.allocate(4L * ELEMENTS);
    // Start from known values (not zeros, not whatever the pool held).
    java.nio.ByteBuffer init = java.nio.ByteBuffer.allocate(4 * ELEMENTS).order(java.nio.ByteOrder.nativeOrder());
    for (int i = 0; i < ELEMENTS; i++) init.putFloat(4 * i, 0.5f + i);
    PinnedHostBuffer h = scope.allocatePinned(4L * ELEMENTS);
    h.write(0, init.array());
    stream.copyHostToDevice(h, 0, x, 0, 4L * ELEMENTS);
    try (CudaGraph g = CudaGraph.capture(stream, s -> {
      for (int i = 0; i < KERNELS; i++) DeviceKernels.addScalarF32(s, x, 0, ELEMENTS, 1f);
    })) {
      graph = scope.own(g.instantiate());
    }
    stream.synchronize();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stream.synchronize();
    scope.close();
    stream.close();
  }

  @Benchmark
  @OperationsPerInvocation(KERNELS)
  public void directLaunch() {
    for (int i = 0; i < KERNELS; i++) DeviceKernels.addScalarF32(stream, x, 0, ELEMENTS, 1f);
    stream.synchronize();
  }

  @Benchmark
  @OperationsPerInvocation(KERNELS)
  public void graphReplay() {
    graph.launch(stream);
    stream.synchronize();
  }
}
