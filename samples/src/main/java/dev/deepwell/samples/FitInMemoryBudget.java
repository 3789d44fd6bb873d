package dev.deepwell.samples;

import dev.deepwell.compiler.Engine;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.dsl.ModelBuilder;
import dev.deepwell.plan.MemoryBudgetExceededException;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.Precision;
import java.io.PrintStream;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Finds how large a training batch fits a GPU's memory: llama-1b in MXFP8 on an RTX 5090 (32 GiB)
 * with a 30 GB budget. With a budget, the compiler recomputes transformer blocks in the backward
 * pass (keeping only each block's input) until the step fits; when even full recomputation does
 * not fit, it fails with the figures and an estimate of the batch that would.
 *
 * <p>Run: {@code java -cp "samples/target/classes:samples/target/lib/*"
 * dev.deepwell.samples.FitInMemoryBudget [preset [target [budgetGb [batch [seqLen]]]]]}.
 */
public final class FitInMemoryBudget {

  private FitInMemoryBudget() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "llama-1b";
    String target = args.length > 1 ? args[1] : "rtx5090";
    // Leave headroom under the card's 34.4 GB (32 GiB): the CUDA context, the allocator's
    // fragmentation and the framework's own buffers are not in the plan.
    double budgetGb = args.length > 2 ? Double.parseDouble(args[2]) : 30.0;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    int seqLen = args.length > 4 ? Integer.parseInt(args[4]) : 4096;
    run(System.out, preset, target, budgetGb, batch, seqLen);
  }

  /** The whole sample, printing to {@code out}; returns the batch that fits (0 if none). */
  public static int run(PrintStream out, String preset, String target, double budgetGb,
      int batch, int seqLen) {
    out.printf(Locale.ROOT, "%s, MXFP8 training, %d tokens per sequence, on %s with a %.1f GB"
        + " budget%n%n", preset, seqLen, target, budgetGb);
    int tryBatch = batch;
    while (tryBatch > 0) {
      try {
        Engine engine = builder(preset, target, tryBatch, seqLen).memoryBudgetGb(budgetGb)
            .optimize();
        report(out, engine, budgetGb);
        return tryBatch;
      } catch (MemoryBudgetExceededException e) {
        // The message carries the figures; maxBatch() is the estimate to try next, from the
        // linear growth of activations with the batch (0: not even one sequence fits, because
        // the weights and optimizer state alone are over budget).
        out.println("batch " + tryBatch + ": does not fit");
        out.println("  " + e.getMessage());
        int next = Math.min(e.maxBatch(), tryBatch - 1);
        out.println(next > 0 ? "  -> trying batch " + next : "  -> no batch fits; use a larger"
            + " GPU, shard the optimizer state, or a smaller model");
        out.println();
        tryBatch = next;
      }
    }
    return 0;
  }

  private static ModelBuilder builder(String preset, String target, int batch, int seqLen) {
    return Deepwell.model(preset).precision(Precision.MXFP8).training().batch(batch)
        .seqLen(seqLen).target(target);
  }

  private static void report(PrintStream out, Engine engine, double budgetGb) {
    StepMemory m = engine.stepMemory();
    out.printf(Locale.ROOT, "batch %d: fits, %.3f GB of %.1f GB%n",
        engine.graph().workload().batch(), m.total() / 1e9, budgetGb);
    out.printf(Locale.ROOT, "  weights %.3f, master %.3f, gradients %.3f, optimizer %.3f,"
        + " activations %.3f, workspace %.3f GB%n", m.weights() / 1e9, m.masterWeights() / 1e9,
        m.gradients() / 1e9, m.optimizerState() / 1e9, m.activations() / 1e9,
        m.workspace() / 1e9);
    out.println("  recomputed blocks: " + (engine.memoryPlan().recomputedBlocks().isEmpty()
        ? "none" : new TreeSet<>(engine.memoryPlan().recomputedBlocks())));
    // Recomputation is not free: each recomputed block runs its forward pass twice. The dry run
    // counts that, so its speedup is the honest one for this memory plan.
    DryRunReport dry = Deepwell.dryrun(engine);
    dry.policyTime().ifPresent(t -> out.printf(Locale.ROOT, "  step time (roofline) %.3f ms,"
        + " of which recomputation %.3f ms; expected speedup vs BF16 %.3fx%n",
        t.totalSeconds() * 1e3, t.recomputeSeconds() * 1e3, dry.speedupVsBf16().orElseThrow()));
  }
}
