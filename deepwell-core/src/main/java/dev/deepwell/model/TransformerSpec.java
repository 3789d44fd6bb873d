package dev.deepwell.model;

import java.util.Objects;

/**
 * A decoder-only transformer: token embedding, {@code layers} pre-norm blocks of attention and
 * MLP (dense or mixture-of-experts), a final norm and the output projection (lm_head). Immutable;
 * {@link #builder(Architecture)} validates at {@code build()} and names the offending field.
 */
public final class TransformerSpec implements ModelSpec {

  private final String name;
  private final Architecture architecture;
  private final int vocabSize;
  private final int dModel;
  private final int layers;
  private final int heads;
  private final int kvHeads;
  private final int ffnHidden;
  private final int maxSeqLen;
  private final boolean tiedEmbeddings;
  private final double normEps;
  private final double ropeTheta;
  private final MoeSpec moe;

  private TransformerSpec(Builder b) {
    this.name = b.name;
    this.architecture = b.architecture;
    this.vocabSize = b.vocabSize;
    this.dModel = b.dModel;
    this.layers = b.layers;
    this.heads = b.heads;
    this.kvHeads = b.kvHeads == 0 ? b.heads : b.kvHeads;
    this.ffnHidden = b.ffnHidden;
    this.maxSeqLen = b.maxSeqLen;
    this.tiedEmbeddings = b.tiedEmbeddings;
    this.normEps = b.normEps;
    this.ropeTheta = b.ropeTheta;
    this.moe = b.moe;
  }

  public static Builder builder(Architecture architecture) {
    return new Builder(Objects.requireNonNull(architecture, "architecture"));
  }

  public Builder toBuilder() {
    return new Builder(architecture).name(name).vocabSize(vocabSize).dModel(dModel)
        .layers(layers).heads(heads).kvHeads(kvHeads).ffnHidden(ffnHidden).maxSeqLen(maxSeqLen)
        .tiedEmbeddings(tiedEmbeddings).normEps(normEps).ropeTheta(ropeTheta).moe(moe);
  }

  @Override
  public String name() {
    return name;
  }

  public Architecture architecture() {
    return architecture;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int dModel() {
    return dModel;
  }

  public int layers() {
    return layers;
  }

  public int heads() {
    return heads;
  }

  /** Key/value heads (grouped-query attention); equal to {@link #heads()} for multi-head. */
  public int kvHeads() {
    return kvHeads;
  }

  public int headDim() {
    return dModel / heads;
  }

  /** Hidden width of the dense MLP (SwiGLU: of each of gate and up). */
  public int ffnHidden() {
    return ffnHidden;
  }

  @Override
  public int maxSeqLen() {
    return maxSeqLen;
  }

  /** True when the lm_head reuses the embedding table. */
  public boolean tiedEmbeddings() {
    return tiedEmbeddings;
  }

  public double normEps() {
    return normEps;
  }

  public double ropeTheta() {
    return ropeTheta;
  }

  /** The mixture-of-experts MLP, or null for a dense MLP. */
  public MoeSpec moe() {
    return moe;
  }

  public boolean isMoe() {
    return moe != null;
  }

  /** Output width of the fused q/k/v projection: (heads + 2 kvHeads) x headDim. */
  public int qkvWidth() {
    return (heads + 2 * kvHeads) * headDim();
  }

  @Override
  public long parameterCount() {
    long d = dModel;
    long perLayer = d * qkvWidth() + d * d; // qkv, o_proj
    boolean gpt2 = architecture == Architecture.GPT2;
    if (gpt2) {
      perLayer += qkvWidth() + d;          // their biases
      perLayer += 4 * d;                   // two LayerNorms, weight + bias
    } else {
      perLayer += 2 * d;                   // two RMSNorm weights
    }
    if (moe != null) {
      perLayer += (long) moe.experts() * d                        // router
          + (long) moe.experts() * 3L * d * moe.expertHidden();   // gate, up, down per expert
    } else if (gpt2) {
      perLayer += 2 * d * ffnHidden + ffnHidden + d;              // fc + proj, with biases
    } else {
      perLayer += 3 * d * ffnHidden;                              // gate, up, down
    }
    long total = perLayer * layers + (long) vocabSize * d;        // + token embedding
    total += gpt2 ? 2 * d : d;                                    // final norm
    if (gpt2) {
      total += (long) maxSeqLen * d;                              // learned positions
    }
    if (!tiedEmbeddings) {
      total += (long) vocabSize * d;                              // separate lm_head
    }
    return total;
  }

  @Override
  public String toString() {
    return name + "{" + architecture + ", vocab=" + vocabSize + ", d=" + dModel + ", layers="
        + layers + ", heads=" + heads + ", kvHeads=" + kvHeads + ", ffn=" + ffnHidden
        + ", maxSeq=" + maxSeqLen + (tiedEmbeddings ? ", tied" : "")
        + (moe != null ? ", moe=" + moe : "") + "}";
  }

  /** Mutable builder; {@link #build()} checks every field and the relations between them. */
  public static final class Builder {
    private final Architecture architecture;
    private String name = "custom";
    private int vocabSize;
    private int dModel;
    private int layers;
    private int heads;
    private int kvHeads;
    private int ffnHidden;
    private int maxSeqLen;
    private boolean tiedEmbeddings;
    private double normEps = 1e-5;
    private double ropeTheta = 10000.0;
    private MoeSpec moe;

    private Builder(Architecture architecture) {
      this.architecture = architecture;
    }

    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    public Builder vocabSize(int v) {
      this.vocabSize = v;
      return this;
    }

    public Builder dModel(int d) {
      this.dModel = d;
      return this;
    }

    public Builder layers(int n) {
      this.layers = n;
      return this;
    }

    public Builder heads(int h) {
      this.heads = h;
      return this;
    }

    /** Key/value heads; 0 (the default) means equal to heads. */
    public Builder kvHeads(int g) {
      this.kvHeads = g;
      return this;
    }

    public Builder ffnHidden(int f) {
      this.ffnHidden = f;
      return this;
    }

    public Builder maxSeqLen(int s) {
      this.maxSeqLen = s;
      return this;
    }

    public Builder tiedEmbeddings(boolean tied) {
      this.tiedEmbeddings = tied;
      return this;
    }

    public Builder normEps(double eps) {
      this.normEps = eps;
      return this;
    }

    public Builder ropeTheta(double theta) {
      this.ropeTheta = theta;
      return this;
    }

    /** A mixture-of-experts MLP in every block; null for dense. */
    public Builder moe(MoeSpec moe) {
      this.moe = moe;
      return this;
    }

    public TransformerSpec build() {
      positive("vocabSize", vocabSize);
      positive("dModel", dModel);
      positive("layers", layers);
      positive("heads", heads);
      positive("maxSeqLen", maxSeqLen);
      if (moe == null) {
        positive("ffnHidden", ffnHidden);
      } else if (ffnHidden < 0) {
        throw new IllegalArgumentException("ffnHidden must be >= 0, got " + ffnHidden);
      }
      if (kvHeads < 0) {
        throw new IllegalArgumentException(
            "kvHeads must be > 0 (or 0 for = heads), got " + kvHeads);
      }
      if (dModel % heads != 0) {
        throw new IllegalArgumentException("heads " + heads + " does not divide dModel " + dModel
            + " (head dimension would be " + ((double) dModel / heads) + ")");
      }
      int g = kvHeads == 0 ? heads : kvHeads;
      if (g > heads || heads % g != 0) {
        throw new IllegalArgumentException(
            "kvHeads " + g + " must divide heads " + heads + " (grouped-query attention)");
      }
      if (architecture == Architecture.LLAMA && (dModel / heads) % 2 != 0) {
        throw new IllegalArgumentException("head dimension " + (dModel / heads)
            + " must be even for rotary position embedding (dModel " + dModel + " / heads "
            + heads + ")");
      }
      if (architecture == Architecture.GPT2 && moe != null) {
        throw new IllegalArgumentException(
            "moe is supported for the LLAMA architecture only (SwiGLU experts)");
      }
      if (!(normEps > 0) || Double.isInfinite(normEps)) {
        throw new IllegalArgumentException("normEps must be a finite number > 0, got " + normEps);
      }
      if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
        throw new IllegalArgumentException(
            "ropeTheta must be a finite number > 1, got " + ropeTheta);
      }
      return new TransformerSpec(this);
    }

    private static void positive(String field, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(field + " must be > 0, got " + value);
      }
    }
  }
}
