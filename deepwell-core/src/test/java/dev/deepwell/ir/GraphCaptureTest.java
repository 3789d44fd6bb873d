package dev.deepwell.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.model.ActivationKind;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.MoeSpec;
import dev.deepwell.model.SequentialSpec;
import dev.deepwell.model.TransformerSpec;
import dev.deepwell.model.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphCaptureTest {

  private static Graph shaped(ModelSpec spec, int batch, int seq, Mode mode) {
    return ShapeInference.run(GraphCapture.capture(spec, new Workload(batch, seq, mode)));
  }

  @Test
  void llamaShapesWithGroupedQueryAttention() {
    TransformerSpec s = ModelPresets.llama70B();
    Graph g = shaped(s, 2, 128, Mode.INFERENCE);
    long t = 256;
    assertThat(g.value(g.op("layers.0.attn.qkv").output()).shape())
        .isEqualTo(Shape.of(t, (64 + 2 * 8) * 128));
    assertThat(g.value(g.op("layers.0.attn.core").output()).shape()).isEqualTo(Shape.of(t, 8192));
    assertThat(g.value(g.op("layers.79.mlp.act").output()).shape()).isEqualTo(Shape.of(t, 28672));
    assertThat(g.value(g.op("lm_head").output()).shape()).isEqualTo(Shape.of(t, 32000));
    assertThat(g.op("lm_head").role()).isEqualTo(LayerRole.LM_HEAD);
    assertThat(g.op("layers.5.attn.rope").block()).isEqualTo(5);
    assertThat(g.outputs()).containsExactly(g.op("lm_head").output());
    assertThat(g.ops()).noneMatch(op -> op.kind() == OpKind.CROSS_ENTROPY);
  }

  @Test
  void trainingAddsStatisticsAndLoss() {
    Graph g = shaped(ModelPresets.tiny(), 2, 16, Mode.TRAINING);
    Op norm = g.op("layers.0.attn_norm");
    assertThat(norm.outputs()).hasSize(2);
    assertThat(g.value(norm.outputs().get(1)).shape()).isEqualTo(Shape.of(32));
    Op attn = g.op("layers.0.attn.core");
    assertThat(g.value(attn.outputs().get(1)).shape()).isEqualTo(Shape.of(2, 4, 16));
    Op loss = g.op("loss");
    assertThat(loss.kind()).isEqualTo(OpKind.CROSS_ENTROPY);
    assertThat(g.value(loss.output()).shape()).isEqualTo(Shape.of(1));
    assertThat(g.outputs()).containsExactly(loss.output());
    assertThat(g.inputs()).hasSize(2);
  }

  @Test
  void parameterCountOfTheGraphEqualsTheSpec() {
    for (TransformerSpec s : List.of(ModelPresets.benchmark(), ModelPresets.gpt2Small(),
        ModelPresets.llama1B(), ModelPresets.tiny().toBuilder().moe(new MoeSpec(4, 2, 32))
            .build())) {
      assertThat(shaped(s, 1, 8, Mode.INFERENCE).parameterCount())
          .as(s.name()).isEqualTo(s.parameterCount());
    }
  }

  @Test
  void tiedLmHeadReadsTheEmbeddingTable() {
    Graph g = shaped(ModelPresets.gpt2Small(), 1, 8, Mode.INFERENCE);
    assertThat(g.op("lm_head").input(1)).isEqualTo(g.op("embedding").input(1));
    assertThat(g.op("position_embedding").kind()).isEqualTo(OpKind.POSITION_EMBEDDING);
    assertThat(g.op("layers.0.mlp.fc").hasBias()).isTrue();
    assertThat(g.op("layers.0.attn_norm").kind()).isEqualTo(OpKind.LAYERNORM);
  }

  @Test
  void moeShapes() {
    TransformerSpec s = ModelPresets.tiny().toBuilder().moe(new MoeSpec(4, 2, 32)).build();
    Graph g = shaped(s, 1, 8, Mode.INFERENCE);
    assertThat(g.value(g.op("layers.0.moe.router").output()).shape()).isEqualTo(Shape.of(8, 4));
    assertThat(g.value(g.op("layers.0.moe.dispatch").output()).shape())
        .isEqualTo(Shape.of(16, 64));
    assertThat(g.value(g.op("layers.0.moe.experts.gate_up").output()).shape())
        .isEqualTo(Shape.of(16, 64));
    assertThat(g.value(g.op("layers.0.moe.combine").output()).shape()).isEqualTo(Shape.of(8, 64));
    assertThat(g.op("layers.0.moe.router").role()).isEqualTo(LayerRole.ROUTER);
  }

  @Test
  void sequentialModelWithFeatures() {
    SequentialSpec s = SequentialSpec.builder("seq").maxSeqLen(8).inputFeatures(16)
        .linear("fc1", 16, 32, true).activation("act", ActivationKind.RELU)
        .attention("attn", 32, 4, 4, false, false).linear("lm_head", 32, 10, false).build();
    Graph g = shaped(s, 2, 8, Mode.INFERENCE);
    assertThat(g.value(g.inputs().get(0)).name()).isEqualTo(GraphCapture.FEATURES);
    assertThat(g.value(g.outputs().get(0)).shape()).isEqualTo(Shape.of(16, 10));
    assertThat(g.op("lm_head").role()).isEqualTo(LayerRole.LM_HEAD);
    assertThat(g.op("attn.core").attrs().getBoolean(Attrs.CAUSAL)).isFalse();
    assertThat(g.ops()).noneMatch(op -> op.kind() == OpKind.ROPE);
  }

  @Test
  void sequenceLongerThanTheModelIsRefused() {
    assertThatThrownBy(() -> GraphCapture.capture(ModelPresets.tiny(),
        new Workload(1, 65, Mode.INFERENCE)))
        .hasMessageContaining("seqLen 65 exceeds the maximum sequence length 64 of model tiny");
  }
}
