package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.KernelBinding;
import dev.deepwell.plan.MemoryPlan;
import dev.deepwell.plan.StepMemory;
import dev.deepwell.precision.PrecisionPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled step: the captured and the compiled graph, the precision policy, a kernel for every
 * op, the memory plan, and what the compiler noted and warned. Immutable; made by
 * {@link GraphCompiler}.
 */
public final class Engine {

  private final Graph captured;
  private final Graph graph;
  private final PrecisionPolicy policy;
  private final CompileOptions options;
  private final Map<Integer, KernelBinding> bindings;
  private final MemoryPlan memoryPlan;
  private final StepMemory stepMemory;
  private final List<String> log;
  private final List<String> warnings;

  Engine(Graph captured, Graph graph, PrecisionPolicy policy, CompileOptions options,
      List<KernelBinding> bindings, MemoryPlan memoryPlan, StepMemory stepMemory,
      List<String> log, List<String> warnings) {
    this.captured = Objects.requireNonNull(captured, "captured");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.options = Objects.requireNonNull(options, "options");
    Map<Integer, KernelBinding> m = new LinkedHashMap<>();
    for (KernelBinding b : bindings) {
      m.put(b.opId(), b);
    }
    for (Op op : graph.ops()) {
      if (!m.containsKey(op.id())) {
        throw new IllegalArgumentException("op '" + op.name() + "' has no kernel binding");
      }
    }
    this.bindings = Collections.unmodifiableMap(m);
    this.memoryPlan = Objects.requireNonNull(memoryPlan, "memoryPlan");
    this.stepMemory = Objects.requireNonNull(stepMemory, "stepMemory");
    this.log = List.copyOf(log);
    this.warnings = List.copyOf(warnings);
  }

  /** The graph as captured from the model, before any pass. */
  public Graph capturedGraph() {
    return captured;
  }

  /** The compiled graph: shaped, precision-annotated, quantized, fused, dead code removed. */
  public Graph graph() {
    return graph;
  }

  public PrecisionPolicy precisionPolicy() {
    return policy;
  }

  public CompileOptions options() {
    return options;
  }

  public CompileTarget target() {
    return options.target();
  }

  /** The kernel binding of op {@code opId}. */
  public KernelBinding binding(int opId) {
    KernelBinding b = bindings.get(opId);
    if (b == null) {
      throw new IllegalArgumentException("no op with id " + opId);
    }
    return b;
  }

  public List<KernelBinding> bindings() {
    return List.copyOf(bindings.values());
  }

  public MemoryPlan memoryPlan() {
    return memoryPlan;
  }

  public StepMemory stepMemory() {
    return stepMemory;
  }

  /** What each pass did, in order. */
  public List<String> compileLog() {
    return log;
  }

  /** Every warning: policy (unknown patterns) and compiler (memory, emulation). */
  public List<String> warnings() {
    return warnings;
  }

  /** The compiled ops in execution order, operands resolved, each with its kernel. */
  public List<CompiledOp> compiledOps() {
    List<CompiledOp> l = new ArrayList<>();
    for (Op op : graph.ops()) {
      List<dev.deepwell.ir.TensorValue> in = new ArrayList<>();
      for (int id : op.inputs()) {
        in.add(graph.value(id));
      }
      List<dev.deepwell.ir.TensorValue> out = new ArrayList<>();
      for (int id : op.outputs()) {
        out.add(graph.value(id));
      }
      l.add(new CompiledOp(op, in, out, bindings.get(op.id())));
    }
    return l;
  }

  /** A table of every op: kind, precision, fusions, kernel, provider; then counts per provider. */
  public String getKernelSummary() {
    int w = 4;
    for (Op op : graph.ops()) {
      w = Math.max(w, op.name().length());
    }
    StringBuilder sb = new StringBuilder();
    sb.append("target ").append(target()).append(", ").append(graph.workload()).append('\n');
    sb.append(String.format("%-" + w + "s  %-14s  %-9s  %-32s  %s%n", "op", "kind", "precision",
        "kernel", "provider"));
    Map<String, Integer> perProvider = new LinkedHashMap<>();
    for (Op op : graph.ops()) {
      KernelBinding b = bindings.get(op.id());
      String kind = op.kind().name() + (op.fused().isEmpty() ? "" : "+" + op.fused().size());
      sb.append(String.format("%-" + w + "s  %-14s  %-9s  %-32s  %s%s%n", op.name(), kind,
          op.precision().cliName(), b.kernel().id(), b.provider().displayName(),
          b.kernel().emulated() ? " (emulated)" : ""));
      perProvider.merge(b.provider().displayName(), 1, Integer::sum);
    }
    sb.append("kernels per provider: ").append(perProvider).append('\n');
    return sb.toString();
  }

  /** The plan as pretty-printed JSON (see {@link PlanJson}). */
  public String toJson() {
    return PlanJson.toJson(this);
  }

  @Override
  public String toString() {
    return "Engine{" + graph.modelName() + ", " + graph.workload() + ", target " + target()
        + ", " + graph.ops().size() + " ops}";
  }
}
