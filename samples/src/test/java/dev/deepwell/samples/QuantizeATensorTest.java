package dev.deepwell.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantizeATensorTest {

  // 40 x 96: scale matrix [40, 3], far from the 128x4 swizzle tile, so padding is visible.
  private static final String OUT =
      SampleOutput.capture(out -> QuantizeATensor.run(out, 40, 96, 7L));

  @Test
  void bytesPerElementCountEveryScale() {
    // bf16: 2 B. mxfp8: 1 B + one E8M0 byte per 32. nvfp4: 0.5 B + one UE4M3 byte per 16 + one
    // FP32 tensor scale over 40 * 96 elements.
    assertThat(SampleOutput.number(OUT, "^bf16\\s+(\\S+)")).isEqualTo(2.0);
    assertThat(SampleOutput.number(OUT, "^mxfp8-e4m3\\s+(\\S+)")).isCloseTo(1 + 1 / 32.0,
        within(5e-5));
    assertThat(SampleOutput.number(OUT, "^nvfp4\\s+(\\S+)"))
        .isCloseTo(0.5 + 1 / 16.0 + 4.0 / (40 * 96), within(5e-5));
  }

  @Test
  void errorsGrowAsBitsShrinkAndMxfp8StaysInsideItsBound() {
    double bf16 = SampleOutput.number(OUT, "^bf16\\s+\\S+\\s+(\\S+)");
    double mxfp8 = SampleOutput.number(OUT, "^mxfp8-e4m3\\s+\\S+\\s+(\\S+)");
    double nvfp4 = SampleOutput.number(OUT, "^nvfp4\\s+\\S+\\s+(\\S+)");
    // BF16 keeps 8 significant bits: relative error at most 2^-9 per element.
    assertThat(bf16).isPositive().isLessThanOrEqualTo(0x1p-9);
    assertThat(mxfp8).isGreaterThan(bf16).isLessThan(0x1p-4);
    assertThat(nvfp4).isGreaterThan(mxfp8).isLessThan(0.25);
    double worst = SampleOutput.number(OUT, "worst \\|err\\| / bound = (\\S+)");
    // Within the bound, and the bound is tight: some element comes close to half an ulp.
    assertThat(worst).isLessThanOrEqualTo(1.0).isGreaterThan(0.5);
    assertThat(OUT).contains("-> within the format bound").doesNotContain("OUTSIDE");
  }

  @Test
  void swizzledLayoutPadsToWholeTilesAndRoundTrips() {
    // [40, 3] scales: 120 bytes row-major; one 128 x 4 tile = 512 bytes swizzled.
    assertThat(OUT).contains("logical scale matrix [40, 3]");
    assertThat(SampleOutput.number(OUT, "ROW_MAJOR\\s+(\\d+) bytes")).isEqualTo(120);
    assertThat(SampleOutput.number(OUT, "SWIZZLED_128X4\\s+(\\d+) bytes")).isEqualTo(512);
    assertThat(OUT).contains("padded to [128, 4]");
    // Inside a tile (r, c) sits at (r % 32) * 16 + (r / 32) * 4 + c: row 1 at 16, row 32 at 4.
    assertThat(SampleOutput.number(OUT, "scale \\(\\s*1,\\s*0\\).*swizzled offset\\s+(\\d+)"))
        .isEqualTo(16);
    assertThat(SampleOutput.number(OUT, "scale \\(\\s*32,\\s*0\\).*swizzled offset\\s+(\\d+)"))
        .isEqualTo(4);
    assertThat(SampleOutput.number(OUT, "scale \\(\\s*39,\\s*2\\).*swizzled offset\\s+(\\d+)"))
        .isEqualTo(7 * 16 + 4 + 2);
    assertThat(OUT).doesNotContain("DIFFERENT").doesNotContain(": false")
        .contains("round trip bit-exact: true")
        .contains("dequantize(swizzled) == dequantize(row-major): true")
        .contains("identical tensor: true");
  }

  @Test
  void rejectsColumnsThatAreNotWholeBlocks() {
    assertThatThrownBy(() -> QuantizeATensor.run(System.out, 8, 48, 1L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 x 48");
  }
}
