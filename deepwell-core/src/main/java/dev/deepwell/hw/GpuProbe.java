package dev.deepwell.hw;

import java.util.List;

/**
 * Service interface through which deepwell-core learns about GPUs without depending on CUDA.
 * deepwell-jni provides the implementation ({@code META-INF/services/dev.deepwell.hw.GpuProbe});
 * without it on the class path, or without a usable driver, the probe reports the CPU only.
 */
public interface GpuProbe {

  /** Result of a probe: the devices found, or an empty list and the reason none were. */
  record Result(List<GpuInfo> gpus, String unavailableReason) {
    public Result {
      gpus = List.copyOf(gpus);
      if (gpus.isEmpty() && (unavailableReason == null || unavailableReason.isBlank())) {
        throw new IllegalArgumentException("an empty probe result must say why no GPU was found");
      }
    }

    public static Result found(List<GpuInfo> gpus) {
      return new Result(gpus, null);
    }

    public static Result none(String reason) {
      return new Result(List.of(), reason);
    }
  }

  /** Never throws: any failure becomes {@link Result#none(String)} with the reason. */
  Result probe();
}
