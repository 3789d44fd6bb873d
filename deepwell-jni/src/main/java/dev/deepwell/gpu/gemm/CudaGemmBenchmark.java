package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.KernelRegistry;
import dev.deepwell.kernel.bench.GemmBenchCase;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import dev.deepwell.kernel.bench.GemmBenchmarkProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The GEMM benchmark on a CUDA device (the {@link GemmBenchmarkProvider} of deepwell-jni, run by
 * {@code deepwell bench gemm}): Deepwell's kernels next to cuBLASLt, timed as
 * {@link GemmBenchSpec} describes. "Ours" is the kernel registry's choice with cuBLASLt disabled
 * (CUTLASS where it can run the problem, else the reference CUDA kernel); cuBLASLt is asked for
 * alone and is "unavailable", with the reason, where it has no kernel (e.g. FP8 block128 before
 * Blackwell). After the timing, rows 0 and M-1 of each output are read back: ours must be finite
 * and within {@value BenchGroup#CHECK_TOLERANCE} (relative RMS) of cuBLASLt's.
 */
public final class CudaGemmBenchmark implements GemmBenchmarkProvider {

  /** For the ServiceLoader. */
  public CudaGemmBenchmark() {}

  @Override
  public String name() {
    return "CUDA GEMM benchmark (deepwell-jni)";
  }

  @Override
  public Optional<String> unavailableReason() {
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady()) {
      return Optional.of(status.summary());
    }
    try {
      return CudaDevice.count() > 0 ? Optional.empty() : Optional.of("the CUDA driver reports no device");
    } catch (RuntimeException e) {
      return Optional.of("counting CUDA devices failed: " + BenchGroup.oneLine(e));
    }
  }

  @Override
  public List<GemmBenchResult> run(GemmBenchSpec spec, Listener listener) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(listener, "listener");
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException("no usable GPU: " + why.get());
    }
    int devices = CudaDevice.count();
    if (spec.device() >= devices) {
      throw new IllegalArgumentException("device " + spec.device() + " does not exist (" + devices + " found)");
    }
    // A problem GemmProblem refuses should fail now, before minutes of measuring.
    spec.cases().forEach(GemmBenchCase::problem);
    CudaDevice device = CudaDevice.get(spec.device());
    GpuInfo info = device.info();
    listener.started(describe(info));
    KernelRegistry oursOnly = KernelRegistry.standard().withProviderDisabled(KernelProvider.CUBLASLT,
        "cuBLASLt is the benchmark's baseline, not one of ours");
    List<GemmBenchResult> all = new ArrayList<>();
    SplittableRandom order = new SplittableRandom(spec.seed());
    try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream);
         GpuGemm ours = GpuGemm.create(scope, oursOnly, false);
         GpuGemm baseline = GpuGemm.create(scope, KernelRegistry.standard(), false)) {
      CudaEvent start = scope.own(device.createEvent(true));
      CudaEvent end = scope.own(device.createEvent(true));
      BenchOperands operands = new BenchOperands(scope, spec.seed());
      for (List<GemmBenchCase> group : spec.groups()) {
        List<GemmBenchResult> results;
        try (DeviceScope groupScope = DeviceScope.open(stream)) {
          results = new BenchGroup(spec, info.l2CacheBytes(), groupScope, ours, baseline, operands, start, end, order)
              .measure(group);
        }
        // The next group's operands may be of another size: give this group's back to the driver.
        stream.synchronize();
        device.trimMemoryPool(0);
        all.addAll(results);
        listener.measured(results);
      }
    }
    return List.copyOf(all);
  }

  /** "NVIDIA H100 80GB HBM3 (GPU 0, sm_90, 132 SMs, L2 50 MiB, driver 13.0)". */
  static String describe(GpuInfo g) {
    return String.format(Locale.ROOT, "%s (GPU %d, %s, %d SMs, L2 %d MiB, driver %d.%d)", g.name(), g.ordinal(),
        g.smName(), g.multiprocessors(), g.l2CacheBytes() >> 20, g.driverVersion() / 1000,
        g.driverVersion() % 1000 / 10);
  }
}
