package dev.deepwell.quant;

import static dev.deepwell.quant.QuantTestSupport.code;
import static dev.deepwell.quant.QuantTestSupport.scaleByte;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.format.Fp8E5M2;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MxQuantizerTest {

  private static final QuantOptions CEIL = QuantOptions.defaults();
  private static final QuantOptions OCP =
      QuantOptions.builder().scaleRule(ScaleRule.OCP).build();

  // ---------------------------------------------------------------- hand-computed vectors

  /**
   * MXFP8 E4M3, one row, two blocks of 32.
   *
   * <p>Block 0 = {1, -2.5, 100, 0.3, 0...}: amax 100. CEIL: 100/448 = 0.223 rounds up to 2^-2
   * (code 125); OCP: floor(log2 100) - 8 = 6 - 8 = -2 (code 125) as well. inv = 4, so q = {4, -10,
   * 400, 1.2}: 4 = 1.0*2^2 -> 0x48; -10 = -1.25*2^3 -> 0xD2; 400 lies exactly halfway between 384
   * (1.5*2^8, mantissa 100) and 416 (mantissa 101), ties to even -> 384 = 0x7C; 1.2 -> 1.25*2^0
   * = 0x3A. Dequantized: {1, -2.5, 96, 0.3125}.
   *
   * <p>Block 1 = {500, -0.001, 448, 0...}: amax 500. CEIL: 500/448 = 1.116 rounds up to 2^1 (code
   * 128), inv = 0.5: q = {250, -0.0005, 224}: 250 is nearer 256 than 240 -> 0x78; 0.0005 is below
   * 2^-10 (half the smallest subnormal 2^-9) -> -0 = 0x80; 224 = 1.75*2^7 -> 0x76. Dequantized
   * {512, -0, 448}. OCP: floor(log2 500) - 8 = 0 (code 127), inv = 1: 500 saturates to 448 = 0x7E;
   * 0.001 is above 2^-10 so rounds to 2^-9 -> 0x81; 448 -> 0x7E. Dequantized {448, -2^-9, 448}.
   */
  @Test
  void mxfp8E4m3HandComputedBlocks() {
    float[] x = new float[64];
    x[0] = 1f;
    x[1] = -2.5f;
    x[2] = 100f;
    x[3] = 0.3f;
    x[32] = 500f;
    x[33] = -0.001f;
    x[34] = 448f;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP8_E4M3);

    QuantizedTensor ceil = mx.quantize(x, 1, 64, CEIL);
    assertThat(ceil.scaleRows()).isEqualTo(1);
    assertThat(ceil.scaleCols()).isEqualTo(2);
    assertThat(ceil.scales()).containsExactly(125, 128);
    int[] expectedCeil = {0x48, 0xD2, 0x7C, 0x3A};
    for (int j = 0; j < 4; j++) {
      assertThat(code(ceil, j)).as("element %d", j).isEqualTo(expectedCeil[j]);
    }
    assertThat(code(ceil, 4)).isZero();
    assertThat(code(ceil, 32)).isEqualTo(0x78);
    assertThat(code(ceil, 33)).isEqualTo(0x80);
    assertThat(code(ceil, 34)).isEqualTo(0x76);
    float[] d = mx.dequantize(ceil);
    assertThat(d[0]).isEqualTo(1f);
    assertThat(d[1]).isEqualTo(-2.5f);
    assertThat(d[2]).isEqualTo(96f);
    assertThat(d[3]).isEqualTo(0.3125f);
    assertThat(d[32]).isEqualTo(512f);
    assertThat(Float.floatToRawIntBits(d[33])).isEqualTo(Float.floatToRawIntBits(-0f));
    assertThat(d[34]).isEqualTo(448f);

    QuantizedTensor ocp = mx.quantize(x, 1, 64, OCP);
    assertThat(ocp.scales()).containsExactly(125, 127);
    assertThat(code(ocp, 2)).isEqualTo(0x7C);
    assertThat(code(ocp, 32)).isEqualTo(0x7E);
    assertThat(code(ocp, 33)).isEqualTo(0x81);
    assertThat(code(ocp, 34)).isEqualTo(0x7E);
    float[] o = mx.dequantize(ocp);
    assertThat(o[32]).isEqualTo(448f);
    assertThat(o[33]).isEqualTo(-0x1p-9f);
    assertThat(o[34]).isEqualTo(448f);
  }

  /**
   * MXFP8 E5M2, block = {100, 1, -0.01, 0...}: CEIL 100/57344 = 0.00174 rounds up to 2^-9 (code
   * 118); OCP floor(log2 100) - 15 = -9 (code 118). inv = 512: 51200 lies between 49152 and
   * 57344 (step 8192 in [2^15, 2^16)), nearer 49152 = 1.5*2^15 -> 0x7A; 512 = 2^9 -> 0x60; -5.12
   * -> -1.25*2^2 = -5 -> 0xC5. Dequantized {96, 1, -5/512}.
   */
  @Test
  void mxfp8E5m2HandComputedBlock() {
    float[] x = new float[32];
    x[0] = 100f;
    x[1] = 1f;
    x[2] = -0.01f;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP8_E5M2);
    for (QuantOptions opts : new QuantOptions[] {CEIL, OCP}) {
      QuantizedTensor q = mx.quantize(x, 1, 32, opts);
      assertThat(q.scales()).containsExactly(118);
      assertThat(code(q, 0)).isEqualTo(0x7A);
      assertThat(code(q, 1)).isEqualTo(0x60);
      assertThat(code(q, 2)).isEqualTo(0xC5);
      float[] d = mx.dequantize(q);
      assertThat(d[0]).isEqualTo(96f);
      assertThat(d[1]).isEqualTo(1f);
      assertThat(d[2]).isEqualTo(-5f / 512f);
    }
  }

  /**
   * MXFP4, two blocks. Block 0 = {6, 1, -0.7, 3.2, 0.2, 0...}: CEIL 6/6 = 1 = 2^0, OCP
   * floor(log2 6) - 2 = 0: code 127, inv 1. Codes: 6 -> 0x7, 1 -> 0x2, -0.7 is nearer 0.5 -> 0x9,
   * 3.2 -> 3 = 0x5, 0.2 < 0.25 -> 0. Packed low nibble first: byte0 = 0x27, byte1 = 0x59.
   *
   * <p>Block 1 = {7, -1, 0.5, 0...}: CEIL 7/6 = 1.17 rounds up to 2 (code 128), inv 0.5: 3.5 ties
   * between 3 (0x5, odd mantissa) and 4 (0x6) -> 4; -0.5 -> 0x9; 0.25 ties 0/0.5 -> 0. Dequantized
   * {8, -1, 0}. OCP: floor(log2 7) - 2 = 0 (code 127): 7 saturates to 6 (0x7); -1 -> 0xA; 0.5 ->
   * 0x1. Dequantized {6, -1, 0.5}.
   */
  @Test
  void mxfp4HandComputedBlocks() {
    float[] x = new float[64];
    float[] b0 = {6f, 1f, -0.7f, 3.2f, 0.2f};
    System.arraycopy(b0, 0, x, 0, b0.length);
    x[32] = 7f;
    x[33] = -1f;
    x[34] = 0.5f;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP4);

    QuantizedTensor ceil = mx.quantize(x, 1, 64, CEIL);
    assertThat(ceil.data()).hasSize(32);
    assertThat(ceil.scales()).containsExactly(127, 128);
    assertThat(ceil.data()[0]).isEqualTo((byte) 0x27);
    assertThat(ceil.data()[1]).isEqualTo((byte) 0x59);
    assertThat(code(ceil, 4)).isZero();
    assertThat(code(ceil, 32)).isEqualTo(0x6);
    assertThat(code(ceil, 33)).isEqualTo(0x9);
    assertThat(code(ceil, 34)).isEqualTo(0x0);
    float[] d = mx.dequantize(ceil);
    assertThat(new float[] {d[0], d[1], d[2], d[3], d[4]})
        .containsExactly(6f, 1f, -0.5f, 3f, 0f);
    assertThat(new float[] {d[32], d[33], d[34]}).containsExactly(8f, -1f, 0f);

    QuantizedTensor ocp = mx.quantize(x, 1, 64, OCP);
    assertThat(ocp.scales()).containsExactly(127, 127);
    assertThat(code(ocp, 32)).isEqualTo(0x7);
    assertThat(code(ocp, 33)).isEqualTo(0xA);
    assertThat(code(ocp, 34)).isEqualTo(0x1);
    float[] o = mx.dequantize(ocp);
    assertThat(new float[] {o[32], o[33], o[34]}).containsExactly(6f, -1f, 0.5f);
  }

  // ---------------------------------------------------------------- properties on random blocks

  /** Mantissa bits, smallest normal exponent, largest-binade exponent of each element format. */
  private static int[] params(QuantFormat f) {
    switch (f) {
      case MXFP8_E4M3:
        return new int[] {3, -6, 8};
      case MXFP8_E5M2:
        return new int[] {2, -14, 15};
      default:
        return new int[] {1, 0, 2};
    }
  }

  private static float elementMax(QuantFormat f) {
    return f == QuantFormat.MXFP8_E4M3 ? Fp8E4M3.MAX
        : f == QuantFormat.MXFP8_E5M2 ? Fp8E5M2.MAX : Fp4E2M1.MAX;
  }

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"MXFP8_E4M3", "MXFP8_E5M2", "MXFP4"})
  void randomBlocksStayWithinTheFormatBoundUnderBothRules(QuantFormat format) {
    int[] p = params(format);
    int m = p[0];
    int emin = p[1];
    int emax = p[2];
    float elemMax = elementMax(format);
    MxQuantizer mx = new MxQuantizer(format);
    Random rnd = new Random(11 + format.ordinal());
    int rows = 64;
    int cols = 96;
    int saturatedOcp = 0;
    for (ScaleRule rule : ScaleRule.values()) {
      for (Axis axis : Axis.values()) {
        // Give every stored block its own magnitude: for COL, blocks run down the columns.
        float[] x = axis == Axis.ROW
            ? QuantTestSupport.blockyGaussian(rnd, rows, cols, 32, -30, 30)
            : QuantTestSupport.transpose(
                QuantTestSupport.blockyGaussian(rnd, cols, rows, 32, -30, 30), cols, rows);
        QuantOptions opts = QuantOptions.builder().scaleRule(rule).axis(axis).build();
        QuantizedTensor q = mx.quantize(x, rows, cols, opts);
        float[] d = mx.dequantize(q);
        float[] stored = axis == Axis.ROW ? x : QuantTestSupport.transpose(x, rows, cols);
        int sCols = q.storedCols();
        for (int sr = 0; sr < q.storedRows(); sr++) {
          for (int b = 0; b < sCols / 32; b++) {
            double amax = 0;
            for (int j = 0; j < 32; j++) {
              amax = Math.max(amax, Math.abs(stored[sr * sCols + b * 32 + j]));
            }
            int sc = scaleByte(q, sr, b);
            double scale = Math.scalb(1.0, sc - 127);
            if (amax > 0) {
              if (rule == ScaleRule.CEIL) {
                // Smallest power of two with amax / scale <= elemMax.
                assertThat(amax / scale).isLessThanOrEqualTo(elemMax);
                assertThat(amax / (scale / 2)).isGreaterThan(elemMax);
              } else {
                int floorLog2 = Math.getExponent(amax);
                assertThat(sc - 127).isEqualTo(floorLog2 - emax);
              }
            }
            for (int j = 0; j < 32; j++) {
              int sp = sr * sCols + b * 32 + j;
              double xv = stored[sp];
              double qv = xv / scale; // exact: scale is a power of two
              int orig = axis == Axis.ROW ? sp : (sp % sCols) * cols + sp / sCols;
              double dv = d[orig];
              if (Math.abs(qv) > elemMax) {
                assertThat(rule).as("CEIL never saturates").isEqualTo(ScaleRule.OCP);
                assertThat(Math.abs(qv)).as("OCP saturates only in the top binade")
                    .isGreaterThanOrEqualTo(Math.scalb(1.0, emax));
                assertThat(dv).isEqualTo(Math.copySign(elemMax * scale, xv));
                saturatedOcp++;
              } else {
                double halfUlp = Math.max(Math.abs(xv) * Math.scalb(1.0, -(m + 1)),
                    scale * Math.scalb(1.0, emin - m - 1));
                assertThat(Math.abs(dv - xv)).as("element %d of %s", orig, format)
                    .isLessThanOrEqualTo(halfUlp);
              }
            }
          }
        }
      }
    }
    if (format != QuantFormat.MXFP8_E5M2) {
      // E4M3 (448 < 512) and E2M1 (6 < 8) leave room above the max in the top binade.
      assertThat(saturatedOcp).as("OCP saturations observed").isPositive();
    }
  }

  // ---------------------------------------------------------------- adversarial blocks

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"MXFP8_E4M3", "MXFP8_E5M2", "MXFP4"})
  void allZerosGiveScaleCodeZeroAndZeroCodes(QuantFormat format) {
    MxQuantizer mx = new MxQuantizer(format);
    for (QuantOptions opts : new QuantOptions[] {CEIL, OCP}) {
      QuantizedTensor q = mx.quantize(new float[64], 2, 32, opts);
      assertThat(q.scales()).containsOnly(0);
      assertThat(q.data()).containsOnly(0);
      assertThat(mx.dequantize(q)).containsOnly(0f);
    }
  }

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"MXFP8_E4M3", "MXFP8_E5M2", "MXFP4"})
  void nanOrInfMakesOnlyItsOwnBlockNan(QuantFormat format) {
    MxQuantizer mx = new MxQuantizer(format);
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (float s : special) {
      float[] x = new float[96];
      for (int i = 0; i < x.length; i++) {
        x[i] = 0.5f + i;
      }
      x[40] = s; // block 1
      QuantizedTensor q = mx.quantize(x, 1, 96, CEIL);
      assertThat(scaleByte(q, 0, 1)).isEqualTo(0xFF);
      for (int j = 32; j < 64; j++) {
        assertThat(code(q, j)).isZero();
      }
      float[] d = mx.dequantize(q);
      for (int j = 0; j < 96; j++) {
        if (j >= 32 && j < 64) {
          assertThat(d[j]).as("element %d with %s in its block", j, s).isNaN();
        } else {
          assertThat(d[j]).as("element %d", j).isFinite();
        }
      }
      // The clean blocks are unaffected by the special value.
      float[] clean = x.clone();
      clean[40] = 0f;
      QuantizedTensor ref = mx.quantize(clean, 1, 96, CEIL);
      assertThat(scaleByte(q, 0, 0)).isEqualTo(scaleByte(ref, 0, 0));
      assertThat(scaleByte(q, 0, 2)).isEqualTo(scaleByte(ref, 0, 2));
    }
  }

  @Test
  void oneHugeValueAmongTinyOnesFlushesTheTinyOnes() {
    // amax 1e30: CEIL scale 2^ceil(log2(1e30/448)) = 2^91; 1e-30 * 2^-91 is far below 2^-9.
    float[] x = new float[32];
    for (int i = 0; i < 32; i++) {
      x[i] = (i % 2 == 0 ? 1e-30f : -1e-30f);
    }
    x[17] = 1e30f;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP8_E4M3);
    QuantizedTensor q = mx.quantize(x, 1, 32, CEIL);
    assertThat(q.scales()[0] & 0xFF).isEqualTo(127 + 91);
    float[] d = mx.dequantize(q);
    for (int i = 0; i < 32; i++) {
      if (i == 17) {
        assertThat(Math.abs(d[i] - 1e30) / 1e30).isLessThanOrEqualTo(1.0 / 16);
      } else {
        assertThat(d[i]).isZero();
      }
    }
  }

  @Test
  void denormalBlocksUseTheSmallestScalesAndStayAccurate() {
    // amax = 3e-40 (a float subnormal). CEIL: 3e-40/448 is a subnormal below 2^-127 -> code 0
    // (2^-127). OCP: the biased exponent of a subnormal is 0 -> -127 - 8 clamps to code 0.
    float[] x = new float[32];
    x[0] = 3e-40f;
    x[1] = -1e-40f;
    x[2] = Float.MIN_VALUE;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP8_E4M3);
    for (QuantOptions opts : new QuantOptions[] {CEIL, OCP}) {
      QuantizedTensor q = mx.quantize(x, 1, 32, opts);
      assertThat(q.scales()).containsExactly(0);
      float[] d = mx.dequantize(q);
      // q = x * 2^127 = 0.05104 = 1.633 * 2^-5 -> mantissa 5/8: 1.625 * 2^-5, back to
      // 1.625 * 2^-132 (a float subnormal, exactly representable).
      assertThat(d[0]).isEqualTo(1.625f * 0x1p-132f);
      assertThat(Math.abs(d[1] - x[1])).isLessThanOrEqualTo(Math.abs(x[1]) / 16);
      // 2^-149 * 2^127 = 2^-22, below E4M3's 2^-10 rounding threshold.
      assertThat(d[2]).isZero();
    }
  }

  @Test
  void valuesAtFltMaxFollowTheDocumentedRules() {
    float[] x = new float[32];
    x[0] = Float.MAX_VALUE;
    x[1] = -Float.MAX_VALUE;
    x[2] = 1f;
    MxQuantizer mx = new MxQuantizer(QuantFormat.MXFP8_E4M3);
    // OCP: floor(log2 FLT_MAX) = 127 -> code 127 + 119; FLT_MAX * 2^-119 = 512 - 2^-15 saturates
    // to 448, so the dequantized value is the finite 448 * 2^119.
    QuantizedTensor ocp = mx.quantize(x, 1, 32, OCP);
    assertThat(ocp.scales()[0] & 0xFF).isEqualTo(127 + 119);
    float[] o = mx.dequantize(ocp);
    assertThat(o[0]).isEqualTo(448f * 0x1p119f);
    assertThat(o[1]).isEqualTo(-448f * 0x1p119f);
    // CEIL: FLT_MAX / 448 rounds up to 2^120; FLT_MAX * 2^-120 = 256 - 2^-16 rounds to 256 and
    // 256 * 2^120 = 2^128 overflows float: the value nearest FLT_MAX on the E4M3 grid is beyond
    // float range, so dequantization reports +-Inf (documented, not clamped).
    QuantizedTensor ceil = mx.quantize(x, 1, 32, CEIL);
    assertThat(ceil.scales()[0] & 0xFF).isEqualTo(127 + 120);
    float[] c = mx.dequantize(ceil);
    assertThat(c[0]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(c[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(c[2]).isZero();
  }

  @Test
  void rejectsFormatsThatAreNotMx() {
    assertThatThrownBy(() -> new MxQuantizer(QuantFormat.NVFP4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NVFP4");
    assertThatThrownBy(() -> new MxQuantizer(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
  }
}
