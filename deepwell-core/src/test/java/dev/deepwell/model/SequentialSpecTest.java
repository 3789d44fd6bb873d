package dev.deepwell.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SequentialSpecTest {

  @Test
  void buildsAChainAndCountsParameters() {
    SequentialSpec s = SequentialSpec.builder("mlp").maxSeqLen(16).embedding("emb", 50, 32)
        .rmsNorm("norm", 32).linear("fc1", 32, 64, true).activation("act", ActivationKind.GELU)
        .linear("fc2", 64, 32, false).layerNorm("ln", 32)
        .attention("attn", 32, 4, 2, true, true).build();
    assertThat(s.startsWithEmbedding()).isTrue();
    assertThat(s.outputWidth()).isEqualTo(32);
    long attn = 32L * (4 + 2 * 2) * 8 + 32 * 32;
    assertThat(s.parameterCount())
        .isEqualTo(50 * 32 + 32 + (32 * 64 + 64) + 64 * 32 + 2 * 32 + attn);
  }

  @Test
  void widthMismatchNamesBothLayers() {
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8).inputFeatures(16)
        .linear("fc1", 16, 32, false).linear("fc2", 16, 8, false).build())
        .hasMessageContaining("layer 'fc2' expects width 16 but layer 'fc1' produces 32");
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8).inputFeatures(16)
        .rmsNorm("n", 8).build())
        .hasMessageContaining("layer 'n' expects width 8 but the input produces 16");
  }

  @Test
  void structuralErrors() {
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8).inputFeatures(4)
        .linear("a", 4, 4, false).linear("a", 4, 4, false).build())
        .hasMessageContaining("duplicate layer name 'a'");
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8).inputFeatures(4)
        .linear("a", 4, 4, false).embedding("e", 10, 4).build())
        .hasMessageContaining("must be the first layer");
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8)
        .linear("a", 4, 4, false).build()).hasMessageContaining("inputFeatures must be set");
    assertThatThrownBy(() -> SequentialSpec.builder("m").inputFeatures(4)
        .linear("a", 4, 4, false).build()).hasMessageContaining("maxSeqLen");
    assertThatThrownBy(() -> SequentialSpec.builder("m").maxSeqLen(8).build())
        .hasMessageContaining("no layers");
    assertThatThrownBy(() -> new LayerSpec.Attention("at", 30, 4, 2, false, true))
        .hasMessageContaining("heads 4 does not divide dim 30");
    assertThatThrownBy(() -> new LayerSpec.Linear("bad name", 1, 1, false))
        .hasMessageContaining("may only contain");
  }
}
