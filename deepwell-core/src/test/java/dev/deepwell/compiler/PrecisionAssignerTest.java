package dev.deepwell.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.ShapeInference;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.MoeSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionPolicy;
import dev.deepwell.precision.PrecisionReason;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import org.junit.jupiter.api.Test;

class PrecisionAssignerTest {

  private static Graph graph(ModelSpec spec, int batch, int seq) {
    return ShapeInference.run(GraphCapture.capture(spec, new Workload(batch, seq, Mode.TRAINING)));
  }

  private static PrecisionPolicy assign(ModelSpec spec, int batch, int seq, PrecisionConfig c,
      String target) {
    return PrecisionAssigner.assign(graph(spec, batch, seq), c, CompileTarget.named(target));
  }

  @Test
  void defaultRulesWithReasons() {
    PrecisionPolicy p = assign(ModelPresets.benchmark(), 8, 1024,
        PrecisionConfig.of(Precision.MXFP8), "b200");
    assertThat(p.layer("embedding").reason()).isEqualTo(PrecisionReason.EMBEDDING);
    assertThat(p.layer("layers.0.attn_norm").reason()).isEqualTo(PrecisionReason.NORM);
    assertThat(p.layer("final_norm").precision()).isEqualTo(Precision.BF16);
    assertThat(p.layer("lm_head").reason()).isEqualTo(PrecisionReason.LM_HEAD);
    assertThat(p.layer("layers.3.attn.core").reason()).isEqualTo(PrecisionReason.NON_GEMM);
    LayerPrecision down = p.layer("layers.11.mlp.down");
    assertThat(down.precision()).isEqualTo(Precision.MXFP8);
    assertThat(down.reason()).isEqualTo(PrecisionReason.DEFAULT_COMPUTE);
    assertThat(down.detail()).contains("estimated speedup over BF16");
    assertThat(down.emulated()).isFalse();
    // o_proj (K = 768) needs a separate quantize pass of the attention output: on B200 the
    // roofline says that costs more than the FP8 math saves.
    LayerPrecision o = p.layer("layers.0.attn.o_proj");
    assertThat(o.precision()).isEqualTo(Precision.BF16);
    assertThat(o.reason()).isEqualTo(PrecisionReason.TOO_SMALL_TO_GAIN);
    assertThat(p.fallbackHistory()).hasSize(12)
        .allMatch(e -> e.layer().endsWith("attn.o_proj"));
    // 12 blocks x (2 norms, 4 GEMMs, attention) + embedding, final norm, lm_head
    assertThat(p.layerPrecisions()).hasSize(12 * 7 + 3);
    assertThat(p.layerPrecisions().values().stream().filter(l -> l.precision()
        == Precision.MXFP8)).hasSize(36);
  }

  @Test
  void sensitivePatternsAndWarningsForUnknownOnes() {
    PrecisionPolicy p = assign(ModelPresets.benchmark(), 8, 1024, PrecisionConfig.builder()
        .defaultCompute(Precision.MXFP8).sensitive("layers.0", "lm-head", "mlp.dwon").build(),
        "b200");
    assertThat(p.layer("layers.0.mlp.down").precision()).isEqualTo(Precision.BF16);
    assertThat(p.layer("layers.0.mlp.down").reason()).isEqualTo(PrecisionReason.SENSITIVE);
    assertThat(p.layer("layers.0.mlp.down").detail()).contains("'layers.0'");
    assertThat(p.layer("layers.1.mlp.down").precision()).isEqualTo(Precision.MXFP8);
    assertThat(p.warnings()).hasSize(2);
    assertThat(p.warnings().get(0)).contains("sensitive pattern 'lm-head' matches no layer")
        .contains("did you mean: lm_head");
    assertThat(p.warnings().get(1)).contains("mlp.down");
  }

  @Test
  void overridesWinAndAreChecked() {
    PrecisionPolicy p = assign(ModelPresets.benchmark(), 8, 1024, PrecisionConfig.builder()
        .defaultCompute(Precision.MXFP8).override("layers.1.mlp.down", Precision.NVFP4)
        .override("layers.2", Precision.BF16).sensitive("layers.1").build(), "b200");
    assertThat(p.layer("layers.1.mlp.down").precision()).isEqualTo(Precision.NVFP4);
    assertThat(p.layer("layers.1.mlp.down").reason()).isEqualTo(PrecisionReason.OVERRIDE);
    assertThat(p.layer("layers.1.attn.qkv").reason()).isEqualTo(PrecisionReason.SENSITIVE);
    assertThat(p.layer("layers.2.attn.qkv").precision()).isEqualTo(Precision.BF16);
    assertThatThrownBy(() -> assign(ModelPresets.benchmark(), 8, 1024, PrecisionConfig.builder()
        .override("final_norm", Precision.MXFP8).build(), "b200"))
        .hasMessageContaining("only GEMM layers");
  }

  @Test
  void unalignedGemmsStayBf16WithTheDimensionNamed() {
    ModelSpec odd = ModelPresets.benchmark().toBuilder().ffnHidden(1000).build();
    PrecisionPolicy p = assign(odd, 8, 1024, PrecisionConfig.of(Precision.MXFP8), "b200");
    LayerPrecision gateUp = p.layer("layers.0.mlp.gate_up");
    assertThat(gateUp.precision()).isEqualTo(Precision.BF16);
    assertThat(gateUp.requested()).isEqualTo(Precision.MXFP8);
    assertThat(gateUp.reason()).isEqualTo(PrecisionReason.SHAPE_NOT_ALIGNED);
    assertThat(gateUp.detail()).contains("N=2000 is not a multiple of 32");
    assertThat(p.layer("layers.0.mlp.down").detail()).contains("K=1000");
    assertThat(p.layer("layers.0.attn.qkv").precision()).isEqualTo(Precision.MXFP8);
    assertThat(p.fallbackHistory()).allMatch(e ->
        e.phase() == FallbackEvent.Phase.COMPILE && e.to() == Precision.BF16);
    assertThat(p.fallbackHistory().stream().filter(e ->
        e.reason() == PrecisionReason.SHAPE_NOT_ALIGNED)).hasSize(24);
    // Training quantizes the weight gradient along the tokens: 3 x 20 = 60 is not a multiple.
    PrecisionPolicy m = assign(ModelPresets.benchmark(), 3, 20,
        PrecisionConfig.of(Precision.MXFP8), "b200");
    assertThat(m.layer("layers.0.attn.qkv").detail()).contains("M=60");
    // An explicit request that cannot be honoured is an error, not a silent fallback.
    assertThatThrownBy(() -> assign(odd, 8, 1024, PrecisionConfig.builder()
        .override("mlp.gate_up", Precision.MXFP8).build(), "b200"))
        .hasMessageContaining("layers.0.mlp.gate_up").hasMessageContaining("N=2000");
  }

  @Test
  void smallGemmsAreNotWorthQuantizing() {
    // tiny o_proj, M = 256, N = K = 64: memory-bound. BF16 moves 2(MK + NK + MN) bytes plus
    // the producer's BF16 write 2MK; MXFP8 moves (33/32)(MK + NK) + 2MN plus the producer's
    // BF16 write and a separate quantize pass: 2MK + 2MK + (33/32)MK.
    PrecisionPolicy p = assign(ModelPresets.tiny(), 4, 64, PrecisionConfig.of(Precision.MXFP8),
        "b200");
    double m = 256;
    double k = 64;
    double bf16 = 2 * (m * k + k * k + m * k) + 2 * m * k;
    double mx = 33.0 / 32 * (m * k + k * k) + 2 * m * k + 2 * m * k + 2 * m * k
        + 33.0 / 32 * m * k;
    LayerPrecision o = p.layer("layers.0.attn.o_proj");
    assertThat(o.precision()).isEqualTo(Precision.BF16);
    assertThat(o.reason()).isEqualTo(PrecisionReason.TOO_SMALL_TO_GAIN);
    assertThat(o.detail()).contains(String.format("%.2fx", bf16 / mx)).contains("< 1.10x");
    // qkv reads the norm's output, which the norm writes in MXFP8 directly: worth it.
    assertThat(p.layer("layers.0.attn.qkv").precision()).isEqualTo(Precision.MXFP8);
    PrecisionPolicy off = assign(ModelPresets.tiny(), 4, 64, PrecisionConfig.builder()
        .defaultCompute(Precision.MXFP8).minGemmSpeedup(0).build(), "b200");
    assertThat(off.layer("layers.0.attn.o_proj").precision()).isEqualTo(Precision.MXFP8);
  }

  @Test
  void unsupportedPrecisionIsNeverSilent() {
    assertThatThrownBy(() -> assign(ModelPresets.benchmark(), 8, 1024,
        PrecisionConfig.of(Precision.MXFP8), "h100"))
        .hasMessageContaining("MXFP8 is not supported natively by target h100 (sm_90)")
        .hasMessageContaining("EMULATE").hasMessageContaining("MAP_TO_NATIVE")
        .hasMessageContaining("fp8-block");
    PrecisionPolicy emulated = assign(ModelPresets.benchmark(), 8, 1024, PrecisionConfig
        .builder().defaultCompute(Precision.MXFP8)
        .unsupportedPrecision(UnsupportedPrecisionMode.EMULATE).build(), "h100");
    LayerPrecision e = emulated.layer("layers.0.attn.qkv");
    assertThat(e.precision()).isEqualTo(Precision.MXFP8);
    assertThat(e.emulated()).isTrue();
    assertThat(e.reason()).isEqualTo(PrecisionReason.NOT_NATIVE_EMULATED);
    PrecisionPolicy mapped = assign(ModelPresets.benchmark(), 8, 1024, PrecisionConfig
        .builder().defaultCompute(Precision.NVFP4)
        .unsupportedPrecision(UnsupportedPrecisionMode.MAP_TO_NATIVE).build(), "h100");
    LayerPrecision m = mapped.layer("layers.0.attn.qkv");
    assertThat(m.precision()).isEqualTo(Precision.FP8_BLOCK);
    assertThat(m.requested()).isEqualTo(Precision.NVFP4);
    assertThat(m.reason()).isEqualTo(PrecisionReason.NOT_NATIVE_MAPPED);
    assertThat(mapped.fallbackHistory().stream().filter(ev ->
        ev.reason() == PrecisionReason.NOT_NATIVE_MAPPED)).hasSize(48);
    PrecisionPolicy ada = PrecisionAssigner.assign(graph(ModelPresets.benchmark(), 8, 1024),
        PrecisionConfig.builder().defaultCompute(Precision.MXFP8)
            .unsupportedPrecision(UnsupportedPrecisionMode.MAP_TO_NATIVE).build(),
        CompileTarget.forSm(89));
    assertThat(ada.layer("layers.0.attn.qkv").precision()).isEqualTo(Precision.FP8);
    assertThatThrownBy(() -> PrecisionAssigner.assign(graph(ModelPresets.tiny(), 1, 8),
        PrecisionConfig.of(Precision.BF16), CompileTarget.forSm(75)))
        .hasMessageContaining("needs sm_80 or newer");
  }

  @Test
  void cpuEmulatesAndMoeRouterStaysHigh() {
    ModelSpec moe = ModelPresets.tiny().toBuilder().moe(new MoeSpec(4, 2, 64)).build();
    PrecisionPolicy p = PrecisionAssigner.assign(graph(moe, 1, 32),
        PrecisionConfig.of(Precision.NVFP4), CompileTarget.cpu());
    assertThat(p.layer("layers.0.moe.router").reason()).isEqualTo(PrecisionReason.ROUTER);
    LayerPrecision experts = p.layer("layers.0.moe.experts.gate_up");
    assertThat(experts.precision()).isEqualTo(Precision.NVFP4);
    assertThat(experts.emulated()).isTrue();
    assertThat(experts.detail()).contains("emulated by the CPU backend");
  }

  @Test
  void fp32ModelKeepsSensitiveLayersInFp32() {
    PrecisionPolicy p = PrecisionAssigner.assign(graph(ModelPresets.tiny(), 1, 8),
        PrecisionConfig.builder().defaultCompute(Precision.FP32).sensitive("lm_head").build(),
        CompileTarget.cpu());
    assertThat(p.layerPrecisions().values()).allMatch(l -> l.precision() == Precision.FP32);
  }
}
