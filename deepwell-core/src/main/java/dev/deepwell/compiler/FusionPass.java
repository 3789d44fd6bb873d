package dev.deepwell.compiler;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.model.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds ops into their producers, in this order:
 *
 * <ol>
 *   <li>activation epilogue: a GELU/ReLU/SiLU whose input is a LINEAR's only use becomes that
 *       GEMM's epilogue (after its bias); in training the GEMM also writes the pre-activation as
 *       an auxiliary output, which the activation's backward needs;
 *   <li>norm + quantize: a QUANTIZE of a norm's output that nothing else reads makes the norm
 *       write the quantized tensor directly;
 *   <li>activation + quantize: the same for SwiGLU/GELU/ReLU/SiLU ops still standing alone;
 *   <li>residual add: an ADD one of whose operands is a LINEAR's (or MoE combine's) only use
 *       becomes that op's residual epilogue, provided the other operand exists before it runs.
 * </ol>
 *
 * A value that is a graph output is never fused away.
 */
public final class FusionPass implements Pass {

  @Override
  public String name() {
    return "fuse";
  }

  @Override
  public Graph run(Graph graph, CompileLog log) {
    boolean training = graph.workload().mode() == Mode.TRAINING;
    Graph.Editor e = graph.edit();
    int epilogues = activationEpilogues(e, training, log);
    int normQuant = quantizeIntoProducer(e, true, log);
    int actQuant = quantizeIntoProducer(e, false, log);
    int residuals = residualAdds(e, log);
    log.note(name(), epilogues + " activation epilogues, " + normQuant + " norm+quantize, "
        + actQuant + " activation+quantize, " + residuals + " residual adds");
    return e.build();
  }

  private static boolean onlyUse(Graph.Editor e, int value) {
    return e.consumers(value).size() == 1 && !e.outputs().contains(value);
  }

  private int activationEpilogues(Graph.Editor e, boolean training, CompileLog log) {
    int n = 0;
    for (Op a : new ArrayList<>(e.ops())) {
      Fusion f = a.kind() == OpKind.GELU ? Fusion.GELU
          : a.kind() == OpKind.RELU ? Fusion.RELU
          : a.kind() == OpKind.SILU ? Fusion.SILU : null;
      if (f == null) {
        continue;
      }
      int x = a.input(0);
      Op p = e.producer(x);
      if (p == null || p.kind() != OpKind.LINEAR || !p.fused().isEmpty() || !onlyUse(e, x)) {
        continue;
      }
      List<Integer> outs = training ? List.of(a.output(), x) : List.of(a.output());
      e.ops().set(e.indexOf(p), p.withOutputs(outs).withFusion(f));
      e.ops().remove(e.indexOf(a));
      if (!training) {
        e.removeValue(x);
      }
      log.note(name(), p.name() + " + " + a.name() + " (" + f + " epilogue)");
      n++;
    }
    return n;
  }

  private int quantizeIntoProducer(Graph.Editor e, boolean norms, CompileLog log) {
    int n = 0;
    for (Op q : new ArrayList<>(e.ops())) {
      if (q.kind() != OpKind.QUANTIZE) {
        continue;
      }
      int x = q.input(0);
      Op p = e.producer(x);
      if (p == null || p.output() != x || !onlyUse(e, x)) {
        continue;
      }
      boolean fits = norms ? p.kind().isNorm() : p.kind().isActivation();
      if (!fits) {
        continue;
      }
      List<Integer> outs = new ArrayList<>(p.outputs());
      outs.set(0, q.output());
      e.ops().set(e.indexOf(p), p.withOutputs(outs).withFusion(Fusion.QUANTIZE_OUTPUT));
      e.ops().remove(e.indexOf(q));
      e.removeValue(x);
      log.note(name(), p.name() + " + " + q.name() + " ("
          + (norms ? "norm" : "activation") + "+quantize)");
      n++;
    }
    return n;
  }

  private int residualAdds(Graph.Editor e, CompileLog log) {
    int n = 0;
    for (Op add : new ArrayList<>(e.ops())) {
      if (add.kind() != OpKind.ADD) {
        continue;
      }
      for (int side = 1; side >= 0; side--) {
        int cand = add.input(side);
        int other = add.input(1 - side);
        Op p = e.producer(cand);
        if (p == null || (p.kind() != OpKind.LINEAR && p.kind() != OpKind.MOE_COMBINE)
            || !p.fused().isEmpty() || p.outputs().size() != 1 || !onlyUse(e, cand)
            || cand == other) {
          continue;
        }
        Op otherProducer = e.producer(other);
        if (otherProducer != null && e.indexOf(otherProducer) >= e.indexOf(p)) {
          continue;
        }
        List<Integer> ins = new ArrayList<>(p.inputs());
        ins.add(other);
        e.ops().set(e.indexOf(p), p.withInputs(ins).withOutputs(List.of(add.output()))
            .withFusion(Fusion.RESIDUAL_ADD));
        e.ops().remove(e.indexOf(add));
        e.removeValue(cand);
        log.note(name(), p.name() + " + " + add.name() + " (residual epilogue)");
        n++;
        break;
      }
    }
    return n;
  }
}
