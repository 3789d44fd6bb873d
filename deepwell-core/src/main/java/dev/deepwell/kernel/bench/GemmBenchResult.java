package dev.deepwell.kernel.bench;

import java.util.List;
import java.util.Objects;

/**
 * One row of the benchmark: a case, Deepwell's kernel on it ("ours": the kernel registry's choice
 * with cuBLASLt disabled, so CUTLASS where it can run, else the reference CUDA kernel) and
 * cuBLASLt on the same operands in the same rounds.
 *
 * @param benchCase           the case
 * @param ours                our kernel's time, or null when none ran ({@code oursUnavailable} says why)
 * @param oursUnavailable     why there is no {@code ours}; null when measured
 * @param cublasLt            cuBLASLt's time, or null ({@code cublasLtUnavailable} says why)
 * @param cublasLtUnavailable why there is no {@code cublasLt} (e.g. no kernel for the format on
 *                            this GPU); null when measured
 * @param notes               what else the table should say: fallbacks, a failed graph capture,
 *                            an output check that failed
 */
public record GemmBenchResult(GemmBenchCase benchCase, GemmBenchMeasurement ours, String oursUnavailable,
    GemmBenchMeasurement cublasLt, String cublasLtUnavailable, List<String> notes) {

  public GemmBenchResult {
    Objects.requireNonNull(benchCase, "benchCase");
    if ((ours == null) == (oursUnavailable == null)) {
      throw new IllegalArgumentException("exactly one of ours and oursUnavailable must be given");
    }
    if ((cublasLt == null) == (cublasLtUnavailable == null)) {
      throw new IllegalArgumentException("exactly one of cublasLt and cublasLtUnavailable must be given");
    }
    notes = List.copyOf(Objects.requireNonNull(notes, "notes"));
  }

  /** Our TFLOP/s, NaN when ours did not run. */
  public double oursTflops() {
    return ours == null ? Double.NaN : ours.tflops(benchCase.problem().flops());
  }

  /** cuBLASLt's TFLOP/s, NaN when it did not run. */
  public double cublasLtTflops() {
    return cublasLt == null ? Double.NaN : cublasLt.tflops(benchCase.problem().flops());
  }

  /** Ours / cuBLASLt in throughput (> 1: ours is faster); NaN when either is missing. */
  public double ratioToCublasLt() {
    return oursTflops() / cublasLtTflops();
  }
}
