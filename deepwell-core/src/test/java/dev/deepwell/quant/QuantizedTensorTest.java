package dev.deepwell.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantizedTensorTest {

  private static final QuantOptions RN = QuantOptions.defaults();

  @Test
  void ofAcceptsConsistentBytesAndCopiesThem() {
    byte[] data = new byte[2 * 32 / 2];
    byte[] scales = {127, (byte) 0xFF};
    data[0] = 0x21;
    QuantizedTensor t = QuantizedTensor.of(QuantFormat.MXFP4, 2, 32, RN, data, scales, 1f);
    data[0] = 0;
    scales[0] = 0;
    assertThat(t.data()[0]).isEqualTo((byte) 0x21);
    assertThat(t.scales()[0]).isEqualTo((byte) 127);
    t.data()[0] = 5;
    t.scales()[0] = 5;
    assertThat(t.data()[0]).isEqualTo((byte) 0x21);
    assertThat(t.scales()[0]).isEqualTo((byte) 127);
    assertThat(t.scaleRows()).isEqualTo(2);
    assertThat(t.scaleCols()).isEqualTo(1);
    assertThat(t.toString()).contains("mxfp4", "[2, 32]");
    // Dequantizes like one the quantizer produced: codes 1 (0.5) and 2 (1.0) at scale 2^0.
    float[] d = Quantizers.forFormat(QuantFormat.MXFP4).dequantize(t);
    assertThat(d[0]).isEqualTo(0.5f);
    assertThat(d[1]).isEqualTo(1f);
    assertThat(d[32]).isNaN(); // row 1 carries the NaN scale
  }

  @Test
  void equalityIsByValue() {
    float[] x = new float[64];
    x[3] = 2f;
    Quantizer q = Quantizers.forFormat(QuantFormat.MXFP8_E4M3);
    QuantizedTensor a = q.quantize(x, 2, 32, RN);
    QuantizedTensor b = q.quantize(x, 2, 32, RN);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    x[3] = 3f;
    assertThat(q.quantize(x, 2, 32, RN)).isNotEqualTo(a);
    assertThat(q.quantize(x, 2, 32, RN.toBuilder().seed(1).build())).isNotEqualTo(
        q.quantize(x, 2, 32, RN));
  }

  @Test
  void ofRejectsInconsistentArguments() {
    assertThatThrownBy(() -> QuantizedTensor.of(null, 1, 32, RN, new byte[32], new byte[1], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 32, null,
        new byte[32], new byte[1], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 32, RN, null,
        new byte[1], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 32, RN,
        new byte[31], new byte[1], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data.length 31");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 32, RN,
        new byte[32], new byte[2], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scales.length 2");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 30, RN,
        new byte[30], new byte[1], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cols (30)");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.MXFP8_E4M3, 1, 32, RN,
        new byte[32], new byte[1], 2f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensorScale");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.NVFP4, 1, 16, RN, new byte[8],
        new byte[1], 0f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensorScale");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.NVFP4, 1, 16, RN, new byte[8],
        new byte[] {(byte) 0x80}, 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UE4M3");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.FP8_BLOCK, 1, 128, RN,
        new byte[128], new byte[4], 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FP32 block scale");
    assertThatThrownBy(() -> QuantizedTensor.of(QuantFormat.FP8_TENSOR, 1, 5, RN,
        new byte[5], new byte[0], Float.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensorScale");
  }

  @Test
  void withScaleLayoutRejectsNull() {
    QuantizedTensor t = Quantizers.forFormat(QuantFormat.NVFP4)
        .quantize(new float[16], 1, 16, RN);
    assertThatThrownBy(() -> t.withScaleLayout(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
  }
}
