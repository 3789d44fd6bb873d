package dev.deepwell.model;

/**
 * A mixture-of-experts MLP: a router scores {@code experts} SwiGLU experts per token and the
 * token's output is the routing-weighted sum of its {@code topK} best experts.
 *
 * @param experts      number of experts E
 * @param topK         experts per token k (1 <= k <= E)
 * @param expertHidden hidden width of each expert's SwiGLU MLP
 */
public record MoeSpec(int experts, int topK, int expertHidden) {
  public MoeSpec {
    if (experts < 2) {
      throw new IllegalArgumentException("moe experts must be >= 2, got " + experts);
    }
    if (topK < 1 || topK > experts) {
      throw new IllegalArgumentException(
          "moe topK must be in [1, experts=" + experts + "], got " + topK);
    }
    if (expertHidden <= 0) {
      throw new IllegalArgumentException("moe expertHidden must be > 0, got " + expertHidden);
    }
  }
}
