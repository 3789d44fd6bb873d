package dev.deepwell.hw;

import java.util.Objects;

/**
 * What one CUDA device is, as read from the driver ({@code cudaGetDeviceProperties}), plus the
 * capabilities Deepwell derives from its compute capability. Immutable.
 *
 * <p>Derived capabilities follow the architecture, not the marketing name: sm_89 (Ada) and sm_90
 * (Hopper) have FP8 tensor cores; only sm_100/sm_103 (B200/B100/GB300) and sm_120/sm_121
 * (RTX 50xx, DGX Spark) have block-scaled (MX/NVFP4) tensor cores; only sm_100-class parts have
 * tensor memory (TMEM, tcgen05).
 *
 * @param ordinal               CUDA device ordinal
 * @param name                  device name, e.g. "NVIDIA H100 80GB HBM3"
 * @param ccMajor               compute capability major (9 for Hopper)
 * @param ccMinor               compute capability minor
 * @param multiprocessors       streaming multiprocessor count
 * @param totalMemoryBytes      global memory size
 * @param freeMemoryBytes       free global memory when probed (-1 if unknown)
 * @param l2CacheBytes          L2 cache size
 * @param smClockKHz            SM clock in kHz (0 if the driver does not report it)
 * @param memoryClockKHz        memory clock in kHz (0 if not reported)
 * @param memoryBusWidthBits    memory bus width in bits (0 if not reported)
 * @param sharedMemPerBlockOptin largest dynamic shared memory a block can opt in to
 * @param driverVersion         CUDA driver API version, e.g. 13000 for 13.0
 * @param runtimeVersion        CUDA runtime version the native library was built against
 */
public record GpuInfo(
    int ordinal,
    String name,
    int ccMajor,
    int ccMinor,
    int multiprocessors,
    long totalMemoryBytes,
    long freeMemoryBytes,
    long l2CacheBytes,
    int smClockKHz,
    int memoryClockKHz,
    int memoryBusWidthBits,
    long sharedMemPerBlockOptin,
    int driverVersion,
    int runtimeVersion) {

  public GpuInfo {
    Objects.requireNonNull(name, "name");
    if (ordinal < 0) throw new IllegalArgumentException("ordinal must be >= 0, got " + ordinal);
    if (ccMajor <= 0 || ccMinor < 0) {
      throw new IllegalArgumentException("bad compute capability " + ccMajor + "." + ccMinor);
    }
    if (multiprocessors <= 0) {
      throw new IllegalArgumentException("multiprocessors must be > 0, got " + multiprocessors);
    }
    if (totalMemoryBytes <= 0) {
      throw new IllegalArgumentException("totalMemoryBytes must be > 0, got " + totalMemoryBytes);
    }
  }

  /** The SM version as an integer, e.g. 90 for sm_90, 100 for sm_100, 120 for sm_120. */
  public int smVersion() {
    return ccMajor * 10 + ccMinor;
  }

  /** "sm_90" style name. */
  public String smName() {
    return "sm_" + smVersion();
  }

  public boolean isHopper() {
    return ccMajor == 9;
  }

  /** Data-centre Blackwell (sm_100/sm_103) and consumer/workstation Blackwell (sm_120/sm_121). */
  public boolean isBlackwell() {
    return ccMajor == 10 || ccMajor == 12;
  }

  /** FP8 (E4M3/E5M2) tensor-core MMA: Ada (sm_89), Hopper, Blackwell. */
  public boolean supportsFp8() {
    return smVersion() >= 89;
  }

  /** Native block-scaled MXFP8 MMA (E8M0 scales applied by the tensor core): Blackwell only. */
  public boolean supportsMxfp8() {
    return isBlackwell();
  }

  /** Native NVFP4 (E2M1 with UE4M3 block scales) MMA: Blackwell only. */
  public boolean supportsNvfp4() {
    return isBlackwell();
  }

  /** Tensor memory and the tcgen05 MMA family: sm_100-class parts only (not sm_120). */
  public boolean hasTmem() {
    return ccMajor == 10;
  }

  /**
   * Theoretical DRAM bandwidth, 2 x memory clock x bus width (the driver reports the clock of a
   * double-data-rate interface), or 0 when the clock or the bus width is not reported.
   */
  public double peakMemoryBandwidthBytesPerSecond() {
    if (memoryClockKHz <= 0 || memoryBusWidthBits <= 0) return 0;
    return 2.0 * memoryClockKHz * 1000.0 * (memoryBusWidthBits / 8.0);
  }
}
