package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.gpu.CudaGraph;
import dev.deepwell.gpu.CudaGraphExec;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.Quantizers;
import dev.deepwell.quant.ScaleRule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bad requests fail in Java with an exception that names the problem, before any kernel runs;
 * preallocated outputs and CUDA graph capture work.
 */
@Tag("gpu")
class BadInputGpuTest {

  private static GpuQuantFixture fx;

  @BeforeAll
  static void open() {
    fx = GpuQuantFixture.openOrSkip();
  }

  @AfterAll
  static void close() {
    if (fx != null) fx.close();
  }

  private static DeviceTensor bf16(int rows, int cols) {
    return fx.upload(TestInputs.RANDOM.make(rows, cols, 5), rows, cols);
  }

  @Test
  void shapesThatDoNotFitTheBlockSize() {
    try (DeviceTensor x = bf16(8, 48); DeviceTensor y = bf16(40, 64)) {
      assertThatThrownBy(() -> fx.mm.quantize(x, QuantFormat.MXFP8_E4M3, QuantOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cols (48) must be a multiple of the mxfp8-e4m3 block size 32");
      assertThatThrownBy(() -> fx.mm.quantizeRowAndCol(Bf16Matrix.of(y), QuantFormat.NVFP4, QuantOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows (40) must be a multiple of the nvfp4 block size 16");
      assertThatThrownBy(() -> fx.mm.quantize(y, QuantFormat.FP8_BLOCK, QuantOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 128");
    }
  }

  @Test
  void misalignedNonContiguousAndOutOfRangeViews() {
    DeviceBuffer buf = fx.scope.allocate(4096);
    try {
      assertThatThrownBy(() -> Bf16Matrix.view(buf, 2, 4, 32, 32))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("misaligned").hasMessageContaining("16-byte");
      assertThatThrownBy(() -> Bf16Matrix.view(buf, 0, 4, 32, 40))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-contiguous").hasMessageContaining("row stride 40");
      assertThatThrownBy(() -> Bf16Matrix.view(buf, 0, 64, 64, 64)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> Bf16Matrix.view(buf, -16, 4, 32, 32)).isInstanceOf(IllegalArgumentException.class);
      Bf16Matrix ok = Bf16Matrix.view(buf, 16, 4, 32, 32);
      assertThat(ok.offsetBytes()).isEqualTo(16);
    } finally {
      buf.close();
    }
  }

  @Test
  void wrongElementTypeOrRank() {
    try (DeviceTensor f32 = fx.scope.allocateTensor(32, 4, 32); DeviceTensor r1 = fx.scope.allocateTensor(16, 64);
         DeviceTensor r3 = fx.scope.allocateTensor(16, 2, 4, 32)) {
      assertThatThrownBy(() -> Bf16Matrix.of(f32)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16-bit");
      assertThatThrownBy(() -> Bf16Matrix.of(r1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 2");
      assertThatThrownBy(() -> Bf16Matrix.of(r3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank 2");
    }
  }

  @Test
  void closedTensorsAndBuffers() {
    DeviceTensor x = bf16(32, 64);
    Bf16Matrix view = Bf16Matrix.of(x);
    x.close();
    assertThatThrownBy(() -> Bf16Matrix.of(x)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> fx.mm.quantize(view, QuantFormat.MXFP8_E4M3, QuantOptions.defaults()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    try (DeviceTensor y = bf16(32, 64)) {
      GpuQuantizedTensor out = fx.mm.allocate(QuantFormat.MXFP8_E4M3, 32, 64, QuantOptions.defaults());
      out.close();
      assertThatThrownBy(() -> fx.mm.quantizeInto(Bf16Matrix.of(y), out, null))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("rowOut is closed");
      assertThatThrownBy(() -> out.toHost(fx.stream)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> fx.mm.dequantize(out, DequantType.F32)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void mismatchedOutputsFailBeforeAnyKernelRuns() {
    try (DeviceTensor x = bf16(64, 64)) {
      Bf16Matrix in = Bf16Matrix.of(x);
      QuantOptions row = QuantOptions.defaults();
      QuantOptions col = row.toBuilder().axis(Axis.COL).build();
      try (GpuQuantizedTensor r = fx.mm.allocate(QuantFormat.MXFP8_E4M3, 64, 64, row);
           GpuQuantizedTensor c = fx.mm.allocate(QuantFormat.MXFP8_E4M3, 64, 64, col);
           GpuQuantizedTensor cOcp = fx.mm.allocate(QuantFormat.MXFP8_E4M3, 64, 64, col.toBuilder().scaleRule(ScaleRule.OCP).build());
           GpuQuantizedTensor small = fx.mm.allocate(QuantFormat.MXFP8_E4M3, 32, 64, row)) {
        byte[] poison = new byte[64 * 64];
        java.util.Arrays.fill(poison, (byte) 0x5A);
        fx.upload(poison, r.data());
        assertThatThrownBy(() -> fx.mm.quantizeInto(in, c, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rowOut must have axis ROW");
        assertThatThrownBy(() -> fx.mm.quantizeInto(in, r, cOcp))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must share format and options");
        assertThatThrownBy(() -> fx.mm.quantizeInto(in, small, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[32, 64] input, x is [64, 64]");
        assertThatThrownBy(() -> fx.mm.quantizeInto(in, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(fx.download(r.data())).as("no kernel wrote rowOut").isEqualTo(poison);
        // The good call writes both, equal to the reference.
        fx.mm.quantizeInto(in, r, c);
        float[] xf = TestInputs.toFloat(TestInputs.RANDOM.make(64, 64, 5));
        assertThat(r.toHost(fx.stream)).isEqualTo(Quantizers.forFormat(QuantFormat.MXFP8_E4M3).quantize(xf, 64, 64, row));
        assertThat(c.toHost(fx.stream)).isEqualTo(Quantizers.forFormat(QuantFormat.MXFP8_E4M3).quantize(xf, 64, 64, col));
      }
      try (GpuQuantizedTensor q = fx.mm.quantize(in, QuantFormat.NVFP4, QuantOptions.defaults());
           DeviceTensor wrongShape = fx.scope.allocateTensor(32, 64, 32);
           DeviceTensor wrongBits = fx.scope.allocateTensor(8, 64, 64)) {
        assertThatThrownBy(() -> fx.mm.dequantizeInto(q, wrongShape)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("out must be [64, 64]");
        assertThatThrownBy(() -> fx.mm.dequantizeInto(q, wrongBits)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("32-bit (FP32) or 16-bit (BF16)");
      }
      assertThatThrownBy(() -> fx.mm.quantize(in, QuantFormat.MXFP4, QuantOptions.builder().hadamard16(true).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hadamard16 applies only to nvfp4");
      assertThatThrownBy(() -> fx.mm.quantize(in, null, QuantOptions.defaults())).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> fx.mm.quantize((Bf16Matrix) null, QuantFormat.NVFP4, QuantOptions.defaults()))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void closedManagerRefusesWork() {
    try (DeviceScope scope = DeviceScope.open(fx.stream); DeviceTensor x = bf16(32, 32)) {
      MicroscaleManager m = MicroscaleManager.create(scope);
      m.close();
      assertThatThrownBy(() -> m.quantize(x, QuantFormat.MXFP8_E4M3, QuantOptions.defaults()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("MicroscaleManager is closed");
    }
  }

  @Test
  void amaxOfFiniteValues() {
    short[] xb = TestInputs.NAN_INF.make(64, 64, 3);
    float want = 0;
    for (float v : TestInputs.toFloat(xb)) if (Float.isFinite(v)) want = Math.max(want, Math.abs(v));
    try (DeviceTensor x = fx.upload(xb, 64, 64)) {
      assertThat(fx.mm.amax(Bf16Matrix.of(x))).isEqualTo(want);
    }
  }

  @Test
  void quantizeIntoCanBeCapturedInACudaGraph() {
    try (DeviceTensor x = bf16(128, 256)) {
      Bf16Matrix in = Bf16Matrix.of(x);
      QuantOptions row = QuantOptions.defaults();
      try (GpuQuantizedTensor r = fx.mm.allocate(QuantFormat.NVFP4, 128, 256, row);
           GpuQuantizedTensor c = fx.mm.allocate(QuantFormat.NVFP4, 128, 256, row.toBuilder().axis(Axis.COL).build());
           CudaGraph g = CudaGraph.capture(fx.stream, s -> fx.mm.quantizeInto(in, r, c));
           CudaGraphExec exec = g.instantiate()) {
        exec.launch(fx.stream);
        fx.stream.synchronize();
        float[] xf = TestInputs.toFloat(TestInputs.RANDOM.make(128, 256, 5));
        assertThat(r.toHost(fx.stream)).isEqualTo(Quantizers.forFormat(QuantFormat.NVFP4).quantize(xf, 128, 256, row));
        assertThat(c.toHost(fx.stream))
            .isEqualTo(Quantizers.forFormat(QuantFormat.NVFP4).quantize(xf, 128, 256, c.options()));
      }
    }
  }
}
