package dev.deepwell.quant;

import static dev.deepwell.quant.QuantTestSupport.code;
import static dev.deepwell.quant.QuantTestSupport.fp32Scale;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Fp8BlockQuantizerTest {

  private static final Fp8BlockQuantizer FP8B = new Fp8BlockQuantizer();
  private static final QuantOptions ACT = QuantOptions.defaults();
  private static final QuantOptions WEIGHT =
      QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build();

  /**
   * 2 x 128, 1x128 blocks. Row 0 = {1, -2, 3.3, 56, 0, 0.01, 0...}: amax 56, s = 56 / 448 =
   * 0.125 (bytes 00 00 00 3E), q = x / 0.125 = {8, -16, 26.4, 448, 0, 0.08} -> {0x50, 0xD8, 0x5D,
   * 0x7E, 0x00, 0x1A}; dequantized {1, -2, 3.25, 56, 0, 0.009765625}. Row 1 is all zero: amax 0
   * -> s = 1 (bytes 00 00 80 3F), codes 0.
   */
  @Test
  void activationBlocksHandComputed() {
    float[] x = new float[256];
    float[] r0 = {1f, -2f, 3.3f, 56f, 0f, 0.01f};
    System.arraycopy(r0, 0, x, 0, r0.length);
    QuantizedTensor q = FP8B.quantize(x, 2, 128, ACT);
    assertThat(q.scaleRows()).isEqualTo(2);
    assertThat(q.scaleCols()).isEqualTo(1);
    assertThat(q.scales()).containsExactly(0x00, 0x00, 0x00, 0x3E, 0x00, 0x00, 0x80, 0x3F);
    int[] expected = {0x50, 0xD8, 0x5D, 0x7E, 0x00, 0x1A};
    for (int i = 0; i < expected.length; i++) {
      assertThat(code(q, i)).isEqualTo(expected[i]);
    }
    float[] d = FP8B.dequantize(q);
    assertThat(new float[] {d[0], d[1], d[2], d[3], d[4], d[5]})
        .containsExactly(1f, -2f, 3.25f, 56f, 0f, 0.009765625f);
    for (int i = 128; i < 256; i++) {
      assertThat(code(q, i)).isZero();
    }
  }

  /**
   * 130 x 128 weight, 128x128 tiles: tile 0 = rows 0..127, tile 1 = the partial rows 128..129.
   * Tile 0 is 1.0 except x[5][7] = 112: s = 112 / 448 = 0.25; 1 / 0.25 = 4 -> 0x48, 112 / 0.25 =
   * 448 -> 0x7E. Tile 1 is 0.5 except x[129][0] = -7: s = 7 / 448 = 2^-6; 0.5 / 2^-6 = 32 ->
   * 0x60, -7 / 2^-6 = -448 -> 0xFE. Scale matrix [2, 1] = {0.25, 2^-6}.
   */
  @Test
  void weightTilesHandComputedWithARaggedEdge() {
    int rows = 130;
    int cols = 128;
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < 128 * cols ? 1f : 0.5f;
    }
    x[5 * cols + 7] = 112f;
    x[129 * cols] = -7f;
    QuantizedTensor q = FP8B.quantize(x, rows, cols, WEIGHT);
    assertThat(q.scaleRows()).isEqualTo(2);
    assertThat(q.scaleCols()).isEqualTo(1);
    assertThat(fp32Scale(q, 0, 0)).isEqualTo(0.25f);
    assertThat(fp32Scale(q, 1, 0)).isEqualTo(0x1p-6f);
    assertThat(code(q, 0)).isEqualTo(0x48);
    assertThat(code(q, 5 * cols + 7)).isEqualTo(0x7E);
    assertThat(code(q, 128 * cols)).isEqualTo(0x60);
    assertThat(code(q, 129 * cols)).isEqualTo(0xFE);
    float[] d = FP8B.dequantize(q);
    assertThat(d).containsExactly(x); // every value is exactly representable here

    // The same input with 1x128 blocks has one scale per row.
    QuantizedTensor a = FP8B.quantize(x, rows, cols, ACT);
    assertThat(a.scaleRows()).isEqualTo(130);
    assertThat(fp32Scale(a, 5, 0)).isEqualTo(0.25f);
    assertThat(fp32Scale(a, 0, 0)).isEqualTo(1f / 448f);
  }

  /**
   * Found by search: block amax 4.951922, s = amax / 448 = 0.011053397, element 4.421359. The
   * documented x / s is exactly 400, a tie that rounds to 384 (0x7C); x * (1 / s) would give
   * 400.00003 and 416 (0x7D). A kernel that multiplies by a reciprocal fails here.
   */
  @Test
  void pinsDivisionByTheScale() {
    float[] x = new float[128];
    x[0] = Float.intBitsToFloat(0x409e7625);
    x[1] = Float.intBitsToFloat(0x408d7bc6);
    QuantizedTensor q = FP8B.quantize(x, 1, 128, ACT);
    assertThat(code(q, 1)).isEqualTo(0x7C);
  }

  @ParameterizedTest
  @EnumSource(Fp8BlockShape.class)
  void randomBlocksStayWithinTheE4m3BoundOfTheirScale(Fp8BlockShape shape) {
    Random rnd = new Random(41 + shape.ordinal());
    for (Axis axis : Axis.values()) {
      int rows = 256;
      int cols = 256;
      float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 128, -20, 20);
      QuantOptions opts = QuantOptions.builder().fp8BlockShape(shape).axis(axis).build();
      QuantizedTensor q = FP8B.quantize(x, rows, cols, opts);
      float[] stored = axis == Axis.ROW ? x : QuantTestSupport.transpose(x, rows, cols);
      float[] d = FP8B.dequantize(q);
      int tileRows = shape.tileRows();
      for (int tr = 0; tr < q.scaleRows(); tr++) {
        for (int b = 0; b < q.scaleCols(); b++) {
          float amax = 0f;
          for (int r = tr * tileRows; r < (tr + 1) * tileRows; r++) {
            for (int j = 0; j < 128; j++) {
              amax = Math.max(amax, Math.abs(stored[r * cols + b * 128 + j]));
            }
          }
          float s = fp32Scale(q, tr, b);
          assertThat(s).isEqualTo(amax / 448f);
          for (int r = tr * tileRows; r < (tr + 1) * tileRows; r++) {
            for (int j = 0; j < 128; j++) {
              int sp = r * cols + b * 128 + j;
              double xv = stored[sp];
              int orig = axis == Axis.ROW ? sp : (sp % cols) * cols + sp / cols;
              double bound = Math.max(Math.abs(xv) / 16, s * 0x1p-10);
              assertThat(Math.abs(d[orig] - xv)).as("element %d", orig)
                  .isLessThanOrEqualTo(bound * (1 + 1e-6) + Math.abs(xv) * 1e-6);
            }
          }
        }
      }
    }
  }

  @Test
  void adversarialBlocks() {
    float[] x = new float[4 * 128];
    // Row 0: all zeros -> s = 1.
    // Row 1: NaN and +-Inf among finite values: amax over finite = 7 (s = 2^-6).
    x[128] = Float.NaN;
    x[129] = Float.POSITIVE_INFINITY;
    x[130] = Float.NEGATIVE_INFINITY;
    x[131] = 7f;
    x[132] = -3.5f;
    // Row 2: denormals, amax 3e-40 -> s = 3e-40 / 448 (a subnormal).
    x[256] = 3e-40f;
    x[257] = -1e-40f;
    // Row 3: FLT_MAX and one tiny value.
    x[384] = Float.MAX_VALUE;
    x[385] = 1e-30f;
    QuantizedTensor q = FP8B.quantize(x, 4, 128, ACT);
    float[] d = FP8B.dequantize(q);

    assertThat(fp32Scale(q, 0, 0)).isEqualTo(1f);
    for (int i = 0; i < 128; i++) {
      assertThat(d[i]).isZero();
    }
    assertThat(fp32Scale(q, 1, 0)).isEqualTo(0x1p-6f);
    assertThat(code(q, 128)).isEqualTo(0x7F);
    assertThat(code(q, 129)).isEqualTo(0x7E);
    assertThat(code(q, 130)).isEqualTo(0xFE);
    assertThat(d[128]).isNaN();
    assertThat(d[129]).isEqualTo(7f);
    assertThat(d[130]).isEqualTo(-7f);
    assertThat(d[131]).isEqualTo(7f);
    assertThat(d[132]).isEqualTo(-3.5f);
    assertThat(fp32Scale(q, 2, 0)).isEqualTo(3e-40f / 448f);
    assertThat(Math.abs(d[256] - 3e-40) / 3e-40).isLessThan(0.01);
    assertThat(Math.abs(d[257] + 1e-40) / 1e-40).isLessThan(1.0 / 16 + 0.01);
    assertThat(fp32Scale(q, 3, 0)).isEqualTo(Float.MAX_VALUE / 448f);
    assertThat(code(q, 384)).isEqualTo(0x7E);
    assertThat(d[384]).isEqualTo(Float.MAX_VALUE);
    assertThat(d[385]).isZero();
  }
}
