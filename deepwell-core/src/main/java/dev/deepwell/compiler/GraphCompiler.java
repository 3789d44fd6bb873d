package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.ShapeInference;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.KernelBinding;
import dev.deepwell.kernel.KernelRegistry;
import dev.deepwell.plan.MemoryPlan;
import dev.deepwell.plan.MemoryPlanner;
import dev.deepwell.plan.RecomputePlanner;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.PrecisionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiler: shape inference, precision assignment, then the passes (apply precision, insert
 * quantize ops, fuse, remove dead code), shape inference again as a check, kernel binding, and
 * memory planning (with recomputation when a budget is given).
 */
public final class GraphCompiler {

  private static final Logger LOG = LoggerFactory.getLogger(GraphCompiler.class);

  private GraphCompiler() {}

  public static Engine compile(Graph captured, CompileOptions options) {
    Objects.requireNonNull(captured, "graph");
    Objects.requireNonNull(options, "options");
    Graph shaped = ShapeInference.run(captured);
    PrecisionPolicy policy = PrecisionAssigner.assign(shaped, options.precision(),
        options.target());
    return compile(captured, shaped, policy, options);
  }

  /**
   * Compiles with a policy assigned beforehand (for example one that recorded run-time
   * fallbacks); its layers must be those of {@code captured}.
   */
  public static Engine compile(Graph captured, PrecisionPolicy policy, CompileOptions options) {
    Objects.requireNonNull(captured, "graph");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(options, "options");
    Graph shaped = ShapeInference.run(captured);
    for (Op op : shaped.ops()) {
      if (PrecisionAssigner.isLayer(op) && !policy.hasLayer(op.name())) {
        throw new IllegalArgumentException("the policy has no precision for layer '"
            + op.name() + "'; was it assigned for another model?");
      }
    }
    return compile(captured, shaped, policy, options.toBuilder().precision(policy.config())
        .build());
  }

  private static Engine compile(Graph captured, Graph shaped, PrecisionPolicy policy,
      CompileOptions options) {
    CompileLog log = new CompileLog();
    policy.warnings().forEach(log::warn);
    List<Pass> passes = List.of(
        new ApplyPrecisionPass(policy),
        new QuantizeInsertionPass(policy.config().nvfp4TwoDimensionalWeights()),
        new FusionPass(),
        new DeadCodeEliminationPass());
    Graph g = shaped;
    for (Pass pass : passes) {
      g = pass.run(g, log);
    }
    g = ShapeInference.run(g);
    CompileTarget target = options.target();
    KernelRegistry registry = options.registry();
    List<KernelBinding> bindings = new ArrayList<>();
    long kernelWorkspace = 0;
    for (Op op : g.ops()) {
      KernelBinding b = registry.bind(op, g, target);
      bindings.add(b);
      kernelWorkspace = Math.max(kernelWorkspace, b.kernel().workspaceBytes());
      if (b.kernel().emulated() && !target.isCpu() && policy.hasLayer(op.name())) {
        LayerPrecision lp = policy.layer(op.name());
        if (!lp.emulated()) {
          log.warn("layer '" + op.name() + "' (" + lp.precision().cliName() + ") is bound to "
              + "the emulating kernel " + b.kernel().id() + ": " + String.join("; ",
              b.rejected()));
        }
      }
    }
    MemoryPlan plan;
    if (options.hasMemoryBudget()) {
      plan = RecomputePlanner.fit(g, target, options.trainingSetup(), kernelWorkspace,
          options.memoryBudgetBytes());
      if (!plan.recomputedBlocks().isEmpty()) {
        log.note("plan-memory", "recomputing " + plan.recomputedBlocks().size() + " block(s) "
            + plan.recomputedBlocks() + " to fit the budget of "
            + String.format("%.2f GB", options.memoryBudgetBytes() / 1e9));
      }
    } else {
      plan = MemoryPlanner.plan(g);
    }
    StepMemory memory = StepMemory.of(g, plan, target, options.trainingSetup(), kernelWorkspace);
    log.note("plan-memory", String.format("activation peak %.3f GB at op %d, arena %.3f GB",
        plan.peakBytes() / 1e9, plan.peakOpIndex(), plan.arenaBytes() / 1e9));
    if (!options.hasMemoryBudget() && target.memoryBytes() > 0
        && memory.total() > target.memoryBytes()) {
      log.warn(String.format("the step needs %.2f GB but %s has %.2f GB; give a memory budget "
          + "to recompute blocks, or lower the batch", memory.total() / 1e9, target,
          target.memoryBytes() / 1e9));
    }
    for (String w : log.warnings()) {
      LOG.warn(w);
    }
    return new Engine(captured, g, policy, options, bindings, plan, memory, log.entries(),
        log.warnings());
  }
}
