package dev.deepwell.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanForAnotherGpuTest {

  @Test
  void defaultPlanKeepsLmHeadInBf16AndRunsEveryOtherGemmInMxfp8() {
    // The sample's own model and target (llama-7b on b200), without the second target.
    String out = SampleOutput.capture(o -> PlanForAnotherGpu.run(o, "llama-7b", "b200", 4096,
        null));
    assertThat(out).containsPattern(
        "(?m)^  lm_head\\s+bf16\\s+SENSITIVE: matches sensitive pattern 'lm_head'$");
    // 32 blocks x 4 GEMMs (qkv, o_proj, gate_up, down), all MXFP8 on B200.
    for (String gemm : new String[] {"attn.qkv", "attn.o_proj", "mlp.gate_up", "mlp.down"}) {
      assertThat(out).containsPattern("(?m)^  layers\\.\\*\\." + gemm.replace(".", "\\.")
          + "\\s+mxfp8\\s+DEFAULT_COMPUTE: .*\\(x32\\)$");
    }
    assertThat(out).contains("layers by precision: {BF16=99, MXFP8=128}");
    // qkv and gate_up are plain GEMMs; o_proj and down end a residual branch and fold the add.
    assertThat(SampleOutput.number(out,
        "(?m)^\\s+(\\d+)\\s+cutlass\\.sm100\\.gemm\\.mxfp8\\s+LINEAR\\s")).isEqualTo(64);
    assertThat(SampleOutput.number(out,
        "(?m)^\\s+(\\d+)\\s+cutlass\\.sm100\\.gemm\\.mxfp8\\s+LINEAR\\+RESIDUAL_ADD\\s"))
        .isEqualTo(64);
    assertThat(out).containsPattern("(?m)^\\s+1\\s+cutlass\\.sm100\\.gemm\\.bf16\\s+LINEAR\\s+"
        + "bf16\\s+cutlass\\s+lm_head$");
    assertThat(out).contains("target b200 (sm_100)").contains("on the target: fits");
    assertThat(SampleOutput.number(out, "expected speedup vs BF16 (\\d+\\.\\d+)x"))
        .isGreaterThan(1.0).isLessThan(2.0); // MXFP8 GEMMs at most 2x, attention unchanged
    assertThat(out).doesNotContain("The same request for");
  }

  @Test
  void smallModelShowsTooSmallToGainAndTheHopperRefusal() {
    String out = SampleOutput.capture(o -> PlanForAnotherGpu.run(o, "benchmark", "b200", 256,
        "h100"));
    // o_proj reads the attention output, whose quantization cannot fuse into a norm: at d = 768
    // the extra pass eats the gain, so the policy keeps it in BF16 and says why.
    assertThat(out).containsPattern(
        "(?m)^  layers\\.\\*\\.attn\\.o_proj\\s+bf16\\s+TOO_SMALL_TO_GAIN: .*< 1\\.10x\\s+\\(x12\\)$");
    assertThat(out).containsPattern("(?m)^  lm_head\\s+bf16\\s+SENSITIVE");
    assertThat(out).contains("refused: layer 'layers.0.attn.qkv': MXFP8 is not supported "
        + "natively by target h100 (sm_90)");
    assertThat(out).contains("layers not in mxfp8: {fp8-block (NOT_NATIVE_MAPPED)=36, "
        + "bf16 (TOO_SMALL_TO_GAIN)=12}");
    assertThat(out).containsPattern("dry run on h100 \\(sm_90\\): \\d+\\.\\d+ GB total \\(fits\\)"
        + ", expected speedup vs BF16 1\\.\\d+x");
  }

  @Test
  void blackwellConsumerPartRunsMxfp8AsAsked() {
    String out = SampleOutput.capture(o -> PlanForAnotherGpu.run(o, "tiny", "b200", 64,
        "rtx5090"));
    assertThat(out).contains("compiled as requested: rtx5090 runs MXFP8 natively");
  }
}
