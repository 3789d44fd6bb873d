package dev.deepwell.plan;

/** Optimizers and the FP32 state each keeps per parameter. */
public enum Optimizer {
  /** First and second moments, FP32: 8 bytes per parameter. */
  ADAMW(8),
  /** One momentum buffer, FP32: 4 bytes per parameter. */
  SGD_MOMENTUM(4),
  /** No state. */
  SGD(0);

  private final int stateBytesPerParam;

  Optimizer(int stateBytesPerParam) {
    this.stateBytesPerParam = stateBytesPerParam;
  }

  public int stateBytesPerParam() {
    return stateBytesPerParam;
  }
}
