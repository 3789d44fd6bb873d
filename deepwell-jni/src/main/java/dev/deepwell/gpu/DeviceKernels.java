package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;

/** Deepwell's own kernels of the runtime family (deepwell-cuda/src/kernels), launched on a stream. */
public final class DeviceKernels {

  private DeviceKernels() {}

  /**
   * Copies {@code bytes} from {@code src} to {@code dst} with Deepwell's copy kernel (16-byte
   * vectors over a persistent grid when both addresses share their alignment modulo 16). The
   * ranges must not overlap.
   */
  public static void copy(
      CudaStream stream, DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
    copyTuned(stream, src, srcOffset, dst, dstOffset, bytes, 4, 0);
  }

  /**
   * {@link #copy} with a chosen number of 16-byte vectors in flight per thread ({@code unroll}: 1,
   * 2, 4 or 8) and grid size ({@code blocks}; 0 = all blocks that fit on the device). For tuning.
   */
  public static void copyTuned(
      CudaStream stream, DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes,
      int unroll, int blocks) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    src.checkRange(srcOffset, bytes, "src");
    dst.checkRange(dstOffset, bytes, "dst");
    if (unroll != 1 && unroll != 2 && unroll != 4 && unroll != 8) {
      throw new IllegalArgumentException("unroll must be 1, 2, 4 or 8, got " + unroll);
    }
    if (blocks < 0) throw new IllegalArgumentException("blocks must be >= 0, got " + blocks);
    if (src == dst && srcOffset < dstOffset + bytes && dstOffset < srcOffset + bytes && bytes > 0) {
      throw new IllegalArgumentException(
          "src [" + srcOffset + ", +" + bytes + ") and dst [" + dstOffset + ", +" + bytes + ") overlap");
    }
    stream.requireSameDevice(src.device(), "src");
    stream.requireSameDevice(dst.device(), "dst");
    long s = stream.handle();
    long d = dst.addressAt(dstOffset);
    long c = src.addressAt(srcOffset);
    NativeLibrary.requireReady();
    try {
      Natives.copyKernelTuned(s, d, c, bytes, unroll, blocks);
    } finally {
      Reference.reachabilityFence(stream);
      Reference.reachabilityFence(src);
      Reference.reachabilityFence(dst);
    }
  }

  /** {@code x[first + i] += value} for {@code i < count}, x read as FP32. */
  public static void addScalarF32(CudaStream stream, DeviceBuffer x, long firstElement, long count, float value) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(x, "x");
    if (firstElement < 0) throw new IllegalArgumentException("firstElement must be >= 0, got " + firstElement);
    if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
    if (firstElement > Long.MAX_VALUE / 4 || count > Long.MAX_VALUE / 4) {
      throw new IllegalArgumentException("element range too large: first " + firstElement + ", count " + count);
    }
    x.checkRange(firstElement * 4, count * 4, "x");
    stream.requireSameDevice(x.device(), "x");
    long s = stream.handle();
    long address = x.addressAt(firstElement * 4);
    NativeLibrary.requireReady();
    try {
      Natives.addScalarF32(s, address, count, value);
    } finally {
      Reference.reachabilityFence(stream);
      Reference.reachabilityFence(x);
    }
  }
}
