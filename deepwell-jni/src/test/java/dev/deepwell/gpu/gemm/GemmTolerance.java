package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import java.util.Locale;

/**
 * How far a kernel's D may be from the FP64 reference on the same (already quantized)
 * operands. The quantization error itself is not part of it: the reference multiplies exactly
 * the codes and scales the kernel reads. What remains:
 *
 * <table>
 *   <caption>Per-element bound: |D - ref| &lt;= out * |ref| + epi * mag + acc * slope * |outScale| * S</caption>
 *   <tr><th>term</th><th>value</th><th>covers</th></tr>
 *   <tr><td>out</td><td>BF16 2^-8, FP32 2^-22</td><td>rounding D to the output type (half an
 *       ulp is at most 2^-8 of the value in BF16)</td></tr>
 *   <tr><td>epi</td><td>2^-20</td><td>the FP32 epilogue (scale, bias, activation, residual) relative to
 *       mag = |outScale| slope (S + |bias|) + |residual|, which bounds its intermediate values</td></tr>
 *   <tr><td>acc: BF16</td><td>2^-13</td><td>FP32 accumulation over K (tests keep K &lt;= 2048:
 *       sequential worst case K 2^-24 = 2^-13)</td></tr>
 *   <tr><td>acc: FP8 per tensor, FP8 block128</td><td>2^-10</td><td>Hopper's FP8 MMA adds with fewer
 *       accumulator bits before the kernel promotes its partial sums to FP32 (every 128 of K)</td></tr>
 *   <tr><td>acc: MXFP8, NVFP4</td><td>2^-13</td><td>FP32 FMA accumulation (reference kernel)</td></tr>
 *   <tr><td>acc: MXFP8 on the sm90 wgmma kernel</td><td>2^-10</td><td>FP8 MMA per 32 of K, then
 *       promoted to FP32 with the block scales: FP8's narrower MMA accumulation, as above</td></tr>
 * </table>
 *
 * S = |alpha| sum_k |a_k b_k| (with every scale); slope = the activation's largest derivative.
 * A misplaced scale block or element moves D by about S / sqrt(K) or more, well past these.
 * A NaN reference requires a NaN result.
 */
final class GemmTolerance {

  static final double OUT_BF16 = 0x1p-8;
  static final double OUT_FP32 = 0x1p-22;
  static final double EPILOGUE = 0x1p-20;

  private GemmTolerance() {}

  static double accumulation(GemmInput in) {
    switch (in) {
      case FP8_TENSOR:
      case FP8_BLOCK128:
        return 0x1p-10;
      default:
        return 0x1p-13;
    }
  }

  /** The accumulation term of the kernel named {@code kernel} (its FP8 MMAs for the MXFP8 wgmma one). */
  static double accumulation(GemmInput in, String kernel) {
    return kernel.contains("mxfp8_wgmma") ? 0x1p-10 : accumulation(in);
  }

  /** Null when every element of {@code got} is within the bound, else a description of the worst miss. */
  static String check(GemmTestData data, float[] got) {
    return check(data, got, accumulation(data.problem.input()));
  }

  /** As {@link #check(GemmTestData, float[])} for the output of the kernel named {@code kernel}. */
  static String check(GemmTestData data, float[] got, String kernel) {
    return check(data, got, accumulation(data.problem.input(), kernel));
  }

  private static String check(GemmTestData data, float[] got, double acc) {
    GemmProblem p = data.problem;
    double[] ref = data.reference();
    double[] s = data.magnitude();
    double out = p.output() == GemmOutput.BF16 ? OUT_BF16 : OUT_FP32;
    double slope = p.activation().maxSlope();
    double os = Math.abs(p.outScale());
    int n = (int) p.n();
    if (got.length != ref.length) {
      return "D has " + got.length + " elements, expected " + ref.length;
    }
    int worst = -1;
    double worstRatio = 1;
    for (int i = 0; i < ref.length; i++) {
      if (Double.isNaN(ref[i]) || Double.isNaN(got[i])) {
        if (Double.isNaN(ref[i]) != Double.isNaN(got[i])) {
          return String.format(Locale.ROOT, "D[%d, %d] = %s, reference %s", i / n, i % n, got[i], ref[i]);
        }
        continue;
      }
      double bias = data.bias == null ? 0 : Math.abs(data.bias[i % n]);
      double resid = data.residual == null ? 0 : Math.abs(data.residual[i]);
      double mag = os * slope * (s[i] + bias) + resid;
      double allowed = out * Math.abs(ref[i]) + EPILOGUE * mag + acc * slope * os * s[i] + Double.MIN_NORMAL;
      double ratio = Math.abs(got[i] - ref[i]) / allowed;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = i;
      }
    }
    if (worst < 0) {
      return null;
    }
    return String.format(Locale.ROOT, "D[%d, %d] = %.9g, reference %.9g: error %.3g is %.2fx the allowed %.3g (S=%.3g)",
        worst / n, worst % n, got[worst], ref[worst], Math.abs(got[worst] - ref[worst]), worstRatio,
        Math.abs(got[worst] - ref[worst]) / worstRatio, s[worst]);
  }
}
