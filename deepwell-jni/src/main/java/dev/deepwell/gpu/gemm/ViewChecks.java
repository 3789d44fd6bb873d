package dev.deepwell.gpu.gemm;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.quant.Fp8BlockShape;
import dev.deepwell.quant.QuantFormat;
import java.util.Arrays;

/**
 * The checks of one argument's view that the dense and the grouped GEMM validators
 * ({@link GemmValidator}, {@link GroupedGemmValidator}) both make, with their messages, so that
 * the two report a bad buffer alike. Which arguments a problem needs, what each must be and in
 * which order they are checked stays with each validator. {@code label} names the argument
 * ("a", "scaleB"), {@code dims} the problem's sizes ("M=.., N=.., K=.."). Where a message needs
 * strings built, the validator tests and these only make the exception: validation runs before
 * every launch, and builds no string for a good call.
 */
final class ViewChecks {

  /** What an argument must be: bytes, element width, address alignment, logical shape, description. */
  record Expect(long bytes, int elementBits, int align, long[] shape, String what) {}

  private ViewChecks() {}

  /** The view must be open and on {@code device}, where {@code gemm} ("GEMM", "grouped GEMM") runs. */
  static void checkOpenOnDevice(String label, DeviceView v, int device, String gemm) {
    if (v.isClosed()) {
      throw new IllegalStateException(label + " is closed: " + v);
    }
    if (v.device() != device) {
      throw new IllegalArgumentException(label + " is on device " + v.device() + ", the " + gemm + " runs on device "
          + device);
    }
  }

  /** A view that declares its elements must declare the expected width. */
  static void checkElementBits(String label, DeviceView v, Expect e) {
    if (v.elementBits() != e.elementBits()) {
      throw new IllegalArgumentException(label + " holds " + v.elementBits() + "-bit elements, the problem needs "
          + e.elementBits() + "-bit: " + e.what());
    }
  }

  /** Whether two shapes are equal without their 1s: [1, n] and [n] hold the same bytes in the same order. */
  static boolean sameShape(long[] a, long[] b) {
    return Arrays.equals(squeeze(a), squeeze(b));
  }

  private static long[] squeeze(long[] shape) {
    return Arrays.stream(shape).filter(d -> d != 1).toArray();
  }

  /** The failure of a view declared with {@code shape} instead of the expected one; {@code hint} ends it. */
  static IllegalArgumentException wrongShape(String label, long[] shape, Expect e, String dims, String hint) {
    return new IllegalArgumentException(label + " is " + Arrays.toString(shape) + ", the problem needs "
        + Arrays.toString(e.shape()) + " (" + e.what() + " for " + dims + ")" + hint);
  }

  /** The failure of a view of fewer bytes than expected. */
  static IllegalArgumentException tooSmall(String label, DeviceView v, Expect e, String dims) {
    return new IllegalArgumentException(label + " needs " + e.bytes() + " bytes (" + e.what() + " for " + dims
        + "), the view has " + v.bytes() + ": " + v);
  }

  /** The failure of a view whose address is no multiple of {@code align}; {@code why} ends the message. */
  static IllegalArgumentException misaligned(String label, DeviceView v, int align, String why) {
    return new IllegalArgumentException(label + " at 0x" + Long.toHexString(v.address()) + " is not " + align
        + "-byte aligned" + why + ": " + v);
  }

  /** The bytes a kernel writes, [wStart, wEnd) of {@code written}, must not overlap [start, end) of {@code read}. */
  static void checkDisjoint(String written, long wStart, long wEnd, String read, long start, long end) {
    if (start < wEnd && wStart < end) {
      throw new IllegalArgumentException(written + " [0x" + Long.toHexString(wStart) + ", 0x" + Long.toHexString(wEnd)
          + ") overlaps " + read + " [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end)
          + "): the kernels read " + read + " while writing " + written);
    }
  }

  /** The failure of an operand quantized in a format that {@code input} GEMMs do not read. */
  static IllegalArgumentException wrongFormat(String operand, QuantFormat f, GemmInput input) {
    return new IllegalArgumentException(operand + " is quantized as " + f.cliName() + ", the problem reads "
        + input.displayName() + " operands");
  }

  /** An FP8 block operand must have the blocks {@code kernel} ("the FP8 block128 GEMM") reads for it. */
  static void checkBlockShape(String operand, QuantTag tag, Fp8BlockShape blocks, String kernel) {
    if (tag.options().fp8BlockShape() != blocks) {
      throw new IllegalArgumentException(operand + " has " + tag.options().fp8BlockShape() + " blocks, " + kernel
          + " reads " + blocks + " for " + operand);
    }
  }
}
