package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizers;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The given-amax methods: with the tensor amax {@link MicroscaleManager#amaxInto} reduced, the
 * bytes equal the Java reference's (and so those of the methods that reduce it themselves), for
 * every format with a tensor scale, every axis and every fill; bad requests fail in Java.
 */
@Tag("gpu")
class GivenAmaxGpuTest {

  private static GpuQuantFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuQuantFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) fx.close();
  }

  record Case(QuantFormat format, int rows, int cols, MicroscaleManagerGpuTest.Axes axes, TestInputs fill, long seed) {
    @Override
    public String toString() {
      return format.cliName() + " [" + rows + "x" + cols + "] " + axes + " " + fill + " seed " + seed;
    }
  }

  static Stream<Case> cases() {
    List<Case> out = new ArrayList<>();
    long seed = 100;
    for (QuantFormat f : new QuantFormat[] {QuantFormat.NVFP4, QuantFormat.NVFP4_2D, QuantFormat.FP8_TENSOR}) {
      for (MicroscaleManagerGpuTest.Axes a : MicroscaleManagerGpuTest.Axes.values()) {
        for (TestInputs fill : TestInputs.values()) out.add(new Case(f, 128, 256, a, fill, seed++));
        out.add(new Case(f, 1152, 2048, a, TestInputs.RANDOM, seed++));  // many tiles: the pipelined kernels
      }
      out.add(new Case(f, 173, 64, MicroscaleManagerGpuTest.Axes.ROW, TestInputs.RANDOM, seed++));  // ragged rows
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theReducedAmaxGivesTheReferenceBytes(Case c) {
    short[] xb = c.fill().make(c.rows(), c.cols(), c.seed());
    float[] xf = TestInputs.toFloat(xb);
    QuantOptions base = QuantOptions.defaults();
    try (DeviceTensor xt = fx.upload(xb, c.rows(), c.cols()); DeviceBuffer amax = fx.scope.allocate(64)) {
      Bf16Matrix x = Bf16Matrix.of(xt);
      fx.mm.amaxInto(x, amax, 16);  // on the stream, before the quantize that reads it
      if (c.axes() == MicroscaleManagerGpuTest.Axes.BOTH) {
        try (QuantizedPair p = fx.mm.quantizeRowAndColWithAmax(x, c.format(), base, amax, 16)) {
          check(c, p.row(), xf);
          check(c, p.col(), xf);
        }
      } else {
        Axis axis = c.axes() == MicroscaleManagerGpuTest.Axes.ROW ? Axis.ROW : Axis.COL;
        try (GpuQuantizedTensor q = fx.mm.quantizeWithAmax(x, c.format(), base.toBuilder().axis(axis).build(), amax, 16)) {
          check(c, q, xf);
        }
      }
    }
  }

  private static void check(Case c, GpuQuantizedTensor q, float[] xf) {
    QuantizedTensor want = Quantizers.forFormat(c.format()).quantize(xf, c.rows(), c.cols(), q.options());
    QuantizedTensor got = q.toHost(fx.stream);
    String what = c + " [" + q.axis() + " copy, amax given]";
    MicroscaleManagerGpuTest.assertSameBytes(what + " data", got.data(), want.data());
    MicroscaleManagerGpuTest.assertSameBytes(what + " scales", got.scales(), want.scales());
    assertThat(Float.floatToRawIntBits(got.tensorScale())).as(what + " tensor scale")
        .isEqualTo(Float.floatToRawIntBits(want.tensorScale()));
  }

  @Test
  void preallocatedCopiesTakeTheGivenAmaxToo() {
    short[] xb = TestInputs.RANDOM.make(256, 384, 9);
    float[] xf = TestInputs.toFloat(xb);
    QuantOptions o = QuantOptions.defaults();
    try (DeviceTensor xt = fx.upload(xb, 256, 384); DeviceBuffer amax = fx.scope.allocate(4);
         GpuQuantizedTensor row = fx.mm.allocate(QuantFormat.NVFP4, 256, 384, o.toBuilder().axis(Axis.ROW).build());
         GpuQuantizedTensor col = fx.mm.allocate(QuantFormat.NVFP4, 256, 384, o.toBuilder().axis(Axis.COL).build())) {
      Bf16Matrix x = Bf16Matrix.of(xt);
      fx.mm.amaxInto(x, amax, 0);
      fx.mm.quantizeIntoWithAmax(x, row, col, amax, 0);
      for (GpuQuantizedTensor q : new GpuQuantizedTensor[] {row, col}) {
        QuantizedTensor want = Quantizers.forFormat(QuantFormat.NVFP4).quantize(xf, 256, 384, q.options());
        assertThat(q.toHost(fx.stream)).as("%s copy", q.axis()).isEqualTo(want);
      }
    }
  }

  @Test
  void badRequestsFailBeforeAnyKernel() {
    try (DeviceTensor xt = fx.upload(TestInputs.RANDOM.make(128, 128, 3), 128, 128);
         DeviceBuffer amax = fx.scope.allocate(16)) {
      Bf16Matrix x = Bf16Matrix.of(xt);
      QuantOptions o = QuantOptions.defaults();
      assertThatThrownBy(() -> fx.mm.quantizeWithAmax(x, QuantFormat.MXFP8_E4M3, o, amax, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor scale");
      assertThatThrownBy(() -> fx.mm.quantizeRowAndColWithAmax(x, QuantFormat.NVFP4,
          o.toBuilder().hadamard16(true).build(), amax, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hadamard16");
      assertThatThrownBy(() -> fx.mm.quantizeWithAmax(x, QuantFormat.NVFP4, o, amax, 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4-byte aligned");
      assertThatThrownBy(() -> fx.mm.quantizeWithAmax(x, QuantFormat.NVFP4, o, amax, 16))
          .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("amaxOffset 16");
      assertThatThrownBy(() -> fx.mm.quantizeWithAmax(x, QuantFormat.FP8_TENSOR, o, null, 0))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("amax");
      DeviceBuffer closed = fx.scope.allocate(4);
      closed.close();
      assertThatThrownBy(() -> fx.mm.quantizeWithAmax(x, QuantFormat.FP8_TENSOR, o, closed, 0))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("amax is closed");
    }
  }
}
