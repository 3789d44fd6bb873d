package dev.deepwell.hw;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a probe found on this host: the CPU, the CUDA devices (possibly none) and, when there are
 * none, why. Immutable.
 *
 * @param cpu                  the host CPU
 * @param gpus                 CUDA devices as the backend lists them; empty when none is usable
 * @param gpuUnavailableReason why {@code gpus} is empty ({@code null} when it is not)
 * @param gpuBackend           class name of the {@link GpuProbe} provider that answered, or
 *                             {@code null} when no provider is on the class path
 */
public record HardwareInfo(
    CpuInfo cpu, List<GpuInfo> gpus, String gpuUnavailableReason, String gpuBackend) {

  /**
   * Most capable first, judged by what Deepwell can run on it: native block-scaled formats
   * (MXFP8/NVFP4) beat FP8-only parts, which beat the rest; then tensor memory (sm_100-class over
   * sm_120); then the newer SM version, more SMs, more memory; finally the lower ordinal, so the
   * order is total and stable.
   */
  private static final Comparator<GpuInfo> MOST_CAPABLE_FIRST =
      Comparator.comparingInt(HardwareInfo::formatTier)
          .thenComparing(GpuInfo::hasTmem)
          .thenComparingInt(GpuInfo::smVersion)
          .thenComparingInt(GpuInfo::multiprocessors)
          .thenComparingLong(GpuInfo::totalMemoryBytes)
          .reversed()
          .thenComparingInt(GpuInfo::ordinal);

  private static int formatTier(GpuInfo g) {
    if (g.supportsNvfp4() && g.supportsMxfp8()) return 2;
    return g.supportsFp8() ? 1 : 0;
  }

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  public HardwareInfo {
    Objects.requireNonNull(cpu, "cpu");
    Objects.requireNonNull(gpus, "gpus");
    gpus = List.copyOf(gpus);
    if (gpus.isEmpty() && (gpuUnavailableReason == null || gpuUnavailableReason.isBlank())) {
      throw new IllegalArgumentException(
          "gpuUnavailableReason must say why no GPU was found when gpus is empty");
    }
    if (!gpus.isEmpty() && gpuUnavailableReason != null) {
      throw new IllegalArgumentException(
          "gpuUnavailableReason must be null when " + gpus.size() + " GPU(s) were found, got '"
              + gpuUnavailableReason + "'");
    }
  }

  /** A CPU-only host; {@code reason} says why no GPU is reported. */
  public static HardwareInfo cpuOnly(CpuInfo cpu, String reason, String gpuBackend) {
    return new HardwareInfo(cpu, List.of(), reason, gpuBackend);
  }

  public boolean hasGpu() {
    return !gpus.isEmpty();
  }

  /** The device Deepwell should run on by default: the most capable one (see the ordering above). */
  public Optional<GpuInfo> bestGpu() {
    return gpus.stream().min(MOST_CAPABLE_FIRST);
  }

  /**
   * JSON tree of this record, with each GPU's derived capabilities ({@code sm}, {@code fp8},
   * {@code mxfp8}, {@code nvfp4}, {@code tmem}) added so a consumer need not re-derive them from
   * the compute capability; plus {@code peakMemoryBandwidthBytesPerSecond}. Field names are part of the CLI's {@code probe --json} output.
   */
  public JsonObject toJsonTree() {
    JsonObject root = new JsonObject();
    root.add("cpu", GSON.toJsonTree(cpu));
    JsonArray gpuArray = new JsonArray();
    for (GpuInfo gpu : gpus) {
      gpuArray.add(gpuJsonTree(gpu));
    }
    root.add("gpus", gpuArray);
    root.addProperty("gpuUnavailableReason", gpuUnavailableReason);
    root.addProperty("gpuBackend", gpuBackend);
    root.addProperty("bestGpuOrdinal", bestGpu().map(GpuInfo::ordinal).orElse(null));
    return root;
  }

  /** Pretty-printed {@link #toJsonTree()}. */
  public String toJson() {
    return GSON.toJson(toJsonTree());
  }

  /** JSON tree of one device: its record fields plus a {@code capabilities} object. */
  public static JsonObject gpuJsonTree(GpuInfo gpu) {
    Objects.requireNonNull(gpu, "gpu");
    JsonObject o = GSON.toJsonTree(gpu).getAsJsonObject();
    JsonObject derived = new JsonObject();
    derived.addProperty("sm", gpu.smName());
    derived.addProperty("fp8", gpu.supportsFp8());
    derived.addProperty("mxfp8", gpu.supportsMxfp8());
    derived.addProperty("nvfp4", gpu.supportsNvfp4());
    derived.addProperty("tmem", gpu.hasTmem());
    derived.addProperty("peakMemoryBandwidthBytesPerSecond",
        gpu.peakMemoryBandwidthBytesPerSecond());
    o.add("capabilities", derived);
    return o;
  }
}
