package dev.deepwell.bench.quant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The GB/s figures in docs/PERFORMANCE.md rest on these byte counts; not a timing test. */
class QuantizerBenchmarkTest {

  static final long INPUT = 4L * 1024 * 4096;

  @Test
  void bytesPerOperationIsInputPlusPackedDataPlusScales() {
    long n = 1024L * 4096;
    // 8-bit elements + one E8M0 byte per 32.
    assertThat(QuantizerBenchmark.bytesPerOperation("mxfp8-e4m3", "ROW", 1024, 4096))
        .isEqualTo(INPUT + n + n / 32);
    // 4-bit elements two per byte + one E8M0 byte per 32, the same along columns.
    assertThat(QuantizerBenchmark.bytesPerOperation("mxfp4", "COL", 1024, 4096))
        .isEqualTo(INPUT + n / 2 + n / 32);
    // NVFP4: one UE4M3 byte per 16; the FP32 tensor scale is not counted.
    assertThat(QuantizerBenchmark.bytesPerOperation("nvfp4", "ROW", 1024, 4096))
        .isEqualTo(INPUT + n / 2 + n / 16);
    // One FP32 scale per 1x128 block.
    assertThat(QuantizerBenchmark.bytesPerOperation("fp8-block", "ROW", 1024, 4096))
        .isEqualTo(INPUT + n + 4 * (n / 128));
    assertThat(QuantizerBenchmark.bytesPerOperation("fp8-tensor", "COL", 1024, 4096))
        .isEqualTo(INPUT + n);
  }

  @Test
  void benchmarkInputIsReproducible() {
    assertThat(QuantizerBenchmark.input(4, 64, 3)).isEqualTo(QuantizerBenchmark.input(4, 64, 3));
    assertThat(QuantizerBenchmark.input(4, 64, 3)).isNotEqualTo(QuantizerBenchmark.input(4, 64, 4));
  }
}
