package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class DeviceMemoryGpuTest {

  private static final int CHUNK = 64 << 20;

  private CudaDevice device;
  private CudaStream stream;
  private DeviceScope scope;

  @BeforeEach
  void open() {
    TestSupport.assumeGpu();
    device = CudaDevice.get(0);
    stream = device.createStream();
    scope = DeviceScope.open(stream);
  }

  @AfterEach
  void close() {
    if (scope != null) scope.close();
    if (stream != null) {
      stream.synchronize();
      stream.close();
    }
  }

  /** Fills [offset, offset + bytes) of a pinned buffer with seeded random bytes, in chunks. */
  static void fillRandom(PinnedHostBuffer h, long offset, long bytes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.length, bytes - done);
      for (int i = 0; i < n; i += 8) {
        long v = r.nextLong();
        for (int k = 0; k < 8 && i + k < n; k++) chunk[i + k] = (byte) (v >>> (8 * k));
      }
      h.write(offset + done, chunk, 0, n);
      done += n;
    }
  }

  static void fill(PinnedHostBuffer h, long offset, long bytes, byte value) {
    byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
    Arrays.fill(chunk, value);
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.length, bytes - done);
      h.write(offset + done, chunk, 0, n);
      done += n;
    }
  }

  /** Index of the first differing byte of two pinned ranges, or -1. */
  static long firstMismatch(PinnedHostBuffer a, long aOffset, PinnedHostBuffer b, long bOffset, long bytes) {
    byte[] x = new byte[(int) Math.min(CHUNK, bytes)];
    byte[] y = new byte[x.length];
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(x.length, bytes - done);
      a.read(aOffset + done, x, 0, n);
      b.read(bOffset + done, y, 0, n);
      int m = Arrays.mismatch(x, 0, n, y, 0, n);
      if (m >= 0) return done + m;
      done += n;
    }
    return -1;
  }

  @Test
  void oneGibRoundTripThroughBothCopyPathsIsBitIdentical() {
    long size = 1L << 30;
    PinnedHostBuffer src = scope.allocatePinned(size);
    PinnedHostBuffer back = scope.allocatePinned(size);
    DeviceBuffer a = scope.allocate(size);
    DeviceBuffer b = scope.allocate(size);
    DeviceBuffer c = scope.allocate(size);
    fillRandom(src, 0, size, 42);
    fill(back, 0, size, (byte) 0xA5);
    stream.copyHostToDevice(back, 0, c, 0, size); // poison c: a copy that writes nothing is caught

    stream.copyHostToDevice(src, 0, a, 0, size);
    stream.copyDeviceToDevice(a, 0, b, 0, size); // cudaMemcpyAsync
    DeviceKernels.copy(stream, b, 0, c, 0, size); // our kernel
    stream.copyDeviceToHost(c, 0, back, 0, size);
    stream.synchronize();

    assertThat(firstMismatch(src, 0, back, 0, size)).isEqualTo(-1);
  }

  @Test
  void theCopyKernelIsExactAtEveryAlignmentAndSize() {
    int max = (1 << 20) + 64;
    PinnedHostBuffer src = scope.allocatePinned(max);
    PinnedHostBuffer out = scope.allocatePinned(max);
    PinnedHostBuffer expect = scope.allocatePinned(max);
    DeviceBuffer dIn = scope.allocate(max);
    DeviceBuffer dOut = scope.allocate(max);
    fillRandom(src, 0, max, 7);
    stream.copyHostToDevice(src, 0, dIn, 0, max);
    long[] sizes = {1, 15, 16, 17, 31, 255, 4096 + 3, 65536, (1 << 20) + 7};
    long[][] offsets = {{0, 0}, {1, 1}, {3, 3}, {15, 15}, {16, 0}, {0, 32}, {5, 9}, {2, 7}};
    for (long n : sizes) {
      for (long[] o : offsets) {
        for (int unroll : new int[] {1, 4, 8}) {
          // poison, copy, read back
          fill(out, 0, max, (byte) 0x5A);
          stream.copyHostToDevice(out, 0, dOut, 0, max);
          DeviceKernels.copyTuned(stream, dIn, o[0], dOut, o[1], n, unroll, unroll == 8 ? 3 : 0);
          stream.copyDeviceToHost(dOut, 0, out, 0, max);
          stream.synchronize();
          // expected: poison everywhere, src[o0, o0 + n) at o1
          fill(expect, 0, max, (byte) 0x5A);
          byte[] piece = new byte[(int) n];
          src.read(o[0], piece);
          expect.write(o[1], piece);
          assertThat(firstMismatch(expect, 0, out, 0, max))
              .as("size %d, src offset %d, dst offset %d, unroll %d", n, o[0], o[1], unroll)
              .isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void allocationTakesMemoryAndTrimmingReturnsIt() {
    long size = 2L << 30;
    device.synchronize();
    device.trimMemoryPool(0); // earlier tests leave freed memory parked in the pool
    MemoryInfo before = device.memoryInfo();
    DeviceBuffer big = scope.allocate(size);
    stream.synchronize();
    MemoryInfo during = device.memoryInfo();
    assertThat(during.totalBytes()).isEqualTo(before.totalBytes());
    assertThat(before.freeBytes() - during.freeBytes()).isGreaterThanOrEqualTo(size);
    big.close();
    stream.synchronize();
    device.trimMemoryPool(0);
    MemoryInfo after = device.memoryInfo();
    assertThat(after.freeBytes()).isGreaterThan(during.freeBytes() + size / 2);
  }

  @Test
  void askingForMoreThanTheCardHasIsOutOfMemoryWithSizes() {
    MemoryInfo info = device.memoryInfo();
    long tooMuch = info.totalBytes() + (1L << 30);
    assertThatThrownBy(() -> scope.allocate(tooMuch))
        .isInstanceOfSatisfying(DeviceOutOfMemoryException.class, e -> {
          assertThat(e.code()).isEqualTo(2);
          assertThat(e.errorName()).isEqualTo("cudaErrorMemoryAllocation");
          assertThat(e.operation()).isEqualTo("cudaMallocAsync");
          assertThat(e.requestedBytes()).isEqualTo(tooMuch);
          assertThat(e.totalBytes()).isEqualTo(info.totalBytes());
          assertThat(e.freeBytes()).isPositive().isLessThanOrEqualTo(info.totalBytes());
          assertThat(e.getMessage()).contains(Long.toString(tooMuch));
        });
    // not sticky: the device still works
    DeviceBuffer small = scope.allocate(1 << 20);
    PinnedHostBuffer h = scope.allocatePinned(1 << 20);
    fillRandom(h, 0, 1 << 20, 3);
    stream.copyHostToDevice(h, 0, small, 0, 1 << 20);
    stream.synchronize();
    assertThat(CudaErrors.contextLost()).isFalse();
  }

  @Test
  void useAfterCloseIsIllegalStateNeverACrash() {
    DeviceBuffer a = scope.allocate(4096);
    DeviceBuffer b = scope.allocate(4096);
    PinnedHostBuffer h = scope.allocatePinned(4096);
    CudaEvent e = scope.own(device.createEvent(false));
    a.close();
    h.close();
    e.close();
    assertThatThrownBy(() -> stream.copyDeviceToDevice(a, 0, b, 0, 16)).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> DeviceKernels.copy(stream, b, 0, a, 0, 16)).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> h.read(0, new byte[8])).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> stream.record(e)).isExactlyInstanceOf(IllegalStateException.class);
    CudaStream other = device.createStream();
    other.close();
    assertThatThrownBy(other::synchronize).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> other.copyDeviceToDevice(b, 0, b, 2048, 16)).isExactlyInstanceOf(IllegalStateException.class);
    a.close(); // idempotent
    stream.synchronize();
    assertThat(CudaErrors.contextLost()).isFalse();
  }

  @Test
  void addScalarTouchesExactlyItsRange() {
    int n = 10_000;
    DeviceBuffer x = scope.allocate(4L * n);
    PinnedHostBuffer h = scope.allocatePinned(4L * n);
    ByteBuffer bb = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
    for (int i = 0; i < n; i++) bb.putFloat(i * 4, i);
    h.write(0, bb.array());
    stream.copyHostToDevice(h, 0, x, 0, 4L * n);
    DeviceKernels.addScalarF32(stream, x, 100, 5000, 1.5f);
    stream.copyDeviceToHost(x, 0, h, 0, 4L * n);
    stream.synchronize();
    byte[] out = new byte[4 * n];
    h.read(0, out);
    ByteBuffer r = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
    for (int i = 0; i < n; i++) {
      float want = (i >= 100 && i < 5100) ? i + 1.5f : i;
      assertThat(r.getFloat(i * 4)).as("element %d", i).isEqualTo(want);
    }
  }

  @Test
  void eventsOrderStreamsAndTimeWork() {
    long size = 256L << 20;
    DeviceBuffer a = scope.allocate(size);
    DeviceBuffer b = scope.allocate(size);
    PinnedHostBuffer h = scope.allocatePinned(size);
    PinnedHostBuffer back = scope.allocatePinned(size);
    fillRandom(h, 0, size, 9);
    CudaEvent start = scope.own(device.createEvent(true));
    CudaEvent done = scope.own(device.createEvent(true));
    try (CudaStream second = device.createStream()) {
      stream.record(start);
      stream.copyHostToDevice(h, 0, a, 0, size);
      stream.record(done);
      second.waitFor(done); // without this, second could copy a before it is written
      DeviceKernels.copy(second, a, 0, b, 0, size);
      second.copyDeviceToHost(b, 0, back, 0, size);
      second.synchronize();
    }
    done.synchronize();
    assertThat(start.elapsedMillisTo(done)).isPositive();
    assertThat(firstMismatch(h, 0, back, 0, size)).isEqualTo(-1);
  }
}
