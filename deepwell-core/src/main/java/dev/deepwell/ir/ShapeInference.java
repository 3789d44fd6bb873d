package dev.deepwell.ir;

import java.util.List;

/**
 * Computes the shape of every activation from the inputs and parameters, op by op, and checks
 * every op's operands: arity, ranks and matching dimensions. A mismatch throws an
 * {@link IllegalArgumentException} naming the op, the operand and both sizes. Idempotent: on a
 * graph that already has shapes it re-derives and re-checks them.
 */
public final class ShapeInference {

  private ShapeInference() {}

  public static Graph run(Graph graph) {
    Graph.Editor e = graph.edit();
    long tokens = graph.workload().tokens();
    for (Op op : e.ops()) {
      Shape[] out = infer(op, e, tokens, graph.workload().seqLen());
      if (out.length != op.outputs().size()) {
        throw new IllegalArgumentException(fail(op, "has " + op.outputs().size()
            + " outputs, expected " + out.length));
      }
      for (int i = 0; i < out.length; i++) {
        TensorValue v = e.value(op.outputs().get(i));
        if (v.shape() != null && v.kind() != ValueKind.ACTIVATION && !v.shape().equals(out[i])) {
          throw new IllegalArgumentException(fail(op, "output " + v.name() + " has shape "
              + v.shape() + ", inferred " + out[i]));
        }
        e.putValue(v.withShape(out[i]));
      }
    }
    return e.build();
  }

  private static Shape[] infer(Op op, Graph.Editor e, long tokens, int seqLen) {
    List<Integer> in = op.inputs();
    switch (op.kind()) {
      case EMBEDDING: {
        arity(op, 2);
        Shape ids = shape(op, e, 0);
        Shape table = rank(op, e, 1, 2);
        rank(op, e, 0, 1);
        return one(Shape.of(ids.dim(0), table.dim(1)));
      }
      case POSITION_EMBEDDING: {
        arity(op, 2);
        Shape x = rank(op, e, 0, 2);
        Shape table = rank(op, e, 1, 2);
        same(op, "width", x.last(), table.last());
        if (table.dim(0) < seqLen) {
          throw new IllegalArgumentException(fail(op, "sequence length " + seqLen
              + " exceeds the " + table.dim(0) + " learned positions"));
        }
        return one(x);
      }
      case RMSNORM:
      case LAYERNORM: {
        arity(op, op.kind() == OpKind.RMSNORM ? 2 : 3);
        Shape x = shape(op, e, 0);
        for (int i = 1; i < in.size(); i++) {
          Shape w = rank(op, e, i, 1);
          same(op, "normalised width of " + name(e, in.get(i)), x.last(), w.dim(0));
        }
        if (op.outputs().size() == 2) {
          Shape stats = op.kind() == OpKind.RMSNORM ? Shape.of(x.rows()) : Shape.of(x.rows(), 2);
          return new Shape[] {x, stats};
        }
        return one(x);
      }
      case LINEAR: {
        int expected = 2 + (op.hasBias() ? 1 : 0) + (op.hasFusion(Fusion.RESIDUAL_ADD) ? 1 : 0);
        arity(op, expected);
        Shape x = rank(op, e, 0, 2);
        Shape w = rank(op, e, 1, 2);
        same(op, "K (input width vs weight columns)", x.last(), w.dim(1));
        Shape y = Shape.of(x.dim(0), w.dim(0));
        if (op.hasBias()) {
          Shape b = rank(op, e, 2, 1);
          same(op, "bias length vs N", b.dim(0), w.dim(0));
        }
        if (op.hasFusion(Fusion.RESIDUAL_ADD)) {
          Shape r = shape(op, e, expected - 1);
          if (!r.equals(y)) {
            throw new IllegalArgumentException(
                fail(op, "residual " + r + " does not match the output " + y));
          }
        }
        return op.outputs().size() == 2 ? new Shape[] {y, y} : one(y);
      }
      case GROUPED_LINEAR: {
        arity(op, 3);
        Shape x = rank(op, e, 0, 2);
        Shape w = rank(op, e, 1, 3);
        Shape ids = rank(op, e, 2, 2);
        same(op, "K (input width vs expert weight columns)", x.last(), w.dim(2));
        same(op, "experts (weights vs attribute)", w.dim(0), op.attrs().getLong(Attrs.EXPERTS));
        same(op, "routed rows (tokens x topK)", x.dim(0), ids.numel());
        return one(Shape.of(x.dim(0), w.dim(1)));
      }
      case ROPE: {
        arity(op, 1);
        Shape x = rank(op, e, 0, 2);
        same(op, "qkv width", x.last(), qkvWidth(op));
        return one(x);
      }
      case ATTENTION: {
        arity(op, 1);
        Shape x = rank(op, e, 0, 2);
        same(op, "qkv width", x.last(), qkvWidth(op));
        long seq = op.attrs().getLong(Attrs.SEQ_LEN);
        if (x.dim(0) % seq != 0) {
          throw new IllegalArgumentException(
              fail(op, x.dim(0) + " tokens are not whole sequences of " + seq));
        }
        long heads = op.attrs().getLong(Attrs.HEADS);
        Shape o = Shape.of(x.dim(0), heads * op.attrs().getLong(Attrs.HEAD_DIM));
        if (op.outputs().size() == 2) {
          return new Shape[] {o, Shape.of(x.dim(0) / seq, heads, seq)};
        }
        return one(o);
      }
      case SWIGLU: {
        arity(op, 1);
        Shape x = rank(op, e, 0, 2);
        if (x.last() % 2 != 0) {
          throw new IllegalArgumentException(fail(op, "width " + x.last() + " is odd"));
        }
        return one(Shape.of(x.dim(0), x.last() / 2));
      }
      case GELU:
      case RELU:
      case SILU:
        arity(op, 1);
        return one(shape(op, e, 0));
      case ADD: {
        arity(op, 2);
        Shape a = shape(op, e, 0);
        Shape b = shape(op, e, 1);
        if (!a.equals(b)) {
          throw new IllegalArgumentException(fail(op, "operands " + a + " and " + b + " differ"));
        }
        return one(a);
      }
      case QUANTIZE:
        arity(op, 1);
        return one(shape(op, e, 0));
      case ROUTER_TOPK: {
        arity(op, 1);
        Shape logits = rank(op, e, 0, 2);
        same(op, "experts", logits.last(), op.attrs().getLong(Attrs.EXPERTS));
        Shape k = Shape.of(logits.dim(0), op.attrs().getLong(Attrs.TOP_K));
        return new Shape[] {k, k};
      }
      case MOE_DISPATCH: {
        arity(op, 2);
        Shape x = rank(op, e, 0, 2);
        Shape ids = rank(op, e, 1, 2);
        same(op, "tokens", x.dim(0), ids.dim(0));
        return one(Shape.of(ids.numel(), x.last()));
      }
      case MOE_COMBINE: {
        arity(op, op.hasFusion(Fusion.RESIDUAL_ADD) ? 3 : 2);
        Shape y = rank(op, e, 0, 2);
        Shape w = rank(op, e, 1, 2);
        same(op, "routed rows", y.dim(0), w.numel());
        Shape out = Shape.of(w.dim(0), y.last());
        if (op.hasFusion(Fusion.RESIDUAL_ADD) && !shape(op, e, 2).equals(out)) {
          throw new IllegalArgumentException(fail(op, "residual " + shape(op, e, 2)
              + " does not match the output " + out));
        }
        return one(out);
      }
      case CROSS_ENTROPY: {
        arity(op, 2);
        Shape logits = rank(op, e, 0, 2);
        Shape labels = rank(op, e, 1, 1);
        same(op, "tokens (logits rows vs labels)", logits.dim(0), labels.dim(0));
        return new Shape[] {Shape.of(1), Shape.of(logits.dim(0))};
      }
      default:
        throw new IllegalArgumentException(fail(op, "no shape rule"));
    }
  }

  private static long qkvWidth(Op op) {
    long h = op.attrs().getLong(Attrs.HEADS);
    long g = op.attrs().getLong(Attrs.KV_HEADS);
    return (h + 2 * g) * op.attrs().getLong(Attrs.HEAD_DIM);
  }

  private static Shape[] one(Shape s) {
    return new Shape[] {s};
  }

  private static void arity(Op op, int n) {
    if (op.inputs().size() != n) {
      throw new IllegalArgumentException(
          fail(op, "has " + op.inputs().size() + " inputs, expected " + n));
    }
  }

  private static Shape shape(Op op, Graph.Editor e, int i) {
    TensorValue v = e.value(op.inputs().get(i));
    if (v.shape() == null) {
      throw new IllegalArgumentException(fail(op, "input '" + v.name() + "' has no shape"));
    }
    return v.shape();
  }

  private static Shape rank(Op op, Graph.Editor e, int i, int rank) {
    Shape s = shape(op, e, i);
    if (s.rank() != rank) {
      throw new IllegalArgumentException(fail(op, "input '" + e.value(op.inputs().get(i)).name()
          + "' has rank " + s.rank() + " " + s + ", expected rank " + rank));
    }
    return s;
  }

  private static void same(Op op, String what, long a, long b) {
    if (a != b) {
      throw new IllegalArgumentException(fail(op, what + " mismatch: " + a + " vs " + b));
    }
  }

  private static String name(Graph.Editor e, int id) {
    return e.value(id).name();
  }

  private static String fail(Op op, String msg) {
    return "op '" + op.name() + "' (" + op.kind() + "): " + msg;
  }
}
