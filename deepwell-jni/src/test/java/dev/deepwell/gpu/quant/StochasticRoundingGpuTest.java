package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.format.Bf16;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Stochastic rounding on the GPU: reproducible per seed, and unbiased over many seeds. */
@Tag("gpu")
class StochasticRoundingGpuTest {

  private static final int ROWS = 128;
  private static final int COLS = 256;
  private static GpuQuantFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuQuantFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) fx.close();
  }

  private static short[] input(long seed) {
    SplittableRandom g = new SplittableRandom(seed);
    short[] x = new short[ROWS * COLS];
    for (int i = 0; i < x.length; i++) x[i] = Bf16.encode((float) ((g.nextDouble() * 2 - 1) * 3.0));
    return x;
  }

  @ParameterizedTest
  @EnumSource(QuantFormat.class)
  void sameSeedSameBytesOtherSeedOtherBytes(QuantFormat f) {
    short[] xb = input(11);
    try (DeviceTensor xt = fx.upload(xb, ROWS, COLS)) {
      Bf16Matrix x = Bf16Matrix.of(xt);
      QuantOptions a = QuantOptions.builder().stochasticRounding(true).seed(1234).build();
      QuantOptions b = a.toBuilder().seed(1235).build();
      try (QuantizedPair p1 = fx.mm.quantizeRowAndCol(x, f, a);
           QuantizedPair p2 = fx.mm.quantizeRowAndCol(x, f, a);
           QuantizedPair p3 = fx.mm.quantizeRowAndCol(x, f, b)) {
        byte[] r1 = fx.download(p1.row().data()), r2 = fx.download(p2.row().data()), r3 = fx.download(p3.row().data());
        byte[] c1 = fx.download(p1.col().data()), c2 = fx.download(p2.col().data());
        assertThat(r2).isEqualTo(r1);
        assertThat(c2).isEqualTo(c1);
        assertThat(Arrays.equals(r1, r3)).as("another seed must round some element differently").isFalse();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MXFP8_E4M3", "MXFP8_E5M2", "MXFP4", "NVFP4", "FP8_TENSOR", "FP8_BLOCK"})
  void meanOverManyDrawsIsUnbiased(QuantFormat f) {
    short[] xb = input(29);
    float[] x = TestInputs.toFloat(xb);
    int draws = 64;
    double[] sum = new double[x.length];
    float[] lo = new float[x.length];
    float[] hi = new float[x.length];
    Arrays.fill(lo, Float.POSITIVE_INFINITY);
    Arrays.fill(hi, Float.NEGATIVE_INFINITY);
    try (DeviceTensor xt = fx.upload(xb, ROWS, COLS)) {
      Bf16Matrix in = Bf16Matrix.of(xt);
      for (int s = 0; s < draws; s++) {
        QuantOptions o = QuantOptions.builder().stochasticRounding(true).seed(1000 + s).build();
        try (GpuQuantizedTensor q = fx.mm.quantize(in, f, o); DeviceTensor d = fx.mm.dequantize(q, DequantType.F32)) {
          float[] v = fx.downloadFloats(d);
          for (int i = 0; i < v.length; i++) {
            sum[i] += v[i];
            lo[i] = Math.min(lo[i], v[i]);
            hi[i] = Math.max(hi[i], v[i]);
          }
        }
      }
    }
    // z = mean over elements of (average draw - x) / (gap between the two neighbours it rounds to):
    // each term has variance <= 1 / (4 draws), so |z| stays far below 0.01 when unbiased; always
    // rounding up or down (or to nearest) would give |z| near 0.25 or more.
    double z = 0;
    int stochastic = 0;
    for (int i = 0; i < x.length; i++) {
      // An element close to one neighbour may round the same way in every draw (lo == hi).
      if (hi[i] > lo[i]) {
        double tol = 1e-6 * Math.abs(x[i]) + 1e-30;
        assertThat((double) x[i]).as("x[%d] between its two rounded values", i).isBetween(lo[i] - tol, hi[i] + tol);
        z += (sum[i] / draws - x[i]) / ((double) hi[i] - lo[i]);
        stochastic++;
      }
    }
    assertThat(stochastic).as("elements that rounded both ways").isGreaterThan(x.length / 4);
    assertThat(Math.abs(z / stochastic)).as("normalized bias of %s", f).isLessThan(0.01);
  }
}
