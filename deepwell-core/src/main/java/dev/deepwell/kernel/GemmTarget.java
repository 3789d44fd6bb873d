package dev.deepwell.kernel;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareTargets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a GEMM runs, as far as choosing its kernel goes: the GPU's compute capability and SM
 * count (the tile choice fills the SMs), or the CPU; and the backends that are absent on this
 * machine, each with the reason (a library built without CUTLASS, libcublasLt missing, a plan
 * the native side refused). Immutable.
 *
 * @param name            "cpu", a named target ("h100") or a probed device's name
 * @param smVersion       compute capability as an integer (90), 0 for the CPU
 * @param multiprocessors SMs (0 for the CPU)
 * @param unavailable     backends that cannot be used, with why
 */
public record GemmTarget(String name, int smVersion, int multiprocessors, Map<KernelProvider, String> unavailable) {

  public GemmTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unavailable, "unavailable");
    if (smVersion < 0 || multiprocessors < 0) {
      throw new IllegalArgumentException("smVersion and multiprocessors must be >= 0, got " + smVersion + ", "
          + multiprocessors);
    }
    if ((smVersion == 0) != (multiprocessors == 0)) {
      throw new IllegalArgumentException("a GPU target needs both smVersion and multiprocessors > 0, the CPU "
          + "neither; got sm " + smVersion + " with " + multiprocessors + " SMs");
    }
    if (unavailable.containsKey(KernelProvider.CPU)) {
      throw new IllegalArgumentException("the CPU is the last resort and is always available");
    }
    EnumMap<KernelProvider, String> copy = new EnumMap<>(KernelProvider.class);
    for (Map.Entry<KernelProvider, String> e : unavailable.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "provider"), Objects.requireNonNull(e.getValue(), "reason"));
    }
    unavailable = Collections.unmodifiableMap(copy);
  }

  /** The CPU: only the CPU backend runs. */
  public static GemmTarget cpu() {
    return new GemmTarget(CompileTarget.CPU, 0, 0, Map.of());
  }

  /** A GPU of compute capability {@code smVersion} with {@code multiprocessors} SMs. */
  public static GemmTarget gpu(String name, int smVersion, int multiprocessors) {
    if (smVersion <= 0 || multiprocessors <= 0) {
      throw new IllegalArgumentException("a GPU needs smVersion > 0 and multiprocessors > 0, got " + smVersion
          + ", " + multiprocessors);
    }
    return new GemmTarget(name, smVersion, multiprocessors, Map.of());
  }

  /** A probed device. */
  public static GemmTarget fromGpu(GpuInfo gpu) {
    Objects.requireNonNull(gpu, "gpu");
    return gpu(gpu.name(), gpu.smVersion(), gpu.multiprocessors());
  }

  /** "cpu" or a {@link HardwareTargets} name ("h100", "b200", ...), case-insensitive. */
  public static GemmTarget named(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals(CompileTarget.CPU)) {
      return cpu();
    }
    GpuInfo g = HardwareTargets.find(n).orElseThrow(() -> new IllegalArgumentException("unknown target '" + name
        + "'; valid targets: " + String.join(", ", CompileTarget.names())));
    return gpu(n, g.smVersion(), g.multiprocessors());
  }

  public boolean isCpu() {
    return smVersion == 0;
  }

  /** The same target with {@code provider} marked absent for {@code reason}. */
  public GemmTarget withUnavailable(KernelProvider provider, String reason) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(reason, "reason");
    EnumMap<KernelProvider, String> m = new EnumMap<>(KernelProvider.class);
    m.putAll(unavailable);
    m.put(provider, reason);
    return new GemmTarget(name, smVersion, multiprocessors, m);
  }

  /** The same target with every entry of {@code more} added (later reasons win). */
  public GemmTarget withUnavailable(Map<KernelProvider, String> more) {
    GemmTarget t = this;
    for (Map.Entry<KernelProvider, String> e : more.entrySet()) {
      t = t.withUnavailable(e.getKey(), e.getValue());
    }
    return t;
  }

  @Override
  public String toString() {
    return isCpu() ? "cpu" : name + " (sm_" + smVersion + ", " + multiprocessors + " SMs)";
  }
}
