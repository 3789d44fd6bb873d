package dev.deepwell.kernel;

import dev.deepwell.ir.Attrs;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.precision.Precision;
import java.util.Objects;
import java.util.Optional;

/**
 * The roofline model: an op takes {@code max(flops / peak, bytes / bandwidth)}, where peak is the
 * target's dense tensor-core rate for the op's math precision and bytes are every operand read
 * and result written once (perfect on-chip reuse, no cache effects, no launch overhead).
 */
public final class Roofline {

  private final PeakRates rates;
  private final double bandwidth;
  private final String target;

  public Roofline(PeakRates rates, double bandwidthBytesPerSecond, String target) {
    this.rates = Objects.requireNonNull(rates, "rates");
    if (!(bandwidthBytesPerSecond > 0)) {
      throw new IllegalArgumentException("bandwidth must be > 0, got " + bandwidthBytesPerSecond);
    }
    this.bandwidth = bandwidthBytesPerSecond;
    this.target = Objects.requireNonNull(target, "target");
  }

  /** The model of {@code target}, when its peak rates and bandwidth are known. */
  public static Optional<Roofline> forTarget(CompileTarget target) {
    Objects.requireNonNull(target, "target");
    if (!target.hasRoofline()) {
      return Optional.empty();
    }
    return Optional.of(new Roofline(target.rates().get(), target.bandwidthBytesPerSecond(),
        target.name()));
  }

  public PeakRates rates() {
    return rates;
  }

  public double bandwidth() {
    return bandwidth;
  }

  /** Seconds for {@code flops} of math in {@code p} over {@code bytes} of traffic. */
  public double seconds(double flops, Precision p, double bytes) {
    double memory = bytes / bandwidth;
    if (flops == 0) {
      return memory;
    }
    return Math.max(flops / peak(p), memory);
  }

  /** Peak FLOP/s for {@code p}; throws when the target has no tensor cores for it. */
  public double peak(Precision p) {
    double peak = rates.flops(p);
    if (!(peak > 0)) {
      throw new IllegalArgumentException("target " + target + " has no native " + p + " rate");
    }
    return peak;
  }

  /**
   * Estimated seconds of an [M, K] x [N, K]^T GEMM in {@code p} writing a BF16 [M, N] result,
   * plus producing its [M, K] activation operand, so that formats compare on equal terms. BF16:
   * the producer writes it in BF16. Low precision, {@code quantizeFused}: the producer writes it
   * quantized instead. Low precision, not fused: the producer writes BF16, then a quantize pass
   * reads that and writes the quantized tensor.
   */
  public double gemmWithQuantizeSeconds(Precision p, long m, long n, long k, long weightCount,
      boolean nvfp4TwoDimensional, boolean quantizeFused) {
    TensorFormat act = TensorFormat.activationFormat(p);
    TensorFormat w = TensorFormat.weightFormat(p, nvfp4TwoDimensional);
    double actBytes = act.storageBytes(Shape.of(m, k));
    double weightBytes = weightCount / (double) (n * k) * w.storageBytes(Shape.of(n, k));
    double outBytes = 2.0 * m * n;
    double gemm = seconds(2.0 * m * n * k, p, actBytes + weightBytes + outBytes);
    double bf16Bytes = 2.0 * m * k;
    double produce;
    if (!p.isLowPrecision()) {
      produce = actBytes;
    } else if (quantizeFused) {
      produce = actBytes;
    } else {
      produce = bf16Bytes + bf16Bytes + actBytes;
    }
    return gemm + produce / bandwidth;
  }

  /** The forward cost of {@code op} in {@code graph}, run by {@code binding}'s kernel. */
  public OpCost cost(Op op, Graph graph, KernelBinding binding) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(graph, "graph");
    double bytes = 0;
    for (int id : op.inputs()) {
      bytes += readBytes(op, graph.value(id), graph);
    }
    for (int id : op.outputs()) {
      bytes += graph.value(id).bytes();
    }
    double flops = flops(op, graph);
    Precision math = null;
    if (flops > 0) {
      math = op.precision() == null ? Precision.BF16 : op.precision();
      if (op.kind().isGemm() && binding != null && binding.kernel().emulated()
          && math.isLowPrecision()) {
        // Emulation: both operands are expanded to BF16 (written and read back once more),
        // then the math runs at the BF16 rate.
        bytes += 2 * 2.0 * (graph.value(op.input(0)).shape().numel()
            + graph.value(op.input(1)).shape().numel());
        math = Precision.BF16;
      }
    }
    double t = seconds(flops, math == null ? Precision.BF16 : math, bytes);
    boolean computeBound = flops > 0 && flops / peak(math) >= bytes / bandwidth;
    return new OpCost(op.name(), op.kind(), flops, bytes, math, t, computeBound);
  }

  /** Floating-point operations of {@code op}'s forward pass (0 for memory-only ops). */
  public static double flops(Op op, Graph graph) {
    switch (op.kind()) {
      case LINEAR: {
        Shape x = graph.value(op.input(0)).shape();
        Shape w = graph.value(op.input(1)).shape();
        return 2.0 * x.dim(0) * w.dim(0) * x.last();
      }
      case GROUPED_LINEAR: {
        Shape x = graph.value(op.input(0)).shape();
        Shape w = graph.value(op.input(1)).shape();
        return 2.0 * x.dim(0) * w.dim(1) * x.last();
      }
      case ATTENTION: {
        Shape x = graph.value(op.input(0)).shape();
        double s = op.attrs().getLong(Attrs.SEQ_LEN);
        double sequences = x.dim(0) / s;
        double h = op.attrs().getLong(Attrs.HEADS);
        double hd = op.attrs().getLong(Attrs.HEAD_DIM);
        double full = 4.0 * sequences * h * s * s * hd; // QK^T and PV, 2 flops per MAC
        return op.attrs().getBoolean(Attrs.CAUSAL) ? full / 2 : full;
      }
      default:
        return 0;
    }
  }

  /** Bytes an op reads of {@code v}: a gather reads only the rows it needs of a table. */
  private static double readBytes(Op op, TensorValue v, Graph graph) {
    if ((op.kind() == OpKind.EMBEDDING || op.kind() == OpKind.POSITION_EMBEDDING)
        && v.shape().rank() == 2 && v.id() == op.input(1)) {
      return graph.value(op.output()).bytes();
    }
    return v.bytes();
  }
}
