package dev.deepwell.kernel.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.kernel.GemmInput;
import java.util.List;
import org.junit.jupiter.api.Test;

class GemmBenchSpecTest {

  @Test
  void passesPermuteTheForwardShapeAsTheTrainingGemmsDo() {
    // Y = X W^T with X [16384, 768], W [2304, 768]: dX = dY W is (M, K, N); dW = dY^T X is (N, K, M).
    assertThat(GemmPass.FWD.problemShape(16384, 2304, 768)).containsExactly(16384, 2304, 768);
    assertThat(GemmPass.DGRAD.problemShape(16384, 2304, 768)).containsExactly(16384, 768, 2304);
    assertThat(GemmPass.WGRAD.problemShape(16384, 2304, 768)).containsExactly(2304, 768, 16384);
    assertThat(GemmPass.parse(" WGrad ")).isEqualTo(GemmPass.WGRAD);
    assertThatThrownBy(() -> GemmPass.parse("bwd")).hasMessageContaining("unknown pass 'bwd'")
        .hasMessageContaining("fwd, dgrad, wgrad");
  }

  @Test
  void theDefaultTableIsTheCubesOnceAndEachModelShapeWithItsDistinctTransposes() {
    GemmBenchSpec s = GemmBenchSpec.builder().build();
    assertThat(s.formats()).containsExactly(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128);
    List<List<GemmBenchCase>> groups = s.groups();
    // 16384x768x768: dgrad (M, K, N) is the forward problem again (N = K), so it is not repeated.
    assertThat(groups).hasSize(2 + 3 * 5 - 1);
    assertThat(s.cases()).hasSize(3 * (2 + 3 * 5 - 1));
    assertThat(groups.get(6).get(0)).extracting(GemmBenchCase::pass).isEqualTo(GemmPass.WGRAD);
    // Per group every format, in format order, of one shape and pass.
    assertThat(groups.get(0)).extracting(GemmBenchCase::input)
        .containsExactly(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128);
    assertThat(groups.get(0).get(0)).isEqualTo(new GemmBenchCase(GemmBenchShape.cube(4096), GemmPass.FWD,
        GemmInput.BF16));
    assertThat(groups.get(1).get(0).m()).isEqualTo(8192);
    List<GemmBenchCase> qkv = List.of(groups.get(2).get(0), groups.get(3).get(0), groups.get(4).get(0));
    assertThat(qkv).extracting(GemmBenchCase::pass).containsExactly(GemmPass.FWD, GemmPass.DGRAD, GemmPass.WGRAD);
    assertThat(qkv).extracting(c -> c.m() + "x" + c.n() + "x" + c.k())
        .containsExactly("16384x2304x768", "16384x768x2304", "2304x768x16384");
    GemmBenchCase last = s.cases().get(s.cases().size() - 1);
    assertThat(last.shape().label()).isEqualTo("16384x32768x768");
    assertThat(last.problem().flops()).isEqualTo(2.0 * 32768 * 768 * 16384);
    assertThat(last.problem().m()).isEqualTo(32768);
  }

  @Test
  void aPassThatRepeatsAnEarlierProblemIsMeasuredOnceUnderTheFirst() {
    GemmBenchSpec cube = GemmBenchSpec.builder().shapes(List.of(GemmBenchShape.cube(512)))
        .passes(List.of(GemmPass.WGRAD, GemmPass.FWD)).formats(List.of(GemmInput.BF16)).build();
    assertThat(cube.cases()).singleElement().extracting(GemmBenchCase::pass).isEqualTo(GemmPass.WGRAD);
    // M = K: fwd (M, N, K) and wgrad (N, K, M) differ, dgrad (M, K, N) equals wgrad only when M = N.
    GemmBenchSpec mk = GemmBenchSpec.builder().shapes(List.of(GemmBenchShape.of(256, 128, 256)))
        .formats(List.of(GemmInput.BF16)).build();
    assertThat(mk.cases()).extracting(c -> c.m() + "x" + c.n() + "x" + c.k())
        .containsExactly("256x128x256", "256x256x128", "128x256x256");
  }

  @Test
  void operandCopiesPutTwoL2sBetweenReusesWithinBounds() {
    long l2 = 50L << 20;
    // 96 MiB a copy (BF16 4096^3: A, B, D of 32 MiB): one other copy holds less than 2 x 50 MiB.
    assertThat(GemmBenchSpec.operandSets(96L << 20, l2)).isEqualTo(3);
    // 37 MiB: ceil(100 / 37) = 3 others.
    assertThat(GemmBenchSpec.operandSets(37L << 20, l2)).isEqualTo(4);
    // Exactly 2 x L2 in one other copy.
    assertThat(GemmBenchSpec.operandSets(100L << 20, l2)).isEqualTo(2);
    assertThat(GemmBenchSpec.operandSets(50L << 20, l2)).isEqualTo(3);
    // Tiny problems stop at the cap, huge ones at two, no L2 at two.
    assertThat(GemmBenchSpec.operandSets(4096, l2)).isEqualTo(GemmBenchSpec.MAX_OPERAND_SETS);
    assertThat(GemmBenchSpec.operandSets(1L << 40, l2)).isEqualTo(2);
    assertThat(GemmBenchSpec.operandSets(1, 0)).isEqualTo(2);
    assertThatThrownBy(() -> GemmBenchSpec.operandSets(0, l2)).hasMessageContaining("setBytes");
    assertThatThrownBy(() -> GemmBenchSpec.operandSets(1, -1)).hasMessageContaining("l2Bytes");
  }

  @Test
  void callsPerReplayFillTheReplayTimeWithinBounds() {
    GemmBenchSpec s = GemmBenchSpec.builder().build(); // 10 ms
    assertThat(s.callsPerReplay(1.0)).isEqualTo(10);
    assertThat(s.callsPerReplay(0.3)).isEqualTo(34); // ceil(33.3)
    assertThat(s.callsPerReplay(0.001)).isEqualTo(GemmBenchSpec.MAX_CALLS);
    assertThat(s.callsPerReplay(50)).isEqualTo(GemmBenchSpec.MIN_CALLS);
    assertThat(s.callsPerReplay(0)).isEqualTo(GemmBenchSpec.MIN_CALLS);
    assertThat(s.callsPerReplay(Double.NaN)).isEqualTo(GemmBenchSpec.MIN_CALLS);
    assertThat(s.toBuilder().calls(17).build().callsPerReplay(0.001)).isEqualTo(17);
    GemmBenchSpec quick = GemmBenchSpec.builder().quick().build();
    assertThat(quick.callsPerReplay(1.0)).isEqualTo(3);
    assertThat(quick.rounds()).isEqualTo(3);
    assertThat(quick.warmup()).isEqualTo(1);
    assertThat(quick.describeMethod()).contains("~3 ms of calls", "3 shuffled rounds", "2x L2");
  }

  @Test
  void listsParseByNameAndNameWhatIsWrong() {
    assertThat(GemmBenchSpec.parseFormats("bf16, FP8-Block128,nvfp4"))
        .containsExactly(GemmInput.BF16, GemmInput.FP8_BLOCK128, GemmInput.NVFP4);
    assertThatThrownBy(() -> GemmBenchSpec.parseFormats("bf16,fp16"))
        .hasMessageContaining("unknown format 'fp16'").hasMessageContaining("mxfp8");
    assertThatThrownBy(() -> GemmBenchSpec.parseFormats("bf16,")).hasMessageContaining("unknown format ''");
    assertThat(GemmBenchSpec.parsePasses("dgrad,fwd")).containsExactly(GemmPass.DGRAD, GemmPass.FWD);
    GemmBenchSpec s = GemmBenchSpec.builder().formats(GemmBenchSpec.parseFormats("bf16,bf16")).build();
    assertThat(s.formats()).containsExactly(GemmInput.BF16);
  }

  @Test
  void theBuilderRefusesWhatCannotBeMeasured() {
    GemmBenchSpec.Builder b = GemmBenchSpec.builder();
    assertThatThrownBy(() -> b.formats(List.of())).hasMessageContaining("formats must not be empty");
    assertThatThrownBy(() -> b.warmup(-1)).hasMessageContaining("warmup must be >= 0, got -1");
    assertThatThrownBy(() -> b.rounds(0)).hasMessageContaining("rounds");
    assertThatThrownBy(() -> b.calls(-1)).hasMessageContaining("calls");
    assertThatThrownBy(() -> b.replayMillis(Double.NaN)).hasMessageContaining("replayMillis");
    assertThatThrownBy(() -> b.device(-1)).hasMessageContaining("device");
    assertThatThrownBy(() -> b.shapes(null)).isInstanceOf(NullPointerException.class).hasMessage("shapes");
  }
}
