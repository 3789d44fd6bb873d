package dev.deepwell.ir;

import dev.deepwell.precision.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One operation: what it is, which values it reads and writes (by id), its attributes, the
 * precision it runs in (null before precision assignment) and what the fusion pass folded into
 * it. Immutable; the {@code with*} methods return modified copies.
 */
public final class Op {

  private final int id;
  private final OpKind kind;
  private final String name;
  private final LayerRole role;
  private final int block;
  private final List<Integer> inputs;
  private final List<Integer> outputs;
  private final Attrs attrs;
  private final Precision precision;
  private final List<Fusion> fused;

  /**
   * @param id        unique within the graph
   * @param kind      the operation
   * @param name      the layer name, e.g. "layers.3.mlp.down"
   * @param role      what the op is for
   * @param block     index of the transformer block it belongs to, -1 outside blocks
   * @param inputs    value ids read
   * @param outputs   value ids written (at least one)
   * @param attrs     attributes
   * @param precision compute precision, null before assignment
   * @param fused     fusions folded in, in the order applied
   */
  public Op(int id, OpKind kind, String name, LayerRole role, int block, List<Integer> inputs,
      List<Integer> outputs, Attrs attrs, Precision precision, List<Fusion> fused) {
    this.id = id;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.name = Objects.requireNonNull(name, "name");
    this.role = Objects.requireNonNull(role, "role");
    this.block = block;
    this.inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    this.outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    this.attrs = Objects.requireNonNull(attrs, "attrs");
    this.precision = precision;
    this.fused = List.copyOf(Objects.requireNonNull(fused, "fused"));
    if (id < 0) {
      throw new IllegalArgumentException("op id must be >= 0, got " + id);
    }
    if (block < -1) {
      throw new IllegalArgumentException("block must be >= -1, got " + block);
    }
    if (this.outputs.isEmpty()) {
      throw new IllegalArgumentException("op '" + name + "' (" + kind + ") has no outputs");
    }
  }

  public int id() {
    return id;
  }

  public OpKind kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  public LayerRole role() {
    return role;
  }

  public int block() {
    return block;
  }

  public List<Integer> inputs() {
    return inputs;
  }

  public int input(int i) {
    return inputs.get(i);
  }

  public List<Integer> outputs() {
    return outputs;
  }

  public int output() {
    return outputs.get(0);
  }

  public Attrs attrs() {
    return attrs;
  }

  /** The compute precision, or null before precision assignment. */
  public Precision precision() {
    return precision;
  }

  public List<Fusion> fused() {
    return fused;
  }

  public boolean hasFusion(Fusion f) {
    return fused.contains(f);
  }

  /** For LINEAR: whether input 2 is a bias. */
  public boolean hasBias() {
    return attrs.getBoolean(Attrs.HAS_BIAS, false);
  }

  public Op withInputs(List<Integer> newInputs) {
    return new Op(id, kind, name, role, block, newInputs, outputs, attrs, precision, fused);
  }

  public Op withOutputs(List<Integer> newOutputs) {
    return new Op(id, kind, name, role, block, inputs, newOutputs, attrs, precision, fused);
  }

  public Op withPrecision(Precision p) {
    return new Op(id, kind, name, role, block, inputs, outputs, attrs, p, fused);
  }

  public Op withAttrs(Attrs a) {
    return new Op(id, kind, name, role, block, inputs, outputs, a, precision, fused);
  }

  public Op withFusion(Fusion f) {
    List<Fusion> l = new ArrayList<>(fused);
    l.add(Objects.requireNonNull(f, "fusion"));
    return new Op(id, kind, name, role, block, inputs, outputs, attrs, precision, l);
  }

  /** The input ids with {@code from} replaced by {@code to}. */
  public Op replacingInput(int from, int to) {
    List<Integer> l = new ArrayList<>(inputs);
    l.replaceAll(v -> v == from ? to : v);
    return withInputs(l);
  }

  @Override
  public String toString() {
    return "#" + id + " " + kind + " " + name + (precision == null ? "" : " (" + precision + ")")
        + (fused.isEmpty() ? "" : " +" + fused) + " " + inputs + " -> " + outputs;
  }
}
