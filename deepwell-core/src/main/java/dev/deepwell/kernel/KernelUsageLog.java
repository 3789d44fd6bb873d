package dev.deepwell.kernel;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Counts the ops each kernel ran and the time they took, for {@link KernelSummary}: which share
 * of the work went to CUTLASS, cuBLASLt, the reference kernels and the CPU, and which fallbacks
 * put it there. Thread-safe.
 */
public final class KernelUsageLog {

  private static final class Entry {
    final KernelProvider provider;
    long ops;
    long timedOps;
    double seconds;

    Entry(KernelProvider provider) {
      this.provider = provider;
    }
  }

  private final Map<String, Entry> kernels = new LinkedHashMap<>();
  private final Map<String, Long> fallbacks = new LinkedHashMap<>();

  /**
   * One op run by {@code kernel} of {@code provider}.
   *
   * @param seconds   how long it took (>= 0), or NaN when it was not timed
   * @param passedOver "provider: reason" for each backend the chain passed over to reach it
   */
  public synchronized void record(KernelProvider provider, String kernel, double seconds, List<String> passedOver) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(passedOver, "passedOver");
    if (seconds < 0 || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("seconds must be >= 0 and finite, or NaN; got " + seconds);
    }
    Entry e = kernels.computeIfAbsent(kernel, k -> new Entry(provider));
    if (e.provider != provider) {
      throw new IllegalArgumentException("kernel " + kernel + " was recorded under " + e.provider.displayName()
          + ", now under " + provider.displayName());
    }
    e.ops++;
    if (!Double.isNaN(seconds)) {
      e.timedOps++;
      e.seconds += seconds;
    }
    for (String r : passedOver) {
      fallbacks.merge(r, 1L, Long::sum);
    }
  }

  /** Adds time to an op recorded earlier without it (its timing resolved later). */
  public synchronized void addTime(String kernel, double seconds) {
    Entry e = kernels.get(Objects.requireNonNull(kernel, "kernel"));
    if (e == null) {
      throw new IllegalArgumentException("kernel " + kernel + " has no recorded op");
    }
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("seconds must be >= 0 and finite, got " + seconds);
    }
    if (e.timedOps >= e.ops) {
      throw new IllegalStateException("kernel " + kernel + " has no untimed op left to add time to");
    }
    e.timedOps++;
    e.seconds += seconds;
  }

  /** Forgets everything recorded so far. */
  public synchronized void clear() {
    kernels.clear();
    fallbacks.clear();
  }

  /** The shares of ops and time per backend and per kernel so far. */
  public synchronized KernelSummary summary() {
    Map<KernelProvider, double[]> byProvider = new EnumMap<>(KernelProvider.class);
    List<KernelSummary.KernelShare> ks = new ArrayList<>();
    long totalOps = 0;
    long timedOps = 0;
    double totalSeconds = 0;
    for (Map.Entry<String, Entry> me : kernels.entrySet()) {
      Entry e = me.getValue();
      ks.add(new KernelSummary.KernelShare(e.provider, me.getKey(), e.ops, e.timedOps, e.seconds));
      double[] acc = byProvider.computeIfAbsent(e.provider, p -> new double[3]);
      acc[0] += e.ops;
      acc[1] += e.timedOps;
      acc[2] += e.seconds;
      totalOps += e.ops;
      timedOps += e.timedOps;
      totalSeconds += e.seconds;
    }
    List<KernelSummary.ProviderShare> ps = new ArrayList<>();
    for (Map.Entry<KernelProvider, double[]> me : byProvider.entrySet()) {
      double[] a = me.getValue();
      ps.add(new KernelSummary.ProviderShare(me.getKey(), (long) a[0], (long) a[1], a[2],
          totalOps == 0 ? 0 : a[0] / totalOps, totalSeconds > 0 ? a[2] / totalSeconds : Double.NaN));
    }
    return new KernelSummary(ps, ks, fallbacks, totalOps, timedOps, totalSeconds);
  }
}
