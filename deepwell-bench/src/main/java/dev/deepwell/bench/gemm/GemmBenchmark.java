package dev.deepwell.bench.gemm;

import dev.deepwell.cli.DeepwellCli;

/**
 * The GEMM benchmark under its old entry point, for scripts that run it from
 * {@code bench/benchmarks.jar}: exactly {@code deepwell bench gemm ARGS} (the one implementation
 * is {@code dev.deepwell.gpu.gemm.CudaGemmBenchmark}, found through
 * {@link dev.deepwell.kernel.bench.GemmBenchmarkProvider}).
 *
 * <pre>java -cp benchmarks.jar dev.deepwell.bench.gemm.GemmBenchmark [--formats ...] [--passes ...]
 *     [--shapes ...] [--warmup N] [--iters N] [--rounds N] [--quick] [--json FILE]</pre>
 */
public final class GemmBenchmark {

  private GemmBenchmark() {}

  /** The arguments of {@code deepwell bench gemm} with {@code bench gemm} in front. */
  static String[] cliArgs(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "bench";
    all[1] = "gemm";
    System.arraycopy(args, 0, all, 2, args.length);
    return all;
  }

  public static void main(String[] args) {
    DeepwellCli.main(cliArgs(args));
  }
}
