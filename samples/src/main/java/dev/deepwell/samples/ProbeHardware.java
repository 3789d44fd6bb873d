package dev.deepwell.samples;

import dev.deepwell.compiler.CompiledOp;
import dev.deepwell.compiler.Engine;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.hw.CpuInfo;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.precision.Precision;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Probes this machine and says what it can run: the CPU, every CUDA device with the formats its
 * tensor cores take (or why no GPU was found), then a real compile of the "benchmark" model for
 * the device Deepwell would pick, to show where each op would run.
 *
 * <p>The GPU is found through the GPU backend (deepwell-jni) on the class path and the CUDA driver;
 * without either, the probe says which is missing and Deepwell uses the CPU backend.
 *
 * <p>Run: {@code java -cp "samples/target/classes:samples/target/lib/*"
 * dev.deepwell.samples.ProbeHardware}.
 */
public final class ProbeHardware {

  /** Fastest first: the tensor-core rate roughly doubles with each step down in bits. */
  private static final Precision[] FASTEST_FIRST = {
      Precision.NVFP4, Precision.MXFP8, Precision.FP8_BLOCK, Precision.FP8, Precision.BF16};

  private ProbeHardware() {}

  public static void main(String[] args) {
    // Never throws for a missing driver or library: those become the reason in the result.
    run(System.out, HardwareProbe.probe());
  }

  /** The whole sample for an already-probed (or described) {@code hardware}. */
  public static void run(PrintStream out, HardwareInfo hardware) {
    CpuInfo cpu = hardware.cpu();
    out.printf(Locale.ROOT, "CPU  %s, %d logical cores, %s memory, JVM max heap %s, %s %s%n",
        cpu.model(), cpu.logicalCores(), gib(cpu.totalMemoryBytes()), gib(cpu.maxHeapBytes()),
        cpu.os(), cpu.arch());
    if (!hardware.hasGpu()) {
      out.println("GPU  none: " + hardware.gpuUnavailableReason());
    }
    for (GpuInfo gpu : hardware.gpus()) {
      out.printf(Locale.ROOT, "GPU %d  %s, %s, %d SMs, %s, %.2f TB/s; fp8 %s, mxfp8 %s, nvfp4 %s,"
          + " tmem %s%n", gpu.ordinal(), gpu.name(), gpu.smName(), gpu.multiprocessors(),
          gib(gpu.totalMemoryBytes()), gpu.peakMemoryBandwidthBytesPerSecond() / 1e12,
          yes(gpu.supportsFp8()), yes(gpu.supportsMxfp8()), yes(gpu.supportsNvfp4()),
          yes(gpu.hasTmem()));
    }

    // The same choice ModelBuilder makes when no target is given: the most capable GPU (native
    // block-scaled formats first, then FP8), else the CPU backend.
    CompileTarget target = CompileTarget.probed(hardware);
    out.println();
    out.println("Default target: " + target.description()
        + (target.isCpu() ? "" : ", sm_" + target.smVersion()));
    Precision fastest = null;
    for (Precision p : Precision.values()) {
      String how;
      if (target.isCpu()) {
        how = p == Precision.FP32 ? "native (FP32 math)"
            : "emulated bit-exactly (values stored as the format stores them, FP32 math)";
      } else if (p == Precision.FP32) {
        how = "native (CUDA cores)";
      } else if (target.supportsNatively(p)) {
        how = "native tensor-core kernels";
      } else {
        how = "not native: refused by default; EMULATE or MAP_TO_NATIVE to run anyway";
      }
      out.printf(Locale.ROOT, "  %-9s %s%n", p.cliName(), how);
    }
    for (Precision p : FASTEST_FIRST) {
      if (!target.isCpu() && target.supportsNatively(p)) {
        fastest = p;
        break;
      }
    }

    // A probe says what the silicon has; a compile says what Deepwell will actually bind on it.
    Precision plan = fastest != null ? fastest : Precision.BF16;
    Engine engine = Deepwell.model("benchmark").precision(plan).inference().batch(1)
        .seqLen(1024).target(target).optimize();
    out.println();
    out.printf(Locale.ROOT, "Compiled the benchmark model (inference, 1 x 1024 tokens) in %s%s:%n",
        plan.cliName(), fastest != null ? ", the fastest native format here" : "");
    Map<Precision, Integer> layers = new TreeMap<>();
    engine.precisionPolicy().layerPrecisions().values()
        .forEach(lp -> layers.merge(lp.precision(), 1, Integer::sum));
    Map<String, Integer> providers = new LinkedHashMap<>();
    for (CompiledOp op : engine.compiledOps()) {
      providers.merge(op.binding().provider().displayName(), 1, Integer::sum);
    }
    out.println("  layers by precision: " + layers);
    out.println("  ops per provider:    " + providers);
    DryRunReport report = Deepwell.dryrun(engine);
    out.println("  expected speedup vs BF16: " + report.speedupVsBf16()
        .map(s -> String.format(Locale.ROOT, "%.2fx (roofline)", s))
        .orElse("unavailable (" + report.speedupUnavailableReason().orElse("?") + ")"));
    if (target.isCpu()) {
      out.println();
      out.println("No GPU here: plan for one by name instead (see PlanForAnotherGpu), e.g."
          + " Deepwell.model(\"llama-7b\").precision(Precision.MXFP8).target(\"b200\").optimize()");
    }
  }

  private static String gib(long bytes) {
    return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }
}
