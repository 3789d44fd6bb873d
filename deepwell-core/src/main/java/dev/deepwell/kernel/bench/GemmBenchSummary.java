package dev.deepwell.kernel.bench;

import dev.deepwell.kernel.GemmInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a set of {@link GemmBenchResult}s adds up to per format: geometric means (the mean that
 * treats 2x faster and 2x slower symmetrically) of our throughput, of ours / cuBLASLt, and of
 * ours / our BF16 kernel at the same shape and pass.
 */
public final class GemmBenchSummary {

  /**
   * One format's line.
   *
   * @param format         the format
   * @param cases          rows of the format
   * @param measured       rows where ours ran
   * @param geomeanTflops  geometric mean of our TFLOP/s over those (NaN when none)
   * @param vsCublasLt     geometric mean of ours / cuBLASLt where both ran (NaN when nowhere)
   * @param vsCublasLtRows rows behind {@code vsCublasLt}
   * @param vsBf16         geometric mean of ours / our BF16 at the same shape and pass (NaN for
   *                       BF16 itself and where BF16 was not measured)
   * @param vsBf16Rows     rows behind {@code vsBf16}
   */
  public record FormatLine(GemmInput format, int cases, int measured, double geomeanTflops, double vsCublasLt,
      int vsCublasLtRows, double vsBf16, int vsBf16Rows) {}

  private final List<GemmBenchResult> results;

  private GemmBenchSummary(List<GemmBenchResult> results) {
    this.results = results;
  }

  public static GemmBenchSummary of(List<GemmBenchResult> results) {
    Objects.requireNonNull(results, "results");
    return new GemmBenchSummary(List.copyOf(results));
  }

  /**
   * Ours of {@code r} / ours of the BF16 row of the same shape and pass; NaN for a BF16 row, when
   * there is no such row, or when either did not run.
   */
  public double ratioToBf16(GemmBenchResult r) {
    Objects.requireNonNull(r, "r");
    if (r.benchCase().input() == GemmInput.BF16) {
      return Double.NaN;
    }
    for (GemmBenchResult b : results) {
      GemmBenchCase c = b.benchCase();
      if (c.input() == GemmInput.BF16 && c.shape().equals(r.benchCase().shape())
          && c.pass() == r.benchCase().pass()) {
        return r.oursTflops() / b.oursTflops();
      }
    }
    return Double.NaN;
  }

  /** One line per format, in the order the formats first appear. */
  public List<FormatLine> perFormat() {
    Map<GemmInput, List<GemmBenchResult>> by = new LinkedHashMap<>();
    for (GemmBenchResult r : results) {
      by.computeIfAbsent(r.benchCase().input(), k -> new ArrayList<>()).add(r);
    }
    List<FormatLine> out = new ArrayList<>();
    for (Map.Entry<GemmInput, List<GemmBenchResult>> e : by.entrySet()) {
      List<Double> tf = new ArrayList<>();
      List<Double> lt = new ArrayList<>();
      List<Double> bf = new ArrayList<>();
      for (GemmBenchResult r : e.getValue()) {
        add(tf, r.oursTflops());
        add(lt, r.ratioToCublasLt());
        add(bf, ratioToBf16(r));
      }
      out.add(new FormatLine(e.getKey(), e.getValue().size(), tf.size(), geomean(tf), geomean(lt), lt.size(),
          geomean(bf), bf.size()));
    }
    return out;
  }

  private static void add(List<Double> l, double v) {
    if (v > 0 && !Double.isInfinite(v)) {
      l.add(v);
    }
  }

  /** exp(mean(ln v)) of positive values; NaN for an empty list. */
  public static double geomean(List<Double> values) {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (double v : values) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("geomean needs positive finite values, got " + v);
      }
      sum += Math.log(v);
    }
    return Math.exp(sum / values.size());
  }
}
