package dev.deepwell.samples;

import dev.deepwell.compiler.CompiledOp;
import dev.deepwell.compiler.Engine;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Plans a training step for a GPU this machine does not have: llama-7b in MXFP8 on a B200, with
 * lm_head kept in BF16. Prints the precision every layer got and why, the kernels the plan binds,
 * and the dry run (memory by category, expected speedup over BF16). Then asks for the same plan on
 * an H100, which has no MXFP8 tensor cores, to show the refusal and the mapped alternative.
 * Nothing here needs a GPU: named targets carry datasheet figures.
 *
 * <p>Run: {@code java -cp "samples/target/classes:samples/target/lib/*"
 * dev.deepwell.samples.PlanForAnotherGpu [preset [target [seqLen [otherTarget]]]]}.
 */
public final class PlanForAnotherGpu {

  private PlanForAnotherGpu() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "llama-7b";
    String target = args.length > 1 ? args[1] : "b200";
    int seqLen = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
    String otherTarget = args.length > 3 ? args[3] : "h100";
    run(System.out, preset, target, seqLen, otherTarget);
  }

  /**
   * The whole sample, printing to {@code out}: plans {@code preset} in MXFP8 for
   * {@code target}, then for {@code otherTarget} (skipped when null).
   */
  public static void run(PrintStream out, String preset, String target, int seqLen,
      String otherTarget) {
    Engine engine = Deepwell.model(preset)
        .precision(Precision.MXFP8)
        // The output projection sets the logits directly; the policy would keep it in BF16 on
        // its own (rule LM_HEAD), but naming it makes the intent survive a policy change.
        .sensitive("lm_head")
        .batch(1)
        .seqLen(seqLen)
        .training()
        .target(target)
        .optimize();

    out.println("Plan: " + engine);
    out.println();
    out.println("Precision per layer (transformer blocks folded as layers.*):");
    printLayerPrecisions(out, engine);
    out.println();
    out.println("Kernels (op count per kernel; engine.getKernelSummary() lists every op):");
    printKernels(out, engine);
    out.println();

    // The dry run evaluates the plan without running it: memory from the planner, time from a
    // roofline over the bound kernels, compared with the same model compiled all-BF16.
    DryRunReport report = Deepwell.dryrun(engine);
    out.print(report.render());

    if (otherTarget != null) {
      out.println();
      planOnOtherTarget(out, preset, seqLen, otherTarget);
    }
  }

  /**
   * A 32-block model has 227 layers; folding "layers.N." shows each distinct decision once, with
   * how many blocks share it, while a block that decided differently still shows up on its own.
   */
  static void printLayerPrecisions(PrintStream out, Engine engine) {
    Map<String, Integer> folded = new LinkedHashMap<>();
    for (LayerPrecision lp : engine.precisionPolicy().layerPrecisions().values()) {
      String layer = lp.layer().replaceFirst("^layers\\.\\d+\\.", "layers.*.");
      String line = String.format(Locale.ROOT, "%-22s %-9s %s: %s%s", layer,
          lp.precision().cliName(), lp.reason(), lp.detail(), lp.emulated() ? " [EMULATED]" : "");
      folded.merge(line, 1, Integer::sum);
    }
    folded.forEach((line, n) -> out.printf(Locale.ROOT, "  %s%s%n", line,
        n > 1 ? "  (x" + n + ")" : ""));
  }

  /** One line per distinct kernel: what it runs, in which precision, and who provides it. */
  static void printKernels(PrintStream out, Engine engine) {
    Map<String, Integer> count = new LinkedHashMap<>();
    Map<String, String> example = new LinkedHashMap<>();
    for (CompiledOp op : engine.compiledOps()) {
      // Fusions are part of what a kernel does (a norm that writes MXFP8, a GEMM that adds the
      // residual), so ops of one kernel id with different fusions are listed apart.
      StringBuilder what = new StringBuilder(op.op().kind().name());
      op.op().fused().forEach(f -> what.append('+').append(f));
      String key = String.format(Locale.ROOT, "%-26s %-27s %-9s %-14s",
          op.binding().kernel().id(), what, op.op().precision().cliName(),
          op.binding().provider().displayName()
              + (op.binding().kernel().emulated() ? " (emulated)" : ""));
      count.merge(key, 1, Integer::sum);
      example.putIfAbsent(key, op.op().name());
    }
    out.printf(Locale.ROOT, "  %4s  %-26s %-27s %-9s %-14s %s%n", "ops", "kernel", "op + fusions",
        "precision", "provider", "e.g.");
    count.forEach((key, n) -> out.printf(Locale.ROOT, "  %4d  %s %s%n", n, key,
        example.get(key)));
    // Providers are tried CUTLASS -> cuBLASLt -> reference GPU -> CPU; the tally shows how much
    // of the step runs on tuned library kernels.
    Map<String, Integer> perProvider = new LinkedHashMap<>();
    for (CompiledOp op : engine.compiledOps()) {
      perProvider.merge(op.binding().provider().displayName(), 1, Integer::sum);
    }
    out.println("  ops per provider: " + perProvider);
  }

  /**
   * MXFP8 needs Blackwell's block-scaled tensor cores. By default the compiler refuses rather than
   * silently running something else; MAP_TO_NATIVE picks the best format the GPU has and records
   * every layer it changed, so the decision stays visible.
   */
  private static void planOnOtherTarget(PrintStream out, String preset, int seqLen,
      String otherTarget) {
    out.println("The same request for " + otherTarget + ":");
    try {
      Deepwell.model(preset).precision(Precision.MXFP8).sensitive("lm_head").batch(1)
          .seqLen(seqLen).target(otherTarget).optimize();
      out.println("  compiled as requested: " + otherTarget + " runs MXFP8 natively");
      return;
    } catch (IllegalArgumentException refused) {
      out.println("  refused: " + refused.getMessage());
    }
    Engine mapped = Deepwell.model(preset).precision(Precision.MXFP8).sensitive("lm_head")
        .batch(1).seqLen(seqLen).target(otherTarget)
        .unsupportedPrecision(UnsupportedPrecisionMode.MAP_TO_NATIVE)
        .optimize();
    // Every layer that runs in something other than what was asked for, grouped by outcome.
    Map<String, Integer> changed = new LinkedHashMap<>();
    for (LayerPrecision lp : mapped.precisionPolicy().layerPrecisions().values()) {
      if (lp.fellBack()) {
        changed.merge(lp.precision().cliName() + " (" + lp.reason() + ")", 1, Integer::sum);
      }
    }
    out.println("  with MAP_TO_NATIVE, layers not in mxfp8: " + changed);
    mapped.precisionPolicy().fallbackHistory().stream().findFirst()
        .ifPresent(e -> out.println("  e.g. " + e.layer() + ": " + e.detail()));
    DryRunReport report = Deepwell.dryrun(mapped);
    out.printf(Locale.ROOT, "  dry run on %s: %.3f GB total (%s), expected speedup vs BF16 %s%n",
        report.target(), report.memory().total() / 1e9,
        report.fitsTarget() ? "fits"
            : String.format(Locale.ROOT, "does NOT fit %.3f GB", report.targetMemoryBytes() / 1e9),
        report.speedupVsBf16().map(s -> String.format(Locale.ROOT, "%.3fx", s))
            .orElse("unavailable"));
  }
}
