package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CPU backend of {@link GpuGemm} on gemm.h's byte layouts, against the FP64 reference: every
 * input format, ragged shapes, every epilogue, an empty reduction, the MN-major layout only it
 * runs. (On the GPU it only adds the copies; the GPU tests run it there too.)
 */
class HostGemmTest {

  private static float[] run(GemmTestData data) {
    return GemmOperandCodec.decodeOutput(data.problem.output(), HostGemm.compute(data.problem, data.args));
  }

  @ParameterizedTest
  @EnumSource(GemmInput.class)
  void everyFormatWithEveryEpilogueOnRaggedShapes(GemmInput in) {
    GemmProblem plain = GemmProblem.builder(37, 23, 45, in).build();
    GemmProblem full = GemmProblem.builder(37, 23, 45, in).activation(GemmActivation.GELU).bias(true).residual(true)
        .alpha(0.75f).outScale(-1.5f).build();
    GemmProblem silu32 = GemmProblem.builder(19, 64, 160, in).activation(GemmActivation.SILU).bias(true)
        .output(GemmOutput.FP32).build();
    for (GemmProblem p : new GemmProblem[] {plain, full, silu32}) {
      GemmTestData data = GemmTestData.random(p, 5 + p.hashCode());
      assertThat(GemmTolerance.check(data, run(data))).as(p.toString()).isNull();
    }
  }

  @Test
  void theToleranceCatchesAMisplacedScaleBlock() {
    GemmProblem p = GemmProblem.builder(16, 16, 256, GemmInput.FP8_BLOCK128).build();
    GemmTestData data = GemmTestData.random(p, 9);
    // swap A's two K-blocks of scales for row 0: a plausible layout bug
    byte[] s = data.args.get(Field.SCALE_A).clone();
    byte[] good = data.args.get(Field.SCALE_A);
    System.arraycopy(good, 0, s, 4 * 16, 4);
    System.arraycopy(good, 4 * 16, s, 0, 4);
    Map<Field, byte[]> bad = new EnumMap<>(data.args);
    bad.put(Field.SCALE_A, s);
    float[] d = GemmOperandCodec.decodeOutput(p.output(), HostGemm.compute(p, bad));
    boolean differentScales = GemmOperandCodec.floatAt(good, 0) != GemmOperandCodec.floatAt(good, 64);
    assertThat(differentScales).isTrue();
    assertThat(GemmTolerance.check(data, d)).isNotNull().contains("D[0, ");
  }

  @Test
  void anEmptyReductionWritesTheEpilogueOfZero() {
    GemmProblem p = GemmProblem.builder(6, 10, 0, GemmInput.NVFP4).activation(GemmActivation.GELU).bias(true)
        .residual(true).outScale(2f).build();
    GemmTestData data = GemmTestData.random(p, 4);
    float[] d = run(data);
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 10; j++) {
        double expected = 2 * GemmActivation.GELU.apply(data.bias[j]) + data.residual[i * 10 + j];
        assertThat((double) d[i * 10 + j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(
            Math.abs(expected) * 0x1p-8 + 1e-30));
      }
    }
  }

  @Test
  void mnMajorBf16Operands() {
    GemmProblem tn = GemmProblem.builder(9, 11, 13, GemmInput.BF16).output(GemmOutput.FP32).build();
    GemmTestData data = GemmTestData.random(tn, 21);
    GemmProblem nn = tn.toBuilder().layout(OperandMajor.MN_MAJOR, OperandMajor.MN_MAJOR).build();
    Map<Field, byte[]> args = new EnumMap<>(Field.class);
    args.put(Field.A, transpose16(data.args.get(Field.A), 9, 13));
    args.put(Field.B, transpose16(data.args.get(Field.B), 11, 13));
    assertThat(HostGemm.compute(nn, args)).containsExactly(HostGemm.compute(tn, data.args));
    assertThat(GemmTolerance.check(data, run(data))).isNull();
  }

  @Test
  void nanInAnOperandRowPoisonsExactlyThatRow() {
    GemmProblem p = GemmProblem.builder(4, 8, 32, GemmInput.BF16).build();
    float[] x = GemmTestData.values(new java.util.SplittableRandom(1), 4, 32);
    float[] w = GemmTestData.values(new java.util.SplittableRandom(2), 8, 32);
    x[2 * 32 + 5] = Float.NaN;
    GemmTestData data = GemmTestData.of(p, x, w, new java.util.SplittableRandom(3));
    float[] d = run(data);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 8; j++) {
        assertThat(Float.isNaN(d[i * 8 + j])).as("D[%d, %d]", i, j).isEqualTo(i == 2);
      }
    }
    assertThat(GemmTolerance.check(data, d)).isNull();
  }

  @Test
  void nvfp4WeightNanOrZeroBlockScalesAndTensorScale() {
    GemmProblem p = GemmProblem.builder(3, 6, 64, GemmInput.NVFP4_WEIGHT).output(GemmOutput.FP32).build();
    GemmTestData data = GemmTestData.random(p, 12);
    assertThat(data.args).doesNotContainKeys(Field.SCALE_A, Field.TENSOR_SCALE_A);
    assertThat(data.args.get(Field.A)).hasSize(3 * 64 * 2);
    assertThat(data.args.get(Field.B)).hasSize(6 * 32);
    float[] good = run(data);
    assertThat(GemmTolerance.check(data, good)).isNull();
    // UE4M3 code 0x7F in row 4's third block: column 4 of D is NaN for every token, nothing else
    Map<Field, byte[]> nan = new EnumMap<>(data.args);
    byte[] s = data.args.get(Field.SCALE_B).clone();
    s[4 * 4 + 2] = 0x7F;
    nan.put(Field.SCALE_B, s);
    float[] d = GemmOperandCodec.decodeOutput(p.output(), HostGemm.compute(p, nan));
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 6; j++) {
        assertThat(Float.isNaN(d[i * 6 + j])).as("D[%d, %d]", i, j).isEqualTo(j == 4);
      }
    }
    // a zero tensor scale: D = 0 (no bias, no residual)
    Map<Field, byte[]> zero = new EnumMap<>(data.args);
    zero.put(Field.TENSOR_SCALE_B, GemmTestData.floatBytes(0f));
    for (float v : GemmOperandCodec.decodeOutput(p.output(), HostGemm.compute(p, zero))) {
      assertThat(v == 0f).as("%s", v).isTrue(); // +0 or -0
    }
    // the tensor scale multiplies the whole product: doubling it doubles D exactly (FP32 out)
    Map<Field, byte[]> twice = new EnumMap<>(data.args);
    float ts = GemmOperandCodec.floatAt(data.args.get(Field.TENSOR_SCALE_B), 0);
    twice.put(Field.TENSOR_SCALE_B, GemmTestData.floatBytes(2 * ts));
    float[] d2 = GemmOperandCodec.decodeOutput(p.output(), HostGemm.compute(p, twice));
    for (int i = 0; i < d2.length; i++) {
      assertThat(d2[i]).isEqualTo(2 * good[i]);
    }
  }

  private static byte[] transpose16(byte[] x, int rows, int cols) {
    byte[] t = new byte[x.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[2 * (j * rows + i)] = x[2 * (i * cols + j)];
        t[2 * (j * rows + i) + 1] = x[2 * (i * cols + j) + 1];
      }
    }
    return t;
  }
}
