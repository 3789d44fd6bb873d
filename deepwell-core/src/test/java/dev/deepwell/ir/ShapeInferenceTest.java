package dev.deepwell.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

  /** x [4, 8] -> linear with weight [6, k] -> relu. */
  private static Graph linearGraph(long k) {
    Map<Integer, TensorValue> v = new LinkedHashMap<>();
    v.put(0, new TensorValue(0, "x", Shape.of(4, 8), TensorFormat.BF16, ValueKind.INPUT, -1));
    v.put(1, new TensorValue(1, "w", Shape.of(6, k), TensorFormat.BF16, ValueKind.PARAMETER, -1));
    v.put(2, new TensorValue(2, "y", null, TensorFormat.BF16, ValueKind.ACTIVATION, -1));
    v.put(3, new TensorValue(3, "z", null, TensorFormat.BF16, ValueKind.ACTIVATION, -1));
    List<Op> ops = List.of(
        new Op(0, OpKind.LINEAR, "fc", LayerRole.CUSTOM, -1, List.of(0, 1), List.of(2),
            Attrs.empty().with(Attrs.HAS_BIAS, false), null, List.of()),
        new Op(1, OpKind.RELU, "act", LayerRole.AUXILIARY, -1, List.of(2), List.of(3),
            Attrs.empty(), null, List.of()));
    return new Graph("m", new Workload(1, 4, Mode.INFERENCE), ops, v, List.of(0), List.of(3));
  }

  @Test
  void infersEveryShape() {
    Graph g = ShapeInference.run(linearGraph(8));
    assertThat(g.isShaped()).isTrue();
    assertThat(g.value(2).shape()).isEqualTo(Shape.of(4, 6));
    assertThat(g.value(3).shape()).isEqualTo(Shape.of(4, 6));
    assertThat(ShapeInference.run(g).values()).isEqualTo(g.values());
  }

  @Test
  void mismatchNamesTheOpAndBothSizes() {
    assertThatThrownBy(() -> ShapeInference.run(linearGraph(7)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("op 'fc' (LINEAR)")
        .hasMessageContaining("K (input width vs weight columns) mismatch: 8 vs 7");
  }

  @Test
  void graphRefusesUseBeforeDefinition() {
    Graph g = linearGraph(8);
    List<Op> reversed = List.of(g.ops().get(1), g.ops().get(0));
    assertThatThrownBy(() -> new Graph("m", g.workload(), reversed, g.values(), g.inputs(),
        g.outputs())).hasMessageContaining("op 'act' (RELU) reads 'y' before it is produced");
    assertThatThrownBy(() -> new Graph("m", g.workload(), g.ops(), g.values(), g.inputs(),
        List.of(1))).hasMessageContaining("graph output 'w' is not produced");
  }

  @Test
  void attentionNeedsWholeSequences() {
    Graph g = GraphCapture.capture(ModelPresets.tiny(), new Workload(2, 16, Mode.INFERENCE));
    Graph.Editor e = g.edit();
    Op attn = g.op("layers.0.attn.core");
    e.ops().set(e.indexOf(attn), attn.withAttrs(attn.attrs().with(Attrs.SEQ_LEN, 12)));
    assertThatThrownBy(() -> ShapeInference.run(e.build()))
        .hasMessageContaining("32 tokens are not whole sequences of 12");
  }
}
