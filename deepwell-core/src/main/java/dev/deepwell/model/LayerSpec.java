package dev.deepwell.model;

import java.util.Objects;

/** One layer of a {@link SequentialSpec}. Each record checks its own fields. */
public sealed interface LayerSpec {

  /** The layer's unique name within its model. */
  String name();

  /** Token ids [tokens] -> [tokens, dim]; must be the first layer when present. */
  record Embedding(String name, int vocabSize, int dim) implements LayerSpec {
    public Embedding {
      checkName(name);
      positive(name, "vocabSize", vocabSize);
      positive(name, "dim", dim);
    }
  }

  /** [tokens, in] -> [tokens, out], weight [out, in], optional bias. */
  record Linear(String name, int in, int out, boolean bias) implements LayerSpec {
    public Linear {
      checkName(name);
      positive(name, "in", in);
      positive(name, "out", out);
    }
  }

  record RmsNorm(String name, int dim, double eps) implements LayerSpec {
    public RmsNorm {
      checkName(name);
      positive(name, "dim", dim);
      checkEps(name, eps);
    }
  }

  record LayerNorm(String name, int dim, double eps) implements LayerSpec {
    public LayerNorm {
      checkName(name);
      positive(name, "dim", dim);
      checkEps(name, eps);
    }
  }

  record Activation(String name, ActivationKind kind) implements LayerSpec {
    public Activation {
      checkName(name);
      Objects.requireNonNull(kind, "kind of layer " + name);
    }
  }

  /**
   * Self-attention with its own projections: fused q/k/v [tokens, dim] -> [tokens, (heads +
   * 2 kvHeads) headDim], optional rotary embedding, scaled-dot-product attention, output
   * projection back to dim.
   */
  record Attention(String name, int dim, int heads, int kvHeads, boolean rope, boolean causal)
      implements LayerSpec {
    public Attention {
      checkName(name);
      positive(name, "dim", dim);
      positive(name, "heads", heads);
      positive(name, "kvHeads", kvHeads);
      if (dim % heads != 0) {
        throw new IllegalArgumentException("layer '" + name + "': heads " + heads
            + " does not divide dim " + dim);
      }
      if (heads % kvHeads != 0) {
        throw new IllegalArgumentException("layer '" + name + "': kvHeads " + kvHeads
            + " does not divide heads " + heads);
      }
      if (rope && (dim / heads) % 2 != 0) {
        throw new IllegalArgumentException("layer '" + name + "': head dimension " + (dim / heads)
            + " must be even for rotary embedding");
      }
    }

    public int headDim() {
      return dim / heads;
    }

    public int qkvWidth() {
      return (heads + 2 * kvHeads) * headDim();
    }
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "layer name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("layer name must not be blank");
    }
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw new IllegalArgumentException("layer name '" + name
          + "' may only contain letters, digits, '_', '-' and '.'");
    }
  }

  private static void positive(String layer, String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "layer '" + layer + "': " + field + " must be > 0, got " + value);
    }
  }

  private static void checkEps(String layer, double eps) {
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException(
          "layer '" + layer + "': eps must be a finite number > 0, got " + eps);
    }
  }
}
