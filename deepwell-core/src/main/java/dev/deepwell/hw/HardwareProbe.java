package dev.deepwell.hw;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds out what this host has: the CPU from the JVM and the OS, GPUs from whichever
 * {@link GpuProbe} provider is on the class path (deepwell-jni). Never throws for a missing or
 * broken GPU stack: that becomes a reason in the {@link HardwareInfo}.
 */
public final class HardwareProbe {

  /** The reason given when no {@link GpuProbe} provider is on the class path. */
  public static final String NO_GPU_BACKEND = "no GPU backend on the class path (deepwell-jni)";

  private static final int MAX_LOAD_FAILURES = 8;

  private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

  private HardwareProbe() {}

  /** Probes the CPU and asks every {@link GpuProbe} found by the context class loader. */
  public static HardwareInfo probe() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = HardwareProbe.class.getClassLoader();
    }
    return probe(loader);
  }

  /** Probes the CPU and asks every {@link GpuProbe} that {@code loader} provides. */
  public static HardwareInfo probe(ClassLoader loader) {
    Objects.requireNonNull(loader, "loader");
    List<GpuProbe> providers = new ArrayList<>();
    List<String> loadFailures = new ArrayList<>();
    Iterator<GpuProbe> it = ServiceLoader.load(GpuProbe.class, loader).iterator();
    // A provider that cannot be instantiated (missing class, failing static initialiser) must not
    // hide the CPU: note it and go on with the next one.
    // The bound guards against an iterator that keeps failing at the same entry.
    while (loadFailures.size() < MAX_LOAD_FAILURES) {
      try {
        if (!it.hasNext()) break;
        providers.add(it.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        loadFailures.add("GPU backend failed to load: " + oneLine(e));
      }
    }
    return probe(cpu(), providers, loadFailures);
  }

  /**
   * Combines a CPU description with what {@code providers} report. The first provider that finds
   * devices wins; when none does, the reasons of all of them (and {@code loadFailures}) are joined.
   */
  static HardwareInfo probe(CpuInfo cpu, List<GpuProbe> providers, List<String> loadFailures) {
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(loadFailures, "loadFailures");
    List<String> reasons = new ArrayList<>(loadFailures);
    String firstBackend = null;
    for (GpuProbe provider : providers) {
      String backend = provider.getClass().getName();
      if (firstBackend == null) firstBackend = backend;
      GpuProbe.Result result;
      try {
        result = provider.probe();
      } catch (RuntimeException | LinkageError e) {
        // The SPI says probe() never throws; a provider that does anyway is reported, not fatal.
        reasons.add(backend + " failed: " + oneLine(e));
        continue;
      }
      if (result == null) {
        reasons.add(backend + " returned no result");
      } else if (!result.gpus().isEmpty()) {
        return new HardwareInfo(cpu, result.gpus(), null, backend);
      } else {
        reasons.add(result.unavailableReason());
      }
    }
    if (providers.isEmpty() && loadFailures.isEmpty()) {
      reasons.add(NO_GPU_BACKEND);
    }
    return HardwareInfo.cpuOnly(cpu, String.join("; ", reasons), firstBackend);
  }

  /** The host CPU as the JVM and the OS describe it. */
  public static CpuInfo cpu() {
    Runtime rt = Runtime.getRuntime();
    return new CpuInfo(
        cpuModel().orElse("unknown"),
        rt.availableProcessors(),
        physicalMemoryBytes(),
        rt.maxMemory(),
        System.getProperty("os.arch", "unknown"),
        System.getProperty("os.name", "unknown"));
  }

  /** The CPU model from {@code /proc/cpuinfo}, where the OS has one. */
  static Optional<String> cpuModel() {
    if (!Files.isReadable(PROC_CPUINFO)) return Optional.empty();
    try {
      return parseCpuModel(Files.readAllLines(PROC_CPUINFO));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The model name in {@code /proc/cpuinfo} text: x86 says {@code model name}; some ARM kernels
   * say {@code Model} or {@code Hardware} instead, and many say nothing useful at all.
   */
  static Optional<String> parseCpuModel(List<String> lines) {
    Objects.requireNonNull(lines, "lines");
    for (String key : new String[] {"model name", "Model", "Hardware", "cpu model"}) {
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) continue;
        if (line.substring(0, colon).trim().equals(key)) {
          String value = line.substring(colon + 1).trim();
          if (!value.isEmpty()) return Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Physical memory of the host (inside a container: its limit), or -1 where the JVM does not
   * ship the {@code jdk.management} extension.
   */
  static long physicalMemoryBytes() {
    try {
      java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        long bytes = ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
        return bytes > 0 ? bytes : -1;
      }
    } catch (LinkageError | RuntimeException e) {
      // jdk.management absent (a trimmed jlink image): the figure is simply unknown.
    }
    return -1;
  }

  private static String oneLine(Throwable e) {
    String msg = e.getMessage();
    String text = e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    return text.replace('\n', ' ').replace('\r', ' ');
  }
}
