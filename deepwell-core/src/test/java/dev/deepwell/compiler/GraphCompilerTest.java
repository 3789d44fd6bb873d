package dev.deepwell.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.ShapeInference;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.plan.MemoryBudgetExceededException;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionPolicy;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import org.junit.jupiter.api.Test;

class GraphCompilerTest {

  private static final Graph BENCH = GraphCapture.capture(ModelPresets.benchmark(),
      new Workload(8, 1024, Mode.TRAINING));

  @Test
  void engineExposesOpsSummaryAndJson() {
    Engine e = GraphCompiler.compile(BENCH, CompileOptions.builder()
        .precision(PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
            .sensitive("lm_hed").build()).target(CompileTarget.named("b200")).build());
    assertThat(e.compiledOps()).hasSize(e.graph().ops().size());
    assertThat(e.compiledOps().get(0).binding().opName()).isEqualTo("embedding");
    String summary = e.getKernelSummary();
    assertThat(summary).contains("layers.11.mlp.down").contains("cutlass.sm100.gemm.mxfp8")
        .contains("kernels per provider");
    assertThat(e.warnings()).anyMatch(w -> w.contains("'lm_hed'") && w.contains("lm_head"));
    JsonObject json = JsonParser.parseString(e.toJson()).getAsJsonObject();
    assertThat(json.get("model").getAsString()).isEqualTo("benchmark");
    assertThat(json.getAsJsonObject("target").get("name").getAsString()).isEqualTo("b200");
    assertThat(json.getAsJsonArray("ops")).hasSize(e.graph().ops().size());
    assertThat(json.getAsJsonObject("precision").getAsJsonArray("layers")).hasSize(87);
    assertThat(json.getAsJsonObject("memory").get("totalBytes").getAsLong())
        .isEqualTo(e.stepMemory().total());
    assertThat(json.getAsJsonObject("memory").getAsJsonArray("buffers"))
        .hasSize(e.memoryPlan().buffers().size());
    assertThat(json.getAsJsonArray("warnings")).hasSize(1);
    assertThat(e.capturedGraph()).isSameAs(BENCH);
  }

  @Test
  void compilingWithAPolicyHonoursIt() {
    CompileOptions opts = CompileOptions.builder().precision(PrecisionConfig.of(Precision.MXFP8))
        .target(CompileTarget.named("b200")).build();
    PrecisionPolicy p = PrecisionAssigner.assign(ShapeInference.run(BENCH), opts.precision(),
        opts.target());
    Engine e = GraphCompiler.compile(BENCH, p, opts);
    assertThat(e.precisionPolicy()).isSameAs(p);
    Graph other = GraphCapture.capture(ModelPresets.gpt2Small(),
        new Workload(1, 8, Mode.TRAINING));
    assertThatThrownBy(() -> GraphCompiler.compile(other, p, opts))
        .hasMessageContaining("no precision for layer 'position_embedding'");
  }

  @Test
  void emulatedLayersAreVisibleInTheSummary() {
    Engine e = GraphCompiler.compile(BENCH, CompileOptions.builder()
        .precision(PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
            .unsupportedPrecision(UnsupportedPrecisionMode.EMULATE).build())
        .target(CompileTarget.named("h100")).build());
    // Hopper has no block-scaled MMA: MXFP8 GEMMs run on BF16 copies in the CUTLASS kernel.
    assertThat(e.getKernelSummary()).contains("cutlass.sm90.gemm.mxfp8").contains("(emulated)");
    assertThat(e.warnings()).isEmpty();
  }

  @Test
  void memoryBudgetChoosesRecomputationOrFailsClearly() {
    CompileOptions.Builder b = CompileOptions.builder().precision(PrecisionConfig.of(
        Precision.MXFP8)).target(CompileTarget.named("b200"));
    Engine free = GraphCompiler.compile(BENCH, b.build());
    long total = free.stepMemory().total();
    assertThat(free.memoryPlan().recomputedBlocks()).isEmpty();
    Engine tight = GraphCompiler.compile(BENCH, b.memoryBudgetBytes(total * 3 / 4).build());
    assertThat(tight.memoryPlan().recomputedBlocks()).isNotEmpty();
    assertThat(tight.stepMemory().total()).isLessThanOrEqualTo(total * 3 / 4);
    assertThat(tight.compileLog()).anyMatch(l -> l.contains("recomputing"));
    long fixed = free.stepMemory().weights() + free.stepMemory().masterWeights()
        + free.stepMemory().gradients() + free.stepMemory().optimizerState();
    assertThatThrownBy(() -> GraphCompiler.compile(BENCH, b.memoryBudgetBytes(fixed + 1_000_000)
        .build())).isInstanceOf(MemoryBudgetExceededException.class)
        .hasMessageContaining("batch 8 x seqLen 1024 needs")
        .hasMessageContaining("even with all 12 blocks recomputed");
  }

  @Test
  void overMemoryWithoutBudgetIsAWarning() {
    Engine e = GraphCompiler.compile(GraphCapture.capture(ModelPresets.llama70B(),
        new Workload(1, 4096, Mode.TRAINING)), CompileOptions.builder()
        .precision(PrecisionConfig.of(Precision.MXFP8)).target(CompileTarget.named("b200"))
        .build());
    assertThat(e.warnings()).anyMatch(w -> w.contains("b200 (sm_100) has 193.27 GB"));
  }
}
