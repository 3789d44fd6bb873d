package dev.deepwell.precision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayerPatternsTest {

  private static final List<String> LAYERS = List.of("embedding", "layers.0.attn.qkv",
      "layers.1.mlp.down", "layers.10.mlp.down", "final_norm", "lm_head");

  @Test
  void matchesExactPrefixSuffixAndGlob() {
    assertThat(LayerPatterns.matches("lm_head", "lm_head")).isTrue();
    assertThat(LayerPatterns.matches("layers.1", "layers.1.mlp.down")).isTrue();
    assertThat(LayerPatterns.matches("mlp.down", "layers.10.mlp.down")).isTrue();
    assertThat(LayerPatterns.matches("mlp", "layers.10.mlp.down")).isTrue();
    assertThat(LayerPatterns.matches("layers.*.qkv", "layers.0.attn.qkv")).isTrue();
    assertThat(LayerPatterns.matches("*head", "lm_head")).isTrue();
  }

  @Test
  void doesNotMatchInsideADottedPart() {
    assertThat(LayerPatterns.matches("layers.1", "layers.10.mlp.down")).isFalse();
    assertThat(LayerPatterns.matches("head", "lm_head")).isFalse();
    assertThat(LayerPatterns.matches("own", "layers.1.mlp.down")).isFalse();
    assertThat(LayerPatterns.matches("layers.*.qkv", "layers.0.attn.qkv.x")).isFalse();
  }

  @Test
  void nearMatchesSuggestNamesAndSuffixes() {
    assertThat(LayerPatterns.nearMatches("lm-head", LAYERS, 3)).first().isEqualTo("lm_head");
    assertThat(LayerPatterns.nearMatches("embeding", LAYERS, 3)).contains("embedding");
    assertThat(LayerPatterns.nearMatches("mlp.dwn", LAYERS, 3)).contains("mlp.down");
    assertThat(LayerPatterns.nearMatches("zzzzzzzzzzzz", LAYERS, 3)).isEmpty();
  }

  @Test
  void editDistanceByHand() {
    assertThat(LayerPatterns.editDistance("kitten", "sitting")).isEqualTo(3);
    assertThat(LayerPatterns.editDistance("", "abc")).isEqualTo(3);
    assertThat(LayerPatterns.editDistance("same", "same")).isZero();
  }
}
