package dev.deepwell.gpu.gemm;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.E8M0;
import dev.deepwell.format.Fp4E2M1;
import dev.deepwell.format.Fp8E4M3;
import dev.deepwell.format.Ue4M3;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.PinnedHostBuffer;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Operand copies for {@link CudaGemmBenchmark}: every argument a problem reads, sized by
 * {@link OperandLayout}, filled with values like those a quantizer writes (BF16 in [-1, 1); E4M3
 * and E2M1 codes of values spread over the format's range; scales around 1, or 2^-8 for E8M0 as
 * for amax-1 data). Each kind of content is generated once on the host into an 8 MiB chunk and
 * copied on the device as often as a buffer needs it: the copies' bytes repeat, which matters for
 * neither the caches (addresses differ) nor the kernels.
 */
final class BenchOperands {

  /** Bytes of one generated chunk; a multiple of every element size. */
  static final int CHUNK = 8 << 20;

  /** What a field holds. */
  enum Content { BF16, E4M3, E2M1_PAIRS, F32_SCALE, E8M0_SCALE, UE4M3_SCALE }

  /** One copy of a problem's arguments; {@code d} is kept to read the output back. */
  record Set(GemmOperands operands, DeviceBuffer d) {}

  private final CudaStream stream;
  private final DeviceScope chunkScope;
  private final long seed;
  private final Map<Content, DeviceBuffer> chunks = new EnumMap<>(Content.class);

  /** Chunks are allocated in {@code chunkScope} (on its stream) and live as long as it. */
  BenchOperands(DeviceScope chunkScope, long seed) {
    this.chunkScope = Objects.requireNonNull(chunkScope, "chunkScope");
    this.stream = chunkScope.stream();
    this.seed = seed;
  }

  /** Bytes of one copy of everything {@code p} reads and writes (A, B, D, scales). */
  static long setBytes(GemmProblem p) {
    long total = 0;
    for (Field f : Field.values()) {
      if (OperandLayout.required(p, f)) {
        total = Math.addExact(total, OperandLayout.expect(p, f).bytes());
      }
    }
    return total;
  }

  /** What {@code f} of an {@code in} problem holds. */
  static Content content(GemmInput in, Field f) {
    boolean fp4 = in == GemmInput.NVFP4 || in == GemmInput.NVFP4_WEIGHT;
    switch (f) {
      case A:
        // NVFP4_WEIGHT: BF16 activations, NVFP4 weights.
        return in == GemmInput.BF16 || in == GemmInput.NVFP4_WEIGHT ? Content.BF16
            : fp4 ? Content.E2M1_PAIRS : Content.E4M3;
      case B:
        return in == GemmInput.BF16 ? Content.BF16 : fp4 ? Content.E2M1_PAIRS : Content.E4M3;
      case SCALE_A:
      case SCALE_B:
        return in == GemmInput.MXFP8 ? Content.E8M0_SCALE : fp4 ? Content.UE4M3_SCALE : Content.F32_SCALE;
      case TENSOR_SCALE_A:
      case TENSOR_SCALE_B:
        return Content.F32_SCALE;
      default:
        throw new IllegalArgumentException(f + " holds no input of the benchmark");
    }
  }

  /** A new copy of {@code p}'s arguments, allocated in {@code scope}; D is left unwritten. */
  Set allocate(GemmProblem p, DeviceScope scope) {
    GemmOperands.Builder b = GemmOperands.builder();
    DeviceBuffer d = null;
    for (Field f : Field.values()) {
      if (!OperandLayout.required(p, f)) {
        continue;
      }
      DeviceBuffer buf = scope.allocate(OperandLayout.expect(p, f).bytes());
      if (f == Field.D) {
        d = buf;
      } else {
        fill(buf, chunk(content(p.input(), f)));
      }
      DeviceView v = DeviceView.of(buf);
      switch (f) {
        case A -> b.a(v);
        case B -> b.b(v);
        case D -> b.d(v);
        case SCALE_A -> b.scaleA(v);
        case SCALE_B -> b.scaleB(v);
        case TENSOR_SCALE_A -> b.tensorScaleA(v);
        case TENSOR_SCALE_B -> b.tensorScaleB(v);
        default -> throw new IllegalArgumentException("the benchmark's problems have no " + f.label);
      }
    }
    return new Set(b.build(), d);
  }

  private void fill(DeviceBuffer dst, DeviceBuffer chunk) {
    for (long off = 0; off < dst.size(); off += CHUNK) {
      stream.copyDeviceToDevice(chunk, 0, dst, off, Math.min(CHUNK, dst.size() - off));
    }
  }

  private DeviceBuffer chunk(Content c) {
    DeviceBuffer buf = chunks.get(c);
    if (buf == null) {
      byte[] host = generate(c, seed + c.ordinal(), CHUNK);
      buf = chunkScope.allocate(CHUNK);
      try (PinnedHostBuffer pinned = PinnedHostBuffer.allocate(CHUNK)) {
        pinned.write(0, host);
        stream.copyHostToDevice(pinned, 0, buf, 0, CHUNK);
        stream.synchronize(); // the pinned buffer is freed on return
      }
      chunks.put(c, buf);
    }
    return buf;
  }

  /** {@code bytes} (a multiple of 4) of {@code c}, little-endian where wider than a byte. */
  static byte[] generate(Content c, long seed, int bytes) {
    if (bytes < 0 || bytes % 4 != 0) {
      throw new IllegalArgumentException("bytes must be a non-negative multiple of 4, got " + bytes);
    }
    byte[] out = new byte[bytes];
    SplittableRandom r = new SplittableRandom(seed);
    switch (c) {
      case BF16:
        for (int i = 0; i < bytes; i += 2) {
          short s = Bf16.encode((float) r.nextDouble(-1, 1));
          out[i] = (byte) s;
          out[i + 1] = (byte) (s >>> 8);
        }
        break;
      case E4M3:
        for (int i = 0; i < bytes; i++) {
          out[i] = Fp8E4M3.encode((float) r.nextDouble(-Fp8E4M3.MAX, Fp8E4M3.MAX));
        }
        break;
      case E2M1_PAIRS:
        for (int i = 0; i < bytes; i++) {
          int lo = Fp4E2M1.encode((float) r.nextDouble(-Fp4E2M1.MAX, Fp4E2M1.MAX));
          int hi = Fp4E2M1.encode((float) r.nextDouble(-Fp4E2M1.MAX, Fp4E2M1.MAX));
          out[i] = Fp4E2M1.pack(lo, hi);
        }
        break;
      case F32_SCALE:
        for (int i = 0; i < bytes; i += 4) {
          int bits = Float.floatToRawIntBits((float) r.nextDouble(0.5, 2));
          out[i] = (byte) bits;
          out[i + 1] = (byte) (bits >>> 8);
          out[i + 2] = (byte) (bits >>> 16);
          out[i + 3] = (byte) (bits >>> 24);
        }
        break;
      case E8M0_SCALE:
        for (int i = 0; i < bytes; i++) {
          out[i] = (byte) E8M0.fromExponent(-9 + r.nextInt(3));
        }
        break;
      case UE4M3_SCALE:
        for (int i = 0; i < bytes; i++) {
          out[i] = (byte) Ue4M3.encode((float) r.nextDouble(0.5, 2));
        }
        break;
      default:
        throw new AssertionError(c);
    }
    return out;
  }
}
