package dev.deepwell.plan;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.model.Mode;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Device memory of one step, in bytes, by what it holds.
 *
 * <ul>
 *   <li>weights: what the kernels read. A parameter read directly (embeddings, norms,
 *       high-precision GEMMs) in its storage format (BF16, or FP32 for an FP32 model); a
 *       quantized weight copy in its format, scales included, twice in training when the format
 *       is blocked along one axis (the backward GEMM needs the other axis quantized) or is
 *       tensor-scaled FP8 on a GPU whose FP8 MMA takes K-major operands only (sm_89/sm_90). A
 *       parameter read only through quantized copies has no BF16 copy: copies are made from the
 *       master weights after each optimizer step.
 *   <li>masterWeights, gradients, optimizerState: per parameter, from the {@link TrainingSetup}
 *       (training only).
 *   <li>activations: training: the tensors kept for backward plus, with recomputation, one
 *       block's recomputed tensors; inference: the peak of live activations.
 *   <li>workspace: training: the larger of the forward transient (the peak of live activations
 *       minus those kept for backward) and the backward working set (the largest, over ops, of the
 *       gradient of the op's first output plus the gradients of its activation inputs, in BF16 or
 *       in FP32 for FP32 values; integer values and statistics outputs have no gradient);
 *       plus, always, the largest scratch space a bound kernel needs.
 * </ul>
 *
 * @param parameters       parameter count
 * @param weights          compute weights
 * @param masterWeights    master weights
 * @param gradients        weight gradients
 * @param optimizerState   optimizer state
 * @param activations      see above
 * @param workspace        see above
 * @param kernelWorkspace  the kernel-scratch part of {@code workspace}
 * @param backwardWorkingSet the backward working set (training; 0 for inference)
 * @param arenaBytes       the activation arena the planner's offsets need
 */
public record StepMemory(long parameters, long weights, long masterWeights, long gradients,
    long optimizerState, long activations, long workspace, long kernelWorkspace,
    long backwardWorkingSet, long arenaBytes) {

  public StepMemory {
    if (parameters < 0 || weights < 0 || masterWeights < 0 || gradients < 0 || optimizerState < 0
        || activations < 0 || workspace < 0 || kernelWorkspace < 0 || backwardWorkingSet < 0
        || arenaBytes < 0) {
      throw new IllegalArgumentException("memory figures must be >= 0");
    }
  }

  /** Everything together. */
  public long total() {
    return weights + masterWeights + gradients + optimizerState + activations + workspace;
  }

  /** The figures of {@code graph} with activation plan {@code plan}. */
  public static StepMemory of(Graph graph, MemoryPlan plan, CompileTarget target,
      TrainingSetup setup, long kernelWorkspace) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(setup, "setup");
    if (kernelWorkspace < 0) {
      throw new IllegalArgumentException("kernelWorkspace must be >= 0, got " + kernelWorkspace);
    }
    boolean training = graph.workload().mode() == Mode.TRAINING;
    Set<Integer> read = new HashSet<>();
    for (Op op : graph.ops()) {
      read.addAll(op.inputs());
    }
    long weights = 0;
    for (TensorValue v : graph.values().values()) {
      if (!read.contains(v.id())) {
        continue;
      }
      if (v.kind() == ValueKind.PARAMETER) {
        weights += v.bytes();
      } else if (v.kind() == ValueKind.WEIGHT_COPY) {
        weights += v.bytes() * weightCopies(v.format(), training, target);
      }
    }
    long params = graph.parameterCount();
    long master = training ? params * setup.masterBytesPerParam() : 0;
    long grads = training ? params * setup.gradientBytesPerParam() : 0;
    long opt = training ? params * setup.optimizerStateBytes() : 0;
    long activations;
    long workspace;
    long backward = 0;
    if (training) {
      backward = backwardWorkingSet(graph);
      activations = plan.savedBytes() + plan.recomputeBufferBytes();
      workspace = Math.max(plan.peakBytes() - plan.savedBytes(), backward) + kernelWorkspace;
    } else {
      activations = plan.peakBytes();
      workspace = kernelWorkspace;
    }
    return new StepMemory(params, weights, master, grads, opt, activations, workspace,
        kernelWorkspace, backward, plan.arenaBytes());
  }

  /** The largest gradient working set of one op's backward (see class comment). */
  public static long backwardWorkingSet(Graph graph) {
    long max = 0;
    for (Op op : graph.ops()) {
      long bytes = gradientBytes(graph.value(op.output()));
      for (int id : op.inputs()) {
        TensorValue v = graph.value(id);
        if (v.kind() == ValueKind.ACTIVATION || v.kind() == ValueKind.INPUT) {
          bytes += gradientBytes(v);
        }
      }
      max = Math.max(max, bytes);
    }
    return max;
  }

  private static long gradientBytes(TensorValue v) {
    switch (v.format()) {
      case INT32:
        return 0;
      case FP32:
        return 4 * v.shape().numel();
      default:
        return 2 * v.shape().numel();
    }
  }

  /** How many copies of a quantized weight of {@code format} a step keeps (see class comment). */
  public static int weightCopies(TensorFormat format, boolean training, CompileTarget target) {
    if (!training || !format.isQuantized()) {
      return 1;
    }
    if (format.isOneDimensionalBlocked()) {
      return 2;
    }
    boolean kMajorOnlyFp8 = !target.isCpu() && target.smVersion() >= 89
        && target.smVersion() < 100;
    return format == TensorFormat.FP8_TENSOR && kMajorOnlyFp8 ? 2 : 1;
  }
}
