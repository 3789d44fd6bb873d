package dev.deepwell.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A custom model: layers applied one after the other. The input is token ids when the first layer
 * is an {@link LayerSpec.Embedding}, otherwise a [tokens, inputFeatures] activation. Immutable;
 * {@link Builder#build()} checks that each layer's input width is what the previous layer
 * produces, naming both layers when it is not.
 */
public final class SequentialSpec implements ModelSpec {

  private final String name;
  private final List<LayerSpec> layers;
  private final int inputFeatures;
  private final int maxSeqLen;

  private SequentialSpec(String name, List<LayerSpec> layers, int inputFeatures, int maxSeqLen) {
    this.name = name;
    this.layers = List.copyOf(layers);
    this.inputFeatures = inputFeatures;
    this.maxSeqLen = maxSeqLen;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  public List<LayerSpec> layers() {
    return layers;
  }

  /** Width of the input activation; 0 when the model starts with an embedding. */
  public int inputFeatures() {
    return inputFeatures;
  }

  public boolean startsWithEmbedding() {
    return layers.get(0) instanceof LayerSpec.Embedding;
  }

  @Override
  public int maxSeqLen() {
    return maxSeqLen;
  }

  @Override
  public long parameterCount() {
    long n = 0;
    for (LayerSpec l : layers) {
      if (l instanceof LayerSpec.Embedding) {
        LayerSpec.Embedding e = (LayerSpec.Embedding) l;
        n += (long) e.vocabSize() * e.dim();
      } else if (l instanceof LayerSpec.Linear) {
        LayerSpec.Linear li = (LayerSpec.Linear) l;
        n += (long) li.in() * li.out() + (li.bias() ? li.out() : 0);
      } else if (l instanceof LayerSpec.RmsNorm) {
        n += ((LayerSpec.RmsNorm) l).dim();
      } else if (l instanceof LayerSpec.LayerNorm) {
        n += 2L * ((LayerSpec.LayerNorm) l).dim();
      } else if (l instanceof LayerSpec.Attention) {
        LayerSpec.Attention a = (LayerSpec.Attention) l;
        n += (long) a.dim() * a.qkvWidth() + (long) a.dim() * a.dim();
      }
    }
    return n;
  }

  /** Output width of the whole model. */
  public int outputWidth() {
    int w = inputFeatures;
    for (LayerSpec l : layers) {
      w = widthAfter(l, w);
    }
    return w;
  }

  static int widthAfter(LayerSpec l, int in) {
    if (l instanceof LayerSpec.Embedding) {
      return ((LayerSpec.Embedding) l).dim();
    }
    if (l instanceof LayerSpec.Linear) {
      return ((LayerSpec.Linear) l).out();
    }
    return in;
  }

  @Override
  public String toString() {
    return name + "{sequential, " + layers.size() + " layers, maxSeq=" + maxSeqLen + "}";
  }

  /** Mutable builder of a sequential model. */
  public static final class Builder {
    private final String name;
    private final List<LayerSpec> layers = new ArrayList<>();
    private int inputFeatures;
    private int maxSeqLen;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
    }

    /** Width of the input activation when the first layer is not an embedding. */
    public Builder inputFeatures(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("inputFeatures must be > 0, got " + n);
      }
      this.inputFeatures = n;
      return this;
    }

    public Builder maxSeqLen(int s) {
      if (s <= 0) {
        throw new IllegalArgumentException("maxSeqLen must be > 0, got " + s);
      }
      this.maxSeqLen = s;
      return this;
    }

    public Builder add(LayerSpec layer) {
      layers.add(Objects.requireNonNull(layer, "layer"));
      return this;
    }

    public Builder embedding(String name, int vocabSize, int dim) {
      return add(new LayerSpec.Embedding(name, vocabSize, dim));
    }

    public Builder linear(String name, int in, int out, boolean bias) {
      return add(new LayerSpec.Linear(name, in, out, bias));
    }

    public Builder rmsNorm(String name, int dim) {
      return add(new LayerSpec.RmsNorm(name, dim, 1e-5));
    }

    public Builder layerNorm(String name, int dim) {
      return add(new LayerSpec.LayerNorm(name, dim, 1e-5));
    }

    public Builder activation(String name, ActivationKind kind) {
      return add(new LayerSpec.Activation(name, kind));
    }

    public Builder attention(String name, int dim, int heads, int kvHeads, boolean rope,
        boolean causal) {
      return add(new LayerSpec.Attention(name, dim, heads, kvHeads, rope, causal));
    }

    public SequentialSpec build() {
      if (layers.isEmpty()) {
        throw new IllegalArgumentException("model '" + name + "' has no layers");
      }
      if (maxSeqLen <= 0) {
        throw new IllegalArgumentException("maxSeqLen must be set (> 0) for model '" + name + "'");
      }
      Set<String> names = new HashSet<>();
      boolean embeddingFirst = layers.get(0) instanceof LayerSpec.Embedding;
      if (embeddingFirst && inputFeatures != 0) {
        throw new IllegalArgumentException("inputFeatures must not be set when the first layer '"
            + layers.get(0).name() + "' is an embedding");
      }
      if (!embeddingFirst && inputFeatures == 0) {
        throw new IllegalArgumentException("inputFeatures must be set when the first layer '"
            + layers.get(0).name() + "' is not an embedding");
      }
      int width = inputFeatures;
      String producer = "the input";
      for (int i = 0; i < layers.size(); i++) {
        LayerSpec l = layers.get(i);
        if (!names.add(l.name())) {
          throw new IllegalArgumentException("duplicate layer name '" + l.name() + "'");
        }
        if (l instanceof LayerSpec.Embedding && i > 0) {
          throw new IllegalArgumentException(
              "embedding layer '" + l.name() + "' must be the first layer, found at " + i);
        }
        int expected = inputWidth(l);
        if (expected > 0 && expected != width) {
          throw new IllegalArgumentException("layer '" + l.name() + "' expects width " + expected
              + " but " + producer + " produces " + width);
        }
        width = widthAfter(l, width);
        producer = "layer '" + l.name() + "'";
      }
      return new SequentialSpec(name, layers, inputFeatures, maxSeqLen);
    }

    private static int inputWidth(LayerSpec l) {
      if (l instanceof LayerSpec.Linear) {
        return ((LayerSpec.Linear) l).in();
      }
      if (l instanceof LayerSpec.RmsNorm) {
        return ((LayerSpec.RmsNorm) l).dim();
      }
      if (l instanceof LayerSpec.LayerNorm) {
        return ((LayerSpec.LayerNorm) l).dim();
      }
      if (l instanceof LayerSpec.Attention) {
        return ((LayerSpec.Attention) l).dim();
      }
      return 0; // embedding (first) and activations keep/define the width themselves
    }
  }
}
