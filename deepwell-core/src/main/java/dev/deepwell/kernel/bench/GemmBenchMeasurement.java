package dev.deepwell.kernel.bench;

import dev.deepwell.kernel.KernelProvider;
import java.util.Objects;

/**
 * The time of one contender of a case: per-call milliseconds (replay time / calls) over the
 * timed rounds, and how it was taken.
 *
 * @param kernel         the kernel's name as the library reports it
 * @param provider       its backend
 * @param medianMs       median over the rounds of milliseconds per call
 * @param minMs          fastest round, per call
 * @param maxMs          slowest round, per call
 * @param rounds         rounds timed
 * @param callsPerReplay calls in one timed replay
 * @param operandSets    operand copies the calls rotate over
 * @param graph          true when the calls were replayed as a CUDA graph (false: enqueued one by
 *                       one because capture failed; host launch gaps are then in the time)
 */
public record GemmBenchMeasurement(String kernel, KernelProvider provider, double medianMs, double minMs,
    double maxMs, int rounds, int callsPerReplay, int operandSets, boolean graph) {

  public GemmBenchMeasurement {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(provider, "provider");
    if (!(medianMs > 0) || Double.isInfinite(medianMs)) {
      throw new IllegalArgumentException("medianMs must be positive and finite, got " + medianMs);
    }
    if (!(minMs > 0) || minMs > medianMs || maxMs < medianMs || Double.isInfinite(maxMs)) {
      throw new IllegalArgumentException("need 0 < minMs <= medianMs <= maxMs < inf, got " + minMs + ", " + medianMs
          + ", " + maxMs);
    }
    if (rounds < 1 || callsPerReplay < 1 || operandSets < 1) {
      throw new IllegalArgumentException("rounds, callsPerReplay and operandSets must be >= 1, got " + rounds + ", "
          + callsPerReplay + ", " + operandSets);
    }
  }

  /** A measurement from the per-call times of each round (at least one). */
  public static GemmBenchMeasurement of(String kernel, KernelProvider provider, double[] perCallMsByRound,
      int callsPerReplay, int operandSets, boolean graph) {
    Objects.requireNonNull(perCallMsByRound, "perCallMsByRound");
    if (perCallMsByRound.length == 0) {
      throw new IllegalArgumentException("no rounds were timed");
    }
    double[] s = perCallMsByRound.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new GemmBenchMeasurement(kernel, provider, median, s[0], s[n - 1], n, callsPerReplay, operandSets, graph);
  }

  /** {@code flops} per call / median time, in TFLOP/s. */
  public double tflops(double flops) {
    return flops / (medianMs * 1e-3) / 1e12;
  }

  /** (slowest - fastest round) / median: how noisy the rounds were. */
  public double spread() {
    return (maxMs - minMs) / medianMs;
  }
}
