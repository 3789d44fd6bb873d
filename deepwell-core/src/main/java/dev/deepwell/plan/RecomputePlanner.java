package dev.deepwell.plan;

import dev.deepwell.ir.Graph;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Chooses which transformer blocks to recompute in backward so a training step fits a memory
 * budget: none when it fits already, otherwise the fewest blocks (lowest indices first: blocks of
 * a uniform transformer save the same bytes) found by bisection, since each recomputed block
 * only lowers the total. When even every block recomputed does not fit, it throws
 * {@link MemoryBudgetExceededException}.
 */
public final class RecomputePlanner {

  private RecomputePlanner() {}

  /** The plan that fits {@code budgetBytes}, recomputing as few blocks as possible. */
  public static MemoryPlan fit(Graph graph, CompileTarget target, TrainingSetup setup,
      long kernelWorkspace, long budgetBytes) {
    Objects.requireNonNull(graph, "graph");
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("memory budget must be > 0 bytes, got " + budgetBytes);
    }
    MemoryPlan none = MemoryPlanner.plan(graph);
    StepMemory m0 = StepMemory.of(graph, none, target, setup, kernelWorkspace);
    if (m0.total() <= budgetBytes) {
      return none;
    }
    List<Integer> blocks = new ArrayList<>(MemoryPlanner.blocks(graph));
    boolean training = graph.workload().mode() == Mode.TRAINING;
    if (!training || blocks.isEmpty()) {
      throw exceeded(graph, m0, budgetBytes, training
          ? "and the model has no transformer blocks to recompute"
          : "(inference: nothing to recompute)");
    }
    MemoryPlan all = MemoryPlanner.plan(graph, new LinkedHashSet<>(blocks));
    StepMemory mAll = StepMemory.of(graph, all, target, setup, kernelWorkspace);
    if (mAll.total() > budgetBytes) {
      throw exceeded(graph, mAll, budgetBytes, "even with all " + blocks.size()
          + " blocks recomputed");
    }
    int lo = 1;
    int hi = blocks.size();
    MemoryPlan best = all;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      MemoryPlan p = MemoryPlanner.plan(graph, new LinkedHashSet<>(blocks.subList(0, mid)));
      if (StepMemory.of(graph, p, target, setup, kernelWorkspace).total() <= budgetBytes) {
        hi = mid;
        best = p;
      } else {
        lo = mid + 1;
      }
    }
    if (best.recomputedBlocks().size() != lo) {
      best = MemoryPlanner.plan(graph, new LinkedHashSet<>(blocks.subList(0, lo)));
    }
    return best;
  }

  private static MemoryBudgetExceededException exceeded(Graph graph, StepMemory m, long budget,
      String how) {
    long fixed = m.weights() + m.masterWeights() + m.gradients() + m.optimizerState()
        + m.kernelWorkspace();
    long perBatch = m.total() - fixed;
    int batch = graph.workload().batch();
    int maxBatch = 0;
    String hint;
    if (fixed >= budget) {
      hint = "weights, master weights, gradients and optimizer state alone need "
          + gb(fixed) + " GB";
    } else {
      // Activations grow linearly with the batch: scale this batch's figure.
      maxBatch = (int) Math.min(Integer.MAX_VALUE, (budget - fixed) * batch / perBatch);
      hint = maxBatch == 0 ? "not even one sequence of " + graph.workload().seqLen()
          + " tokens fits" : "about " + maxBatch + " sequences per batch would fit";
    }
    String msg = "batch " + batch + " x seqLen " + graph.workload().seqLen() + " needs "
        + gb(m.total()) + " GB " + how + " (weights " + gb(m.weights()) + ", master "
        + gb(m.masterWeights()) + ", gradients " + gb(m.gradients()) + ", optimizer "
        + gb(m.optimizerState()) + ", activations " + gb(m.activations()) + ", workspace "
        + gb(m.workspace()) + "), over the budget of " + gb(budget) + " GB; " + hint;
    return new MemoryBudgetExceededException(msg, m.total(), budget, maxBatch);
  }

  private static String gb(long bytes) {
    return String.format("%.2f", bytes / 1e9);
  }
}
