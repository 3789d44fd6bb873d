package dev.deepwell.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepwell.format.Bf16;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuGemmTest {

  private static GemmProblem.Builder fp32(int m, int n, int k) {
    return GemmProblem.builder(m, n, k, GemmInput.BF16).output(GemmOutput.FP32);
  }

  @Test
  void handComputedProductAndEpilogue() {
    // A = [[1, 2, 3], [4, 5, 6]], B (N x K) = [[1, 0, -1], [2, 1, 0.5]]
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = {1, 0, -1, 2, 1, 0.5f};
    // A B^T = [[-2, 5.5], [-2, 16]]
    assertThat(CpuGemm.compute(fp32(2, 2, 3).build(), a, b, 1f, null, null)).containsExactly(-2, 5.5f, -2, 16);
    // D = 0.5 * (2 * AB^T + bias) + residual, bias = [1, -1], residual = [[10, 20], [30, 40]]
    GemmProblem p = fp32(2, 2, 3).bias(true).residual(true).outScale(0.5f).build();
    float[] d = CpuGemm.compute(p, a, b, 2f, new float[] {1, -1}, new float[] {10, 20, 30, 40});
    assertThat(d).containsExactly(0.5f * (-4 + 1) + 10, 0.5f * (11 - 1) + 20, 0.5f * (-4 + 1) + 30,
        0.5f * (32 - 1) + 40);
  }

  @Test
  void activationsApplyBeforeTheResidual() {
    float[] a = {1, 1};
    float[] b = {-1, 0, 2, 0}; // N = 2, K = 2: Y = [-1, 2]
    GemmProblem gelu = fp32(1, 2, 2).activation(GemmActivation.GELU).residual(true).build();
    float[] d = CpuGemm.compute(gelu, a, b, 1f, null, new float[] {100, 100});
    assertThat(d[0]).isEqualTo((float) (100 + GemmActivation.GELU.apply(-1)));
    assertThat(d[1]).isEqualTo((float) (100 + GemmActivation.GELU.apply(2)));
    GemmProblem silu = fp32(1, 2, 2).activation(GemmActivation.SILU).build();
    assertThat(CpuGemm.compute(silu, a, b, 1f, null, null)[1]).isEqualTo((float) (2 / (1 + Math.exp(-2))));
  }

  @Test
  void everyLayoutGivesTheSameProduct() {
    int m = 5;
    int n = 7;
    int k = 9;
    SplittableRandom r = new SplittableRandom(3);
    float[] a = new float[m * k];
    float[] b = new float[n * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextDouble(-1, 1);
    }
    float[] at = transpose(a, m, k);
    float[] bt = transpose(b, n, k);
    float[] tn = CpuGemm.compute(fp32(m, n, k).build(), a, b, 1f, null, null);
    GemmProblem.Builder base = fp32(m, n, k);
    assertThat(CpuGemm.compute(base.layout(OperandMajor.MN_MAJOR, OperandMajor.K_MAJOR).build(), at, b, 1f, null,
        null)).containsExactly(tn);
    assertThat(CpuGemm.compute(base.layout(OperandMajor.K_MAJOR, OperandMajor.MN_MAJOR).build(), a, bt, 1f, null,
        null)).containsExactly(tn);
    assertThat(CpuGemm.compute(base.layout(OperandMajor.MN_MAJOR, OperandMajor.MN_MAJOR).build(), at, bt, 1f, null,
        null)).containsExactly(tn);
    // and each entry is the FP64 dot product, rounded once
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int q = 0; q < k; q++) {
          dot += (double) a[i * k + q] * b[j * k + q];
        }
        assertThat(tn[i * n + j]).isEqualTo((float) dot);
      }
    }
  }

  @Test
  void blockedKernelGivesTheBitsOfOneDotProductAtATime() {
    // Ragged shapes around the kernel's blocks (2 rows x 4 columns, 16-row tasks, 64-column passes),
    // every layout, an epilogue, and sizes past the parallel threshold: each entry must equal the
    // FP64 dot product in K order, through the same epilogue, to the bit.
    SplittableRandom r = new SplittableRandom(29);
    int[][] shapes = {{1, 1, 1}, {1, 5, 3}, {2, 4, 8}, {3, 7, 5}, {17, 65, 33}, {33, 130, 1}, {16, 64, 0},
        {131, 67, 129}, {64, 200, 96}};
    for (int[] sh : shapes) {
      int m = sh[0];
      int n = sh[1];
      int k = sh[2];
      float[] a = new float[m * k];
      float[] b = new float[n * k];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextDouble(-4, 4);
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) (r.nextDouble(-1, 1) * Math.scalb(1.0, r.nextInt(-20, 20)));
      }
      float[] bias = new float[n];
      float[] residual = new float[m * n];
      for (int j = 0; j < n; j++) {
        bias[j] = (float) r.nextDouble(-1, 1);
      }
      for (int i = 0; i < residual.length; i++) {
        residual[i] = (float) r.nextDouble(-1, 1);
      }
      GemmProblem.Builder base = fp32(m, n, k).bias(true).residual(true).activation(GemmActivation.SILU).outScale(0.75f);
      float[] expected = new float[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double dot = 0;
          for (int q = 0; q < k; q++) {
            dot += (double) a[i * k + q] * b[j * k + q];
          }
          double y = 1.5f * dot + bias[j];
          expected[i * n + j] = (float) (0.75f * GemmActivation.SILU.apply(y) + residual[i * n + j]);
        }
      }
      String what = m + "x" + n + "x" + k;
      for (OperandMajor am : OperandMajor.values()) {
        for (OperandMajor bm : OperandMajor.values()) {
          float[] as = am == OperandMajor.K_MAJOR ? a : transpose(a, m, k);
          float[] bs = bm == OperandMajor.K_MAJOR ? b : transpose(b, n, k);
          float[] d = CpuGemm.compute(base.layout(am, bm).build(), as, bs, 1.5f, bias, residual);
          assertThat(d).as(what + " " + am + "/" + bm).containsExactly(expected);
        }
      }
    }
  }

  @Test
  void bf16OutputIsRoundedToNearestEven() {
    // 1 + 2^-8 is halfway between BF16 neighbours 1 and 1 + 2^-7: ties to even gives 1.
    float[] a = {1f, 1f / 256};
    float[] b = {1f, 1f};
    GemmProblem p = GemmProblem.builder(1, 1, 2, GemmInput.BF16).build();
    assertThat(CpuGemm.compute(p, a, b, 1f, null, null)).containsExactly(1f);
    float[] a2 = {1f, 3f / 512};
    float v = CpuGemm.compute(p, a2, b, 1f, null, null)[0];
    assertThat(v).isEqualTo(Bf16.decode(Bf16.encode(1f + 3f / 512))).isEqualTo(1f + 1f / 128);
  }

  @Test
  void anEmptyReductionWritesTheEpilogueOfZero() {
    GemmProblem p = fp32(2, 3, 0).bias(true).residual(true).activation(GemmActivation.GELU).outScale(2f).build();
    float[] d = CpuGemm.compute(p, new float[0], new float[0], 1f, new float[] {1, 0, -1},
        new float[] {0, 0, 0, 5, 5, 5});
    float g1 = (float) (2 * GemmActivation.GELU.apply(1));
    float gm1 = (float) (2 * GemmActivation.GELU.apply(-1));
    assertThat(d).containsExactly(g1, 0, gm1, 5 + g1, 5, 5 + gm1);
    assertThat(CpuGemm.compute(fp32(0, 3, 4).build(), new float[0], new float[12], 1f, null, null)).isEmpty();
  }

  @Test
  void nanPropagatesThroughItsRow() {
    float[] a = {Float.NaN, 1, 1, 1};
    float[] b = {1, 1, 1, 1};
    float[] d = CpuGemm.compute(fp32(2, 2, 2).build(), a, b, 1f, null, null);
    assertThat(d[0]).isNaN();
    assertThat(d[1]).isNaN();
    assertThat(d[2]).isEqualTo(2f);
  }

  @Test
  void argumentsThatDoNotFitTheProblemAreRefused() {
    GemmProblem p = fp32(2, 2, 2).build();
    assertThatThrownBy(() -> CpuGemm.compute(p, new float[3], new float[4], 1f, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a.length 3 != M*K = 4");
    assertThatThrownBy(() -> CpuGemm.compute(p, new float[4], new float[5], 1f, null, null))
        .hasMessage("b.length 5 != N*K = 4");
    assertThatThrownBy(() -> CpuGemm.compute(p, new float[4], new float[4], 1f, new float[2], null))
        .hasMessageContaining("bias must be given iff");
    GemmProblem withBias = fp32(2, 2, 2).bias(true).residual(true).build();
    assertThatThrownBy(() -> CpuGemm.compute(withBias, new float[4], new float[4], 1f, new float[3], new float[4]))
        .hasMessage("bias.length 3 != N = 2");
    assertThatThrownBy(() -> CpuGemm.compute(withBias, new float[4], new float[4], 1f, new float[2], new float[3]))
        .hasMessage("residual.length 3 != M*N = 4");
    assertThatThrownBy(() -> CpuGemm.compute(fp32(1 << 20, 1 << 12, 0).build(), new float[0], new float[0], 1f,
        null, null)).hasMessageContaining("more than a Java array holds");
  }

  private static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = x[i * cols + j];
      }
    }
    return t;
  }
}
