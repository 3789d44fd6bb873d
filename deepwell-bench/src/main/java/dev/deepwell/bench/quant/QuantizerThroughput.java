package dev.deepwell.bench.quant;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link QuantizerBenchmark} and prints its throughput as GB/s and elements/s as well as
 * operations/s: {@code java -cp target/benchmarks.jar dev.deepwell.bench.quant.QuantizerThroughput
 * [JMH options, e.g. -f 1 -wi 2 -i 3 -p format=nvfp4]}.
 */
public final class QuantizerThroughput {

  private QuantizerThroughput() {}

  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    CommandLineOptions cli = new CommandLineOptions(args);
    OptionsBuilder builder = new OptionsBuilder();
    builder.parent(cli);
    // The GB/s column assumes ops/s; these two are fixed whatever the command line says.
    builder.mode(Mode.Throughput);
    builder.timeUnit(TimeUnit.SECONDS);
    if (cli.getIncludes().isEmpty()) {
      builder.include(QuantizerBenchmark.class.getName() + ".quantize");
    }
    Collection<RunResult> results = new Runner(builder.build()).run();

    System.out.println();
    System.out.println("format       axis  rows x cols     ops/s     +-err   Melem/s    GB/s"
        + "   (GB/s = (4 B read + packed bytes written) per element x elem/s)");
    for (RunResult run : results) {
      var params = run.getParams();
      String format = params.getParam("format");
      String axis = params.getParam("axis");
      int rows = Integer.parseInt(params.getParam("rows"));
      int cols = Integer.parseInt(params.getParam("cols"));
      Result<?> primary = run.getPrimaryResult();
      double opsPerSecond = primary.getScore();
      double bytes = QuantizerBenchmark.bytesPerOperation(format, axis, rows, cols);
      System.out.printf(Locale.ROOT, "%-12s %-4s %5d x %-6d %8.2f %8.2f %9.1f %7.2f%n", format,
          axis, rows, cols, opsPerSecond, primary.getScoreError(),
          opsPerSecond * rows * cols / 1e6, opsPerSecond * bytes / 1e9);
    }
  }
}
