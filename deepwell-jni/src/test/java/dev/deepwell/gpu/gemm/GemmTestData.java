package dev.deepwell.gpu.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.E8M0;
import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.format.Ue4M3;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.quant.Fp8BlockQuantizer;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizers;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The arguments of one GEMM problem on the host: random values quantized with the reference
 * quantizers of {@code dev.deepwell.quant}, laid out as deepwell/gemm.h wants them, and the FP64
 * reference result computed from the operands as quantized (each code times its scales, in
 * double precision, decoded here from the quantizer's own output, not through the code under
 * test).
 *
 * <p>K need not be a multiple of a format's block: the operand is quantized with K padded by
 * zeros to whole blocks (zeros change no block's scale) and its rows cut back to K values.
 */
final class GemmTestData {

  final GemmProblem problem;
  /** The bytes of every argument the problem reads except D, as gemm.h lays them out. */
  final Map<Field, byte[]> args = new EnumMap<>(Field.class);
  /** The quantized operands as the reference quantizer made them (K padded), null for BF16. */
  QuantizedTensor qa;
  QuantizedTensor qb;
  /** A [M, K] and B [N, K] as stored, every scale applied, in FP64. */
  final double[] a;
  final double[] b;
  final double[] bias;
  final double[] residual;

  private GemmTestData(GemmProblem p, double[] a, double[] b, double[] bias, double[] residual) {
    this.problem = p;
    this.a = a;
    this.b = b;
    this.bias = bias;
    this.residual = residual;
  }

  /** Random operands: Gaussian values with a per-row magnitude between 2^-4 and 2^4. */
  static GemmTestData random(GemmProblem p, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int m = Math.toIntExact(p.m());
    int n = Math.toIntExact(p.n());
    int k = Math.toIntExact(p.k());
    return of(p, values(r, m, k), values(r, n, k), r);
  }

  /** Operands with the given FP32 values of A [M, K] and B [N, K] (before quantization). */
  static GemmTestData of(GemmProblem p, float[] x, float[] w, SplittableRandom r) {
    int m = Math.toIntExact(p.m());
    int n = Math.toIntExact(p.n());
    int k = Math.toIntExact(p.k());
    double[] bias = p.hasBias() ? outputValues(r, n, p.output()) : null;
    double[] residual = p.hasResidual() ? outputValues(r, m * n, p.output()) : null;
    Map<Field, byte[]> args = new EnumMap<>(Field.class);
    QuantizedTensor[] q = new QuantizedTensor[2];
    GemmTestData data = new GemmTestData(p, operand(p.input(), x, m, k, true, args, q, 0),
        operand(p.input(), w, n, k, false, args, q, 1), bias, residual);
    data.args.putAll(args);
    data.qa = q[0];
    data.qb = q[1];
    if (bias != null) {
      data.args.put(Field.BIAS, outputBytes(p.output(), bias));
    }
    if (residual != null) {
      data.args.put(Field.RESIDUAL, outputBytes(p.output(), residual));
    }
    return data;
  }

  static float[] values(SplittableRandom r, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      double scale = Math.scalb(1.0, r.nextInt(-4, 5));
      for (int j = 0; j < cols; j++) {
        v[i * cols + j] = (float) (gaussian(r) * scale);
      }
    }
    return v;
  }

  /** {@link #values} rounded to BF16, so that a BF16 tensor holds them exactly. */
  static float[] bf16Values(SplittableRandom r, int rows, int cols) {
    float[] v = values(r, rows, cols);
    for (int i = 0; i < v.length; i++) {
      v[i] = Bf16.decode(Bf16.encode(v[i]));
    }
    return v;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static double[] outputValues(SplittableRandom r, int count, GemmOutput out) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = out.round((float) (4 * gaussian(r)));
    }
    return v;
  }

  static byte[] outputBytes(GemmOutput out, double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return GemmOperandCodec.encodeOutput(out, f);
  }

  /** Quantizes one operand, puts its fields into {@code args}, returns its FP64 values [rows, k]. */
  private static double[] operand(GemmInput in, float[] x, int rows, int k, boolean isA, Map<Field, byte[]> args,
      QuantizedTensor[] q, int slot) {
    Field data = isA ? Field.A : Field.B;
    Field scale = isA ? Field.SCALE_A : Field.SCALE_B;
    Field tensor = isA ? Field.TENSOR_SCALE_A : Field.TENSOR_SCALE_B;
    double[] out = new double[rows * k];
    if (rows == 0 || k == 0) {
      args.put(data, new byte[0]);
      return out;
    }
    switch (in) {
      case NVFP4_WEIGHT: // BF16 activations, NVFP4 weights laid out as NVFP4's B
        return operand(isA ? GemmInput.BF16 : GemmInput.NVFP4, x, rows, k, isA, args, q, slot);
      case BF16: {
        byte[] bytes = new byte[2 * rows * k];
        for (int i = 0; i < rows * k; i++) {
          short s = Bf16.encode(x[i]);
          bytes[2 * i] = (byte) s;
          bytes[2 * i + 1] = (byte) (s >>> 8);
          out[i] = Bf16.decode(s);
        }
        args.put(data, bytes);
        return out;
      }
      case FP8_TENSOR: {
        QuantizedTensor t = Quantizers.forFormat(QuantFormat.FP8_TENSOR).quantize(x, rows, k, QuantOptions.defaults());
        q[slot] = t;
        byte[] codes = t.data();
        for (int i = 0; i < rows * k; i++) {
          out[i] = (double) Fp8E4M3.decode(codes[i]) * t.tensorScale();
        }
        args.put(data, codes);
        args.put(scale, floatBytes(t.tensorScale()));
        return out;
      }
      case FP8_BLOCK128: {
        int kp = roundUp(k, 128);
        QuantOptions o = QuantOptions.builder()
            .fp8BlockShape(isA ? Fp8BlockShape.ACT_1X128 : Fp8BlockShape.WEIGHT_128X128).build();
        QuantizedTensor t = Quantizers.forFormat(QuantFormat.FP8_BLOCK).quantize(pad(x, rows, k, kp), rows, kp, o);
        q[slot] = t;
        byte[] codes = t.data();
        byte[] s = t.scales();
        int kb = kp / 128;
        byte[] cropped = new byte[rows * k];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < k; c++) {
            cropped[r * k + c] = codes[r * kp + c];
            int tile = (isA ? r : r / 128) * kb + c / 128;
            out[r * k + c] = (double) Fp8E4M3.decode(codes[r * kp + c]) * Fp8BlockQuantizer.getFloatLe(s, 4 * tile);
          }
        }
        args.put(data, cropped);
        args.put(scale, isA ? mMajor(s, rows, kb) : s);
        return out;
      }
      case MXFP8: {
        int kp = roundUp(k, 32);
        QuantizedTensor t = Quantizers.forFormat(QuantFormat.MXFP8_E4M3).quantize(pad(x, rows, k, kp), rows, kp,
            QuantOptions.defaults());
        q[slot] = t;
        byte[] codes = t.data();
        byte[] s = t.scales();
        byte[] cropped = new byte[rows * k];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < k; c++) {
            cropped[r * k + c] = codes[r * kp + c];
            out[r * k + c] = (double) Fp8E4M3.decode(codes[r * kp + c]) * E8M0.decode(s[r * (kp / 32) + c / 32] & 0xFF);
          }
        }
        args.put(data, cropped);
        args.put(scale, s);
        return out;
      }
      case NVFP4: {
        int kp = roundUp(k, 16);
        QuantizedTensor t = Quantizers.forFormat(QuantFormat.NVFP4).quantize(pad(x, rows, k, kp), rows, kp,
            QuantOptions.defaults());
        q[slot] = t;
        byte[] codes = t.data();
        byte[] s = t.scales();
        int rowBytes = (k + 1) / 2;
        byte[] cropped = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < k; c++) {
            byte packed = codes[(r * kp + c) / 2];
            int code = (c & 1) == 0 ? Fp4E2M1.low(packed) : Fp4E2M1.high(packed);
            cropped[r * rowBytes + c / 2] |= (byte) ((c & 1) == 0 ? code : code << 4);
            out[r * k + c] = (double) Fp4E2M1.decode(code) * Ue4M3.decode(s[r * (kp / 16) + c / 16] & 0xFF)
                * t.tensorScale();
          }
        }
        args.put(data, cropped);
        args.put(scale, s);
        args.put(tensor, floatBytes(t.tensorScale()));
        return out;
      }
      default:
        throw new AssertionError(in);
    }
  }

  static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  private static float[] pad(float[] x, int rows, int k, int kp) {
    float[] p = new float[rows * kp];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(x, r * k, p, r * kp, k);
    }
    return p;
  }

  /** Row-major [rows, kb] FP32 scales as gemm.h's M-contiguous [kb, rows]. */
  static byte[] mMajor(byte[] rowMajor, int rows, int kb) {
    byte[] out = new byte[rowMajor.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < kb; c++) {
        System.arraycopy(rowMajor, 4 * (r * kb + c), out, 4 * (c * rows + r), 4);
      }
    }
    return out;
  }

  static byte[] floatBytes(float f) {
    int b = Float.floatToRawIntBits(f);
    return new byte[] {(byte) b, (byte) (b >>> 8), (byte) (b >>> 16), (byte) (b >>> 24)};
  }

  /** alpha times sum |a_k b_k|: the magnitude an accumulation error is relative to, per element. */
  double[] magnitude() {
    return product(true);
  }

  /** The exact D in FP64 (before rounding to the output type). */
  double[] reference() {
    GemmProblem p = problem;
    double[] acc = product(false);
    int m = (int) p.m();
    int n = (int) p.n();
    double[] d = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double y = acc[i * n + j] + (bias == null ? 0 : bias[j]);
        d[i * n + j] = p.outScale() * p.activation().apply(y) + (residual == null ? 0 : residual[i * n + j]);
      }
    }
    return d;
  }

  private double[] product(boolean absolute) {
    GemmProblem p = problem;
    int m = (int) p.m();
    int n = (int) p.n();
    int k = (int) p.k();
    double[] d = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int q = 0; q < k; q++) {
          double t = a[i * k + q] * b[j * k + q];
          s += absolute ? Math.abs(t) : t;
        }
        d[i * n + j] = (absolute ? Math.abs(p.alpha()) : p.alpha()) * s;
      }
    }
    return d;
  }
}
