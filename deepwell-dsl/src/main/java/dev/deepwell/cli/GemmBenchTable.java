package dev.deepwell.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.bench.GemmBenchCase;
import dev.deepwell.kernel.bench.GemmBenchMeasurement;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import dev.deepwell.kernel.bench.GemmBenchSummary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@code deepwell bench gemm} shows results: a text table (rows as groups finish, geometric
 * means at the end) and a JSON document. "ratio" is ours / cuBLASLt, "vs bf16" ours / our BF16
 * kernel at the same shape and pass (for every format but BF16), both in throughput.
 */
final class GemmBenchTable {

  static final String ROW = "%-16s %-6s %-13s %-52s %9s %9s %6s %7s%n";

  private GemmBenchTable() {}

  static void header(PrintWriter out, String device, String when, GemmBenchSpec spec) {
    out.println("GEMM benchmark on " + device + ", " + when);
    out.println("method: " + spec.describeMethod());
    out.println("ours: Deepwell's kernel (CUTLASS where it runs, else the reference CUDA kernel); ratio = ours / "
        + "cuBLASLt; vs bf16 = ours / our BF16 at the same shape and pass (TFLOP/s = 2MNK / median time per call)");
    out.printf(Locale.ROOT, ROW, "shape (fwd MxNxK)", "pass", "format", "our kernel", "ours TF/s", "cuBLASLt",
        "ratio", "vs bf16");
  }

  /** The rows of one group; {@code all} is every result so far (the BF16 row of a shape is among them). */
  static void rows(PrintWriter out, List<GemmBenchResult> group, List<GemmBenchResult> all) {
    GemmBenchSummary summary = GemmBenchSummary.of(all);
    for (GemmBenchResult r : group) {
      GemmBenchCase c = r.benchCase();
      out.printf(Locale.ROOT, ROW, c.shape().label(), c.pass().displayName(), c.input().displayName(),
          r.ours() == null ? "-" : r.ours().kernel(), number(r.oursTflops(), "%.1f"),
          number(r.cublasLtTflops(), "%.1f"), number(r.ratioToCublasLt(), "%.2f"),
          number(summary.ratioToBf16(r), "%.2f"));
      if (r.ours() == null) {
        out.println("    ours did not run: " + r.oursUnavailable());
      }
      for (String note : r.notes()) {
        out.println("    " + note);
      }
    }
    out.flush();
  }

  /** One line per format: geometric means of ours, ours / cuBLASLt and ours / BF16. */
  static void summary(PrintWriter out, List<GemmBenchResult> all) {
    out.println();
    for (GemmBenchSummary.FormatLine f : GemmBenchSummary.of(all).perFormat()) {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "geomean %-13s ours %s TFLOP/s (%d of %d rows)",
          f.format().displayName(), number(f.geomeanTflops(), "%.1f"), f.measured(), f.cases()));
      sb.append(String.format(Locale.ROOT, "; ours/cuBLASLt %s (%d rows)", number(f.vsCublasLt(), "%.3f"),
          f.vsCublasLtRows()));
      if (f.format() != GemmInput.BF16) {
        sb.append(String.format(Locale.ROOT, "; ours/bf16 %s (%d rows)", number(f.vsBf16(), "%.3f"),
            f.vsBf16Rows()));
      }
      out.println(sb);
    }
    out.flush();
  }

  /** {@code v} formatted, or "n/a" for NaN. */
  static String number(double v, String format) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
  }

  /** The whole run as one JSON document; NaN (not measured) is null. */
  static JsonObject json(String device, String when, GemmBenchSpec spec, List<GemmBenchResult> all) {
    JsonObject root = new JsonObject();
    root.addProperty("device", device);
    root.addProperty("date", when);
    root.addProperty("method", spec.describeMethod());
    JsonObject s = new JsonObject();
    s.add("formats", strings(spec.formats().stream().map(GemmInput::displayName).toList()));
    s.add("passes", strings(spec.passes().stream().map(p -> p.displayName()).toList()));
    s.add("shapes", strings(spec.shapes().stream().map(x -> x.label()).toList()));
    s.addProperty("warmup", spec.warmup());
    s.addProperty("rounds", spec.rounds());
    s.addProperty("calls", spec.calls());
    s.addProperty("replay_ms", spec.replayMillis());
    root.add("spec", s);
    GemmBenchSummary summary = GemmBenchSummary.of(all);
    JsonArray rows = new JsonArray();
    for (GemmBenchResult r : all) {
      GemmBenchCase c = r.benchCase();
      JsonObject o = new JsonObject();
      o.addProperty("shape", c.shape().label());
      o.addProperty("pass", c.pass().displayName());
      o.addProperty("m", c.m());
      o.addProperty("n", c.n());
      o.addProperty("k", c.k());
      o.addProperty("format", c.input().displayName());
      o.add("ours", measurement(r.ours(), r.oursTflops()));
      o.add("ours_unavailable", text(r.oursUnavailable()));
      o.add("cublaslt", measurement(r.cublasLt(), r.cublasLtTflops()));
      o.add("cublaslt_unavailable", text(r.cublasLtUnavailable()));
      o.add("ratio_to_cublaslt", num(r.ratioToCublasLt()));
      o.add("ratio_to_bf16", num(summary.ratioToBf16(r)));
      o.add("notes", strings(r.notes()));
      rows.add(o);
    }
    root.add("results", rows);
    JsonArray geo = new JsonArray();
    for (GemmBenchSummary.FormatLine f : summary.perFormat()) {
      JsonObject o = new JsonObject();
      o.addProperty("format", f.format().displayName());
      o.addProperty("rows", f.cases());
      o.addProperty("measured", f.measured());
      o.add("geomean_tflops", num(f.geomeanTflops()));
      o.add("geomean_ratio_to_cublaslt", num(f.vsCublasLt()));
      o.addProperty("ratio_to_cublaslt_rows", f.vsCublasLtRows());
      o.add("geomean_ratio_to_bf16", num(f.vsBf16()));
      o.addProperty("ratio_to_bf16_rows", f.vsBf16Rows());
      geo.add(o);
    }
    root.add("geomeans", geo);
    return root;
  }

  private static JsonElement measurement(GemmBenchMeasurement m, double tflops) {
    if (m == null) {
      return JsonNull.INSTANCE;
    }
    JsonObject o = new JsonObject();
    o.addProperty("kernel", m.kernel());
    o.addProperty("provider", m.provider().displayName());
    o.addProperty("median_ms", m.medianMs());
    o.addProperty("min_ms", m.minMs());
    o.addProperty("max_ms", m.maxMs());
    o.addProperty("tflops", tflops);
    o.addProperty("rounds", m.rounds());
    o.addProperty("calls_per_replay", m.callsPerReplay());
    o.addProperty("operand_sets", m.operandSets());
    o.addProperty("cuda_graph", m.graph());
    return o;
  }

  private static JsonElement num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
  }

  private static JsonElement text(String s) {
    return s == null ? JsonNull.INSTANCE : new JsonPrimitive(s);
  }

  private static JsonArray strings(List<String> l) {
    JsonArray a = new JsonArray();
    for (String s : new ArrayList<>(l)) {
      a.add(s);
    }
    return a;
  }
}
