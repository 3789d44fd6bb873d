package dev.deepwell.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TransformerSpecTest {

  @Test
  void parameterCountsMatchThePublishedModels() {
    // Published totals: Llama 2 7B / 70B, Llama 3.2 1B (tied), GPT-2 small (tied, 1024 positions).
    assertThat(ModelPresets.llama7B().parameterCount()).isEqualTo(6_738_415_616L);
    assertThat(ModelPresets.llama70B().parameterCount()).isEqualTo(68_976_648_192L);
    assertThat(ModelPresets.llama1B().parameterCount()).isEqualTo(1_235_814_400L);
    assertThat(ModelPresets.gpt2Small().parameterCount()).isEqualTo(124_439_808L);
  }

  @Test
  void benchmarkPresetByHand() {
    TransformerSpec b = ModelPresets.benchmark();
    assertThat(b.vocabSize()).isEqualTo(32768);
    assertThat(b.dModel()).isEqualTo(768);
    assertThat(b.layers()).isEqualTo(12);
    assertThat(b.heads()).isEqualTo(12);
    assertThat(b.ffnHidden()).isEqualTo(2048);
    assertThat(b.maxSeqLen()).isEqualTo(1024);
    long d = 768;
    long perLayer = 4 * d * d + 3 * d * 2048 + 2 * d;
    assertThat(b.parameterCount()).isEqualTo(2 * 32768 * d + 12 * perLayer + d);
  }

  @Test
  void moeCountsRouterAndEveryExpert() {
    TransformerSpec s = ModelPresets.tiny().toBuilder().moe(new MoeSpec(4, 2, 32)).build();
    long d = 64;
    long qkv = (4 + 2 * 2) * 16;
    long perLayer = d * qkv + d * d + 2 * d + 4 * d + 4 * 3 * d * 32;
    assertThat(s.parameterCount()).isEqualTo(2 * perLayer + 2 * 96 * d + d);
  }

  @Test
  void badShapesNameTheFields() {
    TransformerSpec.Builder b = ModelPresets.benchmark().toBuilder();
    assertThatThrownBy(() -> b.heads(10).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heads 10 does not divide dModel 768");
    assertThatThrownBy(() -> ModelPresets.benchmark().toBuilder().kvHeads(5).build())
        .hasMessageContaining("kvHeads 5 must divide heads 12");
    assertThatThrownBy(() -> ModelPresets.benchmark().toBuilder().vocabSize(0).build())
        .hasMessageContaining("vocabSize must be > 0, got 0");
    assertThatThrownBy(() -> ModelPresets.benchmark().toBuilder().dModel(36).heads(12).build())
        .hasMessageContaining("head dimension 3 must be even");
    assertThatThrownBy(() -> ModelPresets.gpt2Small().toBuilder().moe(new MoeSpec(4, 1, 8))
        .build()).hasMessageContaining("LLAMA architecture only");
    assertThatThrownBy(() -> new MoeSpec(4, 5, 8)).hasMessageContaining("topK");
    assertThatThrownBy(() -> ModelPresets.benchmark().toBuilder().normEps(0).build())
        .hasMessageContaining("normEps");
  }

  @Test
  void workloadChecksTheSequenceLength() {
    Workload w = new Workload(2, 2048, Mode.TRAINING);
    assertThatThrownBy(() -> w.checkFits(ModelPresets.benchmark()))
        .hasMessageContaining("seqLen 2048 exceeds the maximum sequence length 1024");
    assertThatThrownBy(() -> new Workload(0, 1, Mode.TRAINING)).hasMessageContaining("batch");
    assertThatThrownBy(() -> new Workload(1, -3, Mode.TRAINING)).hasMessageContaining("seqLen");
    assertThatThrownBy(() -> new Workload(1 << 16, 1 << 16, Mode.TRAINING))
        .hasMessageContaining("tokens");
  }

  @Test
  void presetsByName() {
    assertThat(ModelPresets.byName("LLAMA-7B").name()).isEqualTo("llama-7b");
    assertThatThrownBy(() -> ModelPresets.byName("llama-13b"))
        .hasMessageContaining("unknown model preset 'llama-13b'").hasMessageContaining("tiny");
  }
}
