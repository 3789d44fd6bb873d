package dev.deepwell.hw;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Named GPUs Deepwell can plan for without having one: {@code h100}, {@code h200}, {@code b200},
 * {@code b100}, {@code rtx5090}. Each is a {@link GpuInfo} built from public figures, so planning
 * and reporting code can treat a target exactly like a probed device.
 *
 * <p>Where the figures come from (a probed device always beats these):
 *
 * <ul>
 *   <li>SM count, memory capacity, memory bus width, bandwidth and boost clock: NVIDIA datasheets
 *       (H100 SXM5, H200 SXM, HGX B200, RTX 5090 product page). Capacities are the nominal GiB;
 *       the driver reports a little less (ECC and reserved memory).
 *   <li>Memory clock: chosen so that {@link GpuInfo#peakMemoryBandwidthBytesPerSecond()} (2 x clock
 *       x bus width, the driver's DDR convention) equals the datasheet bandwidth.
 *   <li>L2: datasheet/whitepaper figures for Hopper (50 MB) and the RTX 5090 (96 MB); NVIDIA does
 *       not publish B200's L2, 126 MiB is what public measurements of the driver-reported size
 *       show.
 *   <li>B100: NVIDIA published memory (192 GB HBM3e, 8 TB/s) but not its SM count; it is the same
 *       dual-die silicon as B200 at a lower power limit, so B200's 148 SMs are assumed. Treat its
 *       SM count as an estimate.
 *   <li>Opt-in shared memory per block: 227 KiB on sm_90/sm_100, 99 KiB on sm_120 (CUDA
 *       programming guide, compute capability tables).
 * </ul>
 *
 * <p>Targets have ordinal 0, unknown free memory (-1) and driver/runtime versions 0: they describe
 * silicon, not an installation.
 */
public final class HardwareTargets {

  private static final long KIB = 1024L;
  private static final long MIB = 1024L * KIB;
  private static final long GIB = 1024L * MIB;
  private static final long HOPPER_SMEM_OPTIN = 227 * KIB;
  private static final long SM120_SMEM_OPTIN = 99 * KIB;

  private static final Map<String, GpuInfo> TARGETS = new LinkedHashMap<>();

  static {
    TARGETS.put("h100", target("NVIDIA H100 SXM5 80GB", 9, 0, 132, 80 * GIB, 50 * MIB,
        1_980_000, 5120, 3.35e12, HOPPER_SMEM_OPTIN));
    TARGETS.put("h200", target("NVIDIA H200 SXM 141GB", 9, 0, 132, 141 * GIB, 50 * MIB,
        1_980_000, 6144, 4.8e12, HOPPER_SMEM_OPTIN));
    TARGETS.put("b200", target("NVIDIA B200 180GB", 10, 0, 148, 180 * GIB, 126 * MIB,
        0, 8192, 8.0e12, HOPPER_SMEM_OPTIN));
    TARGETS.put("b100", target("NVIDIA B100 192GB", 10, 0, 148, 192 * GIB, 126 * MIB,
        0, 8192, 8.0e12, HOPPER_SMEM_OPTIN));
    TARGETS.put("rtx5090", target("NVIDIA GeForce RTX 5090", 12, 0, 170, 32 * GIB, 96 * MIB,
        2_407_000, 512, 1.792e12, SM120_SMEM_OPTIN));
  }

  private HardwareTargets() {}

  /** Target names, lower case, in catalogue order (Hopper first). */
  public static List<String> names() {
    return List.copyOf(TARGETS.keySet());
  }

  /** The target called {@code name} (case-insensitive), if there is one. */
  public static Optional<GpuInfo> find(String name) {
    if (name == null) throw new NullPointerException("name");
    return Optional.ofNullable(TARGETS.get(name.trim().toLowerCase(Locale.ROOT)));
  }

  /**
   * The target called {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid targets when there is no such target
   */
  public static GpuInfo get(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException(
        "unknown hardware target '" + name + "'; valid targets: " + String.join(", ", names())));
  }

  /** Every target, in catalogue order. */
  public static List<GpuInfo> all() {
    return List.copyOf(TARGETS.values());
  }

  private static GpuInfo target(String name, int ccMajor, int ccMinor, int sms, long memory,
      long l2, int smClockKHz, int busBits, double bandwidthBytesPerSecond, long smemOptin) {
    // bandwidth = 2 (DDR) * clock * bus bytes; solve for the clock the driver would report.
    int memoryClockKHz =
        (int) Math.round(bandwidthBytesPerSecond / (2.0 * (busBits / 8.0)) / 1000.0);
    return new GpuInfo(0, name, ccMajor, ccMinor, sms, memory, -1, l2, smClockKHz,
        memoryClockKHz, busBits, smemOptin, 0, 0);
  }
}
