package dev.deepwell.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where the ops went: per backend and per kernel the number of ops and the time they took, as
 * shares of the whole, and how often each fallback reason sent an op down the chain. Made by
 * {@link KernelUsageLog#summary()}. Time shares count timed ops only ({@link #timedOps()}).
 *
 * @param providers    one row per backend that ran something, in chain order
 * @param kernels      one row per kernel, in order of first use
 * @param fallbacks    "provider: reason" -> how many ops it sent down the chain
 * @param totalOps     all ops recorded
 * @param timedOps     ops with a measured time
 * @param totalSeconds time of the timed ops
 */
public record KernelSummary(List<ProviderShare> providers, List<KernelShare> kernels, Map<String, Long> fallbacks,
    long totalOps, long timedOps, double totalSeconds) {

  /** One backend's part. {@code timeShare} is NaN when nothing was timed. */
  public record ProviderShare(KernelProvider provider, long ops, long timedOps, double seconds, double opShare,
      double timeShare) {
    public ProviderShare {
      Objects.requireNonNull(provider, "provider");
    }
  }

  /** One kernel's part. */
  public record KernelShare(KernelProvider provider, String kernel, long ops, long timedOps, double seconds) {
    public KernelShare {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(kernel, "kernel");
    }
  }

  public KernelSummary {
    providers = List.copyOf(providers);
    kernels = List.copyOf(kernels);
    fallbacks = Collections.unmodifiableMap(new LinkedHashMap<>(fallbacks));
  }

  /** The row of {@code provider}, or a zero row when it ran nothing. */
  public ProviderShare share(KernelProvider provider) {
    for (ProviderShare s : providers) {
      if (s.provider() == provider) {
        return s;
      }
    }
    return new ProviderShare(provider, 0, 0, 0, 0, totalSeconds > 0 ? 0 : Double.NaN);
  }

  /** A plain-text table: backends, then kernels, then fallback reasons. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-14s %8s %7s %12s %7s%n", "backend", "ops", "ops%", "time ms", "time%"));
    for (ProviderShare s : providers) {
      sb.append(String.format(Locale.ROOT, "%-14s %8d %6.1f%% %12.3f %6s%n", s.provider().displayName(), s.ops(),
          100 * s.opShare(), 1e3 * s.seconds(),
          Double.isNaN(s.timeShare()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * s.timeShare())));
    }
    sb.append(String.format(Locale.ROOT, "%-14s %8d %7s %12.3f   (%d of %d ops timed)%n", "total", totalOps, "",
        1e3 * totalSeconds, timedOps, totalOps));
    for (KernelShare k : kernels) {
      sb.append(String.format(Locale.ROOT, "  %-52s %8d %12.3f ms%n", k.kernel(), k.ops(), 1e3 * k.seconds()));
    }
    for (Map.Entry<String, Long> f : fallbacks.entrySet()) {
      sb.append("  passed over ").append(f.getValue()).append("x: ").append(f.getKey()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return toTable();
  }
}
