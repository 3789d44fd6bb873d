package dev.deepwell.gpu.gemm;

import dev.deepwell.cpu.CpuGemm;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import java.util.EnumMap;
import java.util.Map;

/**
 * The CPU backend of {@link GpuGemm}: copies the arguments to the host (after the work already
 * on the stream), computes D with {@link #compute} and copies it back. Synchronous. The last link
 * of the chain: slow, but it runs any problem whose operands fit Java arrays (an MN-major layout,
 * K = 0, shapes beyond the reference kernel's grid).
 */
final class HostGemm {

  private HostGemm() {}

  static void run(CudaStream stream, GemmProblem p, GemmOperands ops) {
    Map<Field, byte[]> args = new EnumMap<>(Field.class);
    for (Field f : Field.values()) {
      if (f != Field.D && OperandLayout.required(p, f)) {
        args.put(f, download(stream, ops.get(f), f, OperandLayout.expect(p, f).bytes()));
      }
    }
    upload(stream, ops.d(), compute(p, args));
  }

  /**
   * D's bytes for {@code p} from the bytes of its arguments as gemm.h lays them out (every field
   * the problem reads; D itself is not read).
   */
  static byte[] compute(GemmProblem p, Map<Field, byte[]> args) {
    int m = Math.toIntExact(p.m());
    int n = Math.toIntExact(p.n());
    int k = Math.toIntExact(p.k());
    GemmInput in = p.input();
    float[] a = new float[0];
    float[] b = new float[0];
    float accScale = p.alpha();
    if (k > 0) {
      a = GemmOperandCodec.decodeOperand(in, arg(args, Field.A),
          in.hasBlockScales() && in.hasAScales() ? arg(args, Field.SCALE_A) : null, m, k, true);
      b = GemmOperandCodec.decodeOperand(in, arg(args, Field.B), in.hasBlockScales() ? arg(args, Field.SCALE_B) : null,
          n, k, false);
      // The kernels' epilogue order: alpha, then A's scale, then B's.
      if (in == GemmInput.FP8_TENSOR) {
        accScale = accScale * scalar(args, Field.SCALE_A) * scalar(args, Field.SCALE_B);
      } else if (in == GemmInput.NVFP4) {
        accScale = accScale * scalar(args, Field.TENSOR_SCALE_A) * scalar(args, Field.TENSOR_SCALE_B);
      } else if (in == GemmInput.NVFP4_WEIGHT) {
        accScale = accScale * scalar(args, Field.TENSOR_SCALE_B);
      }
    }
    float[] bias = p.hasBias() ? GemmOperandCodec.decodeOutput(p.output(), arg(args, Field.BIAS)) : null;
    float[] residual = p.hasResidual() ? GemmOperandCodec.decodeOutput(p.output(), arg(args, Field.RESIDUAL)) : null;
    return GemmOperandCodec.encodeOutput(p.output(), CpuGemm.compute(p, a, b, accScale, bias, residual));
  }

  private static byte[] arg(Map<Field, byte[]> args, Field f) {
    byte[] b = args.get(f);
    if (b == null) {
      throw new IllegalArgumentException(f.label + " is missing");
    }
    return b;
  }

  private static float scalar(Map<Field, byte[]> args, Field f) {
    return GemmOperandCodec.floatAt(arg(args, f), 0);
  }

  private static byte[] download(CudaStream stream, DeviceView v, Field f, long bytes) {
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(f.label + " has " + bytes + " bytes, too many for the CPU backend");
    }
    byte[] out = new byte[(int) bytes];
    if (bytes == 0) {
      return out;
    }
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes)) {
      stream.copyDeviceToHost(buffer(v, f), v.offset(), host, 0, bytes);
      stream.synchronize();
      host.read(0, out);
    }
    return out;
  }

  private static void upload(CudaStream stream, DeviceView v, byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    try (PinnedHostBuffer host = PinnedHostBuffer.allocate(bytes.length)) {
      host.write(0, bytes);
      stream.copyHostToDevice(host, 0, buffer(v, Field.D), v.offset(), bytes.length);
      stream.synchronize(); // the pinned buffer is freed on return
    }
  }

  private static DeviceBuffer buffer(DeviceView v, Field f) {
    return v.memory().buffer().orElseThrow(() -> new IllegalArgumentException(f.label
        + " is not a DeviceBuffer; the CPU backend copies through the stream: " + v));
  }
}
