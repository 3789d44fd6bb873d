package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.E8M0;
import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.format.Ue4M3;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.bench.GemmBenchmarkProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The benchmark's operands, without a GPU: sizes from the C ABI's layouts, and their values. */
class BenchOperandsTest {

  @Test
  void aCopyIsEveryArgumentTheProblemReads() {
    // BF16 4096^3: A, B, D of 32 MiB each.
    assertThat(BenchOperands.setBytes(GemmProblem.builder(4096, 4096, 4096, GemmInput.BF16).build()))
        .isEqualTo(3L * 4096 * 4096 * 2);
    // FP8 block128, 16384 x 2304 x 768: A 12 MiB, B, D BF16, scales 4 * (6 * 16384) and 4 * (18 * 6).
    long m = 16384;
    long n = 2304;
    long k = 768;
    assertThat(BenchOperands.setBytes(GemmProblem.builder(m, n, k, GemmInput.FP8_BLOCK128).build()))
        .isEqualTo(m * k + n * k + 2 * m * n + 4 * 6 * m + 4 * 18 * 6);
    // NVFP4 with odd K: ceil(K/2) bytes a row, ceil(K/16) UE4M3 scales a row, two FP32 tensor scales.
    assertThat(BenchOperands.setBytes(GemmProblem.builder(3, 5, 33, GemmInput.NVFP4).build()))
        .isEqualTo(3 * 17 + 5 * 17 + 2 * 3 * 5 + 3 * 3 + 5 * 3 + 4 + 4);
  }

  @Test
  void eachFieldHoldsWhatItsFormatReads() {
    assertThat(BenchOperands.content(GemmInput.BF16, Field.A)).isEqualTo(BenchOperands.Content.BF16);
    assertThat(BenchOperands.content(GemmInput.MXFP8, Field.B)).isEqualTo(BenchOperands.Content.E4M3);
    assertThat(BenchOperands.content(GemmInput.MXFP8, Field.SCALE_A)).isEqualTo(BenchOperands.Content.E8M0_SCALE);
    assertThat(BenchOperands.content(GemmInput.NVFP4, Field.A)).isEqualTo(BenchOperands.Content.E2M1_PAIRS);
    assertThat(BenchOperands.content(GemmInput.NVFP4_WEIGHT, Field.A)).isEqualTo(BenchOperands.Content.BF16);
    assertThat(BenchOperands.content(GemmInput.NVFP4_WEIGHT, Field.B)).isEqualTo(BenchOperands.Content.E2M1_PAIRS);
    assertThat(BenchOperands.content(GemmInput.NVFP4_WEIGHT, Field.SCALE_B))
        .isEqualTo(BenchOperands.Content.UE4M3_SCALE);
    assertThat(BenchOperands.content(GemmInput.NVFP4, Field.SCALE_B)).isEqualTo(BenchOperands.Content.UE4M3_SCALE);
    assertThat(BenchOperands.content(GemmInput.NVFP4, Field.TENSOR_SCALE_A))
        .isEqualTo(BenchOperands.Content.F32_SCALE);
    assertThat(BenchOperands.content(GemmInput.FP8_BLOCK128, Field.SCALE_A))
        .isEqualTo(BenchOperands.Content.F32_SCALE);
  }

  /** Bytes generated per content kind in the test (the benchmark makes 8 MiB chunks). */
  static final int N = 1 << 16;

  @Test
  void generatedValuesAreFiniteAndInTheirRanges() {
    byte[] bf16 = BenchOperands.generate(BenchOperands.Content.BF16, 1, N);
    for (int i = 0; i < 4096; i += 2) {
      float v = Bf16.decode((short) ((bf16[i] & 0xFF) | (bf16[i + 1] & 0xFF) << 8));
      assertThat(v).isBetween(-1f, 1f);
    }
    byte[] e4m3 = BenchOperands.generate(BenchOperands.Content.E4M3, 2, N);
    float max = 0;
    for (int i = 0; i < N; i++) {
      float v = Fp8E4M3.decode(e4m3[i]);
      assertThat(v).isBetween(-Fp8E4M3.MAX, Fp8E4M3.MAX);
      max = Math.max(max, Math.abs(v));
    }
    assertThat(max).as("spread over the format's range").isGreaterThan(300f);
    byte[] e2m1 = BenchOperands.generate(BenchOperands.Content.E2M1_PAIRS, 3, N);
    for (int i = 0; i < 4096; i++) {
      assertThat(Fp4E2M1.decode(Fp4E2M1.low(e2m1[i]))).isBetween(-6f, 6f);
      assertThat(Fp4E2M1.decode(Fp4E2M1.high(e2m1[i]))).isBetween(-6f, 6f);
    }
    byte[] f32 = BenchOperands.generate(BenchOperands.Content.F32_SCALE, 4, N);
    for (int i = 0; i < 4096; i += 4) {
      float v = Float.intBitsToFloat((f32[i] & 0xFF) | (f32[i + 1] & 0xFF) << 8 | (f32[i + 2] & 0xFF) << 16
          | (f32[i + 3] & 0xFF) << 24);
      assertThat(v).isBetween(0.5f, 2f);
    }
    byte[] e8m0 = BenchOperands.generate(BenchOperands.Content.E8M0_SCALE, 5, N);
    for (int i = 0; i < 4096; i++) {
      assertThat(E8M0.decode(e8m0[i] & 0xFF)).isIn(0x1p-9f, 0x1p-8f, 0x1p-7f);
    }
    byte[] ue4m3 = BenchOperands.generate(BenchOperands.Content.UE4M3_SCALE, 6, N);
    for (int i = 0; i < 4096; i++) {
      assertThat(Ue4M3.decode(ue4m3[i] & 0xFF)).isBetween(0.5f, 2f);
    }
    assertThat(BenchOperands.generate(BenchOperands.Content.E4M3, 9, N))
        .isEqualTo(BenchOperands.generate(BenchOperands.Content.E4M3, 9, N));
    assertThatThrownBy(() -> BenchOperands.generate(BenchOperands.Content.BF16, 1, 6))
        .hasMessageContaining("multiple of 4");
  }

  @Test
  void theGpuBackendProvidesTheBenchmarkService() {
    assertThat(ServiceLoader.load(GemmBenchmarkProvider.class).stream().map(p -> p.type().getName()))
        .contains(CudaGemmBenchmark.class.getName());
  }
}
