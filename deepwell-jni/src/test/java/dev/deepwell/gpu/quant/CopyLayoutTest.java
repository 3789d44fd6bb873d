package dev.deepwell.gpu.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.quant.Axis;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizers;
import dev.deepwell.quant.ScaleLayout;
import dev.deepwell.quant.ScaleRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java-side sizes and checks of GPU copies (no GPU needed): they must agree with the reference. */
class CopyLayoutTest {

  @Test
  void formatOrdinalsAreTheCAbiCodes() {
    // dw_quant_format in deepwell/quantize.h
    assertThat(QuantFormat.MXFP8_E4M3.ordinal()).isEqualTo(0);
    assertThat(QuantFormat.MXFP8_E5M2.ordinal()).isEqualTo(1);
    assertThat(QuantFormat.MXFP4.ordinal()).isEqualTo(2);
    assertThat(QuantFormat.NVFP4.ordinal()).isEqualTo(3);
    assertThat(QuantFormat.NVFP4_2D.ordinal()).isEqualTo(4);
    assertThat(QuantFormat.FP8_TENSOR.ordinal()).isEqualTo(5);
    assertThat(QuantFormat.FP8_BLOCK.ordinal()).isEqualTo(6);
    assertThat(QuantFormat.values()).hasSize(7);
  }

  @Test
  void sizesMatchTheReferenceQuantizedTensor() {
    int checked = 0;
    for (QuantFormat f : QuantFormat.values()) {
      for (QuantOptions o : optionVariants(f)) {
        for (Axis axis : Axis.values()) {
          int b = Math.max(f.blockSize(), 1);
          int[][] shapes = axis == Axis.ROW
              ? new int[][] {{1, b}, {3, 2 * b}, {130, 4 * b}, {257, 384}}
              : new int[][] {{b, 1}, {2 * b, 3}, {4 * b, 130}, {384, 257}};
          for (int[] s : shapes) {
            if (f.blockSize() > 0 && (axis == Axis.ROW ? s[1] : s[0]) % f.blockSize() != 0) continue;
            QuantOptions ao = o.toBuilder().axis(axis).build();
            CopyLayout l = CopyLayout.of(f, s[0], s[1], ao, Fp8ScaleOrder.ROW_MAJOR);
            QuantizedTensor ref = Quantizers.forFormat(f).quantize(new float[s[0] * s[1]], s[0], s[1], ao);
            assertThat(l.dataBytes).as("%s %s %s data", f, ao, java.util.Arrays.toString(s)).isEqualTo(ref.data().length);
            assertThat(l.scaleBytes).as("%s %s scales", f, ao).isEqualTo(ref.scales().length);
            assertThat(l.scaleRows).isEqualTo(ref.scaleRows());
            assertThat(l.scaleCols).isEqualTo(ref.scaleCols());
            assertThat(l.storedRows).isEqualTo(ref.storedRows());
            assertThat(l.storedCols).isEqualTo(ref.storedCols());
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(100);
  }

  @Test
  void nativeOptionCodes() {
    QuantOptions o = QuantOptions.builder().scaleRule(ScaleRule.OCP).scaleLayout(ScaleLayout.SWIZZLED_128X4)
        .stochasticRounding(true).hadamard16(true).build();
    assertThat(CopyLayout.of(QuantFormat.NVFP4, 16, 32, o, Fp8ScaleOrder.ROW_MAJOR).nativeOptions())
        .containsExactly(3, 0, 1, 0, 1, 1);
    QuantOptions w = QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build();
    assertThat(CopyLayout.of(QuantFormat.FP8_BLOCK, 128, 128, w, Fp8ScaleOrder.ROW_MAJOR).nativeOptions())
        .containsExactly(6, 1, 0, 1, 0, 0);
    assertThat(CopyLayout.of(QuantFormat.FP8_BLOCK, 5, 128, QuantOptions.defaults(), Fp8ScaleOrder.MN_MAJOR)
        .nativeOptions()).containsExactly(6, 1, 2, 0, 0, 0);
  }

  @Test
  void rejectsShapesThatDoNotFitTheBlock() {
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.MXFP8_E4M3, 64, 48, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cols (48) must be a multiple of the mxfp8-e4m3 block size 32");
    QuantOptions col = QuantOptions.builder().axis(Axis.COL).build();
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.NVFP4, 24, 32, col, Fp8ScaleOrder.ROW_MAJOR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows (24) must be a multiple of the nvfp4 block size 16");
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.FP8_BLOCK, 128, 64, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR))
        .hasMessageContaining("block size 128");
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.FP8_TENSOR, 0, 5, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR))
        .hasMessageContaining("rows must be > 0");
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.FP8_TENSOR, 5, -1, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR))
        .hasMessageContaining("cols must be > 0");
  }

  @Test
  void rejectsOptionsTheFormatDoesNotTake() {
    QuantOptions had = QuantOptions.builder().hadamard16(true).build();
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.MXFP4, 32, 32, had, Fp8ScaleOrder.ROW_MAJOR))
        .hasMessageContaining("hadamard16 applies only to nvfp4");
    QuantOptions sw = QuantOptions.builder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build();
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.FP8_BLOCK, 128, 128, sw, Fp8ScaleOrder.ROW_MAJOR))
        .hasMessageContaining("SWIZZLED_128X4 applies only");
    QuantOptions w = QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build();
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.FP8_BLOCK, 128, 128, w, Fp8ScaleOrder.MN_MAJOR))
        .hasMessageContaining("MN_MAJOR applies only to fp8-block with ACT_1X128");
    assertThatThrownBy(() -> CopyLayout.of(QuantFormat.MXFP8_E4M3, 32, 32, QuantOptions.defaults(), Fp8ScaleOrder.MN_MAJOR))
        .hasMessageContaining("MN_MAJOR applies only");
    assertThatThrownBy(() -> CopyLayout.of(null, 32, 32, QuantOptions.defaults(), Fp8ScaleOrder.ROW_MAJOR))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("format");
  }

  @Test
  void mnMajorScalesComeBackRowMajor() {
    // 3 x 2 matrix of FP32 words 0..5 stored MN-major: (m, kb) at kb * 3 + m.
    byte[] mn = new byte[24];
    int[] order = {0, 2, 4, 1, 3, 5};
    for (int i = 0; i < 6; i++) mn[4 * i] = (byte) order[i];
    byte[] rm = GpuQuantizedTensor.mnMajorToRowMajor(mn, 3, 2);
    for (int i = 0; i < 6; i++) assertThat(rm[4 * i]).isEqualTo((byte) i);
  }

  static List<QuantOptions> optionVariants(QuantFormat f) {
    List<QuantOptions> v = new ArrayList<>();
    v.add(QuantOptions.defaults());
    if (f.hasByteScales()) v.add(QuantOptions.builder().scaleLayout(ScaleLayout.SWIZZLED_128X4).build());
    if (f == QuantFormat.FP8_BLOCK) v.add(QuantOptions.builder().fp8BlockShape(Fp8BlockShape.WEIGHT_128X128).build());
    return v;
  }
}
