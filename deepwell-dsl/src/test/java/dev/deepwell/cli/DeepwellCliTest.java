package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeepwellCliTest {

  @Test
  void withoutACommandItIsAOneLineUsageError() {
    CliRun r = CliRun.of();
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell: missing command")
        .contains("probe, version, quantize, demo");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void anUnknownCommandIsAOneLineUsageError() {
    CliRun r = CliRun.of("frobnicate");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell: ")
        .contains("frobnicate")
        .endsWith("(try 'deepwell --help')");
  }

  @Test
  void anUnknownOptionOfASubcommandNamesTheSubcommand() {
    CliRun r = CliRun.of("probe", "--nope");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("deepwell probe: ")
        .contains("--nope")
        .endsWith("(try 'deepwell probe --help')");
  }

  @Test
  void helpListsTheCommands() {
    CliRun r = CliRun.of("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("probe", "version", "quantize", "demo", "--verbose");
    CliRun sub = CliRun.of("help", "quantize");
    assertThat(sub.exitCode()).isZero();
    assertThat(sub.out()).contains("--format", "--scale-layout", "--fp8-block", "--dequant");
  }

  @Test
  void versionOptionPrintsTheVersion() {
    CliRun r = CliRun.of("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("deepwell " + VersionCommand.deepwellVersion());
  }
}
