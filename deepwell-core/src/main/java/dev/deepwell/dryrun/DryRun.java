package dev.deepwell.dryrun;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.PeakRates;
import dev.deepwell.kernel.Roofline;
import dev.deepwell.plan.MemoryBudgetExceededException;
import dev.deepwell.precision.LayerPrecision;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Evaluates a compiled engine without running it: its memory by category (from the memory plan)
 * and its expected speedup over the same model compiled all-BF16 for the same target (from the
 * roofline model of the bound kernels).
 */
public final class DryRun {

  private DryRun() {}

  public static DryRunReport of(Engine engine) {
    Objects.requireNonNull(engine, "engine");
    CompileTarget target = engine.target();
    List<String> warnings = new ArrayList<>(engine.warnings());
    Map<Precision, Integer> counts = new EnumMap<>(Precision.class);
    for (LayerPrecision lp : engine.precisionPolicy().layerPrecisions().values()) {
      counts.merge(lp.precision(), 1, Integer::sum);
    }
    Optional<Roofline> roofline = Roofline.forTarget(target);
    StepTime policyTime = null;
    StepTime bf16Time = null;
    String unavailable = null;
    if (roofline.isEmpty()) {
      unavailable = "no peak rates or bandwidth for target " + target
          + (target.isCpu() ? " (the CPU backend emulates; a speedup needs a GPU target)" : "");
    } else {
      policyTime = StepTimeModel.estimate(engine, roofline.get());
      Engine bf16 = baseline(engine, warnings);
      bf16Time = StepTimeModel.estimate(bf16, roofline.get());
    }
    return new DryRunReport(engine.graph().modelName(), engine.graph().workload(),
        target.toString(), target.memoryBytes(), engine.stepMemory(),
        engine.memoryPlan().recomputedBlocks(), counts, policyTime, bf16Time, unavailable,
        assumptions(engine, roofline), warnings);
  }

  /** The same captured graph compiled all-BF16 with the engine's other options. */
  static Engine baseline(Engine engine, List<String> warnings) {
    CompileOptions bf16 = engine.options().toBuilder()
        .precision(PrecisionConfig.of(Precision.BF16)).build();
    try {
      return GraphCompiler.compile(engine.capturedGraph(), bf16);
    } catch (MemoryBudgetExceededException e) {
      warnings.add("the all-BF16 baseline does not fit the memory budget even with "
          + "recomputation; its time is estimated without a budget");
      return GraphCompiler.compile(engine.capturedGraph(), bf16.toBuilder().noMemoryBudget()
          .build());
    }
  }

  private static List<String> assumptions(Engine engine, Optional<Roofline> roofline) {
    List<String> a = new ArrayList<>();
    a.add("weights: what the kernels read; BF16 (FP32 for an FP32 model) for embeddings, norms "
        + "and high-precision GEMMs; quantized copies with their scales for low-precision "
        + "GEMMs, two copies in training for formats blocked along one axis (MXFP8, NVFP4 1-D, "
        + "FP8 1x128) and for tensor-scaled FP8 on sm_89/sm_90; no BF16 copy of a weight read "
        + "only quantized");
    a.add(String.format("master weights %d B, gradients %d B, optimizer state %d B (%s) per "
        + "parameter, training only", engine.options().trainingSetup().masterBytesPerParam(),
        engine.options().trainingSetup().gradientBytesPerParam(),
        engine.options().trainingSetup().optimizerStateBytes(),
        engine.options().trainingSetup().optimizer()));
    a.add("activations: training: tensors kept for backward at the end of the forward pass "
        + "(plus one block's recomputed tensors when blocks are recomputed); inference: peak of "
        + "live activations; from liveness analysis of the compiled graph");
    a.add("workspace: training: the larger of the forward transient (peak live activations "
        + "minus those kept for backward) and the backward working set (the largest gradient of "
        + "one op's output plus those of its activation inputs, BF16/FP32); plus the largest "
        + "kernel scratch space (cuBLASLt 32 MiB when bound); backward buffers are not planned "
        + "one by one");
    if (roofline.isPresent()) {
      PeakRates r = roofline.get().rates();
      a.add(String.format("roofline: each kernel takes max(FLOPs / peak, bytes / bandwidth); "
          + "dense peaks BF16 %.1f, FP8/MXFP8/FP8-block %.1f, NVFP4 %.1f, FP32 %.1f TFLOP/s; "
          + "bandwidth %.2f TB/s", r.bf16() / 1e12, r.fp8() / 1e12, r.fp4() / 1e12,
          r.fp32() / 1e12, roofline.get().bandwidth() / 1e12));
      a.add("kernels run one after another at the roofline bound: no launch overhead, no "
          + "overlap, every operand read and every result written once (perfect on-chip "
          + "reuse), a gather reads only the rows it writes");
      a.add("GEMM FLOPs 2MNK; causal attention 2 B h S^2 d_head (half of 4 B h S^2 d_head) at "
          + "the BF16 rate; other ops are memory-bound");
      a.add(String.format("backward = forward x %.1f for GEMMs, x %.1f for attention, x %.1f "
          + "for memory-bound ops; recomputed blocks add their forward once; the optimizer step "
          + "is not counted", StepTimeModel.GEMM_BACKWARD, StepTimeModel.ATTENTION_BACKWARD,
          StepTimeModel.OTHER_BACKWARD));
      a.add("emulated low-precision GEMMs run at the BF16 rate and move both operands once more "
          + "in BF16");
      a.add("speedup = time of the same model compiled all-BF16 for the same target / time "
          + "with this policy");
    }
    return a;
  }
}
