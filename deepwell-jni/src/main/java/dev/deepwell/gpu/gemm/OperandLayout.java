package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.gpu.gemm.ViewChecks.Expect;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;

/**
 * What deepwell/gemm.h expects of each argument of a problem: bytes, element width, the
 * alignment of its elements and its logical shape. One place for the layouts the C header
 * describes in prose.
 */
final class OperandLayout {

  private OperandLayout() {}

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** a * b * c, throwing ArithmeticException on overflow (the validator reports it). */
  static long bytes(long a, long b, long c) {
    return Math.multiplyExact(Math.multiplyExact(a, b), c);
  }

  /** Bytes of one row of K elements of B (and of A, except for NVFP4_WEIGHT: see {@link #rowBytes(int, long)}). */
  static long rowBytes(GemmInput in, long k) {
    return rowBytes(in.bElementBits(), k);
  }

  /** Bytes of one row of K elements of {@code bits} bits each. */
  static long rowBytes(int bits, long k) {
    switch (bits) {
      case 16:
        return Math.multiplyExact(2, k);
      case 8:
        return k;
      case 4:
        return ceilDiv(k, 2);
      default:
        throw new AssertionError(bits);
    }
  }

  /** The expectation of {@code f} for {@code p}, or null when the problem has no such argument. */
  static Expect expect(GemmProblem p, Field f) {
    GemmInput in = p.input();
    long m = p.m();
    long n = p.n();
    long k = p.k();
    int bits = in.elementBits();
    int outBits = p.output().bits();
    int outBytes = p.output().bytes();
    String name = in.displayName();
    String out = p.output().name().toLowerCase(java.util.Locale.ROOT);
    switch (f) {
      case A: {
        boolean kMajor = p.aMajor() == OperandMajor.K_MAJOR;
        int aBits = in.aElementBits();
        String aName = in == GemmInput.NVFP4_WEIGHT ? "bf16 (nvfp4-weight's activations)" : name;
        return new Expect(Math.multiplyExact(m, rowBytes(aBits, k)), aBits, Math.max(1, aBits / 8),
            kMajor ? new long[] {m, k} : new long[] {k, m}, (kMajor ? "[M, K] " : "[K, M] ") + aName);
      }
      case B: {
        boolean kMajor = p.bMajor() == OperandMajor.K_MAJOR;
        return new Expect(Math.multiplyExact(n, rowBytes(in, k)), bits, Math.max(1, bits / 8),
            kMajor ? new long[] {n, k} : new long[] {k, n}, (kMajor ? "[N, K] " : "[K, N] ") + name);
      }
      case D:
        return new Expect(bytes(m, n, outBytes), outBits, outBytes, new long[] {m, n}, "[M, N] " + out);
      case BIAS:
        return p.hasBias()
            ? new Expect(Math.multiplyExact(n, outBytes), outBits, outBytes, new long[] {n}, "[N] " + out)
            : null;
      case RESIDUAL:
        return p.hasResidual()
            ? new Expect(bytes(m, n, outBytes), outBits, outBytes, new long[] {m, n}, "[M, N] " + out)
            : null;
      case SCALE_A:
        return scale(in, m, k, true);
      case SCALE_B:
        return scale(in, n, k, false);
      case TENSOR_SCALE_A:
      case TENSOR_SCALE_B:
        if (in == GemmInput.NVFP4_WEIGHT && f == Field.TENSOR_SCALE_B) {
          return new Expect(4, 32, 4, new long[] {1}, "one FP32 (the NVFP4 weights' tensor scale)");
        }
        return in == GemmInput.NVFP4 ? new Expect(4, 32, 4, new long[] {1}, "one FP32 (NVFP4 tensor scale)") : null;
      default:
        throw new AssertionError(f);
    }
  }

  private static Expect scale(GemmInput in, long rows, long k, boolean isA) {
    String r = isA ? "M" : "N";
    switch (in) {
      case BF16:
        return null;
      case FP8_TENSOR:
        return new Expect(4, 32, 4, new long[] {1}, "one FP32 (FP8 per-tensor decode scale)");
      case FP8_BLOCK128: {
        long kb = ceilDiv(k, 128);
        if (isA) {
          return new Expect(bytes(4, kb, rows), 32, 4, new long[] {kb, rows},
              "[ceil(K/128), M] FP32, M-contiguous (1x128 blocks; quantize with Fp8ScaleOrder.MN_MAJOR)");
        }
        long nb = ceilDiv(rows, 128);
        return new Expect(bytes(4, nb, kb), 32, 4, new long[] {nb, kb},
            "[ceil(N/128), ceil(K/128)] FP32 (128x128 blocks)");
      }
      case MXFP8: {
        long kb = ceilDiv(k, 32);
        return new Expect(Math.multiplyExact(rows, kb), 8, 1, new long[] {rows, kb},
            "[" + r + ", ceil(K/32)] E8M0, row-major");
      }
      case NVFP4_WEIGHT: // the weights laid out as NVFP4's B; the activations are BF16
      case NVFP4: {
        if (in == GemmInput.NVFP4_WEIGHT && isA) {
          return null;
        }
        long kb = ceilDiv(k, 16);
        return new Expect(Math.multiplyExact(rows, kb), 8, 1, new long[] {rows, kb},
            "[" + r + ", ceil(K/16)] UE4M3, row-major");
      }
      default:
        throw new AssertionError(in);
    }
  }

  /** Whether the problem reads {@code f} at all (K = 0 reads neither operand nor its scales). */
  static boolean required(GemmProblem p, Field f) {
    if (p.isEmpty()) {
      return false;
    }
    switch (f) {
      case D:
        return true;
      case BIAS:
        return p.hasBias();
      case RESIDUAL:
        return p.hasResidual();
      default:
        return p.k() > 0 && expect(p, f) != null;
    }
  }
}
