package dev.deepwell.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CustomModelOnCpuTest {

  private static final String OUT = SampleOutput.capture(o -> CustomModelOnCpu.run(o, 32, 42L));

  @Test
  void modelIsTheOneDescribed() {
    // embedding 256*128, attention qkv 128*((4 + 2*2)*32) + o_proj 128*128, up 128*256,
    // down 256*128, lm_head 128*256, three RMSNorm weights of 128.
    long expected = 256L * 128 + 128L * 256 + 128L * 128 + 128L * 256 + 256L * 128 + 128L * 256
        + 3 * 128;
    assertThat(CustomModelOnCpu.model().parameterCount()).isEqualTo(expected);
    assertThat(OUT).contains(String.format("%,d parameters", expected))
        .contains("one sequence of 32 tokens");
  }

  @Test
  void planEmulatesMxfp8OnTheGemmsAndKeepsLmHeadInBf16() {
    assertThat(OUT).containsPattern("(?m)^lm_head\\s+bf16\\s+LM_HEAD: ");
    for (String gemm : new String[] {"attn.qkv", "attn.o_proj", "mlp.up", "mlp.down"}) {
      assertThat(OUT).containsPattern("(?m)^" + gemm.replace(".", "\\.")
          + "\\s+mxfp8\\s+DEFAULT_COMPUTE: .*\\[EMULATED\\]$");
    }
    assertThat(OUT).contains("kernels per provider: {cpu=13}");
  }

  @Test
  void mxfp8LogitsAreFurtherFromFp32ThanBf16ButStillClose() {
    double bf16 = SampleOutput.number(OUT, "bf16  vs fp32: rel RMS (\\S+),");
    double mxfp8 = SampleOutput.number(OUT, "mxfp8 vs fp32: rel RMS (\\S+),");
    double mxVsBf = SampleOutput.number(OUT, "mxfp8 vs bf16: rel RMS (\\S+),");
    // BF16 rounds to 8 significant bits per stored value (2^-9 relative); a few layers compound
    // that to about 1e-2. MXFP8 E4M3 keeps 4 (2^-4 per element) and is roughly 10x worse.
    assertThat(bf16).isPositive().isLessThan(0.03);
    assertThat(mxfp8).isGreaterThan(3 * bf16).isLessThan(0.25);
    assertThat(mxVsBf).isGreaterThan(bf16).isLessThan(0.25);
    int bf16Top1 = (int) SampleOutput.number(OUT, "bf16  vs fp32: .*top-1 agrees (\\d+)/32");
    int mxTop1 = (int) SampleOutput.number(OUT, "mxfp8 vs fp32: .*top-1 agrees (\\d+)/32");
    assertThat(bf16Top1).isGreaterThanOrEqualTo(30);
    assertThat(mxTop1).isGreaterThanOrEqualTo(24);
  }
}
