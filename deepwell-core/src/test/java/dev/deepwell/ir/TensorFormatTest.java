package dev.deepwell.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.precision.Precision;
import org.junit.jupiter.api.Test;

class TensorFormatTest {

  private static final Shape S = Shape.of(256, 512);

  @Test
  void storageBytesByHand() {
    long n = 256 * 512;
    assertThat(TensorFormat.FP32.storageBytes(S)).isEqualTo(4 * n);
    assertThat(TensorFormat.BF16.storageBytes(S)).isEqualTo(2 * n);
    assertThat(TensorFormat.FP8_TENSOR.storageBytes(S)).isEqualTo(n + 4);
    // one E8M0 byte per 32 elements of a row: 256 rows x 16 blocks
    assertThat(TensorFormat.MXFP8.storageBytes(S)).isEqualTo(n + 256 * 16);
    // half a byte per element, one UE4M3 byte per 16, one FP32 tensor scale
    assertThat(TensorFormat.NVFP4.storageBytes(S)).isEqualTo(n / 2 + 256 * 32 + 4);
    assertThat(TensorFormat.NVFP4_2D.storageBytes(S)).isEqualTo(n / 2 + 256 * 32 + 4);
    // FP32 scale per 1x128 block: 256 rows x 4 blocks
    assertThat(TensorFormat.FP8_BLOCK_1X128.storageBytes(S)).isEqualTo(n + 4 * 256 * 4);
    // FP32 scale per 128x128 tile: 2 x 4 tiles
    assertThat(TensorFormat.FP8_BLOCK_128X128.storageBytes(S)).isEqualTo(n + 4 * 2 * 4);
  }

  @Test
  void raggedAndBatchedShapes() {
    // 3 x 130: partial tiles round up
    assertThat(TensorFormat.FP8_BLOCK_128X128.storageBytes(Shape.of(3, 130)))
        .isEqualTo(390 + 4 * 2);
    // expert weights [4, 256, 128]: tiles per expert matrix
    assertThat(TensorFormat.FP8_BLOCK_128X128.storageBytes(Shape.of(4, 256, 128)))
        .isEqualTo(4L * 256 * 128 + 4 * 4 * 2);
    assertThat(TensorFormat.NVFP4.storageBytes(Shape.of(3))).isEqualTo(2 + 1 + 4);
  }

  @Test
  void formatsOfEachPrecision() {
    assertThat(TensorFormat.activationFormat(Precision.FP8_BLOCK))
        .isEqualTo(TensorFormat.FP8_BLOCK_1X128);
    assertThat(TensorFormat.weightFormat(Precision.FP8_BLOCK, true))
        .isEqualTo(TensorFormat.FP8_BLOCK_128X128);
    assertThat(TensorFormat.weightFormat(Precision.NVFP4, true)).isEqualTo(TensorFormat.NVFP4_2D);
    assertThat(TensorFormat.weightFormat(Precision.NVFP4, false)).isEqualTo(TensorFormat.NVFP4);
    for (Precision p : Precision.values()) {
      assertThat(TensorFormat.activationFormat(p).precision()).isEqualTo(p);
      assertThat(TensorFormat.weightFormat(p, true).precision()).isEqualTo(p);
    }
    assertThat(TensorFormat.MXFP8.isOneDimensionalBlocked()).isTrue();
    assertThat(TensorFormat.NVFP4_2D.isOneDimensionalBlocked()).isFalse();
    assertThat(TensorFormat.FP8_TENSOR.isOneDimensionalBlocked()).isFalse();
  }
}
