package dev.deepwell.dryrun;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.deepwell.model.Workload;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.Precision;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a step would need and gain on a target, without running it: memory by category and the
 * roofline speedup over BF16, with the model's assumptions. Immutable; made by {@link DryRun}.
 */
public final class DryRunReport {

  private final String model;
  private final Workload workload;
  private final String target;
  private final long targetMemoryBytes;
  private final StepMemory memory;
  private final Set<Integer> recomputedBlocks;
  private final Map<Precision, Integer> layersByPrecision;
  private final StepTime policyTime;
  private final StepTime bf16Time;
  private final String speedupUnavailable;
  private final List<String> assumptions;
  private final List<String> warnings;

  DryRunReport(String model, Workload workload, String target, long targetMemoryBytes,
      StepMemory memory, Set<Integer> recomputedBlocks, Map<Precision, Integer> layersByPrecision,
      StepTime policyTime, StepTime bf16Time, String speedupUnavailable, List<String> assumptions,
      List<String> warnings) {
    this.model = Objects.requireNonNull(model, "model");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.target = Objects.requireNonNull(target, "target");
    this.targetMemoryBytes = targetMemoryBytes;
    this.memory = Objects.requireNonNull(memory, "memory");
    this.recomputedBlocks = Set.copyOf(recomputedBlocks);
    this.layersByPrecision = Map.copyOf(layersByPrecision);
    if ((policyTime == null) != (bf16Time == null)
        || (policyTime == null) == (speedupUnavailable == null)) {
      throw new IllegalArgumentException("give both step times, or a reason why there are none");
    }
    this.policyTime = policyTime;
    this.bf16Time = bf16Time;
    this.speedupUnavailable = speedupUnavailable;
    this.assumptions = List.copyOf(assumptions);
    this.warnings = List.copyOf(warnings);
  }

  public String model() {
    return model;
  }

  public Workload workload() {
    return workload;
  }

  public String target() {
    return target;
  }

  /** Device memory of the target, -1 when unknown. */
  public long targetMemoryBytes() {
    return targetMemoryBytes;
  }

  public StepMemory memory() {
    return memory;
  }

  /** True when the target's memory is known and the step fits it. */
  public boolean fitsTarget() {
    return targetMemoryBytes > 0 && memory.total() <= targetMemoryBytes;
  }

  public Set<Integer> recomputedBlocks() {
    return recomputedBlocks;
  }

  public Map<Precision, Integer> layersByPrecision() {
    return layersByPrecision;
  }

  /** The step time with the engine's policy, when the target has a roofline. */
  public Optional<StepTime> policyTime() {
    return Optional.ofNullable(policyTime);
  }

  /** The step time of the same model all in BF16 on the same target. */
  public Optional<StepTime> bf16Time() {
    return Optional.ofNullable(bf16Time);
  }

  /** BF16 step time / policy step time. */
  public Optional<Double> speedupVsBf16() {
    return policyTime == null ? Optional.empty()
        : Optional.of(bf16Time.totalSeconds() / policyTime.totalSeconds());
  }

  /** Why there is no speedup figure, when there is none. */
  public Optional<String> speedupUnavailableReason() {
    return Optional.ofNullable(speedupUnavailable);
  }

  public List<String> assumptions() {
    return assumptions;
  }

  public List<String> warnings() {
    return warnings;
  }

  private static String gb(long bytes) {
    return String.format("%10.3f GB", bytes / 1e9);
  }

  /** Human-readable report. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("Dry run: ").append(model).append(", batch ").append(workload.batch())
        .append(" x seq ").append(workload.seqLen()).append(", ")
        .append(workload.mode().name().toLowerCase(java.util.Locale.ROOT)).append(", target ")
        .append(target).append('\n');
    sb.append("layers by precision: ").append(new java.util.TreeMap<>(layersByPrecision))
        .append('\n');
    sb.append(String.format("parameters       %,d%n", memory.parameters()));
    sb.append("memory (1 GB = 10^9 bytes)\n");
    sb.append("  weights         ").append(gb(memory.weights())).append('\n');
    sb.append("  master weights  ").append(gb(memory.masterWeights())).append('\n');
    sb.append("  gradients       ").append(gb(memory.gradients())).append('\n');
    sb.append("  optimizer state ").append(gb(memory.optimizerState())).append('\n');
    sb.append("  activations     ").append(gb(memory.activations())).append('\n');
    sb.append("  workspace       ").append(gb(memory.workspace())).append('\n');
    sb.append("  total           ").append(gb(memory.total()));
    if (targetMemoryBytes > 0) {
      sb.append(String.format("  of %.3f GB on the target: %s", targetMemoryBytes / 1e9,
          fitsTarget() ? "fits" : "DOES NOT FIT"));
    }
    sb.append('\n');
    if (!recomputedBlocks.isEmpty()) {
      sb.append("recomputed blocks: ").append(new java.util.TreeSet<>(recomputedBlocks))
          .append('\n');
    }
    if (policyTime != null) {
      sb.append(String.format("step time (roofline): %.3f ms with this policy, %.3f ms all-BF16"
          + " -> expected speedup vs BF16 %.3fx%n", policyTime.totalSeconds() * 1e3,
          bf16Time.totalSeconds() * 1e3, speedupVsBf16().get()));
      sb.append(String.format("  this policy: GEMM %.3f ms, attention %.3f ms, other %.3f ms%n",
          policyTime.gemmSeconds() * 1e3, policyTime.attentionSeconds() * 1e3,
          policyTime.otherSeconds() * 1e3));
      sb.append(String.format("  all-BF16:    GEMM %.3f ms, attention %.3f ms, other %.3f ms%n",
          bf16Time.gemmSeconds() * 1e3, bf16Time.attentionSeconds() * 1e3,
          bf16Time.otherSeconds() * 1e3));
    } else {
      sb.append("speedup vs BF16: unavailable (").append(speedupUnavailable).append(")\n");
    }
    sb.append("model and assumptions:\n");
    for (String a : assumptions) {
      sb.append("  - ").append(a).append('\n');
    }
    for (String w : warnings) {
      sb.append("WARNING: ").append(w).append('\n');
    }
    return sb.toString();
  }

  /** The report as JSON: byte figures, times in seconds, assumptions and warnings. */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model", model);
    o.addProperty("batch", workload.batch());
    o.addProperty("seqLen", workload.seqLen());
    o.addProperty("mode", workload.mode().name());
    o.addProperty("target", target);
    o.addProperty("targetMemoryBytes", targetMemoryBytes);
    JsonObject m = new JsonObject();
    m.addProperty("parameters", memory.parameters());
    m.addProperty("weightsBytes", memory.weights());
    m.addProperty("masterWeightsBytes", memory.masterWeights());
    m.addProperty("gradientsBytes", memory.gradients());
    m.addProperty("optimizerStateBytes", memory.optimizerState());
    m.addProperty("activationsBytes", memory.activations());
    m.addProperty("workspaceBytes", memory.workspace());
    m.addProperty("totalBytes", memory.total());
    m.addProperty("fitsTarget", fitsTarget());
    o.add("memory", m);
    JsonArray rb = new JsonArray();
    new java.util.TreeSet<>(recomputedBlocks).forEach(rb::add);
    o.add("recomputedBlocks", rb);
    JsonObject lp = new JsonObject();
    new java.util.TreeMap<>(layersByPrecision).forEach((k, v) -> lp.addProperty(k.cliName(), v));
    o.add("layersByPrecision", lp);
    if (policyTime != null) {
      o.add("policyTime", time(policyTime));
      o.add("bf16Time", time(bf16Time));
      o.addProperty("speedupVsBf16", speedupVsBf16().get());
    } else {
      o.addProperty("speedupUnavailable", speedupUnavailable);
    }
    JsonArray a = new JsonArray();
    assumptions.forEach(a::add);
    o.add("assumptions", a);
    JsonArray w = new JsonArray();
    warnings.forEach(w::add);
    o.add("warnings", w);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
  }

  private static JsonObject time(StepTime t) {
    JsonObject o = new JsonObject();
    o.addProperty("totalSeconds", t.totalSeconds());
    o.addProperty("forwardSeconds", t.forwardSeconds());
    o.addProperty("backwardSeconds", t.backwardSeconds());
    o.addProperty("recomputeSeconds", t.recomputeSeconds());
    o.addProperty("gemmSeconds", t.gemmSeconds());
    o.addProperty("attentionSeconds", t.attentionSeconds());
    o.addProperty("otherSeconds", t.otherSeconds());
    return o;
  }

  @Override
  public String toString() {
    return render();
  }
}
