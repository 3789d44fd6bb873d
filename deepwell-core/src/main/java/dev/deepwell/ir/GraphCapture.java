package dev.deepwell.ir;

import dev.deepwell.model.ActivationKind;
import dev.deepwell.model.Architecture;
import dev.deepwell.model.LayerSpec;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.MoeSpec;
import dev.deepwell.model.SequentialSpec;
import dev.deepwell.model.TransformerSpec;
import dev.deepwell.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a model spec and a workload into the IR of one step's forward pass: inputs and
 * parameters carry shapes, activations get theirs from {@link ShapeInference}. Activations are
 * stored in BF16 (the compiler switches them to FP32 when the default compute is FP32). In
 * training mode the norms and attention also output the statistics their backward needs, and a
 * cross-entropy loss over the logits ends the graph.
 */
public final class GraphCapture {

  /** Name of the token-id input. */
  public static final String TOKENS = "tokens";
  /** Name of the label input (training). */
  public static final String LABELS = "labels";
  /** Name of the feature input of a sequential model without embedding. */
  public static final String FEATURES = "features";

  private GraphCapture() {}

  public static Graph capture(ModelSpec spec, Workload workload) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(workload, "workload");
    workload.checkFits(spec);
    if (spec instanceof TransformerSpec) {
      return captureTransformer((TransformerSpec) spec, workload);
    }
    return captureSequential((SequentialSpec) spec, workload);
  }

  private static Graph captureTransformer(TransformerSpec s, Workload w) {
    Builder b = new Builder(s.name(), w);
    boolean gpt2 = s.architecture() == Architecture.GPT2;
    long t = w.tokens();
    long d = s.dModel();
    int tokens = b.input(TOKENS, Shape.of(t), TensorFormat.INT32);
    int table = b.param("embedding.weight", Shape.of(s.vocabSize(), d));
    int x = b.op(OpKind.EMBEDDING, "embedding", LayerRole.EMBEDDING, -1, Attrs.empty(),
        List.of(tokens, table), "embedding.out");
    if (gpt2) {
      int pos = b.param("position_embedding.weight", Shape.of(s.maxSeqLen(), d));
      x = b.op(OpKind.POSITION_EMBEDDING, "position_embedding", LayerRole.EMBEDDING, -1,
          Attrs.empty().with(Attrs.SEQ_LEN, w.seqLen()), List.of(x, pos),
          "position_embedding.out");
    }
    for (int i = 0; i < s.layers(); i++) {
      String p = "layers." + i;
      int xn = b.norm(gpt2, p + ".attn_norm", i, x, d, s.normEps());
      Attrs attn = Attrs.empty().with(Attrs.HEADS, s.heads()).with(Attrs.KV_HEADS, s.kvHeads())
          .with(Attrs.HEAD_DIM, s.headDim()).with(Attrs.SEQ_LEN, w.seqLen());
      int qkv = b.linear(p + ".attn.qkv", LayerRole.ATTENTION_QKV, i, xn, d, s.qkvWidth(), gpt2);
      if (!gpt2) {
        qkv = b.op(OpKind.ROPE, p + ".attn.rope", LayerRole.AUXILIARY, i,
            attn.with(Attrs.ROPE_THETA, s.ropeTheta()), List.of(qkv), p + ".attn.rope.out");
      }
      int o = b.attention(p + ".attn.core", i, attn.with(Attrs.CAUSAL, true), qkv);
      int proj = b.linear(p + ".attn.o_proj", LayerRole.ATTENTION_OUT, i, o,
          (long) s.heads() * s.headDim(), d, gpt2);
      x = b.op(OpKind.ADD, p + ".attn.residual", LayerRole.AUXILIARY, i, Attrs.empty(),
          List.of(x, proj), p + ".attn.residual.out");
      int xn2 = b.norm(gpt2, p + ".mlp_norm", i, x, d, s.normEps());
      int mlpOut;
      if (s.isMoe()) {
        mlpOut = b.moe(p + ".moe", i, xn2, d, s.moe());
      } else if (gpt2) {
        int h = b.linear(p + ".mlp.fc", LayerRole.MLP_UP, i, xn2, d, s.ffnHidden(), true);
        int a = b.op(OpKind.GELU, p + ".mlp.act", LayerRole.AUXILIARY, i, Attrs.empty(),
            List.of(h), p + ".mlp.act.out");
        mlpOut = b.linear(p + ".mlp.proj", LayerRole.MLP_DOWN, i, a, s.ffnHidden(), d, true);
      } else {
        int gu = b.linear(p + ".mlp.gate_up", LayerRole.MLP_UP, i, xn2, d, 2L * s.ffnHidden(),
            false);
        int a = b.op(OpKind.SWIGLU, p + ".mlp.act", LayerRole.AUXILIARY, i, Attrs.empty(),
            List.of(gu), p + ".mlp.act.out");
        mlpOut = b.linear(p + ".mlp.down", LayerRole.MLP_DOWN, i, a, s.ffnHidden(), d, false);
      }
      String resName = s.isMoe() ? p + ".moe.residual" : p + ".mlp.residual";
      x = b.op(OpKind.ADD, resName, LayerRole.AUXILIARY, i, Attrs.empty(), List.of(x, mlpOut),
          resName + ".out");
    }
    int xf = b.norm(gpt2, "final_norm", -1, x, d, s.normEps());
    int logits;
    if (s.tiedEmbeddings()) {
      logits = b.op(OpKind.LINEAR, "lm_head", LayerRole.LM_HEAD, -1,
          Attrs.empty().with(Attrs.HAS_BIAS, false), List.of(xf, table), "logits");
    } else {
      logits = b.linear("lm_head", LayerRole.LM_HEAD, -1, xf, d, s.vocabSize(), false, "logits");
    }
    return b.finish(logits, t);
  }

  private static Graph captureSequential(SequentialSpec s, Workload w) {
    Builder b = new Builder(s.name(), w);
    long t = w.tokens();
    int x = s.startsWithEmbedding()
        ? b.input(TOKENS, Shape.of(t), TensorFormat.INT32)
        : b.input(FEATURES, Shape.of(t, s.inputFeatures()), TensorFormat.BF16);
    long width = s.inputFeatures();
    for (LayerSpec l : s.layers()) {
      String n = l.name();
      if (l instanceof LayerSpec.Embedding) {
        LayerSpec.Embedding e = (LayerSpec.Embedding) l;
        int table = b.param(n + ".weight", Shape.of(e.vocabSize(), e.dim()));
        x = b.op(OpKind.EMBEDDING, n, LayerRole.EMBEDDING, -1, Attrs.empty(),
            List.of(x, table), n + ".out");
        width = e.dim();
      } else if (l instanceof LayerSpec.Linear) {
        LayerSpec.Linear li = (LayerSpec.Linear) l;
        LayerRole role = n.equals("lm_head") ? LayerRole.LM_HEAD : LayerRole.CUSTOM;
        x = b.linear(n, role, -1, x, li.in(), li.out(), li.bias());
        width = li.out();
      } else if (l instanceof LayerSpec.RmsNorm) {
        x = b.norm(false, n, -1, x, width, ((LayerSpec.RmsNorm) l).eps());
      } else if (l instanceof LayerSpec.LayerNorm) {
        x = b.norm(true, n, -1, x, width, ((LayerSpec.LayerNorm) l).eps());
      } else if (l instanceof LayerSpec.Activation) {
        ActivationKind k = ((LayerSpec.Activation) l).kind();
        OpKind kind = k == ActivationKind.GELU ? OpKind.GELU
            : k == ActivationKind.RELU ? OpKind.RELU : OpKind.SILU;
        x = b.op(kind, n, LayerRole.AUXILIARY, -1, Attrs.empty(), List.of(x), n + ".out");
      } else {
        LayerSpec.Attention a = (LayerSpec.Attention) l;
        Attrs attn = Attrs.empty().with(Attrs.HEADS, a.heads()).with(Attrs.KV_HEADS, a.kvHeads())
            .with(Attrs.HEAD_DIM, a.headDim()).with(Attrs.SEQ_LEN, w.seqLen());
        int qkv = b.linear(n + ".qkv", LayerRole.ATTENTION_QKV, -1, x, a.dim(), a.qkvWidth(),
            false);
        if (a.rope()) {
          qkv = b.op(OpKind.ROPE, n + ".rope", LayerRole.AUXILIARY, -1,
              attn.with(Attrs.ROPE_THETA, 10000.0), List.of(qkv), n + ".rope.out");
        }
        int o = b.attention(n + ".core", -1, attn.with(Attrs.CAUSAL, a.causal()), qkv);
        x = b.linear(n + ".o_proj", LayerRole.ATTENTION_OUT, -1, o, a.dim(), a.dim(), false);
      }
    }
    return b.finish(x, t);
  }

  /** Accumulates values and ops in order. */
  private static final class Builder {
    private final String model;
    private final Workload workload;
    private final Map<Integer, TensorValue> values = new LinkedHashMap<>();
    private final List<Op> ops = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final boolean training;

    Builder(String model, Workload workload) {
      this.model = model;
      this.workload = workload;
      this.training = workload.mode() == Mode.TRAINING;
    }

    int input(String name, Shape shape, TensorFormat format) {
      int id = value(name, shape, format, ValueKind.INPUT);
      inputs.add(id);
      return id;
    }

    int param(String name, Shape shape) {
      return value(name, shape, TensorFormat.BF16, ValueKind.PARAMETER);
    }

    int activation(String name, TensorFormat format) {
      return value(name, null, format, ValueKind.ACTIVATION);
    }

    private int value(String name, Shape shape, TensorFormat format, ValueKind kind) {
      int id = values.size();
      values.put(id, new TensorValue(id, name, shape, format, kind, -1));
      return id;
    }

    int op(OpKind kind, String name, LayerRole role, int block, Attrs attrs, List<Integer> in,
        String outName) {
      int out = activation(outName, TensorFormat.BF16);
      ops.add(new Op(ops.size(), kind, name, role, block, in, List.of(out), attrs, null,
          List.of()));
      return out;
    }

    int norm(boolean layerNorm, String name, int block, int x, long d, double eps) {
      List<Integer> in = new ArrayList<>(List.of(x, param(name + ".weight", Shape.of(d))));
      if (layerNorm) {
        in.add(param(name + ".bias", Shape.of(d)));
      }
      List<Integer> out = new ArrayList<>(List.of(activation(name + ".out", TensorFormat.BF16)));
      if (training) {
        out.add(activation(name + (layerNorm ? ".stats" : ".rstd"), TensorFormat.FP32));
      }
      ops.add(new Op(ops.size(), layerNorm ? OpKind.LAYERNORM : OpKind.RMSNORM, name,
          LayerRole.NORM, block, in, out, Attrs.empty().with(Attrs.EPS, eps), null, List.of()));
      return out.get(0);
    }

    int linear(String name, LayerRole role, int block, int x, long in, long out, boolean bias) {
      return linear(name, role, block, x, in, out, bias, name + ".out");
    }

    int linear(String name, LayerRole role, int block, int x, long in, long out, boolean bias,
        String outName) {
      List<Integer> ins = new ArrayList<>(List.of(x, param(name + ".weight", Shape.of(out, in))));
      if (bias) {
        ins.add(param(name + ".bias", Shape.of(out)));
      }
      return op(OpKind.LINEAR, name, role, block, Attrs.empty().with(Attrs.HAS_BIAS, bias), ins,
          outName);
    }

    int attention(String name, int block, Attrs attrs, int qkv) {
      List<Integer> out = new ArrayList<>(List.of(activation(name + ".out", TensorFormat.BF16)));
      if (training) {
        out.add(activation(name + ".lse", TensorFormat.FP32));
      }
      ops.add(new Op(ops.size(), OpKind.ATTENTION, name, LayerRole.ATTENTION_CORE, block,
          List.of(qkv), out, attrs, null, List.of()));
      return out.get(0);
    }

    int moe(String p, int block, int xn, long d, MoeSpec m) {
      long e = m.experts();
      int router = linear(p + ".router", LayerRole.ROUTER, block, xn, d, e, false);
      int weights = activation(p + ".topk.weights", TensorFormat.FP32);
      int ids = activation(p + ".topk.ids", TensorFormat.INT32);
      Attrs routing = Attrs.empty().with(Attrs.TOP_K, m.topK()).with(Attrs.EXPERTS, m.experts());
      ops.add(new Op(ops.size(), OpKind.ROUTER_TOPK, p + ".topk", LayerRole.AUXILIARY, block,
          List.of(router), List.of(weights, ids), routing, null, List.of()));
      int xd = op(OpKind.MOE_DISPATCH, p + ".dispatch", LayerRole.AUXILIARY, block, routing,
          List.of(xn, ids), p + ".dispatch.out");
      long f = m.expertHidden();
      int wUp = param(p + ".experts.gate_up.weight", Shape.of(e, 2 * f, d));
      int gu = op(OpKind.GROUPED_LINEAR, p + ".experts.gate_up", LayerRole.EXPERTS_UP, block,
          routing, List.of(xd, wUp, ids), p + ".experts.gate_up.out");
      int a = op(OpKind.SWIGLU, p + ".experts.act", LayerRole.AUXILIARY, block, Attrs.empty(),
          List.of(gu), p + ".experts.act.out");
      int wDown = param(p + ".experts.down.weight", Shape.of(e, d, f));
      int y = op(OpKind.GROUPED_LINEAR, p + ".experts.down", LayerRole.EXPERTS_DOWN, block,
          routing, List.of(a, wDown, ids), p + ".experts.down.out");
      return op(OpKind.MOE_COMBINE, p + ".combine", LayerRole.AUXILIARY, block, routing,
          List.of(y, weights), p + ".combine.out");
    }

    Graph finish(int last, long tokens) {
      int output = last;
      if (training) {
        int labels = input(LABELS, Shape.of(tokens), TensorFormat.INT32);
        int loss = activation("loss", TensorFormat.FP32);
        int lse = activation("loss.lse", TensorFormat.FP32);
        ops.add(new Op(ops.size(), OpKind.CROSS_ENTROPY, "loss", LayerRole.LOSS, -1,
            List.of(last, labels), List.of(loss, lse), Attrs.empty(), null, List.of()));
        output = loss;
      }
      return new Graph(model, workload, ops, values, inputs, List.of(output));
    }
  }
}
