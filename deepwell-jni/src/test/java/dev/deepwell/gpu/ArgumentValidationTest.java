package dev.deepwell.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every public method rejects bad arguments and closed resources in Java, before any native
 * call. The objects here have null native handles and free nothing: a check that let a call
 * through would reach the native side and fail differently (GpuUnavailableException here,
 * an invalid-argument CudaException on a GPU host), so each assertion pins the exact type.
 */
class ArgumentValidationTest {

  private final List<String> released = new ArrayList<>();
  private final List<NativeResource> made = new ArrayList<>();
  private final CudaDevice dev0 = new CudaDevice(0);
  private final CudaDevice dev1 = new CudaDevice(1);

  private <T extends NativeResource> T track(T r) {
    made.add(r);
    return r;
  }

  private DeviceBuffer buffer(CudaDevice device, long size, String name) {
    return track(new DeviceBuffer(device, 0, size, new TestSupport.RecordingRelease(name, released)));
  }

  private PinnedHostBuffer pinned(long size, String name) {
    return track(new PinnedHostBuffer(0, size, new TestSupport.RecordingRelease(name, released)));
  }

  private CudaStream stream(CudaDevice device) {
    return track(new CudaStream(device, 0, new TestSupport.RecordingRelease("stream", released)));
  }

  private CudaEvent event(CudaDevice device, boolean timing, String name) {
    return track(new CudaEvent(device, 0, timing, new TestSupport.RecordingRelease(name, released)));
  }

  /** Closes what a test left open, so that the Cleaner has nothing to report as a leak. */
  @AfterEach
  void closeLeftovers() {
    for (NativeResource r : made) {
      try {
        r.close();
      } catch (RuntimeException ignored) {
        // a release made to fail
      }
    }
  }

  @Test
  void copiesRejectNegativeOffsetsAndCounts() {
    CudaStream s = stream(dev0);
    DeviceBuffer a = buffer(dev0, 100, "a");
    DeviceBuffer b = buffer(dev0, 100, "b");
    PinnedHostBuffer h = pinned(100, "h");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, -1, b, 0, 10))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("src offset must be >= 0, got -1");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 0, b, -5, 10))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("dst offset must be >= 0, got -5");
    assertThatThrownBy(() -> s.copyHostToDevice(h, 0, b, 0, -1))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("byte count must be >= 0, got -1");
    assertThatThrownBy(() -> DeviceKernels.copy(s, a, 0, b, 0, -8))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("byte count");
    assertThatThrownBy(() -> DeviceKernels.addScalarF32(s, a, -1, 1, 1f))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("firstElement");
    assertThatThrownBy(() -> DeviceKernels.addScalarF32(s, a, 0, -1, 1f))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("count");
  }

  @Test
  void copiesRejectRangesOutsideTheBuffers() {
    CudaStream s = stream(dev0);
    DeviceBuffer a = buffer(dev0, 100, "a");
    DeviceBuffer b = buffer(dev0, 64, "b");
    PinnedHostBuffer h = pinned(32, "h");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 0, b, 0, 65))
        .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessage("dst range [0, 0 + 65) exceeds its size 64");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 90, b, 0, 11))
        .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("src range [90, 90 + 11)");
    assertThatThrownBy(() -> s.copyHostToDevice(h, 1, a, 0, 32))
        .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("exceeds its size 32");
    assertThatThrownBy(() -> s.copyDeviceToHost(a, 0, h, 0, 33)).isExactlyInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> DeviceKernels.copy(s, a, Long.MAX_VALUE, b, 0, 1))
        .isExactlyInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> DeviceKernels.addScalarF32(s, b, 10, 7, 1f)) // 17 floats > 64 bytes
        .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("x range [40, 40 + 28)");
    assertThatThrownBy(() -> DeviceKernels.addScalarF32(s, b, Long.MAX_VALUE / 2, 1, 1f))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
  }

  @Test
  void copiesRejectOverlapsOtherDevicesAndBadTuning() {
    CudaStream s = stream(dev0);
    DeviceBuffer a = buffer(dev0, 100, "a");
    DeviceBuffer far = buffer(dev1, 100, "far");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 0, a, 10, 20))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    assertThatThrownBy(() -> DeviceKernels.copy(s, a, 10, a, 0, 20))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 0, far, 0, 8))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("dst is on device 1 but this stream is on device 0");
    assertThatThrownBy(() -> DeviceKernels.copyTuned(s, a, 0, a, 50, 50, 3, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("unroll must be 1, 2, 4 or 8");
    assertThatThrownBy(() -> DeviceKernels.copyTuned(s, a, 0, a, 50, 50, 4, -1))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("blocks");
    assertThatThrownBy(() -> s.copyDeviceToDevice(null, 0, a, 0, 1))
        .isExactlyInstanceOf(NullPointerException.class).hasMessage("src");
  }

  @Test
  void closedResourcesThrowIllegalStateBeforeAnyNativeCall() {
    CudaStream s = stream(dev0);
    DeviceBuffer a = buffer(dev0, 100, "a");
    DeviceBuffer b = buffer(dev0, 100, "b");
    PinnedHostBuffer h = pinned(100, "h");
    a.close();
    h.close();
    assertThat(a.isClosed()).isTrue();
    assertThatThrownBy(() -> s.copyDeviceToDevice(a, 0, b, 0, 1))
        .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("DeviceBuffer is closed");
    assertThatThrownBy(a::address).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> DeviceKernels.addScalarF32(s, a, 0, 1, 1f)).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> h.write(0, new byte[4])).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PinnedHostBuffer is closed");
    assertThatThrownBy(() -> h.read(0, new byte[4])).isExactlyInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.copyHostToDevice(h, 0, b, 0, 1)).isExactlyInstanceOf(IllegalStateException.class);
    s.close();
    assertThatThrownBy(s::synchronize).isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("CudaStream is closed");
    assertThatThrownBy(() -> s.copyDeviceToDevice(b, 0, b, 50, 1)).isExactlyInstanceOf(IllegalStateException.class);
    // close is idempotent and frees once
    assertThatCode(a::close).doesNotThrowAnyException();
    assertThat(released).containsExactly("a", "h", "stream");
  }

  @Test
  void pinnedReadsAndWritesCheckArrayAndBufferBounds() {
    PinnedHostBuffer h = pinned(16, "h");
    assertThatThrownBy(() -> h.write(-1, new byte[1])).isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.write(10, new byte[7])).isExactlyInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> h.write(0, new byte[4], 2, 3)).isExactlyInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("array length 4");
    assertThatThrownBy(() -> h.read(0, new byte[4], -1, 1)).isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.read(0, new byte[4], 0, -1)).isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.read(0, null)).isExactlyInstanceOf(NullPointerException.class);
    assertThatCode(() -> h.write(16, new byte[0])).as("an empty write at the end is fine").doesNotThrowAnyException();
  }

  @Test
  void eventsCheckTimingAndDevices() {
    CudaEvent plain = event(dev0, false, "e1");
    CudaEvent timed = event(dev0, true, "e2");
    CudaEvent other = event(dev1, true, "e3");
    assertThatThrownBy(() -> plain.elapsedMillisTo(timed)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timing=true");
    assertThatThrownBy(() -> timed.elapsedMillisTo(other)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("devices 0 and 1");
    assertThatThrownBy(() -> stream(dev0).record(other)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device 1");
  }

  @Test
  void aScopeClosesWhatItOwnsNewestFirstAndForgetsWhatClosedEarly() {
    CudaStream s = stream(dev0);
    DeviceScope scope = DeviceScope.open(s);
    DeviceBuffer a = scope.own(buffer(dev0, 10, "a"));
    DeviceBuffer b = scope.own(buffer(dev0, 10, "b"));
    PinnedHostBuffer c = scope.own(pinned(10, "c"));
    assertThat(scope.openResources()).isEqualTo(3);
    b.close();
    assertThat(scope.openResources()).isEqualTo(2);
    scope.close();
    assertThat(released).containsExactly("b", "c", "a");
    assertThat(a.isClosed()).isTrue();
    assertThat(c.isClosed()).isTrue();
    assertThat(s.isClosed()).as("the scope does not own its stream").isFalse();
    assertThatThrownBy(() -> scope.allocate(8)).isExactlyInstanceOf(IllegalStateException.class).hasMessage("DeviceScope is closed");
    assertThatThrownBy(() -> scope.own(buffer(dev0, 1, "late"))).isExactlyInstanceOf(IllegalStateException.class);
    assertThatCode(scope::close).doesNotThrowAnyException();
  }

  @Test
  void aScopeClosesEverythingEvenWhenOneCloseFails() {
    CudaStream s = stream(dev0);
    DeviceScope scope = DeviceScope.open(s);
    scope.own(buffer(dev0, 10, "a"));
    scope.own(track(new DeviceBuffer(dev0, 0, 10, new NativeResource.Release("failing") {
      @Override
      void free() {
        throw new IllegalStateException("boom");
      }
    })));
    scope.own(buffer(dev0, 10, "c"));
    assertThatThrownBy(scope::close).hasMessage("boom");
    assertThat(released).containsExactly("c", "a");
  }

  @Test
  void theCleanerFreesWhatWasNeverClosed() throws Exception {
    List<String> log = new ArrayList<>();
    WeakReference<DeviceBuffer> ref = new WeakReference<>(new DeviceBuffer(dev0, 0, 8, new TestSupport.RecordingRelease("leaked", log)));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      System.gc();
      synchronized (log) {
        if (!log.isEmpty()) break;
      }
      Thread.sleep(20);
    }
    assertThat(ref.get()).isNull();
    synchronized (log) {
      assertThat(log).containsExactly("leaked");
    }
  }

  @Test
  void tensorShapesAreCheckedAndSized() {
    assertThat(DeviceTensor.byteSize(16, 2, 3)).isEqualTo(12);
    assertThat(DeviceTensor.byteSize(4, 3, 5)).as("15 packed nibbles").isEqualTo(8);
    assertThat(DeviceTensor.byteSize(32)).as("rank 0 is one element").isEqualTo(4);
    assertThat(DeviceTensor.byteSize(8, 1L << 20, 1L << 10)).isEqualTo(1L << 30);
    assertThatThrownBy(() -> DeviceTensor.byteSize(12, 4)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("elementBits");
    assertThatThrownBy(() -> DeviceTensor.byteSize(8, 4, 0, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape[1] must be >= 1, got 0");
    assertThatThrownBy(() -> DeviceTensor.byteSize(8, 1L << 40, 1L << 40)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2^63");
    assertThatThrownBy(() -> DeviceTensor.byteSize(64, 1L << 60)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");

    DeviceTensor t = new DeviceTensor(buffer(dev0, 24, "t"), 32, new long[] {2, 3});
    assertThat(t.elementCount()).isEqualTo(6);
    assertThat(t.rank()).isEqualTo(2);
    long[] shape = t.shape();
    shape[0] = 99;
    assertThat(t.shape()).as("defensive copy").containsExactly(2, 3);
    t.close();
    assertThat(t.isClosed()).isTrue();
    assertThatThrownBy(() -> new DeviceTensor(buffer(dev0, 10, "u"), 32, new long[] {2, 3}))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 24 bytes, the buffer has 10");
  }
}
