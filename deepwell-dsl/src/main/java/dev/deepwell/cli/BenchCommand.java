package dev.deepwell.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code deepwell bench}: benchmarks on this host's GPU; the work is in its subcommands. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Benchmarks on this host's GPU (see docs/PERFORMANCE.md for recorded results).",
    subcommands = {BenchGemmCommand.class})
final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing benchmark; one of: gemm");
  }
}
