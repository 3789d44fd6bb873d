package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.KernelProvider;
import java.util.Locale;
import java.util.Objects;

/**
 * The measured time of one op: per-launch median and minimum (each launch between its own pair
 * of events) and the mean of one back-to-back batch, with the rates the median gives.
 *
 * @param name        the kernel
 * @param provider    its backend
 * @param iterations  launches timed (after the warm-up)
 * @param medianMs    median milliseconds per launch
 * @param minMs       fastest launch
 * @param meanMs      mean over one batch of {@code iterations} back-to-back launches
 * @param tflops      flops / median time, in TFLOP/s
 * @param gbps        minimum bytes / median time, in GB/s (10^9)
 */
public record KernelProfile(String name, KernelProvider provider, int iterations, double medianMs, double minMs,
    double meanMs, double tflops, double gbps) {

  public KernelProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(provider, "provider");
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "%s (%s): median %.4f ms, min %.4f ms, mean %.4f ms over %d; %.1f TFLOP/s, %.1f GB/s", name,
        provider.displayName(), medianMs, minMs, meanMs, iterations, tflops, gbps);
  }
}
