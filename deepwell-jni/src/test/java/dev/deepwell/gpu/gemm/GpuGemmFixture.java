package dev.deepwell.gpu.gemm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepwell.gpu.CudaDevice;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.NativeLoadResult;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.gpu.quant.Bf16Matrix;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One stream, scope and {@link GpuGemm} for a GPU test class, plus host/device copies. */
final class GpuGemmFixture implements AutoCloseable {

  private static final AtomicBoolean SKIP_PRINTED = new AtomicBoolean();

  /** What D holds before a GEMM writes it: 0xFF bytes are NaN in BF16 and FP32. */
  static final byte SENTINEL = (byte) 0xFF;

  final CudaDevice device;
  final CudaStream stream;
  final DeviceScope scope;
  final GpuGemm gemm;

  private GpuGemmFixture() {
    device = CudaDevice.get(0);
    stream = device.createStream();
    scope = DeviceScope.open(stream);
    gemm = GpuGemm.create(scope);
  }

  /** Skips the calling test class (visibly: the reason is printed once) unless a GPU is usable. */
  static GpuGemmFixture openOrSkip() {
    NativeLoadResult status = NativeLibrary.status();
    if (!status.isReady() && SKIP_PRINTED.compareAndSet(false, true)) {
      System.out.println("[deepwell] GPU GEMM tests skipped: " + status.summary());
    }
    assumeTrue(status.isReady(), () -> "no usable GPU: " + status.summary());
    return new GpuGemmFixture();
  }

  /** A device buffer holding {@code bytes} at {@code offset} (at least one byte is allocated). */
  DeviceBuffer upload(byte[] bytes, int offset) {
    DeviceBuffer b = scope.allocate(Math.max(1, offset + bytes.length));
    if (bytes.length > 0) {
      try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes.length)) {
        host.write(0, bytes);
        stream.copyHostToDevice(host, 0, b, offset, bytes.length);
        stream.synchronize();
      }
    }
    return b;
  }

  byte[] download(DeviceBuffer src, long offset, long bytes) {
    byte[] out = new byte[Math.toIntExact(bytes)];
    if (bytes == 0) {
      return out;
    }
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes)) {
      stream.copyDeviceToHost(src, offset, host, 0, bytes);
      stream.synchronize();
      host.read(0, out);
    }
    return out;
  }

  /** {@code values} as BF16 (rounded to nearest even) into {@code dst}, staged through the scope. */
  void uploadBf16(Bf16Matrix dst, float[] values) {
    byte[] bytes = GemmOperandCodec.encodeOutput(GemmOutput.BF16, values);
    DeviceBuffer staging = upload(bytes, 0);
    stream.copyDeviceToDevice(staging, 0, dst.buffer(), dst.offsetBytes(), bytes.length);
    stream.synchronize();
  }

  /** The device operands of {@code data}, each at {@code offset} bytes into its own buffer, D filled with the sentinel. */
  GemmOperands operands(GemmTestData data, int offset) {
    GemmOperands.Builder b = GemmOperands.builder();
    for (Map.Entry<Field, byte[]> e : data.args.entrySet()) {
      DeviceView v = DeviceView.of(upload(e.getValue(), offset), offset);
      switch (e.getKey()) {
        case A -> b.a(v);
        case B -> b.b(v);
        case SCALE_A -> b.scaleA(v);
        case SCALE_B -> b.scaleB(v);
        case TENSOR_SCALE_A -> b.tensorScaleA(v);
        case TENSOR_SCALE_B -> b.tensorScaleB(v);
        case BIAS -> b.bias(v);
        case RESIDUAL -> b.residual(v);
        default -> throw new AssertionError(e.getKey());
      }
    }
    byte[] sentinel = new byte[Math.toIntExact(dBytes(data.problem))];
    Arrays.fill(sentinel, SENTINEL);
    return b.d(DeviceView.of(upload(sentinel, offset), offset)).build();
  }

  static long dBytes(GemmProblem p) {
    return p.m() * p.n() * p.output().bytes();
  }

  /** D after the GEMM ran on {@code ops}. */
  float[] result(GemmProblem p, GemmOperands ops) {
    DeviceView d = ops.d();
    byte[] bytes = download(d.memory().buffer().orElseThrow(), d.offset(), dBytes(p));
    return GemmOperandCodec.decodeOutput(p.output(), bytes);
  }

  /** Runs {@code data}'s problem with {@code preference}; returns D and the plan it ran. */
  Run run(GemmTestData data, GemmPreference preference, int offset) {
    GemmOperands ops = operands(data, offset);
    GemmPlan plan = gemm.run(data.problem, ops, preference);
    return new Run(plan, result(data.problem, ops));
  }

  record Run(GemmPlan plan, float[] d) {}

  @Override
  public void close() {
    try {
      gemm.close();
      scope.close();
    } finally {
      stream.close();
    }
  }
}
