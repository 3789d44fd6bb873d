package dev.deepwell.bench.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.gpu.gemm.DeviceView;
import dev.deepwell.gpu.gemm.GemmCall;
import dev.deepwell.gpu.gemm.GemmOperands;
import dev.deepwell.gpu.gemm.GemmPlan;
import dev.deepwell.gpu.gemm.GpuGemm;
import dev.deepwell.gpu.gemm.KernelProfile;
import dev.deepwell.gpu.gemm.KernelProfiler;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.KernelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * GEMM throughput of Deepwell's kernels next to cuBLASLt on the same device, run, operands and
 * timing (CUDA events, {@link KernelProfiler}: median of the timed launches after warm-up).
 *
 * <p>Shapes: 4096^3, 8192^3 and, for M = 16384 tokens, (N, K) = (2304, 768) (QKV), (768, 768)
 * (attention out), (4096, 768) (MLP up), (768, 2048), (32768, 768) (LM-head-like), each forward
 * (M, N, K) with its data-gradient (M, K, N) and weight-gradient (N, K, M) GEMMs, which in the
 * C ABI's K-major layout are plain GEMMs of those shapes on the transposed copies. Formats BF16,
 * FP8 per tensor and FP8 block128 (the ones with CUTLASS kernels on sm_90).
 *
 * <p>"ours" is the registry's choice with cuBLASLt disabled (CUTLASS where it can run, else the
 * reference kernel); "cuBLASLt" asks for cuBLASLt only ("n/a" where it has no kernel, e.g. FP8
 * block128 before Blackwell). The ratio is ours / cuBLASLt in TFLOP/s.
 *
 * <pre>java -cp ... dev.deepwell.bench.gemm.GemmBenchmark [--formats bf16,fp8-tensor,fp8-block128]
 *     [--passes fwd,dgrad,wgrad] [--warmup N] [--iters N] [--quick] [--json FILE]</pre>
 */
public final class GemmBenchmark {

  /** One GEMM to measure. */
  record Case(String shape, String pass, long m, long n, long k, GemmInput input) {
    GemmProblem problem() {
      return GemmProblem.builder(m, n, k, input).build();
    }
  }

  /** Forward (M, N) and K of the M = 16384 shapes. */
  static final long[][] TOKEN_SHAPES = {{2304, 768}, {768, 768}, {4096, 768}, {768, 2048}, {32768, 768}};
  static final long TOKENS = 16384;

  private static final int CHUNK = 8 << 20;

  private GemmBenchmark() {}

  /** The cases, in table order. Cubes have no distinct transposes, so they appear once. */
  static List<Case> cases(List<GemmInput> formats, Set<String> passes) {
    List<Case> l = new ArrayList<>();
    for (GemmInput in : formats) {
      for (long c : new long[] {4096, 8192}) {
        l.add(new Case(c + "^3", "fwd", c, c, c, in));
      }
      for (long[] nk : TOKEN_SHAPES) {
        long m = TOKENS;
        long n = nk[0];
        long k = nk[1];
        String shape = m + "x" + n + "x" + k;
        if (passes.contains("fwd")) {
          l.add(new Case(shape, "fwd", m, n, k, in));
        }
        if (passes.contains("dgrad")) {
          l.add(new Case(shape, "dgrad", m, k, n, in));
        }
        if (passes.contains("wgrad")) {
          l.add(new Case(shape, "wgrad", n, k, m, in));
        }
      }
    }
    return l;
  }

  static GemmInput format(String name) {
    for (GemmInput in : GemmInput.values()) {
      if (in.displayName().equals(name)) {
        return in;
      }
    }
    throw new IllegalArgumentException("unknown format '" + name
        + "' (use bf16, fp8-tensor, fp8-block128, mxfp8, nvfp4)");
  }

  public static void main(String[] args) throws IOException {
    List<GemmInput> formats = List.of(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128);
    Set<String> passes = new LinkedHashSet<>(List.of("fwd", "dgrad", "wgrad"));
    int warmup = 10;
    int iters = 30;
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--formats" -> {
          List<GemmInput> f = new ArrayList<>();
          for (String s : args[++i].split(",")) {
            f.add(format(s.trim()));
          }
          formats = f;
        }
        case "--passes" -> passes = new LinkedHashSet<>(List.of(args[++i].split(",")));
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--iters" -> iters = Integer.parseInt(args[++i]);
        case "--quick" -> {
          warmup = 3;
          iters = 10;
        }
        case "--json" -> json = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (use --formats, --passes, "
            + "--warmup N, --iters N, --quick, --json FILE)");
      }
    }
    for (String p : passes) {
      if (!Set.of("fwd", "dgrad", "wgrad").contains(p)) {
        throw new IllegalArgumentException("unknown pass '" + p + "' (use fwd, dgrad, wgrad)");
      }
    }
    if (warmup < 0 || iters < 1) {
      throw new IllegalArgumentException("--warmup must be >= 0 and --iters >= 1");
    }
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady()) {
      System.out.println("no usable GPU: " + status.summary());
      System.exit(2);
    }
    List<String> lines = new ArrayList<>();
    CudaDevice device = CudaDevice.get(0);
    try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream)) {
      run(device, stream, scope, cases(formats, passes), warmup, iters, lines);
    }
    if (json != null) {
      Files.write(json, lines, StandardCharsets.UTF_8);
    }
  }

  private static void run(CudaDevice device, CudaStream stream, DeviceScope scope, List<Case> cases, int warmup,
      int iters, List<String> lines) {
    GpuInfo info = device.info();
    KernelRegistry oursOnly = KernelRegistry.standard().withProviderDisabled(KernelProvider.CUBLASLT,
        "the benchmark's 'ours' column");
    System.out.printf(Locale.ROOT, "GEMM benchmark, %s (sm_%d, %d SMs), driver %d, %s; warm-up %d, median of %d "
        + "launches (CUDA events)%n", info.name(), info.smVersion(), info.multiprocessors(), info.driverVersion(),
        Instant.now(), warmup, iters);
    System.out.printf(Locale.ROOT, "%-18s %-6s %-13s %-52s %9s %9s %7s%n", "shape (M,N,K fwd)", "pass", "format",
        "our kernel", "ours TF/s", "cuBLASLt", "ratio");
    try (GpuGemm ours = GpuGemm.create(scope, oursOnly, false); GpuGemm baseline = GpuGemm.create(scope);
         KernelProfiler profiler = new KernelProfiler(stream)) {
      DeviceBuffer chunk = scope.allocate(CHUNK);
      for (Case c : cases) {
        try (DeviceScope caseScope = DeviceScope.open(stream)) {
          GemmProblem p = c.problem();
          GemmOperands ops = operands(c, stream, caseScope, chunk);
          GemmPlan ourPlan = ours.plan(p, ops);
          KernelProfile mine = profiler.profile(GemmCall.of(ours, ourPlan, ops), warmup, iters);
          KernelProfile lt = null;
          String ltWhy = "";
          try {
            GemmPlan ltPlan = baseline.plan(p, ops, GemmPreference.provider(KernelProvider.CUBLASLT));
            lt = profiler.profile(GemmCall.of(baseline, ltPlan, ops), warmup, iters);
          } catch (IllegalArgumentException e) {
            ltWhy = e.getMessage();
          }
          String ratio = lt == null ? "-" : String.format(Locale.ROOT, "%.2f", mine.tflops() / lt.tflops());
          System.out.printf(Locale.ROOT, "%-18s %-6s %-13s %-52s %9.1f %9s %7s%n", c.shape(), c.pass(),
              c.input().displayName(), mine.name(), mine.tflops(),
              lt == null ? "n/a" : String.format(Locale.ROOT, "%.1f", lt.tflops()), ratio);
          lines.add(String.format(Locale.ROOT, "{\"device\":\"%s\",\"shape\":\"%s\",\"pass\":\"%s\",\"m\":%d,\"n\":%d,"
                  + "\"k\":%d,\"format\":\"%s\",\"kernel\":\"%s\",\"provider\":\"%s\",\"median_ms\":%.5f,"
                  + "\"tflops\":%.2f,\"cublaslt_kernel\":%s,\"cublaslt_median_ms\":%s,\"cublaslt_tflops\":%s,"
                  + "\"cublaslt_unavailable\":\"%s\"}",
              info.name(), c.shape(), c.pass(), c.m(), c.n(), c.k(), c.input().displayName(), mine.name(),
              mine.provider().displayName(), mine.medianMs(), mine.tflops(),
              lt == null ? "null" : "\"" + lt.name() + "\"",
              lt == null ? "null" : String.format(Locale.ROOT, "%.5f", lt.medianMs()),
              lt == null ? "null" : String.format(Locale.ROOT, "%.2f", lt.tflops()), ltWhy.replace("\"", "'")));
          if (ourPlan.selection().isFallback()) {
            System.out.println("    ours fell back: " + String.join("; ", ourPlan.selection().rejected()));
          }
        }
      }
    }
  }

  /**
   * A, B, D and the scales of {@code c}, filled with random finite values: BF16 in [-1, 1), FP8
   * codes other than NaN, scales in [0.5, 2). Large operands are filled by copying one random
   * chunk on the device.
   */
  private static GemmOperands operands(Case c, CudaStream stream, DeviceScope scope, DeviceBuffer chunk) {
    GemmInput in = c.input();
    long bytesPerValue = in == GemmInput.BF16 ? 2 : 1;
    fillChunk(stream, chunk, in == GemmInput.BF16 ? 0 : 1);
    DeviceBuffer a = filled(scope, stream, chunk, c.m() * c.k() * bytesPerValue);
    DeviceBuffer b = filled(scope, stream, chunk, c.n() * c.k() * bytesPerValue);
    DeviceBuffer d = scope.allocate(c.m() * c.n() * 2);
    GemmOperands.Builder ops = GemmOperands.builder().a(DeviceView.of(a)).b(DeviceView.of(b)).d(DeviceView.of(d));
    if (in == GemmInput.FP8_TENSOR) {
      ops.scaleA(DeviceView.of(scales(scope, stream, 1))).scaleB(DeviceView.of(scales(scope, stream, 1)));
    } else if (in == GemmInput.FP8_BLOCK128) {
      long kb = (c.k() + 127) / 128;
      ops.scaleA(DeviceView.of(scales(scope, stream, kb * c.m())))
          .scaleB(DeviceView.of(scales(scope, stream, kb * ((c.n() + 127) / 128))));
    } else if (in != GemmInput.BF16) {
      throw new IllegalArgumentException("the benchmark fills bf16, fp8-tensor and fp8-block128 operands, not "
          + in.displayName());
    }
    stream.synchronize();
    return ops.build();
  }

  /** kind 0: BF16 values; 1: FP8 E4M3 codes without the NaN codes 0x7F / 0xFF. */
  private static void fillChunk(CudaStream stream, DeviceBuffer chunk, int kind) {
    byte[] host = new byte[CHUNK];
    SplittableRandom r = new SplittableRandom(kind + 1);
    if (kind == 0) {
      for (int i = 0; i < CHUNK; i += 2) {
        short s = Bf16.encode((float) r.nextDouble(-1, 1));
        host[i] = (byte) s;
        host[i + 1] = (byte) (s >>> 8);
      }
    } else {
      for (int i = 0; i < CHUNK; i++) {
        int code = r.nextInt(256);
        host[i] = (byte) ((code & 0x7F) == 0x7F ? code - 1 : code);
      }
    }
    try (PinnedHostBuffer p = PinnedHostBuffer.allocate(CHUNK)) {
      p.write(0, host);
      stream.copyHostToDevice(p, 0, chunk, 0, CHUNK);
      stream.synchronize();
    }
  }

  private static DeviceBuffer filled(DeviceScope scope, CudaStream stream, DeviceBuffer chunk, long bytes) {
    DeviceBuffer b = scope.allocate(bytes);
    for (long off = 0; off < bytes; off += CHUNK) {
      stream.copyDeviceToDevice(chunk, 0, b, off, Math.min(CHUNK, bytes - off));
    }
    return b;
  }

  private static DeviceBuffer scales(DeviceScope scope, CudaStream stream, long count) {
    byte[] host = new byte[Math.toIntExact(4 * count)];
    SplittableRandom r = new SplittableRandom(count);
    for (int i = 0; i < count; i++) {
      int bits = Float.floatToRawIntBits((float) r.nextDouble(0.5, 2));
      host[4 * i] = (byte) bits;
      host[4 * i + 1] = (byte) (bits >>> 8);
      host[4 * i + 2] = (byte) (bits >>> 16);
      host[4 * i + 3] = (byte) (bits >>> 24);
    }
    DeviceBuffer b = scope.allocate(host.length);
    try (PinnedHostBuffer p = PinnedHostBuffer.allocate(host.length)) {
      p.write(0, host);
      stream.copyHostToDevice(p, 0, b, 0, host.length);
      stream.synchronize();
    }
    return b;
  }
}
