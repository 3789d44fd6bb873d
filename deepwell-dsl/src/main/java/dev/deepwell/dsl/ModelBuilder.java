package dev.deepwell.dsl;

import dev.deepwell.compiler.CompileOptions;
import dev.deepwell.compiler.Engine;
import dev.deepwell.compiler.GraphCompiler;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.hw.HardwareInfo;
import dev.deepwell.hw.HardwareProbe;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.GraphCapture;
import dev.deepwell.kernel.CompileTarget;
import dev.deepwell.kernel.KernelRegistry;
import dev.deepwell.model.Mode;
import dev.deepwell.model.ModelSpec;
import dev.deepwell.model.Workload;
import dev.deepwell.plan.Optimizer;
import dev.deepwell.plan.TrainingSetup;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionConfig;
import dev.deepwell.precision.UnsupportedPrecisionMode;
import java.util.Objects;

/**
 * The fluent path from a model to an {@link Engine}:
 *
 * <pre>{@code
 * Engine engine = Deepwell.model(ModelPresets.llama7B())
 *     .precision(Precision.MXFP8)
 *     .sensitive("embedding", "lm_head")
 *     .batch(8).seqLen(4096)
 *     .target("b200")
 *     .optimize();
 * }</pre>
 *
 * Every setter checks its argument at once and names it; {@link #optimize()} checks the
 * combination (sequence length against the model, memory budget against the step). Defaults:
 * BF16, batch 1, the model's maximum sequence length, training, the probed GPU (or the CPU
 * backend when none is found), no memory budget, AdamW. Mutable; not thread-safe; each
 * {@link #optimize()} returns a new immutable engine.
 */
public final class ModelBuilder {

  private final ModelSpec spec;
  private PrecisionConfig.Builder precision = PrecisionConfig.builder();
  private int batch = 1;
  private int seqLen;
  private Mode mode = Mode.TRAINING;
  private CompileTarget target;
  private KernelRegistry registry = KernelRegistry.standard();
  private long memoryBudgetBytes = -1;
  private TrainingSetup trainingSetup = TrainingSetup.defaults();

  ModelBuilder(ModelSpec spec) {
    this.spec = Objects.requireNonNull(spec, "model");
    this.seqLen = spec.maxSeqLen();
  }

  /** Default compute precision of the GEMM layers. */
  public ModelBuilder precision(Precision p) {
    precision.defaultCompute(Objects.requireNonNull(p, "precision"));
    return this;
  }

  /** Replaces the whole precision configuration (sensitive layers, overrides, recipe). */
  public ModelBuilder precision(PrecisionConfig config) {
    this.precision = Objects.requireNonNull(config, "precision config").toBuilder();
    return this;
  }

  /** Layers to keep in high precision (names, dotted prefixes/suffixes or globs). */
  public ModelBuilder sensitive(String... layerPatterns) {
    precision.sensitive(layerPatterns);
    return this;
  }

  /** Runs the layers matching {@code layerPattern} in {@code p}. */
  public ModelBuilder override(String layerPattern, Precision p) {
    precision.override(layerPattern, p);
    return this;
  }

  /** Falls back to BF16 at run time where the quantization error exceeds {@code threshold}. */
  public ModelBuilder autoFallback(double threshold) {
    precision.enableAutoFallback(true).fallbackThreshold(threshold);
    return this;
  }

  /** What to do with a precision the target cannot run natively (default: refuse). */
  public ModelBuilder unsupportedPrecision(UnsupportedPrecisionMode m) {
    precision.unsupportedPrecision(m);
    return this;
  }

  public ModelBuilder batch(int batch) {
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be > 0, got " + batch);
    }
    this.batch = batch;
    return this;
  }

  public ModelBuilder seqLen(int seqLen) {
    if (seqLen <= 0) {
      throw new IllegalArgumentException("seqLen must be > 0, got " + seqLen);
    }
    this.seqLen = seqLen;
    return this;
  }

  public ModelBuilder mode(Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  public ModelBuilder training() {
    return mode(Mode.TRAINING);
  }

  public ModelBuilder inference() {
    return mode(Mode.INFERENCE);
  }

  /** A named target: "cpu", "h100", "h200", "b200", "b100", "rtx5090". */
  public ModelBuilder target(String name) {
    this.target = CompileTarget.named(Objects.requireNonNull(name, "target"));
    return this;
  }

  /** A probed (or described) GPU. */
  public ModelBuilder target(GpuInfo gpu) {
    this.target = CompileTarget.fromGpu(Objects.requireNonNull(gpu, "target"));
    return this;
  }

  /** The best GPU of a probe, or the CPU backend when it found none. */
  public ModelBuilder target(HardwareInfo hardware) {
    this.target = CompileTarget.probed(Objects.requireNonNull(hardware, "target"));
    return this;
  }

  public ModelBuilder target(CompileTarget target) {
    this.target = Objects.requireNonNull(target, "target");
    return this;
  }

  /** The kernel catalogue to bind against (default: the standard one). */
  public ModelBuilder kernels(KernelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "kernels");
    return this;
  }

  /** A memory budget: blocks are recomputed until the step fits, or optimize() fails. */
  public ModelBuilder memoryBudgetGb(double gigabytes) {
    if (!(gigabytes > 0) || Double.isInfinite(gigabytes)) {
      throw new IllegalArgumentException("memoryBudgetGb must be a finite number > 0, got "
          + gigabytes);
    }
    this.memoryBudgetBytes = (long) (gigabytes * 1e9);
    return this;
  }

  public ModelBuilder optimizer(Optimizer optimizer) {
    Objects.requireNonNull(optimizer, "optimizer");
    this.trainingSetup = new TrainingSetup(optimizer, trainingSetup.masterBytesPerParam(),
        trainingSetup.gradientBytesPerParam());
    return this;
  }

  public ModelBuilder trainingSetup(TrainingSetup setup) {
    this.trainingSetup = Objects.requireNonNull(setup, "trainingSetup");
    return this;
  }

  /** Captures, assigns precisions, runs the passes, binds kernels and plans memory. */
  public Engine optimize() {
    Workload workload = new Workload(batch, seqLen, mode).checkFits(spec);
    Graph graph = GraphCapture.capture(spec, workload);
    CompileOptions.Builder options = CompileOptions.builder().precision(precision.build())
        .target(target != null ? target : CompileTarget.probed(HardwareProbe.probe()))
        .registry(registry).trainingSetup(trainingSetup);
    if (memoryBudgetBytes > 0) {
      options.memoryBudgetBytes(memoryBudgetBytes);
    }
    return GraphCompiler.compile(graph, options.build());
  }
}
