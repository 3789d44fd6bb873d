package dev.deepwell.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.ir.Attrs;
import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.LayerRole;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.ShapeInference;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PassesTest {

  private static Engine compile(Mode mode, Precision p) {
    return GraphCompiler.compile(GraphCapture.capture(ModelPresets.tiny(),
        new Workload(2, 32, mode)), CompileOptions.builder().precision(PrecisionConfig.builder()
        .defaultCompute(p).build()).target(CompileTarget.cpu()).build());
  }

  @Test
  void lowPrecisionGemmsGetQuantizedOperandsAndFusedProducers() {
    Graph g = compile(Mode.TRAINING, Precision.MXFP8).graph();
    Op qkv = g.op("layers.0.attn.qkv");
    TensorValue x = g.value(qkv.input(0));
    TensorValue w = g.value(qkv.input(1));
    assertThat(x.format()).isEqualTo(TensorFormat.MXFP8);
    assertThat(w.kind()).isEqualTo(ValueKind.WEIGHT_COPY);
    assertThat(w.format()).isEqualTo(TensorFormat.MXFP8);
    assertThat(g.value(w.sourceParam()).name()).isEqualTo("layers.0.attn.qkv.weight");
    // norm + quantize: the norm writes the MXFP8 operand itself
    Op norm = g.producer(qkv.input(0));
    assertThat(norm.kind()).isEqualTo(OpKind.RMSNORM);
    assertThat(norm.fused()).containsExactly(Fusion.QUANTIZE_OUTPUT);
    // activation + quantize for the down projection
    Op act = g.producer(g.op("layers.0.mlp.down").input(0));
    assertThat(act.kind()).isEqualTo(OpKind.SWIGLU);
    assertThat(act.fused()).containsExactly(Fusion.QUANTIZE_OUTPUT);
    // attention output has two readers? no: one, so a standalone QUANTIZE feeds o_proj
    Op oq = g.producer(g.op("layers.0.attn.o_proj").input(0));
    assertThat(oq.kind()).isEqualTo(OpKind.QUANTIZE);
    // residual adds folded into o_proj and down
    assertThat(g.op("layers.0.attn.o_proj").fused()).containsExactly(Fusion.RESIDUAL_ADD);
    assertThat(g.op("layers.0.mlp.down").fused()).containsExactly(Fusion.RESIDUAL_ADD);
    assertThat(g.ops()).noneMatch(op -> op.kind() == OpKind.ADD);
    // lm_head stays BF16: reads the parameter itself
    assertThat(g.value(g.op("lm_head").input(1)).kind()).isEqualTo(ValueKind.PARAMETER);
  }

  @Test
  void bf16GraphHasNoQuantizeOps() {
    Graph g = compile(Mode.INFERENCE, Precision.BF16).graph();
    assertThat(g.ops()).noneMatch(op -> op.kind() == OpKind.QUANTIZE);
    assertThat(g.valuesOfKind(ValueKind.WEIGHT_COPY)).isEmpty();
    assertThat(g.op("layers.1.attn_norm").fused()).isEmpty();
  }

  @Test
  void fp32ModelStoresEverythingInFp32() {
    Graph g = compile(Mode.INFERENCE, Precision.FP32).graph();
    assertThat(g.values().values()).allMatch(v -> v.format() == TensorFormat.FP32
        || v.format() == TensorFormat.INT32);
  }

  @Test
  void geluEpilogueKeepsThePreActivationForTraining() {
    Graph inference = GraphCompiler.compile(GraphCapture.capture(ModelPresets.gpt2Small(),
        new Workload(1, 8, Mode.INFERENCE)), CompileOptions.builder().build()).graph();
    Op fc = inference.op("layers.0.mlp.fc");
    assertThat(fc.fused()).containsExactly(Fusion.GELU);
    assertThat(fc.outputs()).hasSize(1);
    assertThat(inference.ops()).noneMatch(op -> op.kind() == OpKind.GELU);
    Graph training = GraphCompiler.compile(GraphCapture.capture(ModelPresets.gpt2Small(),
        new Workload(1, 8, Mode.TRAINING)), CompileOptions.builder().build()).graph();
    assertThat(training.op("layers.0.mlp.fc").outputs()).hasSize(2);
  }

  /** x -> a (used), x -> b (unused), both MXFP8 with the same weight. */
  private static Graph branching() {
    Map<Integer, TensorValue> v = new LinkedHashMap<>();
    v.put(0, new TensorValue(0, "x", Shape.of(64, 64), TensorFormat.BF16, ValueKind.INPUT, -1));
    v.put(1, new TensorValue(1, "w", Shape.of(64, 64), TensorFormat.BF16, ValueKind.PARAMETER,
        -1));
    v.put(2, new TensorValue(2, "wb", Shape.of(64, 64), TensorFormat.BF16, ValueKind.PARAMETER,
        -1));
    v.put(3, new TensorValue(3, "a", null, TensorFormat.BF16, ValueKind.ACTIVATION, -1));
    v.put(4, new TensorValue(4, "b", null, TensorFormat.BF16, ValueKind.ACTIVATION, -1));
    Attrs noBias = Attrs.empty().with(Attrs.HAS_BIAS, false);
    List<Op> ops = List.of(
        new Op(0, OpKind.LINEAR, "a", LayerRole.CUSTOM, -1, List.of(0, 1), List.of(3), noBias,
            Precision.MXFP8, List.of()),
        new Op(1, OpKind.LINEAR, "b", LayerRole.CUSTOM, -1, List.of(0, 2), List.of(4), noBias,
            Precision.MXFP8, List.of()));
    return ShapeInference.run(new Graph("branch", new Workload(1, 64, Mode.INFERENCE), ops, v,
        List.of(0), List.of(3)));
  }

  @Test
  void quantizeOpsAreSharedBetweenReadersOfOneValue() {
    CompileLog log = new CompileLog();
    Graph q = new QuantizeInsertionPass(true).run(branching(), log);
    assertThat(q.ops().stream().filter(op -> op.kind() == OpKind.QUANTIZE)).hasSize(1);
    assertThat(q.op("a").input(0)).isEqualTo(q.op("b").input(0));
    assertThat(q.valuesOfKind(ValueKind.WEIGHT_COPY)).hasSize(2);
    assertThat(log.entries()).anyMatch(e -> e.contains("1 quantize ops, 2 quantized weight"));
  }

  @Test
  void deadCodeIsRemovedWithItsParameters() {
    CompileLog log = new CompileLog();
    Graph q = new QuantizeInsertionPass(true).run(branching(), log);
    Graph d = new DeadCodeEliminationPass().run(q, log);
    assertThat(d.ops()).extracting(Op::name).containsExactly("a.quantize", "a");
    assertThat(d.values().values()).extracting(TensorValue::name)
        .doesNotContain("b", "wb", "wb@mxfp8").contains("x", "w", "w@mxfp8", "a");
    assertThat(log.entries()).anyMatch(e -> e.contains("removed b (LINEAR)"));
  }
}
