package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DryrunCommandTest {

  private static final class Run {
    final int code;
    final String out;
    final String err;

    Run(String... args) {
      CommandLine cmd = new CommandLine(new DryrunCommand());
      StringWriter o = new StringWriter();
      StringWriter e = new StringWriter();
      cmd.setOut(new PrintWriter(o));
      cmd.setErr(new PrintWriter(e));
      cmd.setExecutionExceptionHandler((ex, c, p) -> {
        c.getErr().println(ex.getMessage());
        return 2;
      });
      code = cmd.execute(args);
      out = o.toString();
      err = e.toString();
    }
  }

  @Test
  void reportsMemoryAndSpeedup() {
    Run r = new Run("--model", "llama-7b", "--precision", "mxfp8", "--target", "b200",
        "--seq", "4096", "--layers", "--kernels");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("Dry run: llama-7b, batch 1 x seq 4096, training, target b200")
        .contains("weights             13.882 GB").contains("expected speedup vs BF16 1.703x")
        .contains("model and assumptions").contains("DEFAULT_COMPUTE")
        .contains("cutlass.sm100.gemm.mxfp8");
  }

  @Test
  void jsonAndExport(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.json");
    Run r = new Run("--model", "tiny", "--target", "cpu", "--precision", "nvfp4", "--inference",
        "--json", "--export", plan.toString(), "--sensitive", "lm_head,embedding",
        "--override", "layers.0.mlp.down=bf16");
    assertThat(r.code).as(r.err).isZero();
    JsonObject report = JsonParser.parseString(r.out).getAsJsonObject();
    assertThat(report.get("model").getAsString()).isEqualTo("tiny");
    assertThat(report.has("speedupUnavailable")).isTrue();
    JsonObject exported = JsonParser.parseString(Files.readString(plan)).getAsJsonObject();
    assertThat(exported.getAsJsonArray("ops").size()).isPositive();
    assertThat(exported.toString()).contains("override 'layers.0.mlp.down' -> bf16");
  }

  @Test
  void badOptionsGiveOneClearMessage() {
    Run unsupported = new Run("--unsupported", "maybe");
    assertThat(unsupported.code).isNotZero();
    assertThat(unsupported.err).contains("--unsupported must be error, emulate or map");
    Run hopper = new Run("--target", "h100", "--batch", "8");
    assertThat(hopper.code).isNotZero();
    assertThat(hopper.err).contains("MXFP8 is not supported natively by target h100");
    Run override = new Run("--override", "layers.0");
    assertThat(override.err).contains("--override must be LAYER=PRECISION");
  }
}
