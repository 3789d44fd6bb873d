package dev.deepwell.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.Attrs;
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
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {

  /** x -> relu -> a -> relu -> b -> relu -> c, each [64, 64] BF16 (8192 bytes). */
  private static Graph chain() {
    Map<Integer, TensorValue> v = new LinkedHashMap<>();
    v.put(0, new TensorValue(0, "x", Shape.of(64, 64), TensorFormat.BF16, ValueKind.INPUT, -1));
    String[] names = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
      v.put(i + 1, new TensorValue(i + 1, names[i], null, TensorFormat.BF16,
          ValueKind.ACTIVATION, -1));
    }
    List<Op> ops = List.of(
        new Op(0, OpKind.RELU, "r0", LayerRole.AUXILIARY, -1, List.of(0), List.of(1),
            Attrs.empty(), null, List.of()),
        new Op(1, OpKind.RELU, "r1", LayerRole.AUXILIARY, -1, List.of(1), List.of(2),
            Attrs.empty(), null, List.of()),
        new Op(2, OpKind.RELU, "r2", LayerRole.AUXILIARY, -1, List.of(2), List.of(3),
            Attrs.empty(), null, List.of()));
    return ShapeInference.run(new Graph("chain", new Workload(1, 64, Mode.INFERENCE), ops, v,
        List.of(0), List.of(3)));
  }

  private static Engine engine(ModelSpec spec, Workload w, Precision p) {
    return GraphCompiler.compile(GraphCapture.capture(spec, w), CompileOptions.builder()
        .precision(PrecisionConfig.of(p)).target(CompileTarget.named("b200")).build());
  }

  @Test
  void chainLivenessAndOffsetsByHand() {
    MemoryPlan p = MemoryPlanner.plan(chain());
    assertThat(p.peakBytes()).isEqualTo(2 * 8192);
    assertThat(p.arenaBytes()).isEqualTo(2 * 8192);
    assertThat(p.savedBytes()).isZero();
    BufferAssignment x = p.buffer(0);
    BufferAssignment a = p.buffer(1);
    BufferAssignment b = p.buffer(2);
    BufferAssignment c = p.buffer(3);
    assertThat(List.of(x.start(), x.end(), a.start(), a.end(), b.start(), b.end(), c.start(),
        c.end())).containsExactly(0, 0, 0, 1, 1, 2, 2, 2);
    // b reuses x's bytes (their lifetimes do not meet), c reuses a's
    assertThat(b.offset()).isEqualTo(x.offset());
    assertThat(c.offset()).isEqualTo(a.offset());
    assertThat(a.offset()).isNotEqualTo(x.offset());
  }

  private static void assertSound(MemoryPlan p) {
    long saved = 0;
    for (BufferAssignment a : p.buffers()) {
      assertThat(a.offset() % MemoryPlanner.ALIGNMENT).isZero();
      assertThat(a.offset() + a.bytes()).isLessThanOrEqualTo(p.arenaBytes());
      if (a.saved()) {
        saved += a.bytes();
      }
      for (BufferAssignment b : p.buffers()) {
        if (a != b && a.overlapsInTime(b)) {
          assertThat(a.overlapsInMemory(b)).as(a.name() + " vs " + b.name()).isFalse();
        }
      }
    }
    assertThat(saved).isEqualTo(p.savedBytes());
    assertThat(p.arenaBytes()).isGreaterThanOrEqualTo(p.peakBytes());
  }

  @Test
  void plansOfRealModelsNeverOverlapLiveBuffers() {
    Engine train = engine(ModelPresets.benchmark(), new Workload(4, 1024, Mode.TRAINING),
        Precision.MXFP8);
    assertSound(train.memoryPlan());
    Engine infer = engine(ModelPresets.gpt2Small(), new Workload(2, 512, Mode.INFERENCE),
        Precision.BF16);
    assertSound(infer.memoryPlan());
    // inference keeps nothing for backward; the arena is reused block after block
    assertThat(infer.memoryPlan().savedBytes()).isZero();
    assertThat(infer.stepMemory().activations()).isEqualTo(infer.memoryPlan().peakBytes());
    assertThat(infer.stepMemory().masterWeights()).isZero();
    assertThat(infer.stepMemory().optimizerState()).isZero();
    // the peak is at the lm_head: its input and the logits, 2 T (d + V) bytes
    long t = 1024;
    assertThat(infer.memoryPlan().peakBytes()).isEqualTo(2 * t * (768 + 50257));
    assertThat(infer.memoryPlan().peakOpIndex())
        .isEqualTo(infer.graph().ops().indexOf(infer.graph().op("lm_head")));
  }

  @Test
  void trainingKeepsSavedTensorsToTheEnd() {
    Engine e = engine(ModelPresets.tiny(), new Workload(2, 32, Mode.TRAINING), Precision.BF16);
    int last = e.graph().ops().size() - 1;
    Op norm = e.graph().op("layers.1.attn_norm");
    assertThat(e.memoryPlan().buffer(norm.outputs().get(1)).end()).isEqualTo(last);
    assertThat(e.memoryPlan().buffer(norm.outputs().get(1)).saved()).isTrue();
    // the pre-rope qkv is not kept: it dies at the rope
    Op rope = e.graph().op("layers.1.attn.rope");
    BufferAssignment qkv = e.memoryPlan().buffer(rope.input(0));
    assertThat(qkv.saved()).isFalse();
    assertThat(qkv.end()).isEqualTo(e.graph().ops().indexOf(rope));
  }

  @Test
  void recomputingABlockKeepsOnlyItsInput() {
    Engine e = engine(ModelPresets.tiny(), new Workload(2, 32, Mode.TRAINING), Precision.BF16);
    Graph g = e.graph();
    MemoryPlan none = MemoryPlanner.plan(g);
    MemoryPlan one = MemoryPlanner.plan(g, Set.of(0));
    int input = MemoryPlanner.blockInput(g, 0);
    assertThat(one.buffer(input).saved()).isTrue();
    assertThat(one.recomputedBlocks()).containsExactly(0);
    assertThat(none.savedBytes() - one.savedBytes()).isEqualTo(one.recomputeBufferBytes());
    assertThat(one.recomputeBufferBytes()).isPositive();
    assertSound(one);
    MemoryPlan both = MemoryPlanner.plan(g, Set.of(0, 1));
    assertThat(both.recomputeBufferBytes()).isEqualTo(one.recomputeBufferBytes());
    assertThat(both.savedBytes()).isLessThan(one.savedBytes());
    assertThatThrownBy(() -> MemoryPlanner.plan(g, Set.of(7))).hasMessageContaining("no block 7");
    assertThatThrownBy(() -> MemoryPlanner.plan(chain(), Set.of(0)))
        .hasMessageContaining("training only");
  }

  @Test
  void weightCopiesPerFormatAndTarget() {
    CompileTarget h100 = CompileTarget.named("h100");
    CompileTarget b200 = CompileTarget.named("b200");
    assertThat(StepMemory.weightCopies(TensorFormat.MXFP8, true, b200)).isEqualTo(2);
    assertThat(StepMemory.weightCopies(TensorFormat.MXFP8, false, b200)).isEqualTo(1);
    assertThat(StepMemory.weightCopies(TensorFormat.NVFP4_2D, true, b200)).isEqualTo(1);
    assertThat(StepMemory.weightCopies(TensorFormat.FP8_BLOCK_128X128, true, h100)).isEqualTo(1);
    assertThat(StepMemory.weightCopies(TensorFormat.FP8_TENSOR, true, h100)).isEqualTo(2);
    assertThat(StepMemory.weightCopies(TensorFormat.FP8_TENSOR, true, b200)).isEqualTo(1);
    assertThat(StepMemory.weightCopies(TensorFormat.BF16, true, h100)).isEqualTo(1);
  }
}
