package dev.deepwell.dryrun;

import dev.deepwell.compiler.Engine;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.kernel.OpCost;
import dev.deepwell.kernel.Roofline;
import dev.deepwell.model.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Step time from the roofline cost of each bound kernel ({@link Roofline#cost}). Forward: the sum
 * over ops, run one after the other. Backward (training): each op's forward time times a factor:
 * 2 for GEMMs (the input-gradient and weight-gradient GEMMs have the forward's shape and format),
 * 2.5 for attention (flash-attention backward does five matrix products to the forward's two) and
 * 2 for every memory-bound op (reads the output gradient and the saved input, writes the input
 * gradient). Recomputed blocks add their forward time once more. The optimizer step and weight
 * re-quantization after it are not counted.
 */
public final class StepTimeModel {

  /** Backward / forward time of a GEMM. */
  public static final double GEMM_BACKWARD = 2.0;
  /** Backward / forward time of attention. */
  public static final double ATTENTION_BACKWARD = 2.5;
  /** Backward / forward time of a memory-bound op. */
  public static final double OTHER_BACKWARD = 2.0;

  private StepTimeModel() {}

  public static StepTime estimate(Engine engine, Roofline roofline) {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(roofline, "roofline");
    boolean training = engine.graph().workload().mode() == Mode.TRAINING;
    double fwd = 0;
    double bwd = 0;
    double re = 0;
    double gemm = 0;
    double attn = 0;
    double other = 0;
    List<OpCost> costs = new ArrayList<>();
    for (Op op : engine.graph().ops()) {
      OpCost c = roofline.cost(op, engine.graph(), engine.binding(op.id()));
      costs.add(c);
      double factor = op.kind().isGemm() ? GEMM_BACKWARD
          : op.kind() == OpKind.ATTENTION ? ATTENTION_BACKWARD : OTHER_BACKWARD;
      double b = training ? c.seconds() * factor : 0;
      double r = training && engine.memoryPlan().recomputedBlocks().contains(op.block())
          ? c.seconds() : 0;
      fwd += c.seconds();
      bwd += b;
      re += r;
      double all = c.seconds() + b + r;
      if (op.kind().isGemm()) {
        gemm += all;
      } else if (op.kind() == OpKind.ATTENTION) {
        attn += all;
      } else {
        other += all;
      }
    }
    return new StepTime(fwd, bwd, re, gemm, attn, other, costs);
  }
}
