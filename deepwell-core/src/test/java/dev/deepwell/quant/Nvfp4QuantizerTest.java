package dev.deepwell.quant;

import static dev.deepwell.quant.QuantTestSupport.code;
import static dev.deepwell.quant.QuantTestSupport.scaleByte;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.Ue4M3;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Nvfp4QuantizerTest {

  private static final Nvfp4Quantizer NV1D = new Nvfp4Quantizer(QuantFormat.NVFP4);
  private static final Nvfp4Quantizer NV2D = new Nvfp4Quantizer(QuantFormat.NVFP4_2D);
  private static final QuantOptions RN = QuantOptions.defaults();

  // ---------------------------------------------------------------- hand-computed vectors

  /**
   * One row, two 1x16 blocks. Tensor amax A = 10.5, so sEnc = 2688 / 10.5 = 256 exactly and the
   * tensor decode scale is 1/256.
   *
   * <p>Block 0 = {0.5, -1, 2, 3.5, 10.5, 0...}: d = (10.5 / 6) * 256 = 448 -> UE4M3 0x7E, sDec =
   * 448, e = 256 / 448 = 0.5714286. q = {0.286, -0.571, 1.143, 2.0, 6.0000005}: E2M1 codes {0.5
   * -> 0x1, -0.5 -> 0x9, 1 -> 0x2, 2 -> 0x4, 6 -> 0x7}. Dequantized (c * 448) / 256 = {0.875,
   * -0.875, 1.75, 3.5, 10.5}. Packed: 0x91, 0x42, 0x07.
   *
   * <p>Block 1 = {0.1, 0.2, -0.3, 0.05, 0...}: d = (0.3 / 6) * 256 = 12.8, between UE4M3 12 and
   * 13 (step 1 in [8, 16)) -> 13 = 1.625 * 2^3 -> 0x55. e = 256 / 13 = 19.69: q = {1.97, 3.94,
   * -5.91, 0.98} -> {2 = 0x4, 4 = 0x6, -6 = 0xF, 1 = 0x2}. Dequantized {26, 52, -78, 13} / 256.
   */
  @Test
  void oneDimensionalHandComputedBlocks() {
    float[] x = new float[32];
    float[] b0 = {0.5f, -1f, 2f, 3.5f, 10.5f};
    float[] b1 = {0.1f, 0.2f, -0.3f, 0.05f};
    System.arraycopy(b0, 0, x, 0, b0.length);
    System.arraycopy(b1, 0, x, 16, b1.length);
    QuantizedTensor q = NV1D.quantize(x, 1, 32, RN);

    assertThat(q.tensorScale()).isEqualTo(1f / 256f);
    assertThat(q.scaleRows()).isEqualTo(1);
    assertThat(q.scaleCols()).isEqualTo(2);
    assertThat(q.scales()).containsExactly(0x7E, 0x55);
    byte[] data = q.data();
    assertThat(data).hasSize(16);
    assertThat(new byte[] {data[0], data[1], data[2], data[3]})
        .containsExactly(0x91, 0x42, 0x07, 0x00);
    assertThat(new byte[] {data[8], data[9], data[10]}).containsExactly(0x64, 0x2F, 0x00);

    float[] d = NV1D.dequantize(q);
    assertThat(new float[] {d[0], d[1], d[2], d[3], d[4], d[5]})
        .containsExactly(0.875f, -0.875f, 1.75f, 3.5f, 10.5f, 0f);
    assertThat(new float[] {d[16], d[17], d[18], d[19], d[20]})
        .containsExactly(26f / 256, 52f / 256, -78f / 256, 13f / 256, 0f);
  }

  /**
   * 32 x 16 input, tensor amax 10.5 (sEnc = 256). Rows 0..15 are 1.0 except x[0][0] = 10.5; rows
   * 16..31 are 0.1 except x[20][7] = -0.3.
   *
   * <p>2-D: tile 0 amax 10.5 -> 0x7E (448) for all of rows 0..15, e = 256/448: 1.0 -> 0.571 ->
   * 0.5 (0x1), dequantized 0.875. Tile 1 amax 0.3 -> 0x55 (13) for rows 16..31: 0.1 -> 0x4
   * (26/256), -0.3 -> 0xF (-78/256).
   *
   * <p>1-D, for contrast: rows 1..15 have amax 1.0, d = 256/6 = 42.67, between UE4M3 40 and 44
   * (step 4 in [32, 64)) -> 44 = 1.375 * 2^5 = 0x63; e = 256/44 = 5.82: 1.0 -> 6 (0x7),
   * dequantized 6 * 44 / 256 = 1.03125.
   */
  @Test
  void twoDimensionalTileScalesRepeatPerRowAndDifferFromOneD() {
    float[] x = new float[32 * 16];
    for (int r = 0; r < 32; r++) {
      for (int c = 0; c < 16; c++) {
        x[r * 16 + c] = r < 16 ? 1f : 0.1f;
      }
    }
    x[0] = 10.5f;
    x[20 * 16 + 7] = -0.3f;

    QuantizedTensor q2 = NV2D.quantize(x, 32, 16, RN);
    assertThat(q2.scaleRows()).isEqualTo(32);
    assertThat(q2.scaleCols()).isEqualTo(1);
    for (int r = 0; r < 32; r++) {
      assertThat(scaleByte(q2, r, 0)).as("row %d", r).isEqualTo(r < 16 ? 0x7E : 0x55);
    }
    assertThat(code(q2, 0)).isEqualTo(0x7);
    assertThat(code(q2, 1)).isEqualTo(0x1);
    assertThat(code(q2, 16 * 16)).isEqualTo(0x4);
    assertThat(code(q2, 20 * 16 + 7)).isEqualTo(0xF);
    float[] d2 = NV2D.dequantize(q2);
    assertThat(d2[0]).isEqualTo(10.5f);
    assertThat(d2[5 * 16 + 3]).isEqualTo(0.875f);
    assertThat(d2[16 * 16]).isEqualTo(26f / 256);
    assertThat(d2[20 * 16 + 7]).isEqualTo(-78f / 256);

    QuantizedTensor q1 = NV1D.quantize(x, 32, 16, RN);
    assertThat(scaleByte(q1, 0, 0)).isEqualTo(0x7E);
    assertThat(scaleByte(q1, 1, 0)).isEqualTo(0x63);
    assertThat(code(q1, 16)).isEqualTo(0x7);
    assertThat(NV1D.dequantize(q1)[16]).isEqualTo(1.03125f);
  }

  /**
   * Hadamard on a unit vector: x = e_0 gives y = s_0 / 4 in all 16 positions (column 0 of H is
   * all ones). Tensor amax 0.25 -> sEnc = 2688 / 0.25 = 10752; d = (0.25 / 6) * 10752 = 448 ->
   * 0x7E; e = 10752 / 448 = 24; q = 6 s_0 -> 0x7 (s_0 = +1) or 0xF. Dequantized (6 * 448) /
   * 10752 = 0.25 per element, and the inverse transform gives back e_0 exactly.
   */
  @Test
  void hadamardOnAUnitVectorIsHandComputable() {
    long seed = 1234;
    int mask = Hadamard16.signMask(seed);
    float[] x = new float[16];
    x[0] = 1f;
    QuantOptions opts = QuantOptions.builder().hadamard16(true).seed(seed).build();
    QuantizedTensor q = NV1D.quantize(x, 1, 16, opts);
    assertThat(q.tensorScale()).isEqualTo(1f / 10752f);
    assertThat(q.scales()).containsExactly(0x7E);
    int expectedCode = (mask & 1) == 0 ? 0x7 : 0xF;
    for (int j = 0; j < 16; j++) {
      assertThat(code(q, j)).isEqualTo(expectedCode);
    }
    float[] d = NV1D.dequantize(q);
    assertThat(d[0]).isEqualTo(1f);
    for (int j = 1; j < 16; j++) {
      assertThat(d[j] == 0f).as("element %d = %s", j, d[j]).isTrue();
    }
  }

  /**
   * Vectors found by search where a different (but plausible) float op order gives other bytes,
   * so a GPU kernel that does not follow the documented sequence fails here.
   */
  @Test
  void pinsTheDocumentedFloatOpOrder() {
    // Block scale: A = 0.7525732, block amax 0.416603. (amax / 6) * sEnc = 247.99998 -> UE4M3 240
    // (0x77); TransformerEngine's amax * (sEnc * (1/6)) gives 248.0, a tie that rounds to 256.
    float[] x = new float[32];
    x[0] = Float.intBitsToFloat(0x3f40a8a3);
    x[16] = Float.intBitsToFloat(0x3ed54cfd);
    assertThat(NV1D.quantize(x, 1, 32, RN).scales()[1]).isEqualTo((byte) 0x77);

    // Element scale: A = 8.975765, block amax 6.558147 (scale code 0x7A), element 1.869951.
    // sEnc / sDec gives q = 1.7499999 -> E2M1 1.5 (0x3); 1 / (sDec * (1 / sEnc)) gives 1.75,
    // a tie that rounds to 2.
    float[] y = new float[32];
    y[0] = Float.intBitsToFloat(0x410f9cbc);
    y[16] = Float.intBitsToFloat(0x40d1dc57);
    y[17] = Float.intBitsToFloat(0x3fef5a8e);
    QuantizedTensor q = NV1D.quantize(y, 1, 32, RN);
    assertThat(q.scales()[1]).isEqualTo((byte) 0x7A);
    assertThat(code(q, 17)).isEqualTo(0x3);
  }

  // ---------------------------------------------------------------- properties on random blocks

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"NVFP4", "NVFP4_2D"})
  void randomBlocksStayWithinTheE2m1BoundOfTheirScale(QuantFormat format) {
    Nvfp4Quantizer nv = new Nvfp4Quantizer(format);
    Random rnd = new Random(21 + format.ordinal());
    for (Axis axis : Axis.values()) {
      int rows = 48;
      int cols = 64;
      // Block magnitudes span 2^-6..2^6 so every block scale stays in UE4M3's normal range.
      float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 16, -6, 6);
      QuantizedTensor q = nv.quantize(x, rows, cols, QuantOptions.builder().axis(axis).build());
      float[] d = nv.dequantize(q);
      float[] stored = axis == Axis.ROW ? x : QuantTestSupport.transpose(x, rows, cols);
      double tensorAmax = 0;
      for (float v : x) {
        tensorAmax = Math.max(tensorAmax, Math.abs(v));
      }
      float sEnc = 2688f / (float) tensorAmax;
      assertThat(q.tensorScale()).isEqualTo(1f / sEnc);
      int sCols = q.storedCols();
      int tile = format == QuantFormat.NVFP4_2D ? 16 : 1;
      for (int sr = 0; sr < q.storedRows(); sr++) {
        for (int b = 0; b < sCols / 16; b++) {
          double blockAmax = 0;
          int r0 = sr / tile * tile;
          for (int r = r0; r < Math.min(r0 + tile, q.storedRows()); r++) {
            for (int j = 0; j < 16; j++) {
              blockAmax = Math.max(blockAmax, Math.abs(stored[r * sCols + b * 16 + j]));
            }
          }
          double sDec = Ue4M3.decode(scaleByte(q, sr, b));
          double ideal = blockAmax / 6 * sEnc;
          assertThat(Math.abs(sDec - ideal)).as("block scale vs amax/6*sEnc")
              .isLessThanOrEqualTo(ideal / 16 * (1 + 1e-6));
          double s = sDec * q.tensorScale(); // effective scale of the block
          double e = sEnc / sDec;
          for (int j = 0; j < 16; j++) {
            int sp = sr * sCols + b * 16 + j;
            double xv = stored[sp];
            int orig = axis == Axis.ROW ? sp : (sp % sCols) * cols + sp / sCols;
            double err = Math.abs(d[orig] - xv);
            double qv = Math.abs(xv * e);
            // UE4M3 rounding (<= 2^-4 relative) bounds how far q may overshoot 6.
            assertThat(qv).isLessThan(6.0 * 16 / 15 + 1e-5);
            double bound = qv > 6 ? (qv - 6) * s : s * Math.max(qv / 4, 0.25);
            assertThat(err).as("element %d", orig)
                .isLessThanOrEqualTo(bound * (1 + 1e-5) + Math.abs(xv) * 1e-6);
          }
        }
      }
    }
  }

  @Test
  void hadamardRoundTripErrorIsBoundedInTheTransformedDomain() {
    // The transform is orthogonal, so ||x' - x|| equals the quantization error of y = RHT(x),
    // whose elements obey the E2M1 bound of their block scale.
    Random rnd = new Random(5);
    int rows = 8;
    int cols = 64;
    float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 16, -3, 3);
    x[7] = 40f; // an outlier, the case the transform exists for
    QuantOptions opts = QuantOptions.builder().hadamard16(true).seed(99).build();
    QuantizedTensor q = NV1D.quantize(x, rows, cols, opts);
    float[] d = NV1D.dequantize(q);
    float[] y = x.clone();
    int mask = Hadamard16.signMask(99);
    for (int off = 0; off < y.length; off += 16) {
      Hadamard16.forward(y, off, mask);
    }
    double tensorAmax = 0;
    for (float v : y) {
      tensorAmax = Math.max(tensorAmax, Math.abs(v));
    }
    assertThat(q.tensorScale()).isEqualTo(1f / (2688f / (float) tensorAmax));
    for (int blk = 0; blk < rows * cols / 16; blk++) {
      double err2 = 0;
      double bound2 = 0;
      double s = Ue4M3.decode(scaleByte(q, blk / 4, blk % 4)) * (double) q.tensorScale();
      for (int j = 0; j < 16; j++) {
        int i = blk * 16 + j;
        err2 += (d[i] - (double) x[i]) * (d[i] - (double) x[i]);
        double qv = Math.abs(y[i]) / s;
        double b = qv > 6 ? (qv - 6) * s : s * Math.max(qv / 4, 0.25);
        bound2 += b * b;
      }
      assertThat(Math.sqrt(err2)).as("block %d", blk)
          .isLessThanOrEqualTo(Math.sqrt(bound2) * 1.001 + 1e-6);
    }
    QuantizedTensor other = NV1D.quantize(x, rows, cols, opts.toBuilder().seed(100).build());
    assertThat(other.data()).isNotEqualTo(q.data());
  }

  @Test
  void twoDimensionalRowAndColCopiesAreExactTransposes() {
    Random rnd = new Random(8);
    int rows = 48;
    int cols = 64;
    float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 16, -4, 4);
    for (boolean sr : new boolean[] {false, true}) {
      QuantOptions row = QuantOptions.builder().stochasticRounding(sr).seed(3).build();
      QuantOptions col = row.toBuilder().axis(Axis.COL).build();
      QuantizedTensor qr = NV2D.quantize(x, rows, cols, row);
      QuantizedTensor qc = NV2D.quantize(x, rows, cols, col);
      assertThat(qc.tensorScale()).isEqualTo(qr.tensorScale());
      assertThat(qc.scaleRows()).isEqualTo(cols);
      assertThat(qc.scaleCols()).isEqualTo(rows / 16);
      int[] cr = QuantTestSupport.codes(qr);
      int[] cc = QuantTestSupport.codes(qc);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          assertThat(cc[c * rows + r]).as("code (%d,%d) sr=%s", r, c, sr)
              .isEqualTo(cr[r * cols + c]);
          assertThat(scaleByte(qc, c, r / 16)).isEqualTo(scaleByte(qr, r, c / 16));
        }
      }
      float[] dr = NV2D.dequantize(qr);
      float[] dc = NV2D.dequantize(qc);
      assertThat(dc).containsExactly(dr);
    }
  }

  @Test
  void raggedRowsGivePartialTilesAtTheEdge() {
    Random rnd = new Random(9);
    int rows = 37;
    int cols = 32;
    float[] x = QuantTestSupport.blockyGaussian(rnd, rows, cols, 16, -2, 2);
    QuantizedTensor q = NV2D.quantize(x, rows, cols, RN);
    assertThat(q.scaleRows()).isEqualTo(37);
    float tensorAmax = 0f;
    for (float v : x) {
      tensorAmax = Math.max(tensorAmax, Math.abs(v));
    }
    float sEnc = Nvfp4Quantizer.encodeScale(tensorAmax);
    // Rows 32..36 form a partial tile: one scale per 16 columns, from their own amax.
    for (int b = 0; b < 2; b++) {
      double amax = 0;
      for (int r = 32; r < 37; r++) {
        for (int j = 0; j < 16; j++) {
          amax = Math.max(amax, Math.abs(x[r * cols + b * 16 + j]));
        }
      }
      int expected = Nvfp4Quantizer.blockScaleCode((float) amax, sEnc);
      for (int r = 32; r < 37; r++) {
        assertThat(scaleByte(q, r, b)).isEqualTo(expected);
      }
      // ...and differs from the full tile above it (its amax covers other rows).
      assertThat(scaleByte(q, 31, b)).isEqualTo(scaleByte(q, 16, b));
    }
    float[] d = NV2D.dequantize(q);
    for (int i = 0; i < x.length; i++) {
      int r0 = i / cols / 16 * 16;
      int c0 = i % cols / 16 * 16;
      double tileAmax = 0;
      for (int r = r0; r < Math.min(r0 + 16, rows); r++) {
        for (int c = c0; c < c0 + 16; c++) {
          tileAmax = Math.max(tileAmax, Math.abs(x[r * cols + c]));
        }
      }
      // Top-binade half ulp is the block scale, ~amax/6 within UE4M3 rounding (1/16).
      assertThat(Math.abs(d[i] - (double) x[i])).as("element %d", i)
          .isLessThanOrEqualTo(tileAmax / 6 * 17 / 16);
    }
  }

  // ---------------------------------------------------------------- adversarial blocks

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"NVFP4", "NVFP4_2D"})
  void allZerosGiveUnitTensorScaleAndZeroCodes(QuantFormat format) {
    Nvfp4Quantizer nv = new Nvfp4Quantizer(format);
    QuantizedTensor q = nv.quantize(new float[16 * 32], 16, 32, RN);
    assertThat(q.tensorScale()).isEqualTo(1f);
    assertThat(q.scales()).containsOnly(0);
    assertThat(q.data()).containsOnly(0);
    assertThat(nv.dequantize(q)).containsOnly(0f);
  }

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"NVFP4", "NVFP4_2D"})
  void nanOrInfPoisonsOnlyItsOwnBlockAndNotTheTensorScale(QuantFormat format) {
    Nvfp4Quantizer nv = new Nvfp4Quantizer(format);
    int rows = 32;
    int cols = 32;
    float[] clean = new float[rows * cols];
    for (int i = 0; i < clean.length; i++) {
      clean[i] = (i % 7) - 3f;
    }
    QuantizedTensor ref = nv.quantize(clean, rows, cols, RN);
    for (float s : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] x = clean.clone();
      x[3 * cols + 20] = s; // row 3, block 1
      QuantizedTensor q = nv.quantize(x, rows, cols, RN);
      assertThat(q.tensorScale()).isEqualTo(ref.tensorScale());
      float[] d = nv.dequantize(q);
      float[] dref = nv.dequantize(ref);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          boolean poisoned = c >= 16 && (format == QuantFormat.NVFP4 ? r == 3 : r < 16);
          if (poisoned) {
            assertThat(scaleByte(q, r, 1)).isEqualTo(0x7F);
            assertThat(code(q, r * cols + c)).isZero();
            assertThat(d[r * cols + c]).isNaN();
          } else {
            assertThat(d[r * cols + c]).as("(%d,%d) with %s", r, c, s)
                .isEqualTo(dref[r * cols + c]);
          }
        }
      }
    }
  }

  @Test
  void oneHugeValueAmongTinyOnesFlushesTheTinyBlock() {
    // A = 1e30: sEnc = 2.688e-27; block 1's d = (1e-30 / 6) * sEnc underflows to 0 -> scale code
    // 0, element scale 0, codes +-0 and dequantized zeros.
    float[] x = new float[32];
    x[3] = 1e30f;
    for (int j = 16; j < 32; j++) {
      x[j] = j % 2 == 0 ? 1e-30f : -1e-30f;
    }
    QuantizedTensor q = NV1D.quantize(x, 1, 32, RN);
    assertThat(q.scales()).containsExactly(0x7E, 0x00);
    float[] d = NV1D.dequantize(q);
    assertThat(Math.abs(d[3] - 1e30) / 1e30).isLessThan(1e-6);
    for (int j = 16; j < 32; j++) {
      assertThat(d[j] == 0f).isTrue();
      assertThat(code(q, j) & 0x7).isZero();
    }
  }

  @Test
  void subnormalTensorsQuantizeToZeroBecauseTheEncodeScaleClampsAtFltMax() {
    // A = 3e-40: 2688 / A overflows, sEnc clamps to FLT_MAX; d = (3e-40 / 6) * FLT_MAX = 0.017
    // -> UE4M3 1.125 * 2^-6; e = FLT_MAX / 0.0176 clamps to FLT_MAX; q = 3e-40 * FLT_MAX = 0.102
    // < 0.25 -> code 0. Documented: amax below ~6/FLT_MAX loses resolution.
    float[] x = new float[16];
    x[0] = 3e-40f;
    x[1] = -1e-40f;
    x[2] = Float.MIN_VALUE;
    QuantizedTensor q = NV1D.quantize(x, 1, 16, RN);
    assertThat(q.tensorScale()).isEqualTo(1f / Float.MAX_VALUE);
    assertThat(q.scales()).containsExactly(0x09); // 1.125 * 2^-6: exponent field 1, mantissa 1
    for (float v : NV1D.dequantize(q)) {
      assertThat(v == 0f).isTrue();
    }
    // Just above the float normal range the recipe still resolves values.
    float[] y = {1e-37f, 5e-38f, -2.5e-38f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    float[] dy = NV1D.dequantize(NV1D.quantize(y, 1, 16, RN));
    assertThat(Math.abs(dy[0] - (double) y[0]) / y[0]).isLessThan(0.1);
    assertThat(Math.abs(dy[1] - (double) y[1]) / y[1]).isLessThan(0.2);
  }

  @Test
  void valuesAtFltMaxStayFinite() {
    // A = FLT_MAX: sEnc = 2688 / FLT_MAX = 7.9e-36 (normal); d = (FLT_MAX / 6) * sEnc = 448 ->
    // 0x7E; e = sEnc / 448; q = FLT_MAX * e = 6 -> 0x7; dequantized (6 * 448) * (1 / sEnc)
    // rounds to FLT_MAX itself. 1.0 becomes 1.77e-38 -> code 0.
    float[] x = new float[16];
    x[0] = Float.MAX_VALUE;
    x[1] = -Float.MAX_VALUE;
    x[2] = 1f;
    QuantizedTensor q = NV1D.quantize(x, 1, 16, RN);
    assertThat(q.scales()).containsExactly(0x7E);
    assertThat(code(q, 0)).isEqualTo(0x7);
    assertThat(code(q, 1)).isEqualTo(0xF);
    float[] d = NV1D.dequantize(q);
    assertThat(d[0]).isEqualTo(Float.MAX_VALUE);
    assertThat(d[1]).isEqualTo(-Float.MAX_VALUE);
    assertThat(d[2]).isZero();
  }

  @Test
  void scaleHelpersRejectBadArguments() {
    assertThatThrownBy(() -> Nvfp4Quantizer.encodeScale(Float.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amax");
    assertThatThrownBy(() -> Nvfp4Quantizer.blockScaleCode(-1f, 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amax");
    assertThatThrownBy(() -> Nvfp4Quantizer.blockScaleCode(1f, 0f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encodeScale");
    assertThatThrownBy(() -> Nvfp4Quantizer.elementScale(1f, 500f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodedBlockScale");
    assertThatThrownBy(() -> new Nvfp4Quantizer(QuantFormat.MXFP4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MXFP4");
  }
}
