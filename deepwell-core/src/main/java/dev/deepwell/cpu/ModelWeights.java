package dev.deepwell.cpu;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * FP32 master values of a model's parameters, by parameter name. Immutable (arrays are copied in
 * and out).
 */
public final class ModelWeights {

  private final Map<String, float[]> values;
  private final Map<String, Shape> shapes;

  private ModelWeights(Map<String, float[]> values, Map<String, Shape> shapes) {
    this.values = values;
    this.shapes = shapes;
  }

  /** Weights from explicit arrays; each must have its parameter's element count. */
  public static ModelWeights of(Graph graph, Map<String, float[]> values) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(values, "values");
    Map<String, float[]> v = new LinkedHashMap<>();
    Map<String, Shape> s = new LinkedHashMap<>();
    for (TensorValue p : graph.valuesOfKind(ValueKind.PARAMETER)) {
      float[] a = values.get(p.name());
      if (a == null) {
        throw new IllegalArgumentException("no values for parameter '" + p.name() + "'");
      }
      if (a.length != p.shape().numel()) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' has shape " + p.shape()
            + " (" + p.shape().numel() + " elements), got " + a.length + " values");
      }
      v.put(p.name(), a.clone());
      s.put(p.name(), p.shape());
    }
    for (String name : values.keySet()) {
      if (!v.containsKey(name)) {
        throw new IllegalArgumentException("'" + name + "' is not a parameter of the model");
      }
    }
    return new ModelWeights(Collections.unmodifiableMap(v), Collections.unmodifiableMap(s));
  }

  /**
   * Seeded random initialisation: norm weights 1 (+ small noise), norm biases small, matrices
   * uniform in +-1/sqrt(fan-in), embedding tables uniform in +-1, linear biases small. Each
   * parameter draws from its own stream (seed and name), so adding a parameter does not change
   * the others.
   */
  public static ModelWeights random(Graph graph, long seed) {
    Objects.requireNonNull(graph, "graph");
    Map<String, float[]> v = new LinkedHashMap<>();
    for (TensorValue p : graph.valuesOfKind(ValueKind.PARAMETER)) {
      SplittableRandom rnd = new SplittableRandom(seed * 31 + p.name().hashCode());
      int n = Math.toIntExact(p.shape().numel());
      float[] a = new float[n];
      String name = p.name();
      boolean norm = name.contains("norm");
      boolean table = name.startsWith("embedding") || name.startsWith("position_embedding");
      double bound;
      double center = 0;
      if (norm && name.endsWith(".weight")) {
        center = 1;
        bound = 0.1;
      } else if (name.endsWith(".bias")) {
        bound = 0.05;
      } else if (table) {
        bound = 1;
      } else {
        bound = 1 / Math.sqrt(p.shape().last());
      }
      for (int i = 0; i < n; i++) {
        a[i] = (float) (center + bound * (2 * rnd.nextDouble() - 1));
      }
      v.put(name, a);
    }
    return of(graph, v);
  }

  /** A copy of the values of {@code name}. */
  public float[] get(String name) {
    return values(name).clone();
  }

  /** The values without copying, for the executor. */
  float[] values(String name) {
    float[] a = values.get(Objects.requireNonNull(name, "name"));
    if (a == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'");
    }
    return a;
  }

  public Shape shape(String name) {
    Shape s = shapes.get(Objects.requireNonNull(name, "name"));
    if (s == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'");
    }
    return s;
  }

  public java.util.Set<String> names() {
    return values.keySet();
  }
}
