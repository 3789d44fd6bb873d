package dev.deepwell.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.bench.GemmBenchCase;
import dev.deepwell.kernel.bench.GemmBenchMeasurement;
import dev.deepwell.kernel.bench.GemmBenchResult;
import dev.deepwell.kernel.bench.GemmBenchShape;
import dev.deepwell.kernel.bench.GemmBenchSpec;
import dev.deepwell.kernel.bench.GemmPass;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class GemmBenchTableTest {

  static final GemmBenchShape CUBE = GemmBenchShape.cube(1000); // 2e9 flops

  static GemmBenchMeasurement ms(String kernel, KernelProvider p, double ms) {
    return GemmBenchMeasurement.of(kernel, p, new double[] {ms, ms * 1.1, ms * 0.9}, 20, 3, true);
  }

  static final GemmBenchResult BF16 = new GemmBenchResult(new GemmBenchCase(CUBE, GemmPass.FWD, GemmInput.BF16),
      ms("cutlass_sm90_bf16_coop_128x256x64_c2x1", KernelProvider.CUTLASS, 0.004), null,
      ms("cublaslt_bf16", KernelProvider.CUBLASLT, 0.005), null, List.of());
  static final GemmBenchResult BLOCK = new GemmBenchResult(
      new GemmBenchCase(CUBE, GemmPass.FWD, GemmInput.FP8_BLOCK128),
      ms("cutlass_sm90_fp8_block128_coop_128x128x128_c1x2", KernelProvider.CUTLASS, 0.0025), null, null,
      "cublaslt cannot run it: no fp8-block128 kernel in this build", List.of("ours fell back to nothing"));
  static final GemmBenchResult NONE = new GemmBenchResult(new GemmBenchCase(CUBE, GemmPass.FWD, GemmInput.NVFP4),
      null, "no GPU kernel: K odd", null, "no nvfp4 kernel", List.of());

  static String print(java.util.function.Consumer<PrintWriter> f) {
    StringWriter s = new StringWriter();
    PrintWriter w = new PrintWriter(s);
    f.accept(w);
    w.flush();
    return s.toString();
  }

  @Test
  void rowsShowThroughputRatiosAndWhatDidNotRun() {
    List<GemmBenchResult> all = List.of(BF16, BLOCK, NONE);
    String out = print(w -> GemmBenchTable.rows(w, all, all));
    List<String> lines = out.lines().toList();
    // 2e9 flops / 4 us = 500 TFLOP/s; cuBLASLt 400; ratio 1.25.
    assertThat(lines.get(0)).startsWith("1000^3").contains("fwd", "bf16", "cutlass_sm90_bf16_coop_128x256x64_c2x1",
        "500.0", "400.0", "1.25").endsWith("n/a");
    // FP8 block: 800 TFLOP/s, no cuBLASLt, 1.60 x our BF16.
    assertThat(lines.get(1)).contains("fp8-block128", "800.0", "n/a", "1.60");
    assertThat(lines.get(2)).isEqualTo("    ours fell back to nothing");
    assertThat(lines.get(3)).startsWith("1000^3").contains("nvfp4", " - ");
    assertThat(lines.get(4)).isEqualTo("    ours did not run: no GPU kernel: K odd");
    assertThat(lines).hasSize(5);
  }

  @Test
  void theHeaderNamesTheDeviceTheMethodAndTheColumns() {
    GemmBenchSpec spec = GemmBenchSpec.builder().build();
    String out = print(w -> GemmBenchTable.header(w, "NVIDIA H100 (GPU 0)", "2026-11-26T10:00:00Z", spec));
    assertThat(out).contains("GEMM benchmark on NVIDIA H100 (GPU 0), 2026-11-26T10:00:00Z",
        "method: " + spec.describeMethod(), "ours TF/s", "cuBLASLt", "ratio", "vs bf16");
  }

  @Test
  void theSummaryIsOneGeomeanLinePerFormat() {
    String out = print(w -> GemmBenchTable.summary(w, List.of(BF16, BLOCK, NONE)));
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).containsExactly(
        "geomean bf16          ours 500.0 TFLOP/s (1 of 1 rows); ours/cuBLASLt 1.250 (1 rows)",
        "geomean fp8-block128  ours 800.0 TFLOP/s (1 of 1 rows); ours/cuBLASLt n/a (0 rows); ours/bf16 1.600 (1 rows)",
        "geomean nvfp4         ours n/a TFLOP/s (0 of 1 rows); ours/cuBLASLt n/a (0 rows); ours/bf16 n/a (0 rows)");
  }

  @Test
  void jsonHasEveryRowWithNullsForWhatWasNotMeasured() {
    GemmBenchSpec spec = GemmBenchSpec.builder().build();
    JsonObject root = JsonParser.parseString(Json.PRETTY.toJson(
        GemmBenchTable.json("dev", "when", spec, List.of(BF16, BLOCK, NONE)))).getAsJsonObject();
    assertThat(root.get("device").getAsString()).isEqualTo("dev");
    assertThat(root.getAsJsonObject("spec").get("rounds").getAsInt()).isEqualTo(7);
    JsonObject bf16 = root.getAsJsonArray("results").get(0).getAsJsonObject();
    assertThat(bf16.getAsJsonObject("ours").get("tflops").getAsDouble()).isCloseTo(500, org.assertj.core.data
        .Offset.offset(1e-9));
    assertThat(bf16.getAsJsonObject("ours").get("cuda_graph").getAsBoolean()).isTrue();
    assertThat(bf16.get("ratio_to_cublaslt").getAsDouble()).isCloseTo(1.25, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(bf16.get("ratio_to_bf16").isJsonNull()).isTrue();
    JsonObject block = root.getAsJsonArray("results").get(1).getAsJsonObject();
    assertThat(block.get("cublaslt").isJsonNull()).isTrue();
    assertThat(block.get("cublaslt_unavailable").getAsString()).contains("no fp8-block128 kernel");
    assertThat(block.get("ratio_to_bf16").getAsDouble()).isCloseTo(1.6, org.assertj.core.data.Offset.offset(1e-12));
    JsonObject none = root.getAsJsonArray("results").get(2).getAsJsonObject();
    assertThat(none.get("ours").isJsonNull()).isTrue();
    assertThat(none.get("ours_unavailable").getAsString()).isEqualTo("no GPU kernel: K odd");
    assertThat(root.getAsJsonArray("geomeans")).hasSize(3);
  }
}
