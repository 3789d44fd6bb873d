package dev.deepwell.bench.quantgpu;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceKernels;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.gpu.quant.Bf16Matrix;
import dev.deepwell.gpu.quant.GpuQuantizedTensor;
import dev.deepwell.gpu.quant.MicroscaleManager;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Effective bandwidth of GPU quantization through {@link MicroscaleManager}, next to the
 * device-to-device copy bandwidth measured in the same run.
 *
 * <p>Input: a BF16 [8192, 16384] matrix (256 MiB) of random values; two input buffers and two
 * output sets rotate, so no iteration finds the previous one's data in L2. Each case is timed
 * with CUDA events around 8 {@code quantizeInto} calls enqueued back to back (each includes the
 * device-side tensor amax for NVFP4 and FP8 per-tensor, except in the "amax given" cases), per
 * call, median of the rounds after warm-up. "GB/s" counts the bytes a perfect kernel must move:
 * the input once plus every output byte; "moved" adds the second read of the input that the
 * tensor amax costs. Both are shown as % of the copy bandwidth (bytes read + written by
 * cudaMemcpyAsync device-to-device or Deepwell's copy kernel, whichever is faster, timed alike).
 *
 * <pre>java -cp benchmarks.jar dev.deepwell.bench.quantgpu.QuantGpuBench [--json FILE] [--iters N]
 *     [--rows R --cols C]</pre>
 */
public final class QuantGpuBench {

  /**
   * One benchmark case; {@code amaxGiven}: the tensor amax of each input is reduced once before the
   * timing and handed to {@code quantizeIntoWithAmax} (delayed scaling: the input is read once).
   */
  private record Case(String name, QuantFormat format, QuantOptions options, boolean row, boolean col,
      boolean amaxGiven) {
    Case(String name, QuantFormat format, QuantOptions options, boolean row, boolean col) {
      this(name, format, options, row, col, false);
    }
  }

  private final CudaStream stream;
  private final DeviceScope scope;
  private final MicroscaleManager mm;
  private final CudaEvent start;
  private final CudaEvent stop;
  private final int iters;

  private QuantGpuBench(CudaDevice device, CudaStream stream, DeviceScope scope, int iters) {
    this.stream = stream;
    this.scope = scope;
    this.mm = MicroscaleManager.create(scope);
    this.start = scope.own(device.createEvent(true));
    this.stop = scope.own(device.createEvent(true));
    this.iters = iters;
  }

  public static void main(String[] args) throws IOException {
    Path json = null;
    int rows = 8192;
    int cols = 16384;
    int iters = 30;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--json" -> json = Path.of(args[++i]);
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--cols" -> cols = Integer.parseInt(args[++i]);
        case "--iters" -> iters = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --json FILE, --rows R, --cols C, --iters N)");
      }
    }
    if (rows % 128 != 0 || cols % 128 != 0) throw new IllegalArgumentException("--rows and --cols must be multiples of 128");
    if (iters < 1) throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady()) {
      System.out.println("no usable GPU: " + status.summary());
      System.exit(2);
    }
    CudaDevice device = CudaDevice.get(0);
    List<String> lines = new ArrayList<>();
    try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream)) {
      new QuantGpuBench(device, stream, scope, iters).run(device, rows, cols, lines);
    }
    if (json != null) Files.write(json, lines, StandardCharsets.UTF_8);
  }

  private void run(CudaDevice device, int rows, int cols, List<String> lines) {
    long n = (long) rows * cols;
    long inBytes = 2 * n;
    DeviceTensor[] x = {scope.allocateTensor(16, rows, cols), scope.allocateTensor(16, rows, cols)};
    fillRandom(x[0].buffer(), inBytes, 1);
    fillRandom(x[1].buffer(), inBytes, 2);
    Bf16Matrix[] in = {Bf16Matrix.of(x[0]), Bf16Matrix.of(x[1])};
    DeviceBuffer dst = scope.allocate(inBytes);

    double memcpyMs = time(i -> stream.copyDeviceToDevice(x[i % 2].buffer(), 0, dst, 0, inBytes));
    double kernelMs = time(i -> DeviceKernels.copy(stream, x[i % 2].buffer(), 0, dst, 0, inBytes));
    double memcpyGbs = 2.0 * inBytes / (memcpyMs * 1e6);
    double kernelGbs = 2.0 * inBytes / (kernelMs * 1e6);
    double copyGbs = Math.max(memcpyGbs, kernelGbs);
    dst.close();
    String name = device.info().name();
    System.out.printf(Locale.ROOT, "device %s; input BF16 [%d, %d] = %d MiB; 2 rotating buffers; median of %d%n", name,
        rows, cols, inBytes >> 20, iters);
    System.out.printf(Locale.ROOT, "D2D copy (read + write): cudaMemcpyAsync %.0f GB/s, copy kernel %.0f GB/s%n",
        memcpyGbs, kernelGbs);
    lines.add(String.format(Locale.ROOT,
        "{\"kind\":\"copy\",\"device\":\"%s\",\"memcpy_gbs\":%.1f,\"copy_kernel_gbs\":%.1f}", name, memcpyGbs,
        kernelGbs));

    System.out.printf(Locale.ROOT, "%-30s %8s %8s %7s | %8s %7s%n", "case", "ms", "GB/s", "%copy", "moved", "%copy");
    for (Case c : cases()) {
      GpuQuantizedTensor[][] out = new GpuQuantizedTensor[2][2];
      QuantOptions rowOpt = c.options().toBuilder().axis(Axis.ROW).build();
      QuantOptions colOpt = c.options().toBuilder().axis(Axis.COL).build();
      long written = 0;
      for (int s = 0; s < 2; s++) {
        if (c.row()) out[s][0] = mm.allocate(c.format(), rows, cols, rowOpt);
        if (c.col()) out[s][1] = mm.allocate(c.format(), rows, cols, colOpt);
      }
      for (GpuQuantizedTensor q : out[0]) {
        if (q == null) continue;
        written += q.data().size() + q.scales().map(DeviceBuffer::size).orElse(0L)
            + q.tensorScale().map(DeviceBuffer::size).orElse(0L);
      }
      double ms;
      if (c.amaxGiven()) {
        try (DeviceBuffer amax = scope.allocate(8)) {
          mm.amaxInto(in[0], amax, 0);
          mm.amaxInto(in[1], amax, 4);
          ms = time(i -> mm.quantizeIntoWithAmax(in[i % 2], out[i % 2][0], out[i % 2][1], amax, 4L * (i % 2)));
        }
      } else {
        ms = time(i -> mm.quantizeInto(in[i % 2], out[i % 2][0], out[i % 2][1]));
      }
      long minBytes = inBytes + written;
      boolean amaxPass = !c.amaxGiven() && (c.format().isNvfp4() || c.format() == QuantFormat.FP8_TENSOR);
      long moved = minBytes + (amaxPass ? inBytes : 0);
      double gbs = minBytes / (ms * 1e6);
      double movedGbs = moved / (ms * 1e6);
      System.out.printf(Locale.ROOT, "%-30s %8.3f %8.0f %6.1f%% | %8.0f %6.1f%%%n", c.name(), ms, gbs,
          100 * gbs / copyGbs, movedGbs, 100 * movedGbs / copyGbs);
      lines.add(String.format(Locale.ROOT,
          "{\"kind\":\"quant\",\"case\":\"%s\",\"ms\":%.4f,\"min_bytes\":%d,\"moved_bytes\":%d,\"gbs\":%.1f,"
              + "\"pct_copy\":%.1f,\"moved_gbs\":%.1f,\"moved_pct_copy\":%.1f}",
          c.name(), ms, minBytes, moved, gbs, 100 * gbs / copyGbs, movedGbs, 100 * movedGbs / copyGbs));
      for (GpuQuantizedTensor[] set : out) {
        for (GpuQuantizedTensor q : set) {
          if (q != null) q.close();
        }
      }
    }
  }

  private static List<Case> cases() {
    QuantOptions d = QuantOptions.defaults();
    QuantOptions had = d.toBuilder().hadamard16(true).seed(7).build();
    QuantOptions w = d.toBuilder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build();
    return List.of(
        new Case("mxfp8-e4m3 ROW", QuantFormat.MXFP8_E4M3, d, true, false),
        new Case("mxfp8-e4m3 COL", QuantFormat.MXFP8_E4M3, d, false, true),
        new Case("mxfp8-e4m3 ROW+COL", QuantFormat.MXFP8_E4M3, d, true, true),
        new Case("mxfp8-e5m2 ROW+COL", QuantFormat.MXFP8_E5M2, d, true, true),
        new Case("mxfp4 ROW+COL", QuantFormat.MXFP4, d, true, true),
        new Case("nvfp4 ROW", QuantFormat.NVFP4, d, true, false),
        new Case("nvfp4 ROW+COL", QuantFormat.NVFP4, d, true, true),
        new Case("nvfp4 ROW+COL hadamard", QuantFormat.NVFP4, had, true, true),
        new Case("nvfp4-2d ROW+COL", QuantFormat.NVFP4_2D, d, true, true),
        new Case("fp8-tensor ROW", QuantFormat.FP8_TENSOR, d, true, false),
        new Case("fp8-tensor ROW+COL", QuantFormat.FP8_TENSOR, d, true, true),
        new Case("fp8-block 1x128 ROW", QuantFormat.FP8_BLOCK, d, true, false),
        new Case("fp8-block 1x128 ROW+COL", QuantFormat.FP8_BLOCK, d, true, true),
        new Case("fp8-block 128x128 ROW+COL", QuantFormat.FP8_BLOCK, w, true, true),
        new Case("nvfp4 ROW+COL (amax given)", QuantFormat.NVFP4, d, true, true, true),
        new Case("fp8-tensor ROW+COL (amax given)", QuantFormat.FP8_TENSOR, d, true, true, true));
  }

  /** Calls enqueued back to back between two events: the host enqueues while the GPU works. */
  private static final int BATCH = 8;

  /**
   * Median milliseconds per call over {@code iters} rounds of {@link #BATCH} calls of {@code
   * body(i)} between two events, after 3 warm-up calls: the GPU time of the steady state (a
   * training step, a graph), not the latency of one call on an idle GPU, which would add the host's
   * enqueue of that call (the copy is timed the same way).
   */
  private double time(IntConsumer body) {
    for (int i = 0; i < 3; i++) body.accept(i);
    double[] ms = new double[iters];
    for (int i = 0; i < iters; i++) {
      stream.synchronize();
      stream.record(start);
      for (int j = 0; j < BATCH; j++) body.accept(i * BATCH + j);
      stream.record(stop);
      stop.synchronize();
      ms[i] = start.elapsedMillisTo(stop) / BATCH;
    }
    Arrays.sort(ms);
    return ms[iters / 2];
  }

  /** Random BF16 values of magnitudes 2^-8 .. 2^8, both signs (never all zeros). */
  private void fillRandom(DeviceBuffer dst, long bytes, long seed) {
    SplittableRandom g = new SplittableRandom(seed);
    int chunk = 1 << 26;
    byte[] b = new byte[chunk];
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(chunk)) {
      for (long off = 0; off < bytes; off += chunk) {
        int len = (int) Math.min(chunk, bytes - off);
        for (int i = 0; i < len; i += 2) {
          int r = g.nextInt();
          int exp = 119 + ((r >>> 8) & 15);
          int bits = (r & 0x8000) | (exp << 7) | (r & 0x7F);
          b[i] = (byte) bits;
          b[i + 1] = (byte) (bits >>> 8);
        }
        host.write(0, b, 0, len);
        stream.copyHostToDevice(host, 0, dst, off, len);
        stream.synchronize();
      }
    }
  }
}
