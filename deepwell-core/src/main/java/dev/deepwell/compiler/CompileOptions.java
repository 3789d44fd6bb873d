package dev.deepwell.compiler;

import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.KernelRegistry;
import dev.deepwell.plan.TrainingSetup;
import dev.deepwell.precision.PrecisionConfig;
import java.util.Objects;

/**
 * Everything the compiler needs besides the graph. Immutable; {@link #builder()} defaults: BF16
 * precision, CPU target, the standard kernel registry, no memory budget, AdamW with FP32 master
 * weights and gradients.
 */
public final class CompileOptions {

  private final PrecisionConfig precision;
  private final CompileTarget target;
  private final KernelRegistry registry;
  private final long memoryBudgetBytes;
  private final TrainingSetup trainingSetup;

  private CompileOptions(Builder b) {
    this.precision = b.precision;
    this.target = b.target;
    this.registry = b.registry;
    this.memoryBudgetBytes = b.memoryBudgetBytes;
    this.trainingSetup = b.trainingSetup;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder().precision(precision).target(target).registry(registry)
        .trainingSetup(trainingSetup);
    b.memoryBudgetBytes = memoryBudgetBytes;
    return b;
  }

  public PrecisionConfig precision() {
    return precision;
  }

  public CompileTarget target() {
    return target;
  }

  public KernelRegistry registry() {
    return registry;
  }

  /** The step's memory budget in bytes, or -1 for none. */
  public long memoryBudgetBytes() {
    return memoryBudgetBytes;
  }

  public boolean hasMemoryBudget() {
    return memoryBudgetBytes > 0;
  }

  public TrainingSetup trainingSetup() {
    return trainingSetup;
  }

  /** Mutable builder. */
  public static final class Builder {
    private PrecisionConfig precision = PrecisionConfig.builder().build();
    private CompileTarget target = CompileTarget.cpu();
    private KernelRegistry registry = KernelRegistry.standard();
    private long memoryBudgetBytes = -1;
    private TrainingSetup trainingSetup = TrainingSetup.defaults();

    private Builder() {}

    public Builder precision(PrecisionConfig config) {
      this.precision = Objects.requireNonNull(config, "precision");
      return this;
    }

    public Builder target(CompileTarget target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    public Builder registry(KernelRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** A memory budget in bytes (> 0): blocks are recomputed until the step fits. */
    public Builder memoryBudgetBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryBudgetBytes must be > 0, got " + bytes);
      }
      this.memoryBudgetBytes = bytes;
      return this;
    }

    /** Removes the memory budget. */
    public Builder noMemoryBudget() {
      this.memoryBudgetBytes = -1;
      return this;
    }

    public Builder trainingSetup(TrainingSetup setup) {
      this.trainingSetup = Objects.requireNonNull(setup, "trainingSetup");
      return this;
    }

    public CompileOptions build() {
      return new CompileOptions(this);
    }
  }
}
