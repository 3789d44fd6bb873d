package dev.deepwell.cpu;

import dev.deepwell.compiler.Engine;
import dev.deepwell.ir.Attrs;
import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.kernel.GemmActivation;
import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionPolicy;
import dev.deepwell.precision.PrecisionReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Executes an engine's compiled forward pass on the CPU, emulating every chosen format: each
 * value is written as its format stores it (BF16 rounding; quantized formats through the
 * reference quantizer and back, see {@link CpuFormats}) and all math is FP32. Weight copies are
 * quantized from the FP32 master weights; parameters read directly are rounded to their storage
 * format. The executor interprets the compiled graph op by op, so on an engine compiled for a GPU
 * target it reproduces that plan's numerics.
 *
 * <p>With {@link PrecisionConfig#enableAutoFallback()}, each low-precision GEMM measures the
 * relative RMS quantization error of its operands ({@code ||x - q(x)|| / ||x||}, the larger of
 * activation and weight); above {@link PrecisionConfig#fallbackThreshold()} it computes in BF16
 * from the unquantized values instead and the fallback is recorded in the returned policy.
 * Recompiling with that policy makes the fallback permanent.
 *
 * <p>Not thread-safe per call state; each call is independent.
 */
public final class CpuExecutor {

  private CpuExecutor() {}

  /** Forward pass of a model whose input is token ids (inference graph). */
  public static ForwardResult forward(Engine engine, ModelWeights weights, int[] tokens) {
    return forward(engine, weights, tokens, null);
  }

  /** Forward pass with token ids, and labels when the graph ends in a loss (training graph). */
  public static ForwardResult forward(Engine engine, ModelWeights weights, int[] tokens,
      int[] labels) {
    Objects.requireNonNull(tokens, "tokens");
    Map<String, Object> in = new HashMap<>();
    in.put(GraphCapture.TOKENS, tokens);
    if (labels != null) {
      in.put(GraphCapture.LABELS, labels);
    }
    return new Run(engine, weights).execute(in);
  }

  /** Forward pass of a sequential model without embedding: features [tokens x width]. */
  public static ForwardResult forwardFeatures(Engine engine, ModelWeights weights,
      float[] features) {
    Objects.requireNonNull(features, "features");
    return new Run(engine, weights).execute(Map.of(GraphCapture.FEATURES, features));
  }

  /**
   * The exact GELU, 0.5 x (1 + erf(x / sqrt 2)), for the standalone op and the GEMM epilogue
   * alike: the C ABI's definition (dw_gemm_activation), so a graph gives the same values fused
   * or not, on the CPU or the GPU. GPT-2's tanh approximation differs from it by up to 4.7e-4
   * (near |x| = 2.7).
   */
  static float gelu(float x) {
    return (float) GemmActivation.GELU.apply(x);
  }

  /** One forward pass's state. */
  private static final class Run {
    private final Graph g;
    private final ModelWeights weights;
    private final PrecisionConfig config;
    private PrecisionPolicy policy;
    private final List<FallbackEvent> events = new ArrayList<>();
    private final Map<Integer, float[]> f = new HashMap<>();
    private final Map<Integer, float[]> source = new HashMap<>();
    private final Map<Integer, int[]> ints = new HashMap<>();

    Run(Engine engine, ModelWeights weights) {
      Objects.requireNonNull(engine, "engine");
      this.weights = Objects.requireNonNull(weights, "weights");
      this.g = engine.graph();
      this.config = engine.precisionPolicy().config();
      this.policy = engine.precisionPolicy();
      for (TensorValue p : g.valuesOfKind(ValueKind.PARAMETER)) {
        Shape s = weights.shape(p.name());
        if (!s.equals(p.shape())) {
          throw new IllegalArgumentException("weights for '" + p.name() + "' have shape " + s
              + ", the model needs " + p.shape());
        }
      }
    }

    ForwardResult execute(Map<String, Object> inputs) {
      for (int id : g.inputs()) {
        TensorValue v = g.value(id);
        Object x = inputs.get(v.name());
        if (x == null) {
          throw new IllegalArgumentException("missing input '" + v.name() + "' "
              + v.shape() + " for " + g.modelName() + " (" + g.workload().mode() + ")");
        }
        long n = v.shape().numel();
        if (v.format() == TensorFormat.INT32) {
          int[] a = (int[]) x;
          if (a.length != n) {
            throw new IllegalArgumentException("input '" + v.name() + "' must have " + n
                + " elements (batch x seqLen), got " + a.length);
          }
          ints.put(id, a.clone());
        } else {
          float[] a = (float[]) x;
          if (a.length != n) {
            throw new IllegalArgumentException("input '" + v.name() + "' must have " + n
                + " elements " + v.shape() + ", got " + a.length);
          }
          f.put(id, CpuFormats.emulate(a, v.shape(), v.format(), config));
        }
      }
      for (Op op : g.ops()) {
        run(op);
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (int id : g.outputs()) {
        out.put(g.value(id).name(), f.get(id).clone());
      }
      return new ForwardResult(out, policy, events);
    }

    // ---- value access -------------------------------------------------------------------

    private float[] read(int id) {
      float[] a = f.get(id);
      if (a != null) {
        return a;
      }
      TensorValue v = g.value(id);
      if (v.kind() == ValueKind.PARAMETER) {
        a = CpuFormats.emulate(weights.values(v.name()), v.shape(), v.format(), config);
      } else if (v.kind() == ValueKind.WEIGHT_COPY) {
        TensorValue src = g.value(v.sourceParam());
        a = CpuFormats.emulate(weights.values(src.name()), v.shape(), v.format(), config);
      } else {
        throw new IllegalStateException("value '" + v.name() + "' read before it is written");
      }
      f.put(id, a);
      return a;
    }

    private int[] readInts(int id) {
      int[] a = ints.get(id);
      if (a == null) {
        throw new IllegalStateException("int value '" + g.value(id).name() + "' not available");
      }
      return a;
    }

    /** Unquantized values of {@code id}: what was quantized, or the master weights. */
    private float[] unquantized(int id) {
      TensorValue v = g.value(id);
      if (v.kind() == ValueKind.WEIGHT_COPY) {
        return weights.values(g.value(v.sourceParam()).name());
      }
      float[] s = source.get(id);
      return s != null ? s : read(id);
    }

    private void write(int id, float[] values) {
      TensorValue v = g.value(id);
      if (v.format().isQuantized()) {
        source.put(id, values);
      }
      f.put(id, CpuFormats.emulate(values, v.shape(), v.format(), config));
    }

    private Shape shape(int id) {
      return g.value(id).shape();
    }

    // ---- ops ------------------------------------------------------------------------------

    private void run(Op op) {
      switch (op.kind()) {
        case EMBEDDING:
          embedding(op);
          break;
        case POSITION_EMBEDDING:
          positions(op);
          break;
        case RMSNORM:
        case LAYERNORM:
          norm(op);
          break;
        case LINEAR:
          linear(op);
          break;
        case GROUPED_LINEAR:
          groupedLinear(op);
          break;
        case ROPE:
          rope(op);
          break;
        case ATTENTION:
          attention(op);
          break;
        case SWIGLU:
          swiglu(op);
          break;
        case GELU:
        case RELU:
        case SILU:
          activation(op);
          break;
        case ADD:
          add(op);
          break;
        case QUANTIZE:
          write(op.output(), read(op.input(0)));
          break;
        case ROUTER_TOPK:
          routerTopK(op);
          break;
        case MOE_DISPATCH:
          dispatch(op);
          break;
        case MOE_COMBINE:
          combine(op);
          break;
        case CROSS_ENTROPY:
          crossEntropy(op);
          break;
        default:
          throw new IllegalStateException("no CPU implementation of " + op.kind());
      }
    }

    private void embedding(Op op) {
      int[] ids = readInts(op.input(0));
      float[] table = read(op.input(1));
      int vocab = (int) shape(op.input(1)).dim(0);
      int d = (int) shape(op.input(1)).dim(1);
      float[] y = new float[ids.length * d];
      for (int t = 0; t < ids.length; t++) {
        if (ids[t] < 0 || ids[t] >= vocab) {
          throw new IllegalArgumentException("token id " + ids[t] + " at position " + t
              + " is outside the vocabulary [0, " + vocab + ")");
        }
        System.arraycopy(table, ids[t] * d, y, t * d, d);
      }
      write(op.output(), y);
    }

    private void positions(Op op) {
      float[] x = read(op.input(0));
      float[] table = read(op.input(1));
      int d = (int) shape(op.input(0)).last();
      int seq = op.attrs().getInt(Attrs.SEQ_LEN);
      float[] y = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        int t = i / d;
        y[i] = x[i] + table[(t % seq) * d + i % d];
      }
      write(op.output(), y);
    }

    private void norm(Op op) {
      float[] x = read(op.input(0));
      float[] w = read(op.input(1));
      float[] b = op.kind() == OpKind.LAYERNORM ? read(op.input(2)) : null;
      int d = (int) shape(op.input(0)).last();
      int rows = x.length / d;
      float eps = (float) op.attrs().getDouble(Attrs.EPS);
      float[] y = new float[x.length];
      float[] stats = new float[op.kind() == OpKind.LAYERNORM ? 2 * rows : rows];
      for (int r = 0; r < rows; r++) {
        int o = r * d;
        float mean = 0;
        if (b != null) {
          for (int i = 0; i < d; i++) {
            mean += x[o + i];
          }
          mean /= d;
        }
        float ss = 0;
        for (int i = 0; i < d; i++) {
          float c = x[o + i] - mean;
          ss += c * c;
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / d + eps));
        for (int i = 0; i < d; i++) {
          y[o + i] = (x[o + i] - mean) * rstd * w[i] + (b == null ? 0 : b[i]);
        }
        if (b != null) {
          stats[2 * r] = mean;
          stats[2 * r + 1] = rstd;
        } else {
          stats[r] = rstd;
        }
      }
      write(op.output(), y);
      if (op.outputs().size() > 1) {
        write(op.outputs().get(1), stats);
      }
    }

    /** The operands of a GEMM, falling back to BF16 when the measured error says so. */
    private float[][] gemmOperands(Op op) {
      int x = op.input(0);
      int w = op.input(1);
      float[] xs = read(x);
      float[] ws = read(w);
      Precision p = op.precision();
      if (config.enableAutoFallback() && p.isLowPrecision() && policy.hasLayer(op.name())
          && policy.layer(op.name()).precision() == p) {
        float[] xu = unquantized(x);
        float[] wu = unquantized(w);
        double err = Math.max(relativeError(xu, xs), relativeError(wu, ws));
        if (err > config.fallbackThreshold()) {
          FallbackEvent e = new FallbackEvent(op.name(), p, Precision.BF16,
              PrecisionReason.AUTO_FALLBACK, String.format(
                  "relative quantization error %.4g > threshold %.4g", err,
                  config.fallbackThreshold()), FallbackEvent.Phase.RUNTIME);
          events.add(e);
          policy = policy.withFallback(e);
        }
      }
      if (policy.hasLayer(op.name()) && policy.layer(op.name()).reason()
          == PrecisionReason.AUTO_FALLBACK && p.isLowPrecision()) {
        xs = CpuFormats.roundBf16(unquantized(x));
        ws = CpuFormats.roundBf16(unquantized(w));
      }
      return new float[][] {xs, ws};
    }

    private void linear(Op op) {
      float[][] operands = gemmOperands(op);
      float[] x = operands[0];
      float[] w = operands[1];
      int k = (int) shape(op.input(0)).last();
      int m = x.length / k;
      int n = (int) shape(op.input(1)).dim(0);
      float[] bias = op.hasBias() ? read(op.input(2)) : null;
      float[] residual = op.hasFusion(Fusion.RESIDUAL_ADD)
          ? read(op.inputs().get(op.inputs().size() - 1)) : null;
      float[] y = new float[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float acc = 0;
          int xo = i * k;
          int wo = j * k;
          for (int q = 0; q < k; q++) {
            acc += x[xo + q] * w[wo + q];
          }
          y[i * n + j] = acc + (bias == null ? 0 : bias[j]);
        }
      }
      Fusion act = null;
      for (Fusion fu : op.fused()) {
        if (fu == Fusion.GELU || fu == Fusion.RELU || fu == Fusion.SILU) {
          act = fu;
        }
      }
      if (act != null) {
        if (op.outputs().size() > 1) {
          write(op.outputs().get(1), y.clone());
        }
        for (int i = 0; i < y.length; i++) {
          y[i] = act == Fusion.GELU ? gelu(y[i]) : act == Fusion.RELU ? Math.max(0f, y[i])
              : silu(y[i]);
        }
      }
      if (residual != null) {
        for (int i = 0; i < y.length; i++) {
          y[i] += residual[i];
        }
      }
      write(op.output(), y);
    }

    private void groupedLinear(Op op) {
      float[][] operands = gemmOperands(op);
      float[] x = operands[0];
      float[] w = operands[1];
      int[] ids = readInts(op.input(2));
      Shape ws = shape(op.input(1));
      int n = (int) ws.dim(1);
      int k = (int) ws.dim(2);
      int rows = x.length / k;
      float[] y = new float[rows * n];
      for (int r = 0; r < rows; r++) {
        int e = ids[r];
        for (int j = 0; j < n; j++) {
          float acc = 0;
          int wo = (e * n + j) * k;
          for (int q = 0; q < k; q++) {
            acc += x[r * k + q] * w[wo + q];
          }
          y[r * n + j] = acc;
        }
      }
      write(op.output(), y);
    }

    private void rope(Op op) {
      float[] x = read(op.input(0));
      int h = op.attrs().getInt(Attrs.HEADS);
      int kv = op.attrs().getInt(Attrs.KV_HEADS);
      int hd = op.attrs().getInt(Attrs.HEAD_DIM);
      int seq = op.attrs().getInt(Attrs.SEQ_LEN);
      double theta = op.attrs().getDouble(Attrs.ROPE_THETA);
      int width = (h + 2 * kv) * hd;
      int tokens = x.length / width;
      float[] y = x.clone();
      int half = hd / 2;
      for (int t = 0; t < tokens; t++) {
        int pos = t % seq;
        for (int head = 0; head < h + kv; head++) {
          int o = t * width + head * hd;
          for (int i = 0; i < half; i++) {
            double angle = pos * Math.pow(theta, -2.0 * i / hd);
            float c = (float) Math.cos(angle);
            float s = (float) Math.sin(angle);
            float a = x[o + i];
            float b = x[o + i + half];
            y[o + i] = a * c - b * s;
            y[o + i + half] = b * c + a * s;
          }
        }
      }
      write(op.output(), y);
    }

    private void attention(Op op) {
      float[] qkv = read(op.input(0));
      int h = op.attrs().getInt(Attrs.HEADS);
      int kv = op.attrs().getInt(Attrs.KV_HEADS);
      int hd = op.attrs().getInt(Attrs.HEAD_DIM);
      int seq = op.attrs().getInt(Attrs.SEQ_LEN);
      boolean causal = op.attrs().getBoolean(Attrs.CAUSAL);
      int width = (h + 2 * kv) * hd;
      int tokens = qkv.length / width;
      int sequences = tokens / seq;
      int group = h / kv;
      float scale = (float) (1.0 / Math.sqrt(hd));
      float[] out = new float[tokens * h * hd];
      float[] lse = new float[sequences * h * seq];
      float[] scores = new float[seq];
      for (int b = 0; b < sequences; b++) {
        for (int head = 0; head < h; head++) {
          int kHead = h + head / group;
          int vHead = h + kv + head / group;
          for (int s = 0; s < seq; s++) {
            int qo = (b * seq + s) * width + head * hd;
            int last = causal ? s : seq - 1;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t <= last; t++) {
              int ko = (b * seq + t) * width + kHead * hd;
              float dot = 0;
              for (int i = 0; i < hd; i++) {
                dot += qkv[qo + i] * qkv[ko + i];
              }
              scores[t] = dot * scale;
              max = Math.max(max, scores[t]);
            }
            float sum = 0;
            for (int t = 0; t <= last; t++) {
              scores[t] = (float) Math.exp(scores[t] - max);
              sum += scores[t];
            }
            int oo = (b * seq + s) * h * hd + head * hd;
            for (int t = 0; t <= last; t++) {
              int vo = (b * seq + t) * width + vHead * hd;
              float p = scores[t] / sum;
              for (int i = 0; i < hd; i++) {
                out[oo + i] += p * qkv[vo + i];
              }
            }
            lse[(b * h + head) * seq + s] = max + (float) Math.log(sum);
          }
        }
      }
      write(op.output(), out);
      if (op.outputs().size() > 1) {
        write(op.outputs().get(1), lse);
      }
    }

    private void swiglu(Op op) {
      float[] x = read(op.input(0));
      int w2 = (int) shape(op.input(0)).last();
      int half = w2 / 2;
      int rows = x.length / w2;
      float[] y = new float[rows * half];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < half; i++) {
          y[r * half + i] = silu(x[r * w2 + i]) * x[r * w2 + half + i];
        }
      }
      write(op.output(), y);
    }

    private void activation(Op op) {
      float[] x = read(op.input(0));
      float[] y = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        y[i] = op.kind() == OpKind.GELU ? gelu(x[i]) : op.kind() == OpKind.RELU
            ? Math.max(0f, x[i]) : silu(x[i]);
      }
      write(op.output(), y);
    }

    private void add(Op op) {
      float[] a = read(op.input(0));
      float[] b = read(op.input(1));
      float[] y = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        y[i] = a[i] + b[i];
      }
      write(op.output(), y);
    }

    private void routerTopK(Op op) {
      float[] logits = read(op.input(0));
      int experts = op.attrs().getInt(Attrs.EXPERTS);
      int k = op.attrs().getInt(Attrs.TOP_K);
      int tokens = logits.length / experts;
      float[] weights = new float[tokens * k];
      int[] ids = new int[tokens * k];
      boolean[] taken = new boolean[experts];
      for (int t = 0; t < tokens; t++) {
        java.util.Arrays.fill(taken, false);
        for (int j = 0; j < k; j++) {
          int best = -1;
          for (int e = 0; e < experts; e++) {
            if (!taken[e] && (best < 0 || logits[t * experts + e] > logits[t * experts + best])) {
              best = e;
            }
          }
          taken[best] = true;
          ids[t * k + j] = best;
        }
        float max = logits[t * experts + ids[t * k]];
        float sum = 0;
        for (int j = 0; j < k; j++) {
          weights[t * k + j] = (float) Math.exp(logits[t * experts + ids[t * k + j]] - max);
          sum += weights[t * k + j];
        }
        for (int j = 0; j < k; j++) {
          weights[t * k + j] /= sum;
        }
      }
      write(op.outputs().get(0), weights);
      ints.put(op.outputs().get(1), ids);
    }

    private void dispatch(Op op) {
      float[] x = read(op.input(0));
      int k = (int) shape(op.input(1)).dim(1);
      int d = (int) shape(op.input(0)).last();
      int tokens = x.length / d;
      float[] y = new float[tokens * k * d];
      for (int t = 0; t < tokens; t++) {
        for (int j = 0; j < k; j++) {
          System.arraycopy(x, t * d, y, (t * k + j) * d, d);
        }
      }
      write(op.output(), y);
    }

    private void combine(Op op) {
      float[] y = read(op.input(0));
      float[] w = read(op.input(1));
      int k = (int) shape(op.input(1)).dim(1);
      int d = (int) shape(op.input(0)).last();
      int tokens = w.length / k;
      float[] residual = op.hasFusion(Fusion.RESIDUAL_ADD) ? read(op.input(2)) : null;
      float[] out = new float[tokens * d];
      for (int t = 0; t < tokens; t++) {
        for (int i = 0; i < d; i++) {
          float acc = residual == null ? 0 : residual[t * d + i];
          for (int j = 0; j < k; j++) {
            acc += w[t * k + j] * y[(t * k + j) * d + i];
          }
          out[t * d + i] = acc;
        }
      }
      write(op.output(), out);
    }

    private void crossEntropy(Op op) {
      float[] logits = read(op.input(0));
      int[] labels = readInts(op.input(1));
      int classes = (int) shape(op.input(0)).last();
      int tokens = labels.length;
      float[] lse = new float[tokens];
      double total = 0;
      for (int t = 0; t < tokens; t++) {
        if (labels[t] < 0 || labels[t] >= classes) {
          throw new IllegalArgumentException("label " + labels[t] + " at position " + t
              + " is outside [0, " + classes + ")");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          max = Math.max(max, logits[t * classes + c]);
        }
        float sum = 0;
        for (int c = 0; c < classes; c++) {
          sum += (float) Math.exp(logits[t * classes + c] - max);
        }
        lse[t] = max + (float) Math.log(sum);
        total += lse[t] - logits[t * classes + labels[t]];
      }
      write(op.outputs().get(0), new float[] {(float) (total / tokens)});
      write(op.outputs().get(1), lse);
    }

    private static float silu(float x) {
      return (float) (x / (1 + Math.exp(-x)));
    }

    private static double relativeError(float[] exact, float[] approx) {
      double num = 0;
      double den = 0;
      for (int i = 0; i < exact.length; i++) {
        double diff = (double) exact[i] - approx[i];
        num += diff * diff;
        den += (double) exact[i] * exact[i];
      }
      if (Double.isNaN(num)) {
        return Double.POSITIVE_INFINITY;
      }
      return den == 0 ? (num == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(num / den);
    }
  }
}
