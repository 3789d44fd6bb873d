package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import org.junit.jupiter.api.Test;

/** {@code deepwell bench gemm} without a GPU, and its usage errors (the GPU run is not a unit test). */
class BenchGemmCommandTest {

  @Test
  void withoutAGpuItSaysWhyInOneLineAndFails() {
    HardwareInfo hw = HardwareProbe.probe();
    assumeFalse(hw.hasGpu(), "this host has a GPU: the benchmark would run");
    CliRun r = CliRun.of("bench", "gemm");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_FAILURE);
    assertThat(r.errLines()).singleElement().asString()
        .isEqualTo("deepwell bench gemm: no usable GPU: " + hw.gpuUnavailableReason());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badListsAreOneLineUsageErrorsNamingTheEntry() {
    CliRun format = CliRun.of("bench", "gemm", "--formats", "bf16,fp16");
    assertThat(format.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(format.errLines()).singleElement().asString()
        .startsWith("deepwell bench gemm: unknown format 'fp16'")
        .endsWith("(try 'deepwell bench gemm --help')");
    CliRun shape = CliRun.of("bench", "gemm", "--shapes", "4096^3,4096x4096");
    assertThat(shape.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(shape.errLines()).singleElement().asString().contains("bad shape '4096x4096'");
    CliRun pass = CliRun.of("bench", "gemm", "--passes", "fwd,bwd");
    assertThat(pass.errLines()).singleElement().asString().contains("unknown pass 'bwd'");
    CliRun rounds = CliRun.of("bench", "gemm", "--rounds", "0");
    assertThat(rounds.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(rounds.errLines()).singleElement().asString().contains("rounds must be in [1, 1000], got 0");
    CliRun iters = CliRun.of("bench", "gemm", "--iters", "0");
    assertThat(iters.errLines()).singleElement().asString().contains("--iters must be >= 1, got 0");
    CliRun notANumber = CliRun.of("bench", "gemm", "--warmup", "x");
    assertThat(notANumber.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
  }

  @Test
  void benchAloneNamesItsBenchmarks() {
    CliRun r = CliRun.of("bench");
    assertThat(r.exitCode()).isEqualTo(DeepwellCli.EXIT_USAGE);
    assertThat(r.errLines()).singleElement().asString().startsWith("deepwell bench: missing benchmark; one of: gemm");
  }

  @Test
  void helpDescribesTheOptionsAndTheMethod() {
    CliRun r = CliRun.of("bench", "gemm", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--formats", "--passes", "--shapes", "--warmup", "--iters", "--rounds", "--quick",
        "--json", "--device", "CUDA graph", "L2", "4096^3,8192^3,model");
    assertThat(CliRun.of("--help").out()).contains("bench");
  }
}
