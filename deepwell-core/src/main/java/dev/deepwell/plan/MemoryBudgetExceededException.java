package dev.deepwell.plan;

/**
 * The step does not fit the memory budget even with every transformer block recomputed. The
 * message gives the figures and, where the activations are what overflows, about how many
 * sequences per batch would fit.
 */
public final class MemoryBudgetExceededException extends IllegalArgumentException {

  private final long requiredBytes;
  private final long budgetBytes;
  private final int maxBatch;

  public MemoryBudgetExceededException(String message, long requiredBytes, long budgetBytes,
      int maxBatch) {
    super(message);
    this.requiredBytes = requiredBytes;
    this.budgetBytes = budgetBytes;
    this.maxBatch = maxBatch;
  }

  /** Bytes needed with the most recomputation possible. */
  public long requiredBytes() {
    return requiredBytes;
  }

  public long budgetBytes() {
    return budgetBytes;
  }

  /** Estimated largest batch that would fit; 0 when not even one sequence fits. */
  public int maxBatch() {
    return maxBatch;
  }
}
