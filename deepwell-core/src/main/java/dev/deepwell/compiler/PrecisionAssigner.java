package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.LayerRole;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.Roofline;
import dev.deepwell.model.Mode;
import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.LayerPatterns;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionPolicy;
import dev.deepwell.precision.PrecisionReason;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Assigns a precision with a reason to every layer (embedding, norm, GEMM and attention ops) of a
 * shaped graph. The rules, first match wins:
 *
 * <ol>
 *   <li>an override pattern: its precision (low precision only on GEMMs; an explicit low precision
 *       that cannot fit the shape is an error, not a silent fallback);
 *   <li>a sensitive pattern: high precision (BF16, or FP32 when that is the default);
 *   <li>embeddings, norms, the MoE router, the lm_head: high precision;
 *   <li>the attention core: high precision (no low-precision attention kernels);
 *   <li>other GEMMs get the default compute precision, then: a precision the target cannot run is
 *       refused, emulated or mapped per {@link UnsupportedPrecisionMode}; a GEMM whose K or N (and
 *       M in training) is not a multiple of the format's alignment stays high precision; a GEMM
 *       whose roofline gain over BF16 is below
 *       {@link PrecisionConfig#minGemmSpeedup()} stays high precision; both sides include
 *       producing the activation operand (BF16 write; quantized write when a norm or activation
 *       will fuse the quantization; BF16 write plus a quantize pass otherwise).
 * </ol>
 */
public final class PrecisionAssigner {

  private PrecisionAssigner() {}

  /** The ops that are layers of the policy. */
  public static boolean isLayer(Op op) {
    switch (op.kind()) {
      case EMBEDDING:
      case POSITION_EMBEDDING:
      case RMSNORM:
      case LAYERNORM:
      case LINEAR:
      case GROUPED_LINEAR:
      case ATTENTION:
        return true;
      default:
        return false;
    }
  }

  public static PrecisionPolicy assign(Graph graph, PrecisionConfig config, CompileTarget target) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(target, "target");
    if (!graph.isShaped()) {
      throw new IllegalArgumentException("precision assignment needs a shaped graph; run "
          + "ShapeInference first");
    }
    if (!target.isCpu() && target.smVersion() < 80) {
      throw new IllegalArgumentException("target " + target + " is not supported: Deepwell needs "
          + "sm_80 or newer (BF16 tensor cores)");
    }
    List<String> layerNames = new ArrayList<>();
    for (Op op : graph.ops()) {
      if (isLayer(op)) {
        layerNames.add(op.name());
      }
    }
    List<String> warnings = new ArrayList<>();
    for (String p : config.sensitive()) {
      warnUnknown("sensitive", p, layerNames, warnings);
    }
    for (String p : config.overrides().keySet()) {
      warnUnknown("override", p, layerNames, warnings);
    }
    Precision high = config.defaultCompute() == Precision.FP32 ? Precision.FP32 : Precision.BF16;
    Optional<Roofline> roofline = Roofline.forTarget(target);
    List<LayerPrecision> layers = new ArrayList<>();
    List<FallbackEvent> history = new ArrayList<>();
    for (Op op : graph.ops()) {
      if (!isLayer(op)) {
        continue;
      }
      Rule rule = new Rule(op, graph, config, target, high, roofline, history);
      layers.add(rule.decide());
    }
    return new PrecisionPolicy(config, target.name(), layers, history, warnings);
  }

  private static void warnUnknown(String what, String pattern, List<String> layers,
      List<String> warnings) {
    if (LayerPatterns.matchesAny(pattern, layers)) {
      return;
    }
    List<String> near = LayerPatterns.nearMatches(pattern, layers, 5);
    warnings.add(what + " pattern '" + pattern + "' matches no layer"
        + (near.isEmpty() ? "" : "; did you mean: " + String.join(", ", near)) + "?");
  }

  /** The decision for one layer. */
  private static final class Rule {
    private final Op op;
    private final Graph graph;
    private final PrecisionConfig config;
    private final CompileTarget target;
    private final Precision high;
    private final Optional<Roofline> roofline;
    private final List<FallbackEvent> history;

    Rule(Op op, Graph graph, PrecisionConfig config, CompileTarget target, Precision high,
        Optional<Roofline> roofline, List<FallbackEvent> history) {
      this.op = op;
      this.graph = graph;
      this.config = config;
      this.target = target;
      this.high = high;
      this.roofline = roofline;
      this.history = history;
    }

    LayerPrecision decide() {
      for (Map.Entry<String, Precision> o : config.overrides().entrySet()) {
        if (LayerPatterns.matches(o.getKey(), op.name())) {
          Precision p = o.getValue();
          String detail = "override '" + o.getKey() + "' -> " + p.cliName();
          if (!p.isLowPrecision()) {
            return layer(p, p, PrecisionReason.OVERRIDE, detail, false);
          }
          if (!op.kind().isGemm()) {
            throw new IllegalArgumentException("override '" + o.getKey() + "' asks " + p
                + " for layer '" + op.name() + "' (" + op.kind() + "); only GEMM layers "
                + "(LINEAR, GROUPED_LINEAR) run in low precision");
          }
          return lowPrecision(p, PrecisionReason.OVERRIDE, detail, true);
        }
      }
      for (String s : config.sensitive()) {
        if (LayerPatterns.matches(s, op.name())) {
          return layer(high, high, PrecisionReason.SENSITIVE,
              "matches sensitive pattern '" + s + "'", false);
        }
      }
      if (op.kind() == OpKind.EMBEDDING || op.kind() == OpKind.POSITION_EMBEDDING) {
        return fixed(PrecisionReason.EMBEDDING);
      }
      if (op.kind().isNorm()) {
        return fixed(PrecisionReason.NORM);
      }
      if (op.role() == LayerRole.ROUTER) {
        return fixed(PrecisionReason.ROUTER);
      }
      if (op.role() == LayerRole.LM_HEAD) {
        return fixed(PrecisionReason.LM_HEAD);
      }
      if (op.kind() == OpKind.ATTENTION) {
        return fixed(PrecisionReason.NON_GEMM);
      }
      Precision p = config.defaultCompute();
      String detail = "default compute " + p.cliName();
      if (!p.isLowPrecision()) {
        return layer(p, p, PrecisionReason.DEFAULT_COMPUTE, detail, false);
      }
      return lowPrecision(p, PrecisionReason.DEFAULT_COMPUTE, detail, false);
    }

    private LayerPrecision fixed(PrecisionReason reason) {
      return layer(high, high, reason, reason.summary(), false);
    }

    private LayerPrecision lowPrecision(Precision requested, PrecisionReason reason,
        String detail, boolean explicit) {
      Precision p = requested;
      boolean emulated = false;
      if (target.isCpu()) {
        emulated = true;
        detail += "; emulated by the CPU backend";
      } else if (!target.supportsNatively(p)) {
        UnsupportedPrecisionMode mode = config.unsupportedPrecision();
        switch (mode) {
          case ERROR:
            throw new IllegalArgumentException("layer '" + op.name() + "': " + p
                + " is not supported natively by target " + target + "; set "
                + "unsupportedPrecision to EMULATE (emulating kernels, slow) or MAP_TO_NATIVE "
                + "(use " + bestNative(p).cliName() + ")");
          case EMULATE:
            emulated = true;
            reason = PrecisionReason.NOT_NATIVE_EMULATED;
            detail = p.cliName() + " has no native kernels on " + target + ": emulated";
            break;
          case MAP_TO_NATIVE: {
            Precision q = bestNative(p);
            String why = p.cliName() + " has no native kernels on " + target + ": mapped to "
                + q.cliName();
            history.add(new FallbackEvent(op.name(), p, q, PrecisionReason.NOT_NATIVE_MAPPED, why,
                FallbackEvent.Phase.COMPILE));
            reason = PrecisionReason.NOT_NATIVE_MAPPED;
            detail = why;
            p = q;
            if (!p.isLowPrecision()) {
              return layer(p, requested, reason, detail, false);
            }
            break;
          }
          default:
            throw new AssertionError(mode);
        }
      }
      String misfit = misalignment(p);
      if (misfit != null) {
        if (explicit) {
          throw new IllegalArgumentException("layer '" + op.name() + "': " + detail
              + " cannot be honoured: " + misfit);
        }
        return fallBack(p, requested, PrecisionReason.SHAPE_NOT_ALIGNED, misfit);
      }
      if (!explicit && !emulated && roofline.isPresent() && config.minGemmSpeedup() > 0) {
        double gain = estimatedGain(roofline.get(), p);
        if (gain < config.minGemmSpeedup()) {
          return fallBack(p, requested, PrecisionReason.TOO_SMALL_TO_GAIN, String.format(
              "estimated speedup over BF16 %.2fx (activation quantization included) < %.2fx",
              gain, config.minGemmSpeedup()));
        }
        detail += String.format("; estimated speedup over BF16 %.2fx", gain);
      }
      return layer(p, requested, reason, detail, emulated);
    }

    private LayerPrecision fallBack(Precision from, Precision requested, PrecisionReason reason,
        String detail) {
      history.add(new FallbackEvent(op.name(), from, high, reason, detail,
          FallbackEvent.Phase.COMPILE));
      return layer(high, requested, reason, detail, false);
    }

    /** Why the GEMM's dimensions do not fit {@code p}, or null when they do. */
    private String misalignment(Precision p) {
      Shape x = graph.value(op.input(0)).shape();
      Shape w = graph.value(op.input(1)).shape();
      long k = x.last();
      long n = op.kind() == OpKind.LINEAR ? w.dim(0) : w.dim(1);
      long m = x.dim(0);
      int a = p.alignment();
      List<String> bad = new ArrayList<>();
      if (k % a != 0) {
        bad.add("K=" + k);
      }
      if (n % a != 0) {
        bad.add("N=" + n);
      }
      // The weight-gradient GEMM of training reduces over the tokens, quantized along M.
      if (graph.workload().mode() == Mode.TRAINING && op.kind() == OpKind.LINEAR && m % a != 0) {
        bad.add("M=" + m + " (tokens, quantized for the weight gradient)");
      }
      if (bad.isEmpty()) {
        return null;
      }
      return String.join(", ", bad) + (bad.size() == 1 ? " is" : " are") + " not a multiple of "
          + a + " (" + p.cliName() + (p.blockSize() > 0 ? " block " + p.blockSize() : "")
          + " / kernel alignment)";
    }

    private double estimatedGain(Roofline r, Precision p) {
      Shape x = graph.value(op.input(0)).shape();
      Shape w = graph.value(op.input(1)).shape();
      long m = x.dim(0);
      long k = x.last();
      long n = op.kind() == OpKind.LINEAR ? w.dim(0) : w.dim(1);
      long weights = w.numel();
      boolean twoD = config.nvfp4TwoDimensionalWeights();
      boolean fused = quantizeWillFuse();
      return r.gemmWithQuantizeSeconds(Precision.BF16, m, n, k, weights, twoD, false)
          / r.gemmWithQuantizeSeconds(p, m, n, k, weights, twoD, fused);
    }

    /**
     * Whether the fusion pass will fold this GEMM's activation quantization into its producer:
     * a norm or SwiGLU, or a GELU/ReLU/SiLU that does not itself become a GEMM epilogue, whose
     * output only this GEMM reads (mirrors {@link FusionPass}).
     */
    private boolean quantizeWillFuse() {
      int x = op.input(0);
      Op p = graph.producer(x);
      if (p == null || p.output() != x || graph.consumers(x).size() != 1
          || graph.outputs().contains(x)) {
        return false;
      }
      if (p.kind().isNorm() || p.kind() == OpKind.SWIGLU) {
        return true;
      }
      if (p.kind().isActivation()) {
        Op q = graph.producer(p.input(0));
        boolean becomesEpilogue = q != null && q.kind() == OpKind.LINEAR
            && graph.consumers(p.input(0)).size() == 1;
        return !becomesEpilogue;
      }
      return false;
    }

    private Precision bestNative(Precision p) {
      Precision[] chain;
      switch (p) {
        case NVFP4:
          chain = new Precision[] {Precision.MXFP8, Precision.FP8_BLOCK, Precision.FP8};
          break;
        case MXFP8:
          chain = new Precision[] {Precision.FP8_BLOCK, Precision.FP8};
          break;
        case FP8_BLOCK:
          chain = new Precision[] {Precision.FP8};
          break;
        default:
          chain = new Precision[0];
      }
      for (Precision q : chain) {
        if (target.supportsNatively(q)) {
          return q;
        }
      }
      return high;
    }

    private LayerPrecision layer(Precision p, Precision requested, PrecisionReason reason,
        String detail, boolean emulated) {
      return new LayerPrecision(op.name(), p, requested, reason, detail, emulated);
    }
  }
}
