package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The rule that gives a BF16 problem to Deepwell's own sm90 kernel (128x112 tiles, split-K added
 * inside the kernel; {@link GemmTileChoice}, gemm_sm90_select.cpp's consider_deepwell): its split
 * count worked by hand, the outputs it takes and those it leaves to CUTLASS, as measured on an H200
 * (docs/PERFORMANCE.md, session 19). The native planner's own choices are checked against the same
 * Java code by {@code GemmStreamKChoiceTest}'s table.
 */
class GemmDeepwellChoiceTest {

  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard();
  private static final String DEEPWELL = "deepwell_sm90_bf16_128x112x64";
  private static final String DEEPWELL_96 = "deepwell_sm90_bf16_128x96x64";

  private static GemmTileChoice.Choice choose(GemmInput in, long m, long n, long k, int sms) {
    return GemmTileChoice.choose(CATALOG.variants(KernelProvider.CUTLASS, in),
        GemmProblem.builder(m, n, k, in).build(), sms);
  }

  private static String name(long m, long n, long k) {
    return choose(GemmInput.BF16, m, n, k, 132).variant().name();
  }

  @Test
  void splitCountsWorkedByHand() {
    // as many ranges as fill one round where the tiles alone fill less: 132 / 42 = 3
    assertThat(GemmTileChoice.deepwellSplits(42, 256, 132)).isEqualTo(3);
    assertThat(GemmTileChoice.deepwellSplits(63, 256, 132)).isEqualTo(2);
    // one round or more of tiles: one range
    assertThat(GemmTileChoice.deepwellSplits(126, 256, 132)).isEqualTo(1);
    assertThat(GemmTileChoice.deepwellSplits(500, 256, 132)).isEqualTo(1);
    // at most 16 ranges, each at least 16 k-tiles: 8 tiles of 412 k-tiles take 16 (ranges of 26);
    // 20 tiles of 48 k-tiles take 3, not 6
    assertThat(GemmTileChoice.deepwellSplits(8, 412, 132)).isEqualTo(16);
    assertThat(GemmTileChoice.deepwellSplits(1, 4096, 132)).isEqualTo(16);
    assertThat(GemmTileChoice.deepwellSplits(20, 48, 132)).isEqualTo(3);
    // none of the ranges empty: 4 ranges of 127 k-tiles are 32 + 32 + 32 + 31
    assertThat(GemmTileChoice.deepwellSplits(30, 127, 132)).isEqualTo(4);
    // 6 asked of 100 k-tiles: ranges of 17, so 6 (5 x 17 + 15)
    assertThat(GemmTileChoice.deepwellSplits(20, 100, 132)).isEqualTo(6);
    // nothing to split
    assertThat(GemmTileChoice.deepwellSplits(0, 256, 132)).isEqualTo(1);
    assertThat(GemmTileChoice.deepwellSplits(5, 0, 132)).isEqualTo(1);
    assertThat(GemmTileChoice.deepwellSplits(5, 15, 132)).isEqualTo(1);
  }

  @Test
  void takesOutputsThatOneOrTwoRoundsOf112WideTilesFill() {
    // 2304x768: 18 x 7 = 126 tiles of 128x112 (the output fills 95% of 132 slots), 108 of 128x128
    GemmTileChoice.Choice c = choose(GemmInput.BF16, 2304, 768, 16384, 132);
    assertThat(c.variant().name()).isEqualTo(DEEPWELL);
    assertThat(c.variant().schedule()).isEqualTo(GemmKernelCatalog.DEEPWELL);
    assertThat(c.why()).isEqualTo("Deepwell's BF16 kernel: 126 tiles of 128x112 x 1 K range = 126 units, their "
        + "output fills 93% of 1 round of 132 SMs (instead of cutlass_sm90_bf16_pingpong_128x128x64_c2x1)");
    // 768x768: 6 x 7 = 42 tiles x 3 ranges (H200: 472-474 TFLOP/s against split-K 3's 435-437)
    assertThat(choose(GemmInput.BF16, 768, 768, 16384, 132).why())
        .contains("42 tiles of 128x112 x 3 K ranges = 126 units")
        .contains("instead of cutlass_sm90_bf16_splitk3_128x128x64_c2x2");
    assertThat(name(768, 768, 8192)).isEqualTo(DEEPWELL);
    assertThat(name(1152, 768, 16384)).isEqualTo(DEEPWELL);   // 63 x 2
    assertThat(name(1152, 1536, 16384)).isEqualTo(DEEPWELL);  // 9 x 14 = 126
    assertThat(name(2304, 768, 4096)).isEqualTo(DEEPWELL);    // 64 k-tiles, the least
    // two rounds: 36 x 7 = 252 tiles
    assertThat(choose(GemmInput.BF16, 4608, 768, 8192, 132).why()).contains("252 units").contains("of 2 rounds");
    // the 114 SMs of an H100 PCIe: 768x640 is 6 x 6 = 36 tiles x 3 = 108 units, 90.3% of the slots
    assertThat(choose(GemmInput.BF16, 768, 640, 16384, 114).variant().name()).isEqualTo(DEEPWELL);
  }

  @Test
  void the96WideTileWhereItFillsMore() {
    // 768x2048: 6 x 22 = 132 tiles of 128x96, 97% (128x112: 114 tiles, 83%; H200: 637-640 TFLOP/s
    // against stream-K's 567-568)
    GemmTileChoice.Choice c = choose(GemmInput.BF16, 768, 2048, 16384, 132);
    assertThat(c.variant().name()).isEqualTo(DEEPWELL_96);
    assertThat(c.why()).isEqualTo("Deepwell's BF16 kernel: 132 tiles of 128x96 x 1 K range = 132 units, their "
        + "output fills 96% of 1 round of 132 SMs (instead of cutlass_sm90_bf16_streamk_128x128x64_c2x1)");
    assertThat(name(768, 2048, 4096)).isEqualTo(DEEPWELL_96);
    assertThat(name(1536, 1024, 16384)).isEqualTo(DEEPWELL_96);  // 12 x 11
    assertThat(name(3072, 1024, 8192)).isEqualTo(DEEPWELL_96);   // two rounds
    // 66 tiles x 2 ranges (H200: 502-506 against the separate reduction's 453-462)
    assertThat(choose(GemmInput.BF16, 768, 1024, 16384, 132).why()).contains("66 tiles of 128x96 x 2 K ranges");
    // where both fill alike, the wider: 2304x768 (128x96 would take two rounds)
    assertThat(name(2304, 768, 16384)).isEqualTo(DEEPWELL);
    // a CUTLASS tile that fills as well keeps the problem: 4096x768 is 128 tiles of 128x192 and 256 of
    // 128x96 in two rounds, 97% both (H200: 638-641 against 650-651, kept); 1536x2048x8192 likewise
    // (637-639 against 609)
    assertThat(name(4096, 768, 16384)).isEqualTo("cutlass_sm90_bf16_coop_128x192x64_c2x1");
    assertThat(name(1536, 2048, 8192)).isEqualTo("cutlass_sm90_bf16_coop_128x192x64_c2x1");
    assertThat(name(768, 4096, 8192)).isEqualTo("cutlass_sm90_bf16_coop_128x192x64_c2x1");
  }

  @Test
  void leavesTheOthersToCutlass() {
    // whole tiles would fill 91%, the output does not: 768x512 is 30 tiles of 128x112 of which 6 are
    // 64 of 112 wide (x 4 ranges = 83%; H200: 349-351 TFLOP/s against the separate reduction's
    // 395-400), or 36 of 128x96 x 3 = 73%
    assertThat(name(768, 512, 16384)).isEqualTo("cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2");
    assertThat(name(1024, 512, 16384)).isEqualTo("cutlass_sm90_bf16_splitk_reduce_128x128x64_c1x2");
    // more than two rounds (4096x768: 224 tiles, 85% of two; 9216x768x4096: four rounds)
    assertThat(name(4096, 768, 16384)).isEqualTo("cutlass_sm90_bf16_coop_128x192x64_c2x1");
    assertThat(choose(GemmInput.BF16, 9216, 768, 4096, 132).variant().schedule())
        .isNotEqualTo(GemmKernelCatalog.DEEPWELL);
    // K under 64 k-tiles of 64
    assertThat(name(2304, 768, 4032)).isEqualTo("cutlass_sm90_bf16_pingpong_128x128x64_c2x1");
    // FP8 has no such kernel
    assertThat(choose(GemmInput.FP8_TENSOR, 2304, 768, 16384, 132).variant().schedule())
        .isNotEqualTo(GemmKernelCatalog.DEEPWELL);
  }

  @Test
  void mxfp8RunsItOnItsBf16CopiesUnderTheNativeName() {
    // MXFP8 goes the dequantizing way below K = 8192 here (2304x768x4096); the BF16 rules then
    // choose on the copies, and the library names that configuration "mxfp8_deq_" + the BF16 name
    GemmTileChoice.Choice c = choose(GemmInput.MXFP8, 2304, 768, 4096, 132);
    assertThat(c.variant().name()).isEqualTo("mxfp8_deq_" + DEEPWELL);
    assertThat(c.variant().schedule()).isEqualTo(GemmKernelCatalog.DEEPWELL);
    assertThat(GemmKernelCatalog.parseCutlass(GemmInput.BF16, 7, DEEPWELL, "cutlass.sm90.gemm.bf16").orElseThrow()
        .schedule()).isEqualTo(GemmKernelCatalog.DEEPWELL);
  }
}
