package dev.deepwell.kernel;

import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareTargets;
import dev.deepwell.precision.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine compiles for: the CPU backend, a probed GPU, or a named GPU
 * ({@link HardwareTargets}) so a user on one machine can plan for another. Immutable.
 */
public final class CompileTarget {

  /** Name of the CPU target. */
  public static final String CPU = "cpu";

  private final String name;
  private final int smVersion;
  private final long memoryBytes;
  private final double bandwidthBytesPerSecond;
  private final PeakRates rates;
  private final String description;

  private CompileTarget(String name, int smVersion, long memoryBytes, double bandwidth,
      PeakRates rates, String description) {
    this.name = name;
    this.smVersion = smVersion;
    this.memoryBytes = memoryBytes;
    this.bandwidthBytesPerSecond = bandwidth;
    this.rates = rates;
    this.description = description;
  }

  /** The CPU backend: every format emulated, no roofline rates. */
  public static CompileTarget cpu() {
    return new CompileTarget(CPU, 0, -1, 0, null, "CPU backend (emulates every format)");
  }

  /** "cpu" or a {@link HardwareTargets} name (case-insensitive). */
  public static CompileTarget named(String name) {
    Objects.requireNonNull(name, "target name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals(CPU)) {
      return cpu();
    }
    Optional<GpuInfo> gpu = HardwareTargets.find(n);
    if (gpu.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown target '" + name + "'; valid targets: " + String.join(", ", names()));
    }
    GpuInfo g = gpu.get();
    return new CompileTarget(n, g.smVersion(), g.totalMemoryBytes(),
        g.peakMemoryBandwidthBytesPerSecond(), PeakRates.forTarget(n).orElse(null), g.name());
  }

  /** A probed device; peak rates come from the table entry of its architecture, if any. */
  public static CompileTarget fromGpu(GpuInfo gpu) {
    Objects.requireNonNull(gpu, "gpu");
    return new CompileTarget(gpu.smName(), gpu.smVersion(), gpu.totalMemoryBytes(),
        gpu.peakMemoryBandwidthBytesPerSecond(), PeakRates.forSm(gpu.smVersion()).orElse(null),
        gpu.name() + " (probed)");
  }

  /**
   * The named target of compute capability {@code sm} (sm_90 -> h100, sm_100 -> b200, sm_120 ->
   * rtx5090), or a generic GPU of that architecture without memory size or rates.
   */
  public static CompileTarget forSm(int sm) {
    if (sm < 50 || sm > 200) {
      throw new IllegalArgumentException("smVersion must be a CUDA compute capability like 90 "
          + "or 100, got " + sm);
    }
    for (String n : HardwareTargets.names()) {
      if (HardwareTargets.get(n).smVersion() == sm) {
        return named(n);
      }
    }
    return new CompileTarget("sm_" + sm, sm, -1, 0, PeakRates.forSm(sm).orElse(null),
        "generic sm_" + sm + " GPU");
  }

  /** The best GPU a probe found, or the CPU. */
  public static CompileTarget probed(HardwareInfo hw) {
    Objects.requireNonNull(hw, "hw");
    return hw.bestGpu().map(CompileTarget::fromGpu).orElseGet(CompileTarget::cpu);
  }

  /** Every name {@link #named(String)} accepts. */
  public static List<String> names() {
    List<String> l = new ArrayList<>();
    l.add(CPU);
    l.addAll(HardwareTargets.names());
    return l;
  }

  public String name() {
    return name;
  }

  /** Compute capability as an integer (90, 100, 120), 0 for the CPU. */
  public int smVersion() {
    return smVersion;
  }

  public boolean isCpu() {
    return smVersion == 0;
  }

  /** Device memory in bytes, -1 when unknown (CPU, generic GPU). */
  public long memoryBytes() {
    return memoryBytes;
  }

  /** Peak DRAM bandwidth in bytes/s, 0 when unknown. */
  public double bandwidthBytesPerSecond() {
    return bandwidthBytesPerSecond;
  }

  /** Peak tensor-core rates, when the architecture is in the table. */
  public Optional<PeakRates> rates() {
    return Optional.ofNullable(rates);
  }

  /** True when the roofline model can be evaluated for this target. */
  public boolean hasRoofline() {
    return rates != null && bandwidthBytesPerSecond > 0;
  }

  public String description() {
    return description;
  }

  /**
   * Whether the GPU runs {@code p} GEMMs on its tensor cores: BF16 from sm_80, FP8 from sm_89
   * (Ada), FP8 with 1x128/128x128 block scales from sm_90, MXFP8 and NVFP4 only on Blackwell
   * (sm_100/103 and sm_120/121), which have block-scaled MMA. FP32 runs everywhere (CUDA cores).
   * The CPU runs nothing natively: it emulates.
   */
  public boolean supportsNatively(Precision p) {
    Objects.requireNonNull(p, "precision");
    if (isCpu()) {
      return false;
    }
    boolean blackwell = smVersion / 10 == 10 || smVersion / 10 == 12;
    switch (p) {
      case FP32:
        return true;
      case BF16:
        return smVersion >= 80;
      case FP8:
        return smVersion >= 89;
      case FP8_BLOCK:
        return smVersion >= 90;
      case MXFP8:
      case NVFP4:
        return blackwell;
      default:
        throw new AssertionError(p);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CompileTarget)) {
      return false;
    }
    CompileTarget t = (CompileTarget) o;
    return name.equals(t.name) && smVersion == t.smVersion && memoryBytes == t.memoryBytes
        && Double.compare(bandwidthBytesPerSecond, t.bandwidthBytesPerSecond) == 0
        && Objects.equals(rates, t.rates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, smVersion, memoryBytes, bandwidthBytesPerSecond, rates);
  }

  @Override
  public String toString() {
    return isCpu() ? "cpu" : name + " (sm_" + smVersion + ")";
  }
}
