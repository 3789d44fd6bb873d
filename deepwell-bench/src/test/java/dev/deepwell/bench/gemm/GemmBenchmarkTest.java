package dev.deepwell.bench.gemm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.cli.DeepwellCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The old entry point is the CLI command (the benchmark's own tests are in deepwell-core and deepwell-dsl). */
class GemmBenchmarkTest {

  @Test
  void argumentsGoToBenchGemm() {
    assertThat(GemmBenchmark.cliArgs("--quick", "--json", "x.json"))
        .containsExactly("bench", "gemm", "--quick", "--json", "x.json");
    assertThat(GemmBenchmark.cliArgs()).containsExactly("bench", "gemm");
  }

  @Test
  void theCliKnowsTheCommandItDelegatesTo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DeepwellCli.execute(new PrintWriter(out), new PrintWriter(err), GemmBenchmark.cliArgs("--help"));
    assertThat(code).isZero();
    assertThat(out.toString()).contains("--formats", "--passes", "--shapes", "--iters", "--rounds", "--json");
  }
}
