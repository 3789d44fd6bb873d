package dev.deepwell.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.deepwell.format.Bf16;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code deepwell demo}: the probe, then a quantization round trip of every format over one
 * reproducible activation-like tensor, with the storage cost and the error of each.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    sortOptions = false,
    description = {
      "Probes the hardware, then quantizes and dequantizes one synthetic activation-like FP32"
          + " tensor in every format and reports bytes per element (scales included), relative"
          + " RMS error, max abs error, SQNR and the time taken.",
      "The tensor: products g*h of two standard normals (heavy tails, many near-zero values),"
          + " log-normal per-column scales with ~1% outlier channels 10-30x larger, log-normal"
          + " per-row scales; reproducible from --seed.",
      "Formats run concurrently, one thread each (as many at once as cores and heap allow);"
          + " each time is the CPU time of its thread for one run after a short warm-up, with the"
          + " pure-Java reference quantizers. JMH figures are in docs/PERFORMANCE.md."
    })
final class DemoCommand implements Callable<Integer> {

  /** Every format's blocked dimension divides by this (FP8_BLOCK's 128 is the largest block). */
  static final int DIVISOR = 128;

  @Spec CommandSpec spec;

  @Option(names = "--rows", paramLabel = "R", defaultValue = "4096",
      description = "Rows of the tensor (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--cols", paramLabel = "C", defaultValue = "4096",
      description = "Columns of the tensor (default: ${DEFAULT-VALUE}).")
  int cols;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "20260101",
      description = "Seed of the synthetic tensor (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--axis", paramLabel = "row|col", defaultValue = "row",
      converter = QuantizeCommand.AxisConverter.class,
      description = "Direction of the scale blocks (default: ${DEFAULT-VALUE}).")
  Axis axis;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  /** One line of the report. */
  record Row(String format, double bytesPerElement, ErrorStats error, double quantizeMs,
      double dequantizeMs) {}

  @Override
  public Integer call() {
    if (rows <= 0) throw usage("--rows must be > 0, got " + rows);
    if (cols <= 0) throw usage("--cols must be > 0, got " + cols);
    int blocked = axis == Axis.ROW ? cols : rows;
    if (blocked % DIVISOR != 0) {
      throw usage((axis == Axis.ROW ? "--cols " : "--rows ") + blocked + " must be a multiple of "
          + DIVISOR + " (the largest block, fp8-block's 128) for --axis "
          + axis.name().toLowerCase(Locale.ROOT));
    }
    PrintWriter out = spec.commandLine().getOut();
    HardwareInfo hw = HardwareProbe.probe();
    if (!json) {
      out.println("Deepwell demo: quantization round trip of every format");
      ProbeCommand.printHuman(out, hw);
      out.flush();
    }

    long t0 = System.nanoTime();
    float[] x = SyntheticActivations.generate(rows, cols, seed);
    double genMs = (System.nanoTime() - t0) / 1e6;
    warmUp();
    QuantOptions options = QuantOptions.builder().axis(axis).build();
    List<Callable<Row>> tasks = new ArrayList<>();
    tasks.add(() -> bf16(x));
    for (QuantFormat f : QuantFormat.values()) {
      tasks.add(() -> roundTrip(f, x, options));
    }
    int workers = workers(tasks.size(), x.length);
    long t1 = System.nanoTime();
    List<Row> report = runAll(tasks, workers);
    double wallMs = (System.nanoTime() - t1) / 1e6;

    if (json) {
      out.println(Json.PRETTY.toJson(toJson(hw, report, genMs, workers, wallMs)));
    } else {
      out.printf(Locale.ROOT, "%nBackend: CPU, pure-Java reference quantizers, %d format(s) at"
          + " a time on %d core(s)%n", workers, Runtime.getRuntime().availableProcessors());
      out.printf(Locale.ROOT, "Tensor: %d x %d FP32, activation-like (heavy tails, outlier"
          + " channels), seed %d, axis %s, generated in %.0f ms%n%n", rows, cols, seed,
          axis.name().toLowerCase(Locale.ROOT), genMs);
      printTable(out, report);
      out.printf(Locale.ROOT, "%nAll round trips: %.0f ms wall. B/elem counts block scales and the"
          + " FP32 tensor scale; ms are CPU time of one thread.%n", wallMs);
    }
    out.flush();
    return DeepwellCli.EXIT_OK;
  }

  private Row roundTrip(QuantFormat f, float[] x, QuantOptions options) {
    Quantizer quantizer = Quantizers.forFormat(f);
    long t0 = threadTimeNanos();
    QuantizedTensor q = quantizer.quantize(x, rows, cols, options);
    long t1 = threadTimeNanos();
    float[] y = quantizer.dequantize(q);
    long t2 = threadTimeNanos();
    return new Row(f.cliName(), bytesPerElement(q), ErrorStats.compare(x, y), (t1 - t0) / 1e6,
        (t2 - t1) / 1e6);
  }

  /**
   * How many formats run at once: no more than the cores, and few enough that each one's
   * temporaries (dequantized copy, packed data, scales: about 12 bytes per element, generously)
   * fit in the heap that is left beside the input.
   */
  static int workers(int tasks, int elements) {
    Runtime rt = Runtime.getRuntime();
    long perTask = 12L * elements;
    long spare = rt.maxMemory() - 4L * elements - (rt.totalMemory() - rt.freeMemory());
    long byHeap = Math.max(1, spare / Math.max(1, perTask));
    return (int) Math.max(1, Math.min(Math.min(tasks, rt.availableProcessors()), byHeap));
  }

  /** Runs the tasks on {@code workers} threads and returns their results in task order. */
  static List<Row> runAll(List<Callable<Row>> tasks, int workers) {
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "deepwell-demo");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Row> rows = new ArrayList<>();
      for (Future<Row> f : pool.invokeAll(tasks)) {
        rows.add(f.get());
      }
      return rows;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) throw (RuntimeException) cause;
      if (cause instanceof Error) throw (Error) cause;
      throw new CliException(CliErrors.describe(cause), cause);
    } finally {
      pool.shutdownNow();
    }
  }

  /** CPU time of this thread where the JVM measures it (HotSpot does), else wall time. */
  private static long threadTimeNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (mx.isCurrentThreadCpuTimeSupported()) {
      return mx.getCurrentThreadCpuTime();
    }
    return System.nanoTime();
  }

  /** Storage per element: packed data, block scales and the 4-byte tensor scale where present. */
  static double bytesPerElement(QuantizedTensor q) {
    long bytes = (long) q.data().length + q.scales().length
        + (QuantizeCommand.hasTensorScale(q.format()) ? Float.BYTES : 0);
    return (double) bytes / ((long) q.rows() * q.cols());
  }

  /** BF16 (round to nearest even) as the reference point a 16-bit copy would give. */
  private static Row bf16(float[] x) {
    long t0 = threadTimeNanos();
    short[] codes = new short[x.length];
    for (int i = 0; i < x.length; i++) codes[i] = Bf16.encode(x[i]);
    long t1 = threadTimeNanos();
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) y[i] = Bf16.decode(codes[i]);
    long t2 = threadTimeNanos();
    return new Row("bf16", 2.0, ErrorStats.compare(x, y), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  }

  /** Runs every path once on a small tensor so the timed runs measure compiled code. */
  private void warmUp() {
    int r = 256;
    int c = 256;
    float[] w = SyntheticActivations.generate(r, c, seed ^ 0x5DEECE66DL);
    QuantOptions options = QuantOptions.builder().axis(axis).build();
    for (int rep = 0; rep < 3; rep++) {
      for (QuantFormat f : QuantFormat.values()) {
        Quantizer q = Quantizers.forFormat(f);
        q.dequantize(q.quantize(w, r, c, options));
      }
      for (float v : w) Bf16.decode(Bf16.encode(v));
    }
  }

  static void printTable(PrintWriter out, List<Row> report) {
    String head = "%-11s %7s %12s %12s %8s %9s %10s%n";
    out.printf(Locale.ROOT, head, "format", "B/elem", "rel RMS err", "max abs err", "SQNR dB",
        "quant ms", "dequant ms");
    for (Row row : report) {
      out.printf(Locale.ROOT, "%-11s %7.4f %12.3e %12.3e %8s %9.1f %10.1f%n", row.format(),
          row.bytesPerElement(), row.error().relativeRmsError(), row.error().maxAbsError(),
          db(row.error().sqnrDb()), row.quantizeMs(), row.dequantizeMs());
    }
    long bad = report.stream().mapToLong(r -> r.error().nonFinite()).sum();
    if (bad > 0) {
      out.println("warning: " + bad + " dequantized values were NaN/Inf for finite inputs");
    }
  }

  private static String db(double v) {
    return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
  }

  private JsonObject toJson(HardwareInfo hw, List<Row> report, double genMs, int workers,
      double wallMs) {
    JsonObject root = new JsonObject();
    root.add("hardware", hw.toJsonTree());
    root.addProperty("backend", "cpu-reference");
    root.addProperty("concurrentFormats", workers);
    root.addProperty("wallMs", wallMs);
    root.addProperty("timeUnit", "ms of CPU time of the thread that ran the format");
    JsonObject tensor = new JsonObject();
    tensor.addProperty("rows", rows);
    tensor.addProperty("cols", cols);
    tensor.addProperty("seed", seed);
    tensor.addProperty("axis", axis.name().toLowerCase(Locale.ROOT));
    tensor.addProperty("distribution", "activation-like: g*h of standard normals, log-normal"
        + " column scales with ~1% outlier channels, log-normal row scales");
    tensor.addProperty("generateMs", genMs);
    root.add("tensor", tensor);
    JsonArray results = new JsonArray();
    for (Row row : report) {
      JsonObject o = new JsonObject();
      o.addProperty("format", row.format());
      o.addProperty("bytesPerElement", row.bytesPerElement());
      o.addProperty("relativeRmsError", row.error().relativeRmsError());
      o.addProperty("maxAbsError", row.error().maxAbsError());
      o.addProperty("sqnrDb", Double.isInfinite(row.error().sqnrDb()) ? null : row.error().sqnrDb());
      o.addProperty("nonFinite", row.error().nonFinite());
      o.addProperty("quantizeMs", row.quantizeMs());
      o.addProperty("dequantizeMs", row.dequantizeMs());
      results.add(o);
    }
    root.add("results", results);
    return root;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
