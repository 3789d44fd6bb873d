package dev.deepwell.quant;

import static dev.deepwell.quant.QuantTestSupport.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Fp8TensorQuantizerTest {

  private static final Fp8TensorQuantizer FP8 = new Fp8TensorQuantizer();
  private static final QuantOptions RN = QuantOptions.defaults();

  /**
   * x = [[1, -2, 3.3], [56, 0, 0.01]]: amax 56, encode scale 448 / 56 = 8, decode scale 1/8.
   * q = {8, -16, 26.4, 448, 0, 0.08}: 8 = 2^3 -> 0x50; -16 = -2^4 -> 0xD8; 26.4 is in [16, 32)
   * (step 2) -> 26 = 1.625 * 2^4 -> 0x5D; 448 -> 0x7E; 0 -> 0x00; 0.08 = 1.28 * 2^-4 -> 1.25 *
   * 2^-4 -> 0x1A. Dequantized {1, -2, 3.25, 56, 0, 0.009765625}.
   */
  @Test
  void handComputedTensor() {
    float[] x = {1f, -2f, 3.3f, 56f, 0f, 0.01f};
    QuantizedTensor q = FP8.quantize(x, 2, 3, RN);
    assertThat(q.tensorScale()).isEqualTo(0.125f);
    assertThat(q.scales()).isEmpty();
    assertThat(q.scaleRows()).isZero();
    assertThat(q.scaleCols()).isZero();
    assertThat(q.data()).containsExactly(0x50, 0xD8, 0x5D, 0x7E, 0x00, 0x1A);
    assertThat(FP8.dequantize(q)).containsExactly(1f, -2f, 3.25f, 56f, 0f, 0.009765625f);

    // COL stores the transpose [3, 2]: the same codes, column by column.
    QuantizedTensor c = FP8.quantize(x, 2, 3, QuantOptions.builder().axis(Axis.COL).build());
    assertThat(c.data()).containsExactly(0x50, 0x7E, 0xD8, 0x00, 0x5D, 0x1A);
    assertThat(FP8.dequantize(c)).containsExactly(FP8.dequantize(q));
  }

  @Test
  void randomTensorsStayWithinTheE4m3Bound() {
    Random rnd = new Random(31);
    for (int trial = 0; trial < 4; trial++) {
      int rows = 17 + trial;
      int cols = 33;
      float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 8, -8, 8);
      QuantizedTensor q = FP8.quantize(x, rows, cols, RN);
      double amax = 0;
      for (float v : x) {
        amax = Math.max(amax, Math.abs(v));
      }
      assertThat(q.tensorScale()).isEqualTo(1f / (448f / (float) amax));
      float[] d = FP8.dequantize(q);
      double s = q.tensorScale();
      for (int i = 0; i < x.length; i++) {
        double bound = Math.max(Math.abs(x[i]) / 16, s * 0x1p-10);
        assertThat(Math.abs(d[i] - (double) x[i])).as("element %d", i)
            .isLessThanOrEqualTo(bound * (1 + 1e-6) + Math.abs(x[i]) * 1e-6);
      }
    }
  }

  @Test
  void allZerosGiveUnitScale() {
    QuantizedTensor q = FP8.quantize(new float[12], 3, 4, RN);
    assertThat(q.tensorScale()).isEqualTo(1f);
    assertThat(q.data()).containsOnly(0);
    assertThat(FP8.dequantize(q)).containsOnly(0f);
  }

  @Test
  void nanStaysNanAndInfSaturatesWithoutTouchingTheScale() {
    float[] x = {1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -56f, 2f};
    QuantizedTensor q = FP8.quantize(x, 1, 6, RN);
    assertThat(q.tensorScale()).isEqualTo(0.125f); // amax over finite values: 56
    assertThat(code(q, 1)).isEqualTo(0x7F);
    assertThat(code(q, 2)).isEqualTo(0x7E);
    assertThat(code(q, 3)).isEqualTo(0xFE);
    float[] d = FP8.dequantize(q);
    assertThat(d[0]).isEqualTo(1f);
    assertThat(d[1]).isNaN();
    assertThat(d[2]).isEqualTo(56f);
    assertThat(d[3]).isEqualTo(-56f);
    assertThat(d[4]).isEqualTo(-56f);
  }

  @Test
  void hugeAmongTinyDenormalsAndFltMax() {
    // 1e30 among 1e-30: s = 448 / 1e30; 1e-30 * s = 4.5e-58 flushes to 0.
    float[] a = {1e30f, 1e-30f, -1e-30f, 0f};
    float[] da = FP8.dequantize(FP8.quantize(a, 2, 2, RN));
    assertThat(Math.abs(da[0] - 1e30) / 1e30).isLessThan(1e-6);
    assertThat(da[1] == 0f && da[2] == 0f).isTrue();

    // Subnormal tensor: 448 / 3e-40 overflows, s clamps to FLT_MAX; q = 3e-40 * FLT_MAX = 0.102
    // is still inside E4M3's normal range, so values keep ~4 bits.
    float[] b = {3e-40f, -2e-40f, 1e-40f, 0f};
    QuantizedTensor qb = FP8.quantize(b, 1, 4, RN);
    assertThat(qb.tensorScale()).isEqualTo(1f / Float.MAX_VALUE);
    float[] db = FP8.dequantize(qb);
    for (int i = 0; i < 3; i++) {
      assertThat(Math.abs(db[i] - (double) b[i]) / Math.abs(b[i])).isLessThan(1.0 / 16 + 0.01);
    }

    // FLT_MAX: s = 448 / FLT_MAX; q = 448 -> 0x7E; 448 * (1 / s) rounds back to FLT_MAX.
    float[] c = {Float.MAX_VALUE, -Float.MAX_VALUE, 1f, 0f};
    QuantizedTensor qc = FP8.quantize(c, 2, 2, RN);
    assertThat(qc.data()).containsExactly(0x7E, 0xFE, 0x00, 0x00);
    float[] dc = FP8.dequantize(qc);
    assertThat(dc[0]).isEqualTo(Float.MAX_VALUE);
    assertThat(dc[1]).isEqualTo(-Float.MAX_VALUE);
  }

  @Test
  void encodeScaleRejectsNonFiniteAmax() {
    assertThatThrownBy(() -> Fp8TensorQuantizer.encodeScale(Float.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amax");
    assertThat(Fp8TensorQuantizer.encodeScale(0f)).isEqualTo(1f);
    assertThat(Fp8TensorQuantizer.encodeScale(56f)).isEqualTo(8f);
  }
}
