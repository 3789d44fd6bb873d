package dev.deepwell.cli;

import dev.deepwell.compiler.Engine;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.dsl.Deepwell;
import dev.deepwell.dsl.ModelBuilder;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.plan.Optimizer;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deepwell dryrun}: compiles a model preset for a target and reports the step's memory by
 * category and its roofline speedup over BF16, without running anything.
 */
@Command(
    name = "dryrun",
    mixinStandardHelpOptions = true,
    description = {
      "Plans one step of a model for a target and reports memory (weights, master weights,"
          + " gradients, optimizer state, activations, workspace) and the expected speedup"
          + " over BF16 from a roofline model of the bound kernels, with the model's"
          + " assumptions.",
      "Example: deepwell dryrun --model llama-7b --precision mxfp8 --target b200 --seq 4096"
    })
final class DryrunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "benchmark", paramLabel = "PRESET",
      description = "Model preset: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
      completionCandidates = Presets.class)
  String model;

  @Option(names = "--precision", defaultValue = "mxfp8", paramLabel = "P",
      description = "Default compute precision: fp32, bf16, fp8, fp8-block, mxfp8, nvfp4."
          + " Default: ${DEFAULT-VALUE}.")
  String precision;

  @Option(names = "--target", defaultValue = "b200", paramLabel = "T",
      description = "cpu, h100, h200, b200, b100, rtx5090, or 'probe' for this host's best GPU."
          + " Default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = "--batch", defaultValue = "1", description = "Sequences per step.")
  int batch;

  @Option(names = "--seq", description = "Tokens per sequence (default: the model's maximum).")
  Integer seq;

  @Option(names = "--inference", description = "Plan a forward-only step instead of training.")
  boolean inference;

  @Option(names = "--sensitive", split = ",", paramLabel = "LAYER",
      description = "Layer patterns kept in high precision (comma-separated).")
  List<String> sensitive = new ArrayList<>();

  @Option(names = "--override", split = ",", paramLabel = "LAYER=P",
      description = "Per-layer precision, e.g. layers.0.mlp.down=bf16 (comma-separated).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--unsupported", defaultValue = "error", paramLabel = "MODE",
      description = "A precision the target cannot run: error, emulate or map."
          + " Default: ${DEFAULT-VALUE}.")
  String unsupported;

  @Option(names = "--budget-gb", paramLabel = "GB",
      description = "Memory budget: recompute blocks until the step fits (1 GB = 1e9 bytes).")
  Double budgetGb;

  @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "OPT",
      description = "adamw, sgd-momentum or sgd. Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(names = "--kernels", description = "Also print the kernel bound to every op.")
  boolean kernels;

  @Option(names = "--layers", description = "Also print every layer's precision and reason.")
  boolean layers;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--export", paramLabel = "FILE",
      description = "Write the whole compiled plan (ops, kernels, memory plan) as JSON to FILE.")
  Path export;

  @Override
  public Integer call() throws IOException {
    ModelBuilder b = Deepwell.model(ModelPresets.byName(model))
        .precision(Precision.parse(precision)).batch(batch)
        .mode(inference ? Mode.INFERENCE : Mode.TRAINING)
        .unsupportedPrecision(unsupportedMode(unsupported))
        .optimizer(optimizer(optimizer));
    if (seq != null) {
      b.seqLen(seq);
    }
    if (target.equalsIgnoreCase("probe")) {
      b.target(HardwareProbe.probe());
    } else {
      b.target(target);
    }
    if (!sensitive.isEmpty()) {
      b.sensitive(sensitive.toArray(new String[0]));
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0 || eq == o.length() - 1) {
        throw new IllegalArgumentException("--override must be LAYER=PRECISION, got '" + o + "'");
      }
      b.override(o.substring(0, eq), Precision.parse(o.substring(eq + 1)));
    }
    if (budgetGb != null) {
      b.memoryBudgetGb(budgetGb);
    }
    Engine engine = b.optimize();
    DryRunReport report = Deepwell.dryrun(engine);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(report.toJson());
    } else {
      out.print(report.render());
      if (layers) {
        out.println();
        out.print(engine.precisionPolicy().summary());
      }
      if (kernels) {
        out.println();
        out.print(engine.getKernelSummary());
      }
    }
    if (export != null) {
      Files.writeString(export, engine.toJson(), StandardCharsets.UTF_8);
      if (!json) {
        out.println("plan written to " + export);
      }
    }
    out.flush();
    return 0;
  }

  static UnsupportedPrecisionMode unsupportedMode(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "error":
        return UnsupportedPrecisionMode.ERROR;
      case "emulate":
        return UnsupportedPrecisionMode.EMULATE;
      case "map":
        return UnsupportedPrecisionMode.MAP_TO_NATIVE;
      default:
        throw new IllegalArgumentException(
            "--unsupported must be error, emulate or map, got '" + s + "'");
    }
  }

  static Optimizer optimizer(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "adamw":
        return Optimizer.ADAMW;
      case "sgd-momentum":
        return Optimizer.SGD_MOMENTUM;
      case "sgd":
        return Optimizer.SGD;
      default:
        throw new IllegalArgumentException(
            "--optimizer must be adamw, sgd-momentum or sgd, got '" + s + "'");
    }
  }

  /** Preset names for the help text. */
  static final class Presets extends ArrayList<String> {
    Presets() {
      super(ModelPresets.names());
    }
  }
}
