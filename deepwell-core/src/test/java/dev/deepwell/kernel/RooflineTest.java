package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.Op;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import org.junit.jupiter.api.Test;

class RooflineTest {

  private static final Roofline B200 = Roofline.forTarget(CompileTarget.named("b200")).get();

  @Test
  void computeBoundGemmWithItsQuantizePass() {
    long m = 4096;
    double flops = 2.0 * m * m * m;
    double act = m * m + m * m / 32.0;
    double bytes = act + act + 2.0 * m * m;
    // not fused: the producer writes BF16, a quantize pass reads it and writes MXFP8
    double separate = Math.max(flops / 4500e12, bytes / 8e12) + (4.0 * m * m + act) / 8e12;
    assertThat(B200.gemmWithQuantizeSeconds(Precision.MXFP8, m, m, m, m * m, true, false))
        .isCloseTo(separate, within(1e-15));
    assertThat(flops / 4500e12).isGreaterThan(bytes / 8e12);
    // fused into the producer: it writes the MXFP8 tensor instead of the BF16 one
    double fused = flops / 4500e12 + act / 8e12;
    assertThat(B200.gemmWithQuantizeSeconds(Precision.MXFP8, m, m, m, m * m, true, true))
        .isCloseTo(fused, within(1e-15));
    // BF16: the producer writes BF16
    double bf16 = flops / 2250e12 + 2.0 * m * m / 8e12;
    assertThat(B200.gemmWithQuantizeSeconds(Precision.BF16, m, m, m, m * m, true, true))
        .isCloseTo(bf16, within(1e-15));
  }

  @Test
  void everyEstimateIsPositiveEvenWhenTheFusedWriteSavesMoreThanTheGemmCosts() {
    // benchmark mlp.down at 64 x 1024 tokens in NVFP4: the GEMM is cheap, the saved write large
    double t = B200.gemmWithQuantizeSeconds(Precision.NVFP4, 65536, 768, 2048, 768L * 2048,
        true, true);
    assertThat(t).isPositive();
    assertThat(B200.gemmWithQuantizeSeconds(Precision.BF16, 65536, 768, 2048, 768L * 2048, true,
        false) / t).isGreaterThan(1.0);
  }

  @Test
  void memoryBoundGemm() {
    long n = 4096;
    double bytes = 2.0 * n + 2.0 * n * n + 2.0 * n;
    assertThat(B200.gemmWithQuantizeSeconds(Precision.BF16, 1, n, n, n * n, true, true))
        .isCloseTo((bytes + 2.0 * n) / 8e12, within(1e-18));
  }

  @Test
  void costOfABoundOpByHand() {
    Engine e = GraphCompiler.compile(GraphCapture.capture(ModelPresets.benchmark(),
        new Workload(4, 1024, Mode.INFERENCE)), CompileOptions.builder()
        .precision(PrecisionConfig.of(Precision.BF16)).target(CompileTarget.named("b200"))
        .build());
    Op qkv = e.graph().op("layers.0.attn.qkv");
    OpCost c = B200.cost(qkv, e.graph(), e.binding(qkv.id()));
    double t = 4096;
    assertThat(c.flops()).isEqualTo(2 * t * 2304 * 768);
    assertThat(c.bytes()).isEqualTo(2 * t * 768 + 2 * 2304 * 768 + 2 * t * 2304);
    assertThat(c.seconds()).isEqualTo(Math.max(c.flops() / 2250e12, c.bytes() / 8e12));
    Op attn = e.graph().op("layers.0.attn.core");
    // causal: half of 4 B h S^2 d_head
    assertThat(Roofline.flops(attn, e.graph())).isEqualTo(2.0 * 4 * 12 * 1024 * 1024 * 64);
    Op norm = e.graph().op("layers.0.attn_norm");
    OpCost n = B200.cost(norm, e.graph(), e.binding(norm.id()));
    assertThat(n.flops()).isZero();
    assertThat(n.seconds()).isEqualTo((2 * t * 768 + 2 * 768 + 2 * t * 768) / 8e12);
  }
}
