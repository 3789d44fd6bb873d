package dev.deepwell.ir;

import dev.deepwell.model.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A step's computation: ops in execution (topological) order over a table of values. Immutable;
 * the constructor checks that every op reads only values that exist before it (inputs,
 * parameters, weight copies, or outputs of earlier ops) and that each value has one producer.
 * Passes edit a copy through {@link #edit()}.
 */
public final class Graph {

  private final String modelName;
  private final Workload workload;
  private final List<Op> ops;
  private final Map<Integer, TensorValue> values;
  private final List<Integer> inputs;
  private final List<Integer> outputs;
  private final Map<Integer, Op> producers;
  private final Map<Integer, List<Op>> consumers;

  public Graph(String modelName, Workload workload, List<Op> ops, Map<Integer, TensorValue> values,
      List<Integer> inputs, List<Integer> outputs) {
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.ops = List.copyOf(Objects.requireNonNull(ops, "ops"));
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(
        Objects.requireNonNull(values, "values")));
    this.inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    this.outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    Map<Integer, Op> prod = new HashMap<>();
    Map<Integer, List<Op>> cons = new HashMap<>();
    Set<Integer> available = new HashSet<>();
    Set<Integer> opIds = new HashSet<>();
    for (TensorValue v : this.values.values()) {
      if (v.kind() != ValueKind.ACTIVATION) {
        available.add(v.id());
      }
      if (v.kind() == ValueKind.WEIGHT_COPY) {
        TensorValue src = this.values.get(v.sourceParam());
        if (src == null || src.kind() != ValueKind.PARAMETER) {
          throw new IllegalArgumentException("weight copy '" + v.name()
              + "' must name a parameter as its source, got id " + v.sourceParam());
        }
      }
    }
    for (int in : this.inputs) {
      TensorValue v = value(in);
      if (v.kind() != ValueKind.INPUT) {
        throw new IllegalArgumentException("graph input '" + v.name() + "' is a " + v.kind());
      }
    }
    for (Op op : this.ops) {
      if (!opIds.add(op.id())) {
        throw new IllegalArgumentException("duplicate op id " + op.id());
      }
      for (int in : op.inputs()) {
        value(in);
        if (!available.contains(in)) {
          throw new IllegalArgumentException("op '" + op.name() + "' (" + op.kind() + ") reads '"
              + values.get(in).name() + "' before it is produced");
        }
        cons.computeIfAbsent(in, k -> new ArrayList<>()).add(op);
      }
      for (int out : op.outputs()) {
        TensorValue v = value(out);
        if (v.kind() != ValueKind.ACTIVATION) {
          throw new IllegalArgumentException(
              "op '" + op.name() + "' writes " + v.kind() + " '" + v.name() + "'");
        }
        if (prod.put(out, op) != null) {
          throw new IllegalArgumentException("value '" + v.name() + "' is produced twice");
        }
        available.add(out);
      }
    }
    for (int out : this.outputs) {
      if (!prod.containsKey(out)) {
        throw new IllegalArgumentException("graph output '" + value(out).name()
            + "' is not produced by any op");
      }
    }
    this.producers = Collections.unmodifiableMap(prod);
    Map<Integer, List<Op>> frozen = new HashMap<>();
    cons.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    this.consumers = Collections.unmodifiableMap(frozen);
  }

  public String modelName() {
    return modelName;
  }

  public Workload workload() {
    return workload;
  }

  public List<Op> ops() {
    return ops;
  }

  public Map<Integer, TensorValue> values() {
    return values;
  }

  public List<Integer> inputs() {
    return inputs;
  }

  public List<Integer> outputs() {
    return outputs;
  }

  public TensorValue value(int id) {
    TensorValue v = values.get(id);
    if (v == null) {
      throw new IllegalArgumentException("no value with id " + id);
    }
    return v;
  }

  /** The op that writes {@code valueId}, or null for inputs, parameters and weight copies. */
  public Op producer(int valueId) {
    return producers.get(valueId);
  }

  /** The ops that read {@code valueId}, in execution order. */
  public List<Op> consumers(int valueId) {
    return consumers.getOrDefault(valueId, List.of());
  }

  /** The first op called {@code name}. */
  public Op op(String name) {
    for (Op op : ops) {
      if (op.name().equals(name)) {
        return op;
      }
    }
    throw new IllegalArgumentException("no op named '" + name + "'");
  }

  /** The values of one kind, in table order. */
  public List<TensorValue> valuesOfKind(ValueKind kind) {
    List<TensorValue> l = new ArrayList<>();
    for (TensorValue v : values.values()) {
      if (v.kind() == kind) {
        l.add(v);
      }
    }
    return l;
  }

  /** Number of parameter elements (each tied parameter once). */
  public long parameterCount() {
    long n = 0;
    for (TensorValue v : valuesOfKind(ValueKind.PARAMETER)) {
      n += v.shape().numel();
    }
    return n;
  }

  /** True when every value has a shape. */
  public boolean isShaped() {
    for (TensorValue v : values.values()) {
      if (v.shape() == null) {
        return false;
      }
    }
    return true;
  }

  public Editor edit() {
    return new Editor(this);
  }

  /** One op per line, with its inputs and outputs. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(modelName).append(" ").append(workload).append('\n');
    for (Op op : ops) {
      sb.append(String.format("%4d %-18s %-32s", op.id(), op.kind(), op.name()));
      if (op.precision() != null) {
        sb.append(' ').append(op.precision().cliName());
      }
      if (!op.fused().isEmpty()) {
        sb.append(" +").append(op.fused());
      }
      sb.append("  ");
      appendValues(sb, op.inputs());
      sb.append(" -> ");
      appendValues(sb, op.outputs());
      sb.append('\n');
    }
    return sb.toString();
  }

  private void appendValues(StringBuilder sb, List<Integer> ids) {
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(value(ids.get(i)));
    }
  }

  @Override
  public String toString() {
    return "Graph{" + modelName + ", " + ops.size() + " ops, " + values.size() + " values}";
  }

  /** A mutable copy for passes. {@link #build()} re-validates. */
  public static final class Editor {
    private final String modelName;
    private final Workload workload;
    private final List<Op> ops;
    private final Map<Integer, TensorValue> values;
    private final List<Integer> inputs;
    private final List<Integer> outputs;
    private int nextValueId;
    private int nextOpId;

    private Editor(Graph g) {
      this.modelName = g.modelName;
      this.workload = g.workload;
      this.ops = new ArrayList<>(g.ops);
      this.values = new LinkedHashMap<>(g.values);
      this.inputs = new ArrayList<>(g.inputs);
      this.outputs = new ArrayList<>(g.outputs);
      for (int id : values.keySet()) {
        nextValueId = Math.max(nextValueId, id + 1);
      }
      for (Op op : ops) {
        nextOpId = Math.max(nextOpId, op.id() + 1);
      }
    }

    /** The live op list; passes may set, insert and remove entries. */
    public List<Op> ops() {
      return ops;
    }

    public TensorValue value(int id) {
      TensorValue v = values.get(id);
      if (v == null) {
        throw new IllegalArgumentException("no value with id " + id);
      }
      return v;
    }

    public Map<Integer, TensorValue> values() {
      return Collections.unmodifiableMap(values);
    }

    public List<Integer> outputs() {
      return outputs;
    }

    /** Adds a value and returns its id. */
    public int addValue(String name, Shape shape, TensorFormat format, ValueKind kind,
        int sourceParam) {
      int id = nextValueId++;
      values.put(id, new TensorValue(id, name, shape, format, kind, sourceParam));
      return id;
    }

    public void putValue(TensorValue v) {
      if (!values.containsKey(v.id())) {
        throw new IllegalArgumentException("no value with id " + v.id() + " to replace");
      }
      values.put(v.id(), v);
    }

    public void removeValue(int id) {
      values.remove(id);
    }

    public int newOpId() {
      return nextOpId++;
    }

    /** Replaces every read of {@code from} by a read of {@code to} in ops and graph outputs. */
    public void replaceUses(int from, int to) {
      for (int i = 0; i < ops.size(); i++) {
        if (ops.get(i).inputs().contains(from)) {
          ops.set(i, ops.get(i).replacingInput(from, to));
        }
      }
      outputs.replaceAll(v -> v == from ? to : v);
    }

    /** Ops reading {@code valueId}, in order. */
    public List<Op> consumers(int valueId) {
      List<Op> l = new ArrayList<>();
      for (Op op : ops) {
        if (op.inputs().contains(valueId)) {
          l.add(op);
        }
      }
      return l;
    }

    /** The op writing {@code valueId}, or null. */
    public Op producer(int valueId) {
      for (Op op : ops) {
        if (op.outputs().contains(valueId)) {
          return op;
        }
      }
      return null;
    }

    public int indexOf(Op op) {
      for (int i = 0; i < ops.size(); i++) {
        if (ops.get(i).id() == op.id()) {
          return i;
        }
      }
      throw new IllegalArgumentException("op " + op + " is not in the graph");
    }

    public Graph build() {
      return new Graph(modelName, workload, ops, values, inputs, outputs);
    }
  }
}
