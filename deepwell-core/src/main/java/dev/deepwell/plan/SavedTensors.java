package dev.deepwell.plan;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.ValueKind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which values each op's backward pass needs, so a training step keeps them from the forward pass
 * until backward. Parameters and weight copies are not listed (they live all step anyway).
 *
 * <ul>
 *   <li>GEMMs: their activation operand in the format they read it (one copy; the transposed
 *       quantization for the weight gradient is assumed to be of equal size), plus the
 *       pre-activation auxiliary output of a fused activation epilogue; grouped GEMMs also the
 *       expert ids.
 *   <li>Norms: their input and their statistics output.
 *   <li>Attention: qkv, the output and the log-sum-exp (flash-attention backward).
 *   <li>Activations (SwiGLU, GELU, ...): their input.
 *   <li>Embedding: the token ids. Router: its weights and ids. Dispatch: the ids. Combine: its
 *       inputs. Cross-entropy: logits, labels and log-sum-exp.
 *   <li>RoPE, residual add, quantize, learned positions: nothing (their backward is linear or
 *       recomputes cheaply).
 * </ul>
 */
public final class SavedTensors {

  private SavedTensors() {}

  /** Value ids {@code op}'s backward reads, in a stable order. */
  public static Set<Integer> savedBy(Op op, Graph graph) {
    Set<Integer> s = new LinkedHashSet<>();
    List<Integer> in = op.inputs();
    List<Integer> out = op.outputs();
    switch (op.kind()) {
      case LINEAR:
        s.add(in.get(0));
        if (op.hasFusion(Fusion.GELU) || op.hasFusion(Fusion.RELU) || op.hasFusion(Fusion.SILU)) {
          s.add(out.get(1));
        }
        break;
      case GROUPED_LINEAR:
        s.add(in.get(0));
        s.add(in.get(2));
        break;
      case RMSNORM:
      case LAYERNORM:
        s.add(in.get(0));
        if (out.size() > 1) {
          s.add(out.get(1));
        }
        break;
      case ATTENTION:
        s.add(in.get(0));
        s.addAll(out);
        break;
      case SWIGLU:
      case GELU:
      case RELU:
      case SILU:
      case EMBEDDING:
        s.add(in.get(0));
        break;
      case ROUTER_TOPK:
        s.addAll(out);
        break;
      case MOE_DISPATCH:
        s.add(in.get(1));
        break;
      case MOE_COMBINE:
        s.add(in.get(0));
        s.add(in.get(1));
        break;
      case CROSS_ENTROPY:
        s.add(in.get(0));
        s.add(in.get(1));
        s.add(out.get(1));
        break;
      default:
        break;
    }
    s.removeIf(id -> {
      ValueKind k = graph.value(id).kind();
      return k == ValueKind.PARAMETER || k == ValueKind.WEIGHT_COPY;
    });
    return s;
  }
}
