package dev.deepwell.gpu.gemm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.quant.Quantizers;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The host decoder of gemm.h's operand layouts (used by the CPU backend) against the reference
 * dequantizers of {@code dev.deepwell.quant}: bit for bit, with the per-tensor scale applied the
 * same way (the decoder leaves it to the accumulator).
 */
class GemmOperandCodecTest {

  @ParameterizedTest
  @EnumSource(GemmInput.class)
  void decodesExactlyWhatTheReferenceDequantizes(GemmInput in) {
    GemmProblem p = GemmProblem.builder(130, 70, 256, in).build();
    GemmTestData data = GemmTestData.random(p, 11 + in.ordinal());
    float[] a = decode(data, Field.A, 130, true);
    float[] b = decode(data, Field.B, 70, false);
    if (in == GemmInput.BF16) {
      for (int i = 0; i < a.length; i++) {
        assertThat((double) a[i]).isEqualTo(data.a[i]);
      }
      return;
    }
    if (in.hasAScales()) {
      assertThat(times(a, data.qa.tensorScale())).containsExactly(Quantizers.forFormat(data.qa.format()).dequantize(data.qa));
    } else { // NVFP4_WEIGHT: BF16 activations
      for (int i = 0; i < a.length; i++) {
        assertThat((double) a[i]).isEqualTo(data.a[i]);
      }
    }
    assertThat(times(b, data.qb.tensorScale())).containsExactly(Quantizers.forFormat(data.qb.format()).dequantize(data.qb));
  }

  @ParameterizedTest
  @EnumSource(GemmInput.class)
  void raggedKDecodesToTheFp64ValuesOfTheFirstKColumns(GemmInput in) {
    int m = 7;
    int k = 45; // odd: NVFP4 rows of 23 bytes, a partial block in every format
    GemmTestData data = GemmTestData.random(GemmProblem.builder(m, 5, k, in).build(), 3);
    float[] a = decode(data, Field.A, m, true);
    float ts = data.qa == null ? 1f : data.qa.tensorScale();
    for (int i = 0; i < a.length; i++) {
      // one FP32 rounding of the exact product: the same float as the FP64 value rounded
      float expected = (float) data.a[i];
      assertThat(in.hasTensorScale() ? a[i] * ts : a[i]).as("a[%d]", i).isEqualTo(expected);
    }
  }

  @Test
  void outputsRoundTripAndBf16RoundsToNearestEven() {
    float[] v = {1f, -2.5f, 1f + 0x1p-8f, 1f + 0x1p-7f + 0x1p-8f, Float.NaN, Float.NEGATIVE_INFINITY, 0x1p-130f};
    float[] bf = GemmOperandCodec.decodeOutput(GemmOutput.BF16, GemmOperandCodec.encodeOutput(GemmOutput.BF16, v));
    assertThat(bf[0]).isEqualTo(1f);
    assertThat(bf[1]).isEqualTo(-2.5f);
    assertThat(bf[2]).isEqualTo(1f); // tie to even
    assertThat(bf[3]).isEqualTo(1f + 0x1p-6f); // tie to even, upwards
    assertThat(bf[4]).isNaN();
    assertThat(bf[5]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(bf[6]).isEqualTo(0x1p-130f); // BF16 keeps subnormals
    float[] f32 = GemmOperandCodec.decodeOutput(GemmOutput.FP32, GemmOperandCodec.encodeOutput(GemmOutput.FP32, v));
    assertThat(Float.floatToRawIntBits(f32[2])).isEqualTo(Float.floatToRawIntBits(v[2]));
    assertThat(f32).hasSize(v.length);
    assertThat(GemmOperandCodec.floatAt(GemmTestData.floatBytes(-0.375f), 0)).isEqualTo(-0.375f);
  }

  @Test
  void mMajorScalesAreTheTransposeOfRowMajor() {
    byte[] rowMajor = new byte[4 * 6];
    SplittableRandom r = new SplittableRandom(1);
    r.nextBytes(rowMajor);
    byte[] m = GemmTestData.mMajor(rowMajor, 3, 2);
    // (row 2, block 1) sits at 1 * 3 + 2 in M-major order, at 2 * 2 + 1 in row-major order
    assertThat(GemmOperandCodec.floatAt(m, 4 * 5)).isEqualTo(GemmOperandCodec.floatAt(rowMajor, 4 * 5));
    assertThat(GemmOperandCodec.floatAt(m, 4 * 1)).isEqualTo(GemmOperandCodec.floatAt(rowMajor, 4 * 2));
  }

  private static float[] decode(GemmTestData data, Field f, int rows, boolean isA) {
    GemmInput in = data.problem.input();
    byte[] scales = in.hasBlockScales() ? data.args.get(isA ? Field.SCALE_A : Field.SCALE_B) : null;
    return GemmOperandCodec.decodeOperand(in, data.args.get(f), scales, rows, (int) data.problem.k(), isA);
  }

  private static float[] times(float[] x, float s) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * s;
    }
    return y;
  }

}
