package dev.deepwell.plan;

import java.util.Objects;

/**
 * What a training step keeps per parameter besides the compute weights.
 *
 * @param optimizer               the optimizer (its state bytes per parameter)
 * @param masterBytesPerParam     master-weight bytes per parameter (4: FP32 master weights)
 * @param gradientBytesPerParam   gradient bytes per parameter (4: FP32 accumulation)
 */
public record TrainingSetup(Optimizer optimizer, int masterBytesPerParam,
    int gradientBytesPerParam) {

  public TrainingSetup {
    Objects.requireNonNull(optimizer, "optimizer");
    if (masterBytesPerParam != 2 && masterBytesPerParam != 4) {
      throw new IllegalArgumentException(
          "masterBytesPerParam must be 2 (BF16) or 4 (FP32), got " + masterBytesPerParam);
    }
    if (gradientBytesPerParam != 2 && gradientBytesPerParam != 4) {
      throw new IllegalArgumentException(
          "gradientBytesPerParam must be 2 (BF16) or 4 (FP32), got " + gradientBytesPerParam);
    }
  }

  /** AdamW with FP32 master weights and FP32 gradients: 16 bytes per parameter. */
  public static TrainingSetup defaults() {
    return new TrainingSetup(Optimizer.ADAMW, 4, 4);
  }

  /** Optimizer state bytes per parameter. */
  public int optimizerStateBytes() {
    return optimizer.stateBytesPerParam();
  }
}
