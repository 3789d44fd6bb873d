package dev.deepwell.cli;

import com.google.gson.JsonObject;
import dev.deepwell.hw.CpuInfo;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.hw.HardwareTargets;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deepwell probe}: what this host has, as a table or as JSON. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = {
      "Shows the CPU and the CUDA devices Deepwell can use (or why it found none).",
      "Derived capabilities follow the compute capability: FP8 from sm_89, MXFP8/NVFP4 block-scaled"
          + " MMA on Blackwell (sm_100/sm_120), TMEM on sm_100 only."
    })
final class ProbeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the probe result as JSON.")
  boolean json;

  @Option(names = "--targets",
      description = "Also list the named hardware targets (datasheet figures) Deepwell can plan for.")
  boolean targets;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    HardwareInfo info = HardwareProbe.probe();
    if (json) {
      JsonObject root = info.toJsonTree();
      if (targets) {
        JsonObject t = new JsonObject();
        for (String name : HardwareTargets.names()) {
          t.add(name, HardwareInfo.gpuJsonTree(HardwareTargets.get(name)));
        }
        root.add("targets", t);
      }
      out.println(Json.PRETTY.toJson(root));
    } else {
      printHuman(out, info);
      if (targets) {
        out.println();
        out.println("Named targets (datasheet figures, see HardwareTargets):");
        printGpuTable(out, HardwareTargets.names(), HardwareTargets.all());
      }
    }
    out.flush();
    return DeepwellCli.EXIT_OK;
  }

  static void printHuman(PrintWriter out, HardwareInfo info) {
    out.println("CPU  " + cpuLine(info.cpu()));
    if (!info.hasGpu()) {
      out.println("GPU  none: " + info.gpuUnavailableReason());
      return;
    }
    List<String> labels = info.gpus().stream().map(g -> String.valueOf(g.ordinal())).toList();
    printGpuTable(out, labels, info.gpus());
    GpuInfo best = info.bestGpu().orElseThrow();
    out.println("best GPU: " + best.ordinal() + " (" + best.name() + ", " + best.smName()
        + "); backend " + info.gpuBackend());
  }

  static String cpuLine(CpuInfo cpu) {
    return cpu.model() + ", " + cpu.logicalCores() + " logical cores, "
        + Units.bytes(cpu.totalMemoryBytes()) + " memory, JVM max heap "
        + Units.bytes(cpu.maxHeapBytes()) + ", " + cpu.os() + " " + cpu.arch();
  }

  static void printGpuTable(PrintWriter out, List<String> labels, List<GpuInfo> gpus) {
    String fmt = "%-8s %-26s %-7s %4s %10s %10s %10s %4s %5s %5s %4s%n";
    out.printf(Locale.ROOT, fmt, "gpu", "name", "sm", "SMs", "memory", "L2", "bandwidth",
        "fp8", "mxfp8", "nvfp4", "tmem");
    for (int i = 0; i < gpus.size(); i++) {
      GpuInfo g = gpus.get(i);
      out.printf(Locale.ROOT, fmt, labels.get(i), g.name(), g.smName(), g.multiprocessors(),
          Units.bytes(g.totalMemoryBytes()), Units.bytes(g.l2CacheBytes()),
          Units.rate(g.peakMemoryBandwidthBytesPerSecond()), Units.yesNo(g.supportsFp8()),
          Units.yesNo(g.supportsMxfp8()), Units.yesNo(g.supportsNvfp4()),
          Units.yesNo(g.hasTmem()));
    }
  }
}
