package dev.deepwell.model;

import java.util.Objects;

/**
 * The shape of one step: sequences per batch, tokens per sequence, training or inference.
 *
 * @param batch  sequences per step (> 0)
 * @param seqLen tokens per sequence (> 0)
 * @param mode   training or inference
 */
public record Workload(int batch, int seqLen, Mode mode) {
  public Workload {
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be > 0, got " + batch);
    }
    if (seqLen <= 0) {
      throw new IllegalArgumentException("seqLen must be > 0, got " + seqLen);
    }
    Objects.requireNonNull(mode, "mode");
    if ((long) batch * seqLen > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch * seqLen = " + ((long) batch * seqLen)
          + " tokens exceeds " + Integer.MAX_VALUE);
    }
  }

  /** Tokens per step, batch x seqLen. */
  public int tokens() {
    return batch * seqLen;
  }

  /** Checks that {@code spec} accepts sequences of this length. */
  public Workload checkFits(ModelSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (seqLen > spec.maxSeqLen()) {
      throw new IllegalArgumentException("seqLen " + seqLen + " exceeds the maximum sequence "
          + "length " + spec.maxSeqLen() + " of model " + spec.name());
    }
    return this;
  }
}
