package dev.deepwell.gpu.quant;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.DeviceTensor;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.gpu.PinnedHostBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/** One stream, scope and manager for a GPU test class, plus host/device copies of test data. */
final class GpuQuantFixture implements AutoCloseable {

  private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();

  final CudaDevice device;
  final CudaStream stream;
  final DeviceScope scope;
  final MicroscaleManager mm;

  private GpuQuantFixture() {
    device = CudaDevice.get(0);
    stream = device.createStream();
    scope = DeviceScope.open(stream);
    mm = MicroscaleManager.create(scope);
  }

  /** Skips the calling test class (visibly: the reason is printed once) unless a GPU is usable. */
  static GpuQuantFixture openOrSkip() {
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady() && SKIP_PRINTED.compareAndSet(false, true)) {
      System.out.println("[deepwell] GPU quantization tests skipped: " + status.summary());
    }
    assumeTrue(status.isReady(), () -> "no usable GPU: " + status.summary());
    return new GpuQuantFixture();
  }

  /** A new [rows, cols] BF16 device tensor holding {@code bf16}. */
  DeviceTensor upload(short[] bf16, int rows, int cols) {
    DeviceTensor t = scope.allocateTensor(16, rows, cols);
    ByteBuffer b = ByteBuffer.allocate(2 * bf16.length).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : bf16) b.putShort(s);
    upload(b.array(), t.buffer());
    return t;
  }

  void upload(byte[] bytes, DeviceBuffer dst) {
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes.length)) {
      host.write(0, bytes);
      stream.copyHostToDevice(host, 0, dst, 0, bytes.length);
      stream.synchronize();
    }
  }

  byte[] download(DeviceBuffer src) {
    return GpuQuantizedTensor.download(stream, src, src.size());
  }

  float[] downloadFloats(DeviceTensor t) {
    ByteBuffer b = ByteBuffer.wrap(download(t.buffer())).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) t.elementCount()];
    for (int i = 0; i < out.length; i++) out[i] = b.getFloat();
    return out;
  }

  short[] downloadShorts(DeviceTensor t) {
    ByteBuffer b = ByteBuffer.wrap(download(t.buffer())).order(ByteOrder.LITTLE_ENDIAN);
    short[] out = new short[(int) t.elementCount()];
    for (int i = 0; i < out.length; i++) out[i] = b.getShort();
    return out;
  }

  @Override
  public void close() {
    try {
      mm.close();
      scope.close();
    } finally {
      stream.close();
    }
  }
}
