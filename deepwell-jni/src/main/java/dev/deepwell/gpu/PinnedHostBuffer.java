package dev.deepwell.gpu;

import java.lang.ref.Reference;
import java.util.Objects;

/**
 * Page-locked host memory: the source or target of asynchronous copies to and from any device.
 * Java reads and writes it through {@link #write} and {@link #read}, which check bounds and are
 * serialised with {@link #close()}, so a closed buffer throws instead of touching freed memory.
 * Do not change it while an asynchronous copy from it may still be running: synchronise first.
 */
public final class PinnedHostBuffer extends NativeResource {

  private final long address;
  private final long size;

  PinnedHostBuffer(long address, long size, Release release) {
    super("PinnedHostBuffer", release);
    this.address = address;
    this.size = size;
  }

  private static final class PinnedRelease extends Release {
    private final long address;

    PinnedRelease(long address, long size) {
      super("PinnedHostBuffer of " + size + " bytes");
      this.address = address;
    }

    @Override
    void free() {
      Natives.hostFree(address);
    }
  }

  /** Allocates {@code bytes} of pinned host memory (prefer {@link DeviceScope#allocatePinned}). */
  public static PinnedHostBuffer allocate(long bytes) {
    if (bytes <= 0) throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
    NativeLibrary.requireReady();
    long address = Natives.hostAlloc(bytes);
    return new PinnedHostBuffer(address, bytes, new PinnedRelease(address, bytes));
  }

  public long size() {
    return size;
  }

  long addressAt(long offset) {
    ensureOpen();
    return address + offset;
  }

  void checkRange(long offset, long bytes, String what) {
    ensureOpen();
    DeviceBuffer.checkRange(size, offset, bytes, what);
  }

  /** Copies {@code src[srcOffset, srcOffset + length)} into this buffer at {@code offset}. */
  public synchronized void write(long offset, byte[] src, int srcOffset, int length) {
    Objects.requireNonNull(src, "src");
    checkArray(src.length, srcOffset, length, "src");
    checkRange(offset, length, "buffer");
    if (length == 0) return;
    NativeLibrary.requireLoaded();
    try {
      Natives.hostWrite(address + offset, src, srcOffset, length);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** Copies all of {@code src} into this buffer at {@code offset}. */
  public void write(long offset, byte[] src) {
    Objects.requireNonNull(src, "src");
    write(offset, src, 0, src.length);
  }

  /** Copies {@code length} bytes at {@code offset} into {@code dst[dstOffset...]}. */
  public synchronized void read(long offset, byte[] dst, int dstOffset, int length) {
    Objects.requireNonNull(dst, "dst");
    checkArray(dst.length, dstOffset, length, "dst");
    checkRange(offset, length, "buffer");
    if (length == 0) return;
    NativeLibrary.requireLoaded();
    try {
      Natives.hostRead(address + offset, dst, dstOffset, length);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /** Fills all of {@code dst} from this buffer at {@code offset}. */
  public void read(long offset, byte[] dst) {
    Objects.requireNonNull(dst, "dst");
    read(offset, dst, 0, dst.length);
  }

  @Override
  public synchronized void close() {
    super.close();
  }

  private static void checkArray(int arrayLength, int offset, int length, String what) {
    if (offset < 0) throw new IllegalArgumentException(what + " offset must be >= 0, got " + offset);
    if (length < 0) throw new IllegalArgumentException("length must be >= 0, got " + length);
    if (offset > arrayLength - length) {
      throw new IndexOutOfBoundsException(
          what + " range [" + offset + ", " + offset + " + " + length + ") exceeds the array length " + arrayLength);
    }
  }
}
