package dev.deepwell.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Mxfp8FusedSplitTest {

  private static final int H100_SMS = 132;
  private static final GemmKernelCatalog CATALOG = GemmKernelCatalog.standard(90);

  private static String chosen(long m, long n, long k) {
    List<GemmVariant> mx = CATALOG.variants(KernelProvider.CUTLASS, GemmInput.MXFP8);
    return GemmTileChoice.choose(mx, GemmProblem.builder(m, n, k, GemmInput.MXFP8).build(), H100_SMS).variant().name();
  }

  @Test
  void aCostWorkedByHand() {
    // 768x768x16384 on 128x256 tiles: 6 x 3 = 18 tiles, 256 k-tiles. Seven splits: ranges of
    // ceil(256 / 7) = 37 -> 38 (even) k-tiles, ceil(256 / 38) = 7 ranges, 126 units in one round
    // of 132; 38 x 69 = 2622, + 700, + 7 x 768 x 768 x 424 / 10^6 = 1750 (floor) -> 5072.
    Mxfp8FusedSplit s = Mxfp8FusedSplit.of(768, 768, 16384, 256, H100_SMS);
    assertThat(s).isEqualTo(new Mxfp8FusedSplit(7, 38, 5072));
    // Eight splits would be 144 units: past one round, not considered. One split: 256 x 69.
    assertThat(Mxfp8FusedSplit.of(768, 768, 1024, 256, H100_SMS)).isEqualTo(new Mxfp8FusedSplit(1, 16, 16 * 69));
    // 128x128 tiles: 36 tiles, three splits of 86 (ceil(256 / 3) = 86): 86 x 46 + 700 + 3 x 589824 x 424 / 10^6.
    assertThat(Mxfp8FusedSplit.of(768, 768, 16384, 128, H100_SMS))
        .isEqualTo(new Mxfp8FusedSplit(3, 86, 86 * 46 + 700 + 3L * 589824 * 424 / 1_000_000));
  }

  @Test
  void theModelPicksWhatMeasuredFastestOnTheSweptShapes() {
    // H100, 2026-11-28 (docs/PERFORMANCE.md, session 17): both tiles forced with 1-8 splits; the
    // fastest measured (TFLOP/s) per shape.
    Object[][] fastest = {
        {768L, 768L, 16384L, 256, 7},    // 319.5 (128x128 with 3: 300.9)
        {2304L, 768L, 16384L, 256, 2},   // 471.9 (128x128 with 1: 444.2)
        {768L, 2048L, 16384L, 256, 2},   // 372.9
        {4096L, 768L, 16384L, 256, 1},   // 543.3
        {1024L, 1024L, 16384L, 256, 4},  // 404.6 (128x128 with 2: 386.9)
        {2048L, 1024L, 8192L, 128, 1},   // 473.6 (128x256 with 2: 445.3)
        {768L, 768L, 4096L, 128, 3},     // 182.0 (128x256 with 4: 162.1)
        {3072L, 768L, 8192L, 256, 1}};   // 419.8
    for (Object[] f : fastest) {
      long m = (Long) f[0], n = (Long) f[1], k = (Long) f[2];
      Mxfp8FusedSplit wide = Mxfp8FusedSplit.of(m, n, k, 256, H100_SMS);
      Mxfp8FusedSplit square = Mxfp8FusedSplit.of(m, n, k, 128, H100_SMS);
      int tile = square.cost() < wide.cost() ? 128 : 256;
      assertThat(tile).as("%dx%dx%d", m, n, k).isEqualTo(f[3]);
      assertThat((tile == 128 ? square : wide).splits()).as("%dx%dx%d", m, n, k).isEqualTo(f[4]);
    }
  }

  @Test
  void rangesAreEvenNonEmptyAndSplitsFitOneRound() {
    SplittableRandom r = new SplittableRandom(17);
    for (int i = 0; i < 5000; i++) {
      long m = 1 + r.nextInt(20000), n = 1 + r.nextInt(4096), k = 16L * (1 + r.nextInt(4096));
      int tileN = new int[] {128, 192, 256}[r.nextInt(3)];
      int sms = 1 + r.nextInt(200);
      Mxfp8FusedSplit s = Mxfp8FusedSplit.of(m, n, k, tileN, sms);
      long kTiles = (k + 63) / 64;
      String what = m + "x" + n + "x" + k + " 128x" + tileN + " on " + sms;
      assertThat(s.splitKTiles() % 2).as(what).isZero();
      assertThat((long) s.splits() * s.splitKTiles()).as(what).isGreaterThanOrEqualTo(kTiles);
      assertThat((long) (s.splits() - 1) * s.splitKTiles()).as(what).isLessThan(kTiles);
      assertThat(s.splits()).as(what).isBetween(1, 16);
      if (s.splits() > 1) {
        assertThat(((m + 127) / 128) * ((n + tileN - 1) / tileN) * s.splits()).as(what).isLessThanOrEqualTo(sms);
        assertThat(s.splitKTiles()).as(what).isGreaterThanOrEqualTo(16);
      }
      assertThat(s.cost()).as(what).isPositive();
    }
  }

  @Test
  void theThreeTilesOnAnH200() {
    // H200, 2026-11-28 (docs/PERFORMANCE.md, session 17), each tile with the model's split-K,
    // TFLOP/s 128x256 / 128x192 / 128x128: the model's least cost is the fastest on all seven.
    Object[][] measured = {
        {4096L, 768L, 16384L, 192},   // 536.0 / 611.6 / 388.9
        {2304L, 768L, 16384L, 256},   // 492.6 / 369.4 / 431.5
        {768L, 768L, 16384L, 192},    // 329.1 / 336.5 / 300.7
        {3072L, 768L, 8192L, 192},    // 413.4 / 477.0 / 303.4
        {2304L, 1024L, 16384L, 192},  // 414.3 / 471.6 / 298.6
        {16384L, 768L, 4096L, 256},   // 640.6 / 575.2 / 472.7
        {8192L, 768L, 16384L, 192}};  // 527.8 / 623.7 / 508.7
    for (Object[] f : measured) {
      long m = (Long) f[0], n = (Long) f[1], k = (Long) f[2];
      int best = 256;
      long cost = Mxfp8FusedSplit.of(m, n, k, 256, H100_SMS).cost();
      for (int t : new int[] {192, 128}) {
        if (Mxfp8FusedSplit.of(m, n, k, t, H100_SMS).cost() < cost) {
          cost = Mxfp8FusedSplit.of(m, n, k, t, H100_SMS).cost();
          best = t;
        }
      }
      assertThat(best).as("%dx%dx%d", m, n, k).isEqualTo(f[3]);
    }
  }

  @Test
  void autoTakesTheFusedKernelOnLongKWeightGradientsOfNarrowOutputs() {
    // Measured faster than the dequantizing way (H100 and H200, 2026-11-28)
    for (long[] sh : new long[][] {{2304, 768, 16384}, {1024, 1024, 16384}, {1536, 768, 16384}, {768, 1024, 8192},
        {3072, 1024, 16384}}) {
      assertThat(chosen(sh[0], sh[1], sh[2])).as("%dx%dx%d", sh[0], sh[1], sh[2])
          .isEqualTo("sm90_mxfp8_fused_bf16_128x256x64");
    }
    for (long[] sh : new long[][] {{768, 768, 16384}, {4096, 768, 16384}, {3072, 768, 8192}, {1024, 768, 32768}}) {
      assertThat(chosen(sh[0], sh[1], sh[2])).as("%dx%dx%d", sh[0], sh[1], sh[2])
          .isEqualTo("sm90_mxfp8_fused_bf16_128x192x64");
    }
    assertThat(chosen(2048, 1024, 8192)).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");
    assertThat(chosen(768, 512, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");
    // From M = 256 (H200, 2026-11-28, against the dequantizing way, TFLOP/s): the model's tile.
    assertThat(chosen(640, 640, 8192)).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");   // 233.8 vs 183.9
    assertThat(chosen(512, 512, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");  // 246.5 vs 210.5
    assertThat(chosen(512, 768, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x192x64");  // 277.4 vs 254.4
    assertThat(chosen(256, 768, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x128x64");  // 173.7 vs 166.5
    assertThat(chosen(16384, 768, 768)).isEqualTo("sm90_mxfp8_fused_bf16_128x256x64");
    // 2304x1024x16384: 108 units of 128x192 fill 82% of the SMs, so it is taken, although the pass
    // measured 3.5% faster on an H200 (and 128x256, 55%, 13% slower on an H100).
    assertThat(chosen(2304, 1024, 16384)).isEqualTo("sm90_mxfp8_fused_bf16_128x192x64");
    // Left to the dequantizing pass: 1280x768x4096 (K under 8192, measured 4% slower fused),
    // 768x768x4096; N past 1024 (tied); M under 256; K not a multiple of 16.
    for (long[] sh : new long[][] {{1280, 768, 4096}, {768, 768, 4096}, {768, 2048, 16384}, {255, 768, 16384},
        {768, 768, 16376}}) {
      assertThat(chosen(sh[0], sh[1], sh[2])).as("%dx%dx%d", sh[0], sh[1], sh[2])
          .containsPattern("^(cutlass_sm90_mxfp8_deq_|mxfp8_deq_deepwell_sm90_)");
    }
    GemmTileChoice.Choice c = GemmTileChoice.choose(CATALOG.variants(KernelProvider.CUTLASS, GemmInput.MXFP8),
        GemmProblem.builder(2048, 1024, 8192, GemmInput.MXFP8).build(), H100_SMS);
    assertThat(c.why()).contains("128x128 tiles with 1 K range", "K=8192 >= 8192", "128 units fill >= 70% of 1 round");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> Mxfp8FusedSplit.of(128, 128, 128, 160, 132)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("128x160");
    assertThatThrownBy(() -> Mxfp8FusedSplit.of(0, 128, 128, 128, 132)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x128x128");
    assertThatThrownBy(() -> Mxfp8FusedSplit.of(128, 128, 128, 128, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sms");
  }
}
