package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.gpu.gemm.ViewChecks.Expect;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every check of a GEMM call that can be made before launching it: each argument the problem
 * needs is there and nothing it lacks is given; buffers are open, on the right device, large
 * enough, element-aligned, of the declared shape and element width; quantized operands are of
 * the problem's format; D overlaps no input (except a residual that is D itself). Failures throw
 * {@link IllegalArgumentException} (or {@link IllegalStateException} for a closed buffer) naming
 * the argument; nothing is launched.
 */
final class GemmValidator {

  /** Alignments above this make no difference to any kernel. */
  static final int MAX_ALIGNMENT = 256;

  private GemmValidator() {}

  /**
   * Checks {@code ops} for {@code p} on {@code device}.
   *
   * @return the largest power of two (up to 256) dividing the address of every argument read
   */
  static int validate(GemmProblem p, GemmOperands ops, int device) {
    Objects.requireNonNull(p, "problem");
    Objects.requireNonNull(ops, "operands");
    int align = MAX_ALIGNMENT;
    Expect[] expects = new Expect[Field.values().length];
    for (Field f : Field.values()) {
      expects[f.ordinal()] = expect(p, f); // sizes first: a problem too large for memory fails as such
    }
    for (Field f : Field.values()) {
      DeviceView v = ops.get(f);
      Expect e = expects[f.ordinal()];
      boolean required = OperandLayout.required(p, f);
      if (v == null) {
        if (required) {
          throw new IllegalArgumentException(missing(p, f, e));
        }
        continue;
      }
      if (e == null) {
        throw new IllegalArgumentException(unexpected(p, f));
      }
      ViewChecks.checkOpenOnDevice(f.label, v, device, "GEMM");
      if (!required) {
        continue; // M, N or K is 0: nothing of it is read
      }
      checkShape(p, f, v, e);
      if (v.bytes() < e.bytes()) {
        throw ViewChecks.tooSmall(f.label, v, e, dims(p));
      }
      long address = v.address();
      if (address % e.align() != 0) {
        throw ViewChecks.misaligned(f.label, v, e.align(), " (" + e.elementBits() + "-bit elements)");
      }
      align = Math.min(align, (int) Math.min(MAX_ALIGNMENT, Long.lowestOneBit(address)));
    }
    if (!p.isEmpty() && p.k() > 0) {
      checkQuantized(p, ops);
    }
    if (!p.isEmpty()) {
      checkOverlap(p, ops);
    }
    return align;
  }

  private static Expect expect(GemmProblem p, Field f) {
    try {
      return OperandLayout.expect(p, f);
    } catch (ArithmeticException overflow) {
      throw new IllegalArgumentException(f.label + " of " + p + " has more than 2^63 bytes", overflow);
    }
  }

  private static String dims(GemmProblem p) {
    return "M=" + p.m() + ", N=" + p.n() + ", K=" + p.k();
  }

  private static String missing(GemmProblem p, Field f, Expect e) {
    switch (f) {
      case BIAS:
        return "bias is missing: the problem has a bias (" + e.what() + ")";
      case RESIDUAL:
        return "residual is missing: the problem has a residual (" + e.what() + ")";
      default:
        return f.label + " is missing: " + p.input().displayName() + " needs it (" + e.what() + " for " + dims(p) + ")";
    }
  }

  private static String unexpected(GemmProblem p, Field f) {
    switch (f) {
      case SCALE_A:
      case SCALE_B:
        if (p.input() == GemmInput.NVFP4_WEIGHT) {
          return f.label + " was given, but nvfp4-weight's A is BF16 activations, with no scales";
        }
        return f.label + " was given, but " + p.input().displayName() + " operands have no scales";
      case TENSOR_SCALE_A:
      case TENSOR_SCALE_B:
        if (p.input() == GemmInput.NVFP4_WEIGHT) {
          return f.label + " was given, but nvfp4-weight's A is BF16 activations: only B has a tensor scale";
        }
        return f.label + " was given, but only NVFP4 has a second-level tensor scale"
            + (p.input() == GemmInput.FP8_TENSOR ? " (FP8 per-tensor's one scale goes in scale"
                + (f == Field.TENSOR_SCALE_A ? "A" : "B") + ")" : "");
      case BIAS:
        return "bias was given, but the problem has none (GemmProblem.Builder.bias(true))";
      case RESIDUAL:
        return "residual was given, but the problem has none (GemmProblem.Builder.residual(true))";
      default:
        throw new AssertionError(f);
    }
  }

  private static void checkShape(GemmProblem p, Field f, DeviceView v, Expect e) {
    if (v.shape().isEmpty()) {
      return;
    }
    long[] shape = v.shape().get();
    ViewChecks.checkElementBits(f.label, v, e);
    if (!ViewChecks.sameShape(shape, e.shape())) {
      String hint = "";
      if (f == Field.SCALE_A && p.input() == GemmInput.FP8_BLOCK128
          && ViewChecks.sameShape(shape, new long[] {e.shape()[1], e.shape()[0]})) {
        hint = "; these look row-major [M, K/128]: quantize A with Fp8ScaleOrder.MN_MAJOR";
      }
      throw ViewChecks.wrongShape(f.label, shape, e, dims(p), hint);
    }
  }

  private static void checkQuantized(GemmProblem p, GemmOperands ops) {
    QuantTag a = ops.a().quant().orElse(null);
    QuantTag b = ops.b().quant().orElse(null);
    checkFormat(p.input(), a, "a", Fp8BlockShape.ACT_1X128);
    checkFormat(p.input(), b, "b", Fp8BlockShape.WEIGHT_128X128);
    if (b != null && p.input() == GemmInput.NVFP4_WEIGHT && b.options().hadamard16()) {
      throw new IllegalArgumentException("b was quantized with the 16-point Hadamard transform; the nvfp4-weight "
          + "GEMM multiplies untransformed BF16 activations, so the transform would not cancel (quantize the "
          + "weights with hadamard16=false)");
    }
    if (a != null && b != null && p.input() == GemmInput.NVFP4) {
      boolean ha = a.options().hadamard16();
      boolean hb = b.options().hadamard16();
      if (ha != hb || (ha && a.options().seed() != b.options().seed())) {
        throw new IllegalArgumentException("a (hadamard16=" + ha + ", seed " + a.options().seed() + ") and b "
            + "(hadamard16=" + hb + ", seed " + b.options().seed() + ") must share the Hadamard transform: the GEMM "
            + "does not invert it, so only the same transform on both operands cancels in the product");
      }
    }
  }

  private static void checkFormat(GemmInput in, QuantTag tag, String operand, Fp8BlockShape blockShape) {
    if (tag == null) {
      return;
    }
    QuantFormat f = tag.format();
    boolean ok;
    switch (in) {
      case BF16:
        ok = false;
        break;
      case FP8_TENSOR:
        ok = f == QuantFormat.FP8_TENSOR;
        break;
      case FP8_BLOCK128:
        ok = f == QuantFormat.FP8_BLOCK;
        if (ok) {
          ViewChecks.checkBlockShape(operand, tag, blockShape, "the FP8 block128 GEMM");
        }
        break;
      case MXFP8:
        ok = f == QuantFormat.MXFP8_E4M3;
        break;
      case NVFP4:
        ok = f.isNvfp4();
        break;
      case NVFP4_WEIGHT:
        if (operand.equals("a")) {
          throw new IllegalArgumentException("a is quantized as " + f.cliName() + ", but nvfp4-weight reads BF16 "
              + "activations (pass the unquantized BF16 tensor as a)");
        }
        ok = f.isNvfp4();
        break;
      default:
        throw new AssertionError(in);
    }
    if (!ok) {
      throw ViewChecks.wrongFormat(operand, f, in);
    }
  }

  private static void checkOverlap(GemmProblem p, GemmOperands ops) {
    DeviceView d = ops.d();
    long dStart = d.address();
    long dEnd = dStart + OperandLayout.expect(p, Field.D).bytes();
    List<Field> inputs = new ArrayList<>(ops.present());
    inputs.remove(Field.D);
    for (Field f : inputs) {
      if (!OperandLayout.required(p, f)) {
        continue;
      }
      DeviceView v = ops.get(f);
      if (v.device() != d.device()) {
        continue;
      }
      long start = v.address();
      long end = start + OperandLayout.expect(p, f).bytes();
      if (f == Field.RESIDUAL && start == dStart) {
        continue; // D = D + ...: gemm.h allows the residual to be D itself
      }
      ViewChecks.checkDisjoint("d", dStart, dEnd, f.label, start, end);
    }
  }
}
