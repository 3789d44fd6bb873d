package dev.deepwell.ir;

import java.util.Objects;

/**
 * One tensor of the graph.
 *
 * @param id          unique within its graph
 * @param name        readable name (parameters: the parameter's name)
 * @param shape       dimensions; null until shape inference for activations
 * @param format      storage format
 * @param kind        input, parameter, weight copy or activation
 * @param sourceParam for a {@link ValueKind#WEIGHT_COPY}: the id of its parameter; -1 otherwise
 */
public record TensorValue(
    int id, String name, Shape shape, TensorFormat format, ValueKind kind, int sourceParam) {

  public TensorValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(kind, "kind");
    if (id < 0) {
      throw new IllegalArgumentException("id must be >= 0, got " + id);
    }
    if (kind != ValueKind.ACTIVATION && shape == null) {
      throw new IllegalArgumentException(kind + " value '" + name + "' needs a shape");
    }
    if ((kind == ValueKind.WEIGHT_COPY) != (sourceParam >= 0)) {
      throw new IllegalArgumentException(
          "sourceParam is set exactly for weight copies; value '" + name + "' is " + kind);
    }
  }

  public TensorValue withShape(Shape s) {
    return new TensorValue(id, name, s, format, kind, sourceParam);
  }

  public TensorValue withFormat(TensorFormat f) {
    return new TensorValue(id, name, shape, f, kind, sourceParam);
  }

  /** Storage bytes; the shape must be known. */
  public long bytes() {
    if (shape == null) {
      throw new IllegalStateException(
          "value '" + name + "' has no shape yet (run shape inference)");
    }
    return format.storageBytes(shape);
  }

  @Override
  public String toString() {
    return name + ":" + format.displayName() + (shape == null ? "[?]" : shape.toString());
  }
}
