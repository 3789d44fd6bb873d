package dev.deepwell.hw;

import java.util.Objects;

/**
 * The host CPU as the JVM sees it.
 *
 * @param model           CPU model name ("unknown" where the OS does not say)
 * @param logicalCores    processors available to the JVM
 * @param totalMemoryBytes physical memory of the host (-1 if unknown)
 * @param maxHeapBytes    the JVM's maximum heap
 * @param arch            os.arch, e.g. "amd64"
 * @param os              os.name
 */
public record CpuInfo(
    String model, int logicalCores, long totalMemoryBytes, long maxHeapBytes, String arch, String os) {
  public CpuInfo {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(os, "os");
    if (logicalCores <= 0) throw new IllegalArgumentException("logicalCores must be > 0");
  }
}
