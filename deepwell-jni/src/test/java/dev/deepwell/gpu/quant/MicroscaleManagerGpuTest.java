package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.deepwell.format.Bf16;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import dev.deepwell.quant.ScaleLayout;
import dev.deepwell.quant.ScaleRule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format, axis (ROW, COL, both from one pass), scale rule, scale layout, stochastic
 * rounding and Hadamard option, on random tensors (several seeds, ragged shapes) and adversarial
 * ones (zeros, denormals, one huge value per block, NaN/Inf, blocks far below the tensor amax):
 * the GPU's bytes must equal the Java reference quantizer's, and the GPU's dequantization the
 * reference's dequantize (FP32 bits; every NaN counts as the same value; BF16 output as
 * {@code Bf16.encode} of the reference).
 */
@Tag("gpu")
class MicroscaleManagerGpuTest {

  enum Axes { ROW, COL, BOTH }

  record Case(QuantFormat format, QuantOptions options, Fp8ScaleOrder order, String variant, int rows, int cols,
      Axes axes, TestInputs fill, long seed) {
    @Override
    public String toString() {
      return format.cliName() + " " + variant + " [" + rows + "x" + cols + "] " + axes + " " + fill + " seed " + seed;
    }
  }

  private static GpuQuantFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuQuantFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) fx.close();
  }

  static Stream<Case> cases() {
    List<Case> out = new ArrayList<>();
    long seed = 1;
    for (QuantFormat f : QuantFormat.values()) {
      for (Object[] v : variants(f)) {
        QuantOptions o = (QuantOptions) v[1];
        Fp8ScaleOrder order = (Fp8ScaleOrder) v[2];
        String name = (String) v[0];
        // 128 x 256 fits every block size both ways: every fill, every axis.
        for (Axes a : Axes.values()) {
          for (TestInputs fill : TestInputs.values()) out.add(new Case(f, o, order, name, 128, 256, a, fill, seed++));
        }
        out.add(new Case(f, o, order, name, 256, 384, Axes.BOTH, TestInputs.RANDOM, seed++));
        out.add(new Case(f, o, order, name, 384, 128, Axes.BOTH, TestInputs.RANDOM, seed++));
        // More tiles than CTAs fit on an H100 at once (with DEEPWELL_QUANT_GRID=persistent each CTA
        // works through several tiles, prefetching the next).
        if (name.equals("default") || name.equals("hadamard") || name.equals("128x128")) {
          out.add(new Case(f, o, order, name, f == QuantFormat.FP8_BLOCK ? 2304 : 1152, 2048, Axes.BOTH,
              TestInputs.RANDOM, seed++));
        }
        // Ragged: the dimension that is not blocked is arbitrary (partial tiles at the edges).
        int b = Math.max(f.blockSize(), 8);
        out.add(new Case(f, o, order, name, 67, 3 * b, Axes.ROW, TestInputs.RANDOM, seed++));
        out.add(new Case(f, o, order, name, 1, b, Axes.ROW, TestInputs.RANDOM, seed++));
        out.add(new Case(f, o, order, name, 3 * b, 67, Axes.COL, TestInputs.RANDOM, seed++));
        out.add(new Case(f, o, order, name, b, 1, Axes.COL, TestInputs.RANDOM, seed++));
        if (f == QuantFormat.FP8_TENSOR) {
          for (int[] s : new int[][] {{1, 1}, {3, 5}, {67, 13}, {9, 130}}) {
            for (Axes a : Axes.values()) out.add(new Case(f, o, order, name, s[0], s[1], a, TestInputs.RANDOM, seed++));
          }
        }
      }
    }
    return out.stream();
  }

  /** {name, options, fp8 scale order} per format. */
  static List<Object[]> variants(QuantFormat f) {
    List<Object[]> v = new ArrayList<>();
    QuantOptions base = QuantOptions.defaults();
    v.add(new Object[] {"default", base, Fp8ScaleOrder.ROW_MAJOR});
    if (f.isMx()) {
      QuantOptions ocp = base.toBuilder().scaleRule(ScaleRule.OCP).build();
      v.add(new Object[] {"ocp", ocp, Fp8ScaleOrder.ROW_MAJOR});
      v.add(new Object[] {"ocp swizzled", ocp.toBuilder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build(),
          Fp8ScaleOrder.ROW_MAJOR});
    }
    if (f.isNvfp4()) {
      QuantOptions had = base.toBuilder().hadamard16(true).seed(0x1234_5678_9ABC_DEF0L).build();
      v.add(new Object[] {"hadamard", had, Fp8ScaleOrder.ROW_MAJOR});
      v.add(new Object[] {"hadamard swizzled", had.toBuilder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build(),
          Fp8ScaleOrder.ROW_MAJOR});
      v.add(new Object[] {"sr hadamard", had.toBuilder().stochasticRounding(true).seed(-5L).build(),
          Fp8ScaleOrder.ROW_MAJOR});
    }
    if (f == QuantFormat.FP8_BLOCK) {
      v.add(new Object[] {"128x128", base.toBuilder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build(),
          Fp8ScaleOrder.ROW_MAJOR});
      v.add(new Object[] {"mn-major scales", base, Fp8ScaleOrder.MN_MAJOR});
    }
    v.add(new Object[] {"sr", base.toBuilder().stochasticRounding(true).seed(42).build(), Fp8ScaleOrder.ROW_MAJOR});
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTheReferenceByteForByte(Case c) {
    short[] xb = c.fill().make(c.rows(), c.cols(), c.seed());
    float[] xf = TestInputs.toFloat(xb);
    try (DeviceTensor xt = fx.upload(xb, c.rows(), c.cols())) {
      Bf16Matrix x = Bf16Matrix.of(xt);
      if (c.axes() == Axes.BOTH) {
        try (QuantizedPair p = fx.mm.quantizeRowAndCol(x, c.format(), c.options(), c.order())) {
          assertThat(p.row().axis()).isEqualTo(Axis.ROW);
          assertThat(p.col().axis()).isEqualTo(Axis.COL);
          check(c, p.row(), xf);
          check(c, p.col(), xf);
        }
      } else {
        QuantOptions o = c.options().toBuilder().axis(c.axes() == Axes.ROW ? Axis.ROW : Axis.COL).build();
        try (GpuQuantizedTensor q = fx.mm.quantize(x, c.format(), o, c.order())) {
          check(c, q, xf);
        }
      }
    }
  }

  private static void check(Case c, GpuQuantizedTensor q, float[] xf) {
    Quantizer ref = Quantizers.forFormat(c.format());
    QuantizedTensor want = ref.quantize(xf, c.rows(), c.cols(), q.options());
    QuantizedTensor got = q.toHost(fx.stream);
    String what = c + " [" + q.axis() + " copy]";
    assertSameBytes(what + " data", got.data(), want.data());
    assertSameBytes(what + " scales", got.scales(), want.scales());
    assertThat(Float.floatToRawIntBits(got.tensorScale())).as(what + " tensor scale %s vs %s", got.tensorScale(),
        want.tensorScale()).isEqualTo(Float.floatToRawIntBits(want.tensorScale()));
    assertThat(got).as(what).isEqualTo(want);

    float[] wantF = ref.dequantize(want);
    try (DeviceTensor d = fx.mm.dequantize(q, DequantType.F32)) {
      float[] gotF = fx.downloadFloats(d);
      for (int i = 0; i < wantF.length; i++) {
        if (Float.floatToIntBits(gotF[i]) != Float.floatToIntBits(wantF[i])) {
          fail("%s dequantize: element %d of %d is %s, the reference gives %s", what, i, wantF.length, gotF[i], wantF[i]);
        }
      }
    }
    if (c.seed() % 4 == 0) {
      try (DeviceTensor d = fx.mm.dequantize(q, DequantType.BF16)) {
        short[] gotB = fx.downloadShorts(d);
        for (int i = 0; i < wantF.length; i++) {
          if (gotB[i] != Bf16.encode(wantF[i])) {
            fail("%s BF16 dequantize: element %d is 0x%04x, Bf16.encode(reference) is 0x%04x", what, i, gotB[i],
                Bf16.encode(wantF[i]));
          }
        }
      }
    }
  }

  static void assertSameBytes(String what, byte[] got, byte[] want) {
    assertThat(got.length).as(what + " length").isEqualTo(want.length);
    int bad = 0;
    int first = -1;
    for (int i = 0; i < got.length; i++) {
      if (got[i] != want[i]) {
        if (first < 0) first = i;
        bad++;
      }
    }
    if (bad > 0) {
      fail("%s: %d of %d bytes differ, first at %d: GPU 0x%02x, reference 0x%02x", what, bad, got.length, first,
          got[first] & 0xFF, want[first] & 0xFF);
    }
  }
}
