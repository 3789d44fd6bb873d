package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.Fp8E4M3;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Invariants every format must satisfy: axes, scale layouts, stochastic rounding, bad input. */
class CrossFormatTest {

  private static final int ROWS = 256;
  private static final int COLS = 128;

  private static float[] input(long seed, int rows, int cols) {
    return QuantTestSupport.blockyGaussian(new Random(seed), rows, cols, 16, -5, 5);
  }

  private static QuantOptions base(QuantFormat f) {
    return f == QuantFormat.FP8_BLOCK
        ? QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build()
        : QuantOptions.defaults();
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void registryReturnsAQuantizerForEveryFormat(QuantFormat f) {
    Quantizer q = Quantizers.forFormat(f);
    assertThat(q).isSameAs(Quantizers.forFormat(f));
    QuantizedTensor t = q.quantize(input(1, ROWS, COLS), ROWS, COLS, base(f));
    assertThat(t.format()).isEqualTo(f);
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void colIsByteIdenticalToTransposeThenRow(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    float[] x = input(2, ROWS, COLS);
    for (QuantOptions rowOpts : new QuantOptions[] {base(f),
        base(f).toBuilder().fp8BlockShape(Fp8BlockShape.ACT_1X128).build()}) {
      QuantizedTensor col = qz.quantize(x, ROWS, COLS, rowOpts.toBuilder().axis(Axis.COL).build());
      QuantizedTensor rowOfT =
          qz.quantize(QuantTestSupport.transpose(x, ROWS, COLS), COLS, ROWS, rowOpts);
      assertThat(col.data()).containsExactly(rowOfT.data());
      assertThat(col.scales()).containsExactly(rowOfT.scales());
      assertThat(col.scaleRows()).isEqualTo(rowOfT.scaleRows());
      assertThat(col.scaleCols()).isEqualTo(rowOfT.scaleCols());
      assertThat(Float.floatToRawIntBits(col.tensorScale()))
          .isEqualTo(Float.floatToRawIntBits(rowOfT.tensorScale()));
      assertThat(col.rows()).isEqualTo(ROWS);
      assertThat(col.storedRows()).isEqualTo(COLS);
      // Dequantizing returns the original orientation.
      float[] dCol = qz.dequantize(col);
      float[] dRowOfT = qz.dequantize(rowOfT);
      assertThat(dCol).containsExactly(QuantTestSupport.transpose(dRowOfT, COLS, ROWS));
    }
  }

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"MXFP8_E4M3", "MXFP8_E5M2", "MXFP4", "NVFP4",
      "NVFP4_2D"})
  void swizzledScalesRoundTripAndDequantizeIdentically(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    for (Axis axis : Axis.values()) {
      // Ragged: 37 rows (not a multiple of 128 or of the block) along the non-blocked axis.
      int rows = axis == Axis.ROW ? 37 : 64;
      int cols = axis == Axis.ROW ? 64 : 37;
      float[] x = input(3, rows, cols);
      QuantOptions rm = QuantOptions.builder().axis(axis).build();
      QuantOptions sw = rm.toBuilder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build();
      QuantizedTensor a = qz.quantize(x, rows, cols, rm);
      QuantizedTensor b = qz.quantize(x, rows, cols, sw);
      assertThat(a.scaleRows()).isEqualTo(37);
      assertThat(b.scaleLayout()).isEqualTo(ScaleLayout.SWIZZLED_128X4);
      assertThat(b.scales()).hasSize(128 * 4);
      assertThat(a.withScaleLayout(ScaleLayout.SWIZZLED_128X4)).isEqualTo(b);
      assertThat(b.withScaleLayout(ScaleLayout.ROW_MAJOR)).isEqualTo(a);
      assertThat(a.withScaleLayout(ScaleLayout.ROW_MAJOR)).isSameAs(a);
      for (int r = 0; r < a.scaleRows(); r++) {
        for (int c = 0; c < a.scaleCols(); c++) {
          assertThat(QuantTestSupport.scaleByte(b, r, c))
              .isEqualTo(a.scales()[r * a.scaleCols() + c] & 0xFF);
        }
      }
      assertThat(qz.dequantize(b)).containsExactly(qz.dequantize(a));
    }
  }

  @ParameterizedTest
  @EnumSource(value = QuantFormat.class, names = {"FP8_TENSOR", "FP8_BLOCK"})
  void fp32ScaledFormatsRejectTheSwizzledLayout(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    QuantOptions sw = QuantOptions.builder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build();
    assertThatThrownBy(() -> qz.quantize(new float[128], 1, 128, sw))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SWIZZLED_128X4");
    QuantizedTensor t = qz.quantize(new float[128], 1, 128, QuantOptions.defaults());
    assertThatThrownBy(() -> t.withScaleLayout(ScaleLayout.SWIZZLED_128X4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(f.cliName());
  }

  // ---------------------------------------------------------------- stochastic rounding

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void stochasticRoundingIsDeterministicPerSeedAndDiffersAcrossSeeds(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    float[] x = input(4, ROWS, COLS);
    QuantOptions sr = base(f).toBuilder().stochasticRounding(true).seed(17).build();
    QuantizedTensor a = qz.quantize(x, ROWS, COLS, sr);
    QuantizedTensor b = qz.quantize(x, ROWS, COLS, sr);
    QuantizedTensor c = qz.quantize(x, ROWS, COLS, sr.toBuilder().seed(18).build());
    QuantizedTensor rn = qz.quantize(x, ROWS, COLS, base(f));
    assertThat(b.data()).containsExactly(a.data());
    assertThat(c.data()).isNotEqualTo(a.data());
    assertThat(a.data()).isNotEqualTo(rn.data());
    // Scales never depend on the random bits.
    assertThat(a.scales()).containsExactly(rn.scales());
    assertThat(c.scales()).containsExactly(rn.scales());
  }

  /**
   * The mean of the dequantized values over many seeds converges to x: each element's rounding is
   * a two-point distribution on its grid neighbours lo <= x <= hi with mean x, so the sample mean
   * of N draws deviates by at most 6 sigma <= 6 (hi - lo) / (2 sqrt N). Round-to-nearest would
   * miss this bound by orders of magnitude (its bias is up to half the gap).
   */
  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void stochasticRoundingIsUnbiased(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    int cols = f.blockSize() == 0 ? 32 : Math.max(f.blockSize(), 32);
    int rows = f == QuantFormat.NVFP4_2D ? 16 : 1;
    Random rnd = new Random(5);
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextDouble() * 21 - 10.5);
    }
    // Every 16-column block (and 16x16 tile) of row 0 holds amax 10.5: for NVFP4 sEnc = 256 and
    // all block scales (448) are exact, so only the element conversion is random (no UE4M3
    // rounding that could push elements into saturation).
    for (int c = 0; c < cols; c += 16) {
      x[c] = 10.5f;
    }
    int n = 1500;
    double[] sum = new double[x.length];
    float[] lo = new float[x.length];
    float[] hi = new float[x.length];
    Arrays.fill(lo, Float.POSITIVE_INFINITY);
    Arrays.fill(hi, Float.NEGATIVE_INFINITY);
    QuantOptions.Builder opts = base(f).toBuilder().stochasticRounding(true);
    for (int seed = 0; seed < n; seed++) {
      float[] d = qz.dequantize(qz.quantize(x, rows, cols, opts.seed(seed).build()));
      for (int i = 0; i < x.length; i++) {
        sum[i] += d[i];
        lo[i] = Math.min(lo[i], d[i]);
        hi[i] = Math.max(hi[i], d[i]);
      }
    }
    int randomized = 0;
    for (int i = 0; i < x.length; i++) {
      double mean = sum[i] / n;
      // The grid gap at x is hi - lo when both neighbours were drawn; when x sits so close to
      // a grid point that only one was, the gap is still at most |x| * 2^-m (m mantissa bits).
      double gap = Math.max(hi[i] - lo[i], Math.abs(x[i]) * Math.scalb(1.0, -mantissaBits(f)));
      double tol = 6 * gap / (2 * Math.sqrt(n)) + Math.abs(x[i]) * 1e-6;
      assertThat(Math.abs(mean - x[i])).as("%s element %d = %s: mean %s over [%s, %s]", f, i,
          x[i], mean, lo[i], hi[i]).isLessThanOrEqualTo(tol);
      // The draws bracket x (up to the tolerance, for x next to a grid point).
      assertThat((double) lo[i]).isLessThanOrEqualTo(x[i] + tol);
      assertThat((double) hi[i]).isGreaterThanOrEqualTo(x[i] - tol);
      if (lo[i] < hi[i]) {
        randomized++;
      }
    }
    assertThat(randomized).isGreaterThan(x.length / 2);
  }

  private static int mantissaBits(QuantFormat f) {
    switch (f.elementFormat()) {
      case FP8_E4M3:
        return 3;
      case FP8_E5M2:
        return 2;
      default:
        return 1;
    }
  }

  @ParameterizedTest
  @EnumSource(Axis.class)
  void stochasticBitsFollowTheOriginalRowMajorIndex(Axis axis) {
    // FP8_TENSOR has no blocks, so each code is encodeStochastic(x * s, random24(seed, i)) with i
    // the element's index in the ORIGINAL input, whichever axis stores it.
    int rows = 5;
    int cols = 7;
    float[] x = input(6, rows, cols);
    long seed = 0x5EEDL << 33;
    QuantOptions opts =
        QuantOptions.builder().axis(axis).stochasticRounding(true).seed(seed).build();
    QuantizedTensor q = Quantizers.forFormat(QuantFormat.FP8_TENSOR).quantize(x, rows, cols, opts);
    float amax = 0f;
    for (float v : x) {
      amax = Math.max(amax, Math.abs(v));
    }
    float s = Fp8TensorQuantizer.encodeScale(amax);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        int stored = axis == Axis.ROW ? i : c * rows + r;
        int expected = Fp8E4M3.encodeStochastic(x[i] * s, Philox4x32.random24(seed, i)) & 0xFF;
        assertThat(QuantTestSupport.code(q, stored)).as("(%d,%d)", r, c).isEqualTo(expected);
      }
    }
  }

  // ---------------------------------------------------------------- bad input

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void badInputIsRejectedWithTheArgumentNamed(QuantFormat f) {
    Quantizer qz = Quantizers.forFormat(f);
    QuantOptions o = QuantOptions.defaults();
    assertThatThrownBy(() -> qz.quantize(null, 1, 128, o))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x must not be null");
    assertThatThrownBy(() -> qz.quantize(new float[0], 1, 128, o))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x must not be empty");
    assertThatThrownBy(() -> qz.quantize(new float[128], 0, 128, o))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows must be > 0");
    assertThatThrownBy(() -> qz.quantize(new float[128], 1, -128, o))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cols must be > 0");
    assertThatThrownBy(() -> qz.quantize(new float[200], 1, 128, o))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x.length 200 != rows * cols = 1 * 128");
    assertThatThrownBy(() -> qz.quantize(new float[128], 1, 128, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options");
    assertThatThrownBy(() -> qz.dequantize(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q must not be null");
    QuantFormat other = f == QuantFormat.MXFP4 ? QuantFormat.NVFP4 : QuantFormat.MXFP4;
    QuantizedTensor foreign =
        Quantizers.forFormat(other).quantize(new float[128], 1, 128, QuantOptions.defaults());
    assertThatThrownBy(() -> qz.dequantize(foreign))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.cliName());
    if (f.blockSize() > 0) {
      int bad = f.blockSize() + 8;
      assertThatThrownBy(() -> qz.quantize(new float[2 * bad], 2, bad, o))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cols (" + bad + ") must be a multiple of the " + f.cliName()
              + " block size " + f.blockSize());
      QuantOptions col = o.toBuilder().axis(Axis.COL).build();
      assertThatThrownBy(() -> qz.quantize(new float[37 * f.blockSize()], 37, f.blockSize(), col))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rows (37) must be a multiple");
    }
    if (!f.isNvfp4()) {
      QuantOptions had = o.toBuilder().hadamard16(true).build();
      assertThatThrownBy(() -> qz.quantize(new float[128], 1, 128, had))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hadamard16");
    }
  }
}
