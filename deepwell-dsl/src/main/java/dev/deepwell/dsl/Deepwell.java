package dev.deepwell.dsl;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.dryrun.DryRun;
import dev.deepwell.dryrun.DryRunReport;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelPresets;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.PrecisionPolicy;
import java.util.Objects;

/**
 * Entry point of the Deepwell API.
 *
 * <ul>
 *   <li>{@link #model(ModelSpec)}: the fluent path to an {@link Engine} ({@link ModelBuilder}).
 *   <li>{@link #capture(ModelSpec)} and {@link #compile(Graph, PrecisionConfig, int)}: the lower
 *       level, IR in hand.
 *   <li>{@link #dryrun(Engine)}: memory and expected speedup without running anything.
 * </ul>
 */
public final class Deepwell {

  private Deepwell() {}

  /** Starts the fluent configuration of {@code model}. */
  public static ModelBuilder model(ModelSpec model) {
    return new ModelBuilder(Objects.requireNonNull(model, "model"));
  }

  /** Starts the fluent configuration of a preset ("benchmark", "llama-7b", ...). */
  public static ModelBuilder model(String preset) {
    return model(ModelPresets.byName(preset));
  }

  /** The IR of one training step of {@code model}: batch 1 at the model's maximum length. */
  public static Graph capture(ModelSpec model) {
    Objects.requireNonNull(model, "model");
    return capture(model, 1, model.maxSeqLen(), Mode.TRAINING);
  }

  /** The IR of one step of {@code model} for the given workload. */
  public static Graph capture(ModelSpec model, int batch, int seqLen, Mode mode) {
    Objects.requireNonNull(model, "model");
    return GraphCapture.capture(model, new Workload(batch, seqLen, mode));
  }

  /**
   * Compiles {@code ir} with {@code policy} for compute capability {@code smVersion} (90, 100,
   * 120, ...: the named target of that architecture, or a generic GPU of it; 0 for the CPU).
   */
  public static Engine compile(Graph ir, PrecisionConfig policy, int smVersion) {
    return GraphCompiler.compile(Objects.requireNonNull(ir, "ir"), options(policy, smVersion));
  }

  /** Compiles {@code ir} keeping an already-assigned policy (e.g. one with run-time fallbacks). */
  public static Engine compile(Graph ir, PrecisionPolicy policy, int smVersion) {
    Objects.requireNonNull(policy, "policy");
    return GraphCompiler.compile(Objects.requireNonNull(ir, "ir"), policy,
        options(policy.config(), smVersion));
  }

  /** Compiles {@code ir} for a named target ("cpu", "h100", "b200", ...). */
  public static Engine compile(Graph ir, PrecisionConfig policy, String target) {
    Objects.requireNonNull(policy, "policy");
    return GraphCompiler.compile(Objects.requireNonNull(ir, "ir"), CompileOptions.builder()
        .precision(policy).target(CompileTarget.named(target)).build());
  }

  /** Memory by category and the roofline speedup over BF16 of {@code engine}'s step. */
  public static DryRunReport dryrun(Engine engine) {
    return DryRun.of(Objects.requireNonNull(engine, "engine"));
  }

  private static CompileOptions options(PrecisionConfig policy, int smVersion) {
    Objects.requireNonNull(policy, "policy");
    CompileTarget target = smVersion == 0 ? CompileTarget.cpu() : CompileTarget.forSm(smVersion);
    return CompileOptions.builder().precision(policy).target(target).build();
  }
}
