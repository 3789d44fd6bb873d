package dev.deepwell.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.compiler.Engine;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.TransformerSpec;
import dev.deepwell.plan.MemoryBudgetExceededException;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionReason;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import org.junit.jupiter.api.Test;

class DeepwellTest {

  private static Engine benchmarkOnB200() {
    return Deepwell.model(ModelPresets.benchmark()).precision(Precision.MXFP8)
        .sensitive("embedding", "lm_head").batch(8).seqLen(1024).target("b200").optimize();
  }

  @Test
  void fluentPathBuildsAnImmutableEngine() {
    Engine e = benchmarkOnB200();
    assertThat(e.target().name()).isEqualTo("b200");
    assertThat(e.graph().workload().batch()).isEqualTo(8);
    assertThat(e.graph().workload().mode()).isEqualTo(Mode.TRAINING);
    assertThat(e.precisionPolicy().layer("lm_head").reason()).isEqualTo(PrecisionReason.SENSITIVE);
    assertThat(e.precisionPolicy().layer("layers.0.mlp.gate_up").precision())
        .isEqualTo(Precision.MXFP8);
    assertThat(e.compiledOps()).isNotEmpty();
    assertThat(e.getKernelSummary()).contains("cutlass.sm100.gemm.mxfp8");
    assertThat(e.toJson()).contains("\"fallbackHistory\"");
  }

  @Test
  void lowerLevelPathGivesTheSameEngine() {
    Engine fluent = benchmarkOnB200();
    Graph ir = Deepwell.capture(ModelPresets.benchmark(), 8, 1024, Mode.TRAINING);
    Engine low = Deepwell.compile(ir, PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
        .sensitive("embedding", "lm_head").build(), 100);
    assertThat(low.target().name()).isEqualTo("b200");
    assertThat(low.precisionPolicy().layerPrecisions())
        .isEqualTo(fluent.precisionPolicy().layerPrecisions());
    assertThat(low.graph().ops()).extracting(Op::name)
        .containsExactlyElementsOf(fluent.graph().ops().stream().map(Op::name).toList());
    for (int i = 0; i < low.graph().ops().size(); i++) {
      assertThat(low.bindings().get(i).kernel().id())
          .isEqualTo(fluent.bindings().get(i).kernel().id());
    }
    Engine kept = Deepwell.compile(ir, fluent.precisionPolicy(), 100);
    assertThat(kept.precisionPolicy()).isSameAs(fluent.precisionPolicy());
    Engine cpu = Deepwell.compile(Deepwell.capture(ModelPresets.tiny()),
        PrecisionConfig.of(Precision.NVFP4), 0);
    assertThat(cpu.target().isCpu()).isTrue();
    assertThat(Deepwell.capture(ModelPresets.tiny()).workload().seqLen()).isEqualTo(64);
  }

  @Test
  void builderValidatesAndNamesTheField() {
    assertThatThrownBy(() -> Deepwell.model("benchmark").batch(0))
        .hasMessageContaining("batch must be > 0, got 0");
    assertThatThrownBy(() -> Deepwell.model("benchmark").seqLen(-1))
        .hasMessageContaining("seqLen must be > 0");
    assertThatThrownBy(() -> Deepwell.model("benchmark").seqLen(2048).target("cpu").optimize())
        .hasMessageContaining("seqLen 2048 exceeds the maximum sequence length 1024");
    assertThatThrownBy(() -> Deepwell.model("benchmark").memoryBudgetGb(0))
        .hasMessageContaining("memoryBudgetGb");
    assertThatThrownBy(() -> Deepwell.model("benchmark").target("a100"))
        .hasMessageContaining("unknown target 'a100'");
    assertThatThrownBy(() -> Deepwell.model("llama-13b"))
        .hasMessageContaining("unknown model preset");
    assertThatThrownBy(() -> Deepwell.model("benchmark").autoFallback(-1))
        .hasMessageContaining("fallbackThreshold");
    assertThatThrownBy(() -> TransformerSpec.builder(dev.deepwell.model.Architecture.LLAMA)
        .vocabSize(10).dModel(100).layers(1).heads(3).ffnHidden(8).maxSeqLen(8).build())
        .hasMessageContaining("heads 3 does not divide dModel 100");
  }

  @Test
  void badInputBecomesAClearErrorOrWarning() {
    Engine warned = Deepwell.model("benchmark").precision(Precision.MXFP8)
        .sensitive("lm-head").batch(8).target("b200").optimize();
    assertThat(warned.warnings()).singleElement().asString()
        .contains("'lm-head' matches no layer").contains("lm_head");
    assertThatThrownBy(() -> Deepwell.model("benchmark").precision(Precision.NVFP4).batch(8)
        .target("h100").optimize()).hasMessageContaining("NVFP4 is not supported natively");
    Engine emulated = Deepwell.model("benchmark").precision(Precision.NVFP4).batch(8)
        .target("h100").unsupportedPrecision(UnsupportedPrecisionMode.EMULATE).optimize();
    assertThat(emulated.precisionPolicy().layer("layers.0.attn.qkv").emulated()).isTrue();
    assertThatThrownBy(() -> Deepwell.model("benchmark").precision(Precision.MXFP8).batch(64)
        .target("b200").memoryBudgetGb(3).optimize())
        .isInstanceOf(MemoryBudgetExceededException.class)
        .hasMessageContaining("sequences per batch would fit");
  }

  @Test
  void dryrunThroughTheDsl() {
    DryRunReport r = Deepwell.dryrun(benchmarkOnB200());
    assertThat(r.speedupVsBf16()).isPresent();
    assertThat(r.render()).contains("memory (1 GB = 10^9 bytes)");
  }

  @Test
  void defaultTargetIsTheProbedHardware() {
    Engine e = Deepwell.model("tiny").seqLen(16).optimize();
    assertThat(e.target()).isEqualTo(CompileTarget.probed(HardwareProbe.probe()));
  }
}
