package dev.deepwell.bench.gpu;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaGraph;
import dev.deepwell.gpu.CudaGraphExec;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceKernels;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.gpu.OptionalLibrary;
import dev.deepwell.gpu.PinnedHostBuffer;
import com.google.gson.GsonBuilder;
import dev.deepwell.hw.GpuInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The native runtime's numbers on one GPU, in one run: pinned host-device bandwidth, device copy
 * bandwidth of cudaMemcpy and of Deepwell's copy kernel (with a sweep of its unroll and grid),
 * a 1 GiB round trip checked bit for bit, and launch overhead (direct JNI launches against one
 * CUDA graph replay, 1,000 tiny kernels each). Device times come from CUDA events; launch
 * overhead from the host clock around launch + synchronise, like torch_launch_peer.py.
 *
 * <pre>java -cp benchmarks.jar dev.deepwell.bench.gpu.NativeRuntimeBench [--json FILE] [--size-mib N]</pre>
 *
 * Prints a table; with --json, also writes every figure to FILE.
 */
public final class NativeRuntimeBench {

  private static final int REPS = 15;

  private final CudaDevice device;
  private final CudaStream stream;
  private final DeviceScope scope;
  private final CudaEvent start;
  private final CudaEvent stop;
  private final Map<String, Object> results = new LinkedHashMap<>();

  private NativeRuntimeBench(CudaDevice device, CudaStream stream, DeviceScope scope) {
    this.device = device;
    this.stream = stream;
    this.scope = scope;
    this.start = scope.own(device.createEvent(true));
    this.stop = scope.own(device.createEvent(true));
  }

  public static void main(String[] args) throws IOException {
    Path json = null;
    long sizeMib = 1024;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--json" -> json = Path.of(args[++i]);
        case "--size-mib" -> sizeMib = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady()) {
      System.out.println("no usable GPU: " + status.summary());
      System.exit(2);
    }
    CudaDevice device = CudaDevice.get(0);
    try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream)) {
      NativeRuntimeBench bench = new NativeRuntimeBench(device, stream, scope);
      bench.run(sizeMib << 20);
      stream.synchronize();
      String out = bench.toJson();
      if (json != null) Files.writeString(json, out, StandardCharsets.UTF_8);
    }
  }

  private void run(long size) {
    GpuInfo info = device.info();
    results.put("device", info.name());
    results.put("sm", info.smName());
    results.put("multiprocessors", info.multiprocessors());
    results.put("memory_gib", info.totalMemoryBytes() / (double) (1L << 30));
    results.put("driver_version", info.driverVersion());
    results.put("runtime_version", info.runtimeVersion());
    results.put("library", NativeLibrary.status().library().toString());
    List<String> libs = new ArrayList<>();
    for (OptionalLibrary l : NativeLibrary.optionalLibraries()) libs.add(l.toString());
    results.put("optional_libraries", libs);
    System.out.printf(Locale.ROOT, "device: %s (%s, %d SMs, %.1f GiB), driver %d, runtime %d%n", info.name(),
        info.smName(), info.multiprocessors(), info.totalMemoryBytes() / (double) (1L << 30), info.driverVersion(),
        info.runtimeVersion());
    System.out.println("optional libraries: " + libs);

    PinnedHostBuffer src = scope.allocatePinned(size);
    PinnedHostBuffer back = scope.allocatePinned(size);
    DeviceBuffer a = scope.allocate(size);
    DeviceBuffer b = scope.allocate(size);
    fillRandom(src, size, 20261125L);
    fillConstant(back, size, (byte) 0x3C);

    // Host <-> device over pinned memory.
    double h2d = medianMillis(() -> stream.copyHostToDevice(src, 0, a, 0, size));
    double d2h = medianMillis(() -> stream.copyDeviceToHost(a, 0, back, 0, size));
    results.put("h2d_pinned_gb_s", size / h2d / 1e6);
    results.put("d2h_pinned_gb_s", size / d2h / 1e6);

    // Round trip, checked bit for bit: H2D (above), D2D memcpy, D2D kernel, D2H.
    fillConstant(back, size, (byte) 0x3C);
    stream.copyHostToDevice(src, 0, a, 0, size);
    stream.copyDeviceToDevice(a, 0, b, 0, size);
    DeviceKernels.copy(stream, b, 0, a, 0, size);
    stream.copyDeviceToHost(a, 0, back, 0, size);
    stream.synchronize();
    long mismatch = firstMismatch(src, back, size);
    results.put("round_trip_bytes", size);
    results.put("round_trip_bit_identical", mismatch < 0);
    if (mismatch >= 0) results.put("round_trip_first_mismatch", mismatch);

    // Device to device: bytes read + bytes written per copy. Interleaved so drift hits both.
    double[] memcpy = new double[REPS];
    double[] kernel = new double[REPS];
    for (int w = 0; w < 3; w++) {
      stream.copyDeviceToDevice(a, 0, b, 0, size);
      DeviceKernels.copy(stream, a, 0, b, 0, size);
    }
    for (int r = 0; r < REPS; r++) {
      memcpy[r] = timeMillis(() -> stream.copyDeviceToDevice(a, 0, b, 0, size));
      kernel[r] = timeMillis(() -> DeviceKernels.copy(stream, a, 0, b, 0, size));
    }
    double memcpyTbs = 2.0 * size / median(memcpy) / 1e9;
    double kernelTbs = 2.0 * size / median(kernel) / 1e9;
    results.put("d2d_memcpy_tb_s", memcpyTbs);
    results.put("d2d_kernel_tb_s", kernelTbs);
    results.put("d2d_kernel_over_memcpy", kernelTbs / memcpyTbs);

    // The copy kernel's knobs.
    Map<String, Double> sweep = new LinkedHashMap<>();
    int sms = info.multiprocessors();
    for (int unroll : new int[] {1, 2, 4, 8}) {
      for (int blocks : new int[] {0, 2 * sms, 4 * sms, 16 * sms}) {
        final int u = unroll, bl = blocks;
        double ms = medianMillis(() -> DeviceKernels.copyTuned(stream, a, 0, b, 0, size, u, bl));
        sweep.put("unroll" + unroll + "_blocks" + (blocks == 0 ? "auto" : Integer.toString(blocks)), 2.0 * size / ms / 1e9);
      }
    }
    results.put("d2d_kernel_sweep_tb_s", sweep);

    // Launch overhead, host clock around launch + synchronise.
    results.putAll(launchOverhead());

    printTable(sweep);
  }

  private Map<String, Object> launchOverhead() {
    int kernels = LaunchOverheadBenchmark.KERNELS;
    int n = LaunchOverheadBenchmark.ELEMENTS;
    DeviceBuffer x = scope.allocate(4L * n);
    PinnedHostBuffer h = scope.allocatePinned(4L * n);
    fillRandom(h, 4L * n, 5);
    stream.copyHostToDevice(h, 0, x, 0, 4L * n);
    CudaGraphExec exec;
    try (CudaGraph g = CudaGraph.capture(stream, s -> {
      for (int i = 0; i < kernels; i++) DeviceKernels.addScalarF32(s, x, 0, n, 1f);
    })) {
      exec = scope.own(g.instantiate());
    }
    Runnable direct = () -> {
      for (int i = 0; i < kernels; i++) DeviceKernels.addScalarF32(stream, x, 0, n, 1f);
      stream.synchronize();
    };
    Runnable graph = () -> {
      exec.launch(stream);
      stream.synchronize();
    };
    for (int w = 0; w < 20; w++) {
      direct.run();
      graph.run();
    }
    int reps = 50;
    double[] d = new double[reps];
    double[] g = new double[reps];
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      direct.run();
      long t1 = System.nanoTime();
      graph.run();
      long t2 = System.nanoTime();
      d[r] = (t1 - t0) / 1e3 / kernels;
      g[r] = (t2 - t1) / 1e3 / kernels;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("launch_direct_us_per_kernel", median(d));
    m.put("launch_graph_us_per_kernel", median(g));
    m.put("launch_kernels", kernels);
    return m;
  }

  private double timeMillis(Runnable op) {
    stream.record(start);
    op.run();
    stream.record(stop);
    stop.synchronize();
    return start.elapsedMillisTo(stop);
  }

  private double medianMillis(Runnable op) {
    timeMillis(op); // warm-up
    double[] t = new double[REPS];
    for (int r = 0; r < REPS; r++) t[r] = timeMillis(op);
    return median(t);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void fillRandom(PinnedHostBuffer h, long bytes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] chunk = new byte[(int) Math.min(64 << 20, bytes)];
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.length, bytes - done);
      for (int i = 0; i < n; i += 8) {
        long v = r.nextLong();
        for (int k = 0; k < 8 && i + k < n; k++) chunk[i + k] = (byte) (v >>> (8 * k));
      }
      h.write(done, chunk, 0, n);
      done += n;
    }
  }

  private static void fillConstant(PinnedHostBuffer h, long bytes, byte value) {
    byte[] chunk = new byte[(int) Math.min(64 << 20, bytes)];
    Arrays.fill(chunk, value);
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.length, bytes - done);
      h.write(done, chunk, 0, n);
      done += n;
    }
  }

  private static long firstMismatch(PinnedHostBuffer x, PinnedHostBuffer y, long bytes) {
    byte[] p = new byte[(int) Math.min(64 << 20, bytes)];
    byte[] q = new byte[p.length];
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(p.length, bytes - done);
      x.read(done, p, 0, n);
      y.read(done, q, 0, n);
      int m = Arrays.mismatch(p, 0, n, q, 0, n);
      if (m >= 0) return done + m;
      done += n;
    }
    return -1;
  }

  private void printTable(Map<String, Double> sweep) {
    System.out.println("copy kernel sweep (TB/s, bytes read + written):");
    sweep.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-24s %.3f%n", k, v));
    System.out.printf(Locale.ROOT, "%-36s %10s%n", "metric", "value");
    for (String k : List.of("h2d_pinned_gb_s", "d2h_pinned_gb_s", "d2d_memcpy_tb_s", "d2d_kernel_tb_s",
        "d2d_kernel_over_memcpy", "launch_direct_us_per_kernel", "launch_graph_us_per_kernel")) {
      System.out.printf(Locale.ROOT, "%-36s %10.3f%n", k, (Double) results.get(k));
    }
    System.out.printf(Locale.ROOT, "%-36s %10s%n", "round_trip_1gib_bit_identical", results.get("round_trip_bit_identical"));
  }

  private String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(results) + "\n";
  }
}
