package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.gemm.GroupedGemmOperands.Field;
import dev.deepwell.gpu.gemm.ViewChecks.Expect;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import java.util.Objects;

/**
 * Every check of a grouped GEMM call that can be made before launching it: each argument the
 * problem needs is given and nothing it lacks; exactly one source of group sizes; host sizes
 * non-negative and within maxTotalM; buffers open, on the GEMM's device, large enough for
 * maxTotalM rows, aligned as the C ABI requires (16 bytes for A, B, D and the bias, which TMA
 * reads; 4 for the FP32 scales and the int32 sizes), of the declared shape and element width;
 * D and the clamp flag overlap nothing else. Failures throw {@link IllegalArgumentException}
 * (or {@link IllegalStateException} for a closed buffer) naming the argument.
 */
final class GroupedGemmValidator {

  /** The alignment the C ABI requires of A, B, D and the bias. */
  static final int TENSOR_ALIGNMENT = 16;

  private GroupedGemmValidator() {}

  /** The expectation of {@code f} for {@code p}, or null when the problem has no such argument. */
  static Expect expect(GroupedGemmProblem p, Field f) {
    long g = p.groups();
    long t = p.maxTotalM();
    long n = p.n();
    long k = p.k();
    int bits = p.input().elementBits();
    int esz = bits / 8;
    int outBytes = p.output().bytes();
    String in = p.input().displayName();
    String out = p.output().name().toLowerCase(java.util.Locale.ROOT);
    boolean fp8 = p.input() == GemmInput.FP8_BLOCK128;
    long kb = OperandLayout.ceilDiv(k, 128);
    long nb = OperandLayout.ceilDiv(n, 128);
    switch (f) {
      case A:
        return new Expect(t * k * esz, bits, TENSOR_ALIGNMENT, new long[] {t, k}, "[maxTotalM, K] " + in);
      case B:
        return new Expect(g * n * k * esz, bits, TENSOR_ALIGNMENT, new long[] {g, n, k}, "[G, N, K] " + in);
      case D:
        return new Expect(t * n * outBytes, p.output().bits(), TENSOR_ALIGNMENT, new long[] {t, n},
            "[maxTotalM, N] " + out);
      case SCALE_A:
        return fp8 ? new Expect(4 * kb * t, 32, 4, new long[] {kb * t},
            "ceil(K/128) * maxTotalM FP32: group g's [ceil(K/128), M_g] block, M-contiguous, after the earlier "
                + "groups' blocks") : null;
      case SCALE_B:
        return fp8 ? new Expect(4 * g * nb * kb, 32, 4, new long[] {g, nb, kb},
            "[G, ceil(N/128), ceil(K/128)] FP32 (128x128 blocks per expert)") : null;
      case BIAS:
        return p.hasBias() ? new Expect(g * n * outBytes, p.output().bits(), TENSOR_ALIGNMENT, new long[] {g, n},
            "[G, N] " + out) : null;
      case GROUP_SIZES:
        return new Expect(4 * g, 32, 4, new long[] {g}, "[G] int32 group sizes");
      case SIZES_CLAMPED:
        return new Expect(4, 32, 4, new long[] {1}, "one int32 flag");
      default:
        throw new AssertionError(f);
    }
  }

  /** Checks {@code ops} for {@code p} on {@code device}. */
  static void validate(GroupedGemmProblem p, GroupedGemmOperands ops, int device) {
    Objects.requireNonNull(p, "problem");
    Objects.requireNonNull(ops, "operands");
    int[] host = ops.hostSizesUnsafe();
    DeviceView deviceSizes = ops.get(Field.GROUP_SIZES);
    if (host == null && deviceSizes == null) {
      throw new IllegalArgumentException("groupSizes is missing: give the G = " + p.groups() + " group sizes as an "
          + "int32 device buffer or a host int[]");
    }
    for (Field f : Field.values()) {
      DeviceView v = ops.get(f);
      Expect e = expect(p, f);
      if (v == null) {
        if (e != null && f != Field.GROUP_SIZES && f != Field.SIZES_CLAMPED) {
          throw new IllegalArgumentException(f.label + " is missing: " + p + " needs it (" + e.what() + ")");
        }
        continue;
      }
      if (e == null) {
        throw new IllegalArgumentException(unexpected(p, f));
      }
      ViewChecks.checkOpenOnDevice(f.label, v, device, "grouped GEMM");
      checkShape(p, f, v, e);
      if (v.bytes() < e.bytes()) {
        throw ViewChecks.tooSmall(f.label, v, e, dims(p));
      }
      if (v.address() % e.align() != 0) {
        throw ViewChecks.misaligned(f.label, v, e.align(), e.align() == TENSOR_ALIGNMENT ? " (TMA reads it)" : "");
      }
    }
    if (host != null) {
      checkHostSizes(p, host);
    }
    checkQuantized(p, ops.get(Field.A), "a", Fp8BlockShape.ACT_1X128);
    checkQuantized(p, ops.get(Field.B), "b", Fp8BlockShape.WEIGHT_128X128);
    checkOverlap(p, ops, Field.D);
    if (ops.get(Field.SIZES_CLAMPED) != null) {
      checkOverlap(p, ops, Field.SIZES_CLAMPED);
    }
  }

  private static String dims(GroupedGemmProblem p) {
    return "G=" + p.groups() + ", maxTotalM=" + p.maxTotalM() + ", N=" + p.n() + ", K=" + p.k();
  }

  private static String unexpected(GroupedGemmProblem p, Field f) {
    switch (f) {
      case SCALE_A:
      case SCALE_B:
        return f.label + " was given, but " + p.input().displayName() + " operands have no scales";
      case BIAS:
        return "bias was given, but the problem has none (GroupedGemmProblem.Builder.bias(true))";
      default:
        throw new AssertionError(f);
    }
  }

  private static void checkShape(GroupedGemmProblem p, Field f, DeviceView v, Expect e) {
    if (v.shape().isEmpty()) {
      return;
    }
    long[] shape = v.shape().get();
    ViewChecks.checkElementBits(f.label, v, e);
    // A's scales are per-group blocks of group-dependent shape: only their count is fixed
    boolean ok = f == Field.SCALE_A ? product(shape) == product(e.shape()) : ViewChecks.sameShape(shape, e.shape());
    if (!ok) {
      throw ViewChecks.wrongShape(f.label, shape, e, dims(p), "");
    }
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** A view that says how it was quantized must be in the problem's format and block shape. */
  private static void checkQuantized(GroupedGemmProblem p, DeviceView v, String operand, Fp8BlockShape shape) {
    QuantTag tag = v.quant().orElse(null);
    if (tag == null) {
      return;
    }
    if (p.input() != GemmInput.FP8_BLOCK128 || tag.format() != QuantFormat.FP8_BLOCK) {
      throw ViewChecks.wrongFormat(operand, tag.format(), p.input());
    }
    ViewChecks.checkBlockShape(operand, tag, shape, "the grouped FP8 block128 GEMM");
  }

  private static void checkHostSizes(GroupedGemmProblem p, int[] sizes) {
    if (sizes.length != p.groups()) {
      throw new IllegalArgumentException("hostGroupSizes has " + sizes.length + " entries, the problem has G = "
          + p.groups() + " groups");
    }
    long total = 0;
    for (int g = 0; g < sizes.length; g++) {
      if (sizes[g] < 0) {
        throw new IllegalArgumentException("hostGroupSizes[" + g + "] = " + sizes[g] + " must be >= 0");
      }
      total += sizes[g];
      if (total > p.maxTotalM()) {
        throw new IllegalArgumentException("hostGroupSizes: groups 0.." + g + " hold " + total + " rows, more than "
            + "maxTotalM = " + p.maxTotalM());
      }
    }
  }

  /** {@code written} (D or the flag) must not overlap any other argument on its device. */
  private static void checkOverlap(GroupedGemmProblem p, GroupedGemmOperands ops, Field written) {
    DeviceView w = ops.get(written);
    long start = w.address();
    long end = start + expect(p, written).bytes();
    for (Field f : Field.values()) {
      DeviceView v = ops.get(f);
      if (f == written || v == null || v.device() != w.device()) {
        continue;
      }
      long s = v.address();
      ViewChecks.checkDisjoint(written.label, start, end, f.label, s, s + expect(p, f).bytes());
    }
  }
}
