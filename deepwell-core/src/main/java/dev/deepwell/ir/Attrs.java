package dev.deepwell.ir;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Immutable op attributes: long, double, boolean or string values by key. */
public final class Attrs {

  public static final String EPS = "eps";
  public static final String HEADS = "heads";
  public static final String KV_HEADS = "kvHeads";
  public static final String HEAD_DIM = "headDim";
  public static final String SEQ_LEN = "seqLen";
  public static final String CAUSAL = "causal";
  public static final String ROPE_THETA = "ropeTheta";
  public static final String TOP_K = "topK";
  public static final String EXPERTS = "experts";
  public static final String HAS_BIAS = "hasBias";
  /** QUANTIZE: the {@link TensorFormat} name of the output. */
  public static final String FORMAT = "format";

  private static final Attrs EMPTY = new Attrs(new TreeMap<>());

  private final Map<String, Object> values;

  private Attrs(TreeMap<String, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  public static Attrs empty() {
    return EMPTY;
  }

  /** A copy with {@code key} set to {@code value} (Long, Integer, Double, Boolean or String). */
  public Attrs with(String key, Object value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value of attribute " + key);
    Object v = value instanceof Integer ? Long.valueOf((Integer) value) : value;
    if (!(v instanceof Long || v instanceof Double || v instanceof Boolean
        || v instanceof String)) {
      throw new IllegalArgumentException("attribute " + key + " has unsupported type "
          + value.getClass().getSimpleName());
    }
    TreeMap<String, Object> m = new TreeMap<>(values);
    m.put(key, v);
    return new Attrs(m);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public long getLong(String key) {
    return (Long) require(key, Long.class);
  }

  public int getInt(String key) {
    return Math.toIntExact(getLong(key));
  }

  public double getDouble(String key) {
    return (Double) require(key, Double.class);
  }

  public boolean getBoolean(String key) {
    return (Boolean) require(key, Boolean.class);
  }

  public boolean getBoolean(String key, boolean dflt) {
    return has(key) ? getBoolean(key) : dflt;
  }

  public String getString(String key) {
    return (String) require(key, String.class);
  }

  public Map<String, Object> asMap() {
    return values;
  }

  private Object require(String key, Class<?> type) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("missing attribute '" + key + "'");
    }
    if (!type.isInstance(v)) {
      throw new IllegalStateException("attribute '" + key + "' is " + v.getClass().getSimpleName()
          + ", not " + type.getSimpleName());
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attrs && values.equals(((Attrs) o).values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
