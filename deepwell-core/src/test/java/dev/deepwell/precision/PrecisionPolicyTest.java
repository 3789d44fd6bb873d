package dev.deepwell.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisionPolicyTest {

  private static PrecisionPolicy policy() {
    return new PrecisionPolicy(PrecisionConfig.of(Precision.MXFP8), "b200",
        List.of(new LayerPrecision("a", Precision.MXFP8, Precision.MXFP8,
                PrecisionReason.DEFAULT_COMPUTE, "default", false),
            new LayerPrecision("b", Precision.BF16, Precision.BF16, PrecisionReason.NORM, "norm",
                false)),
        List.of(), List.of());
  }

  @Test
  void fallbackMakesANewPolicyAndKeepsTheOld() {
    PrecisionPolicy p = policy();
    FallbackEvent e = new FallbackEvent("a", Precision.MXFP8, Precision.BF16,
        PrecisionReason.AUTO_FALLBACK, "error 0.3 > 0.2", FallbackEvent.Phase.RUNTIME);
    PrecisionPolicy q = p.withFallback(e);
    assertThat(q.layer("a").precision()).isEqualTo(Precision.BF16);
    assertThat(q.layer("a").requested()).isEqualTo(Precision.MXFP8);
    assertThat(q.layer("a").fellBack()).isTrue();
    assertThat(q.fallbackHistory()).containsExactly(e);
    assertThat(p.layer("a").precision()).isEqualTo(Precision.MXFP8);
    assertThat(p.fallbackHistory()).isEmpty();
    assertThat(q.summary()).contains("AUTO_FALLBACK").contains("error 0.3 > 0.2");
  }

  @Test
  void rejectsInconsistentInput() {
    PrecisionPolicy p = policy();
    assertThatThrownBy(() -> p.withFallback(new FallbackEvent("b", Precision.MXFP8,
        Precision.BF16, PrecisionReason.AUTO_FALLBACK, "x", FallbackEvent.Phase.RUNTIME)))
        .hasMessageContaining("layer 'b'");
    assertThatThrownBy(() -> p.layer("c")).hasMessageContaining("no layer 'c'");
    assertThatThrownBy(() -> new FallbackEvent("a", Precision.BF16, Precision.BF16,
        PrecisionReason.AUTO_FALLBACK, "x", FallbackEvent.Phase.RUNTIME))
        .hasMessageContaining("must change the precision");
    LayerPrecision a = p.layer("a");
    assertThatThrownBy(() -> new PrecisionPolicy(PrecisionConfig.of(Precision.BF16), "x",
        List.of(a, a), List.of(), List.of())).hasMessageContaining("assigned twice");
  }
}
