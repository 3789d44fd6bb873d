package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaContextLostException;
import dev.deepwell.gpu.CudaEvent;
import dev.deepwell.gpu.CudaException;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.hw.GpuInfo;
import dev.deepwell.kernel.GemmKernelCatalog;
import dev.deepwell.kernel.GemmPreference;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.GemmSelection;
import dev.deepwell.kernel.GemmTarget;
import dev.deepwell.kernel.GemmVariant;
import dev.deepwell.kernel.KernelProvider;
import dev.deepwell.kernel.KernelRegistry;
import dev.deepwell.kernel.KernelSummary;
import dev.deepwell.kernel.KernelUsageLog;
import java.lang.ref.Reference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * GEMMs on the GPU through deepwell/gemm.h: {@code D = outScale * act(alpha * A B^T + bias) +
 * residual} for BF16, FP8 (per tensor, 1x128/128x128 blocks), MXFP8 and NVFP4 operands.
 *
 * <p>Each problem is bound to a kernel by the {@link KernelRegistry} along CUTLASS -> cuBLASLt ->
 * reference GPU -> CPU, with the CUTLASS tile chosen by problem size; every backend passed over
 * is recorded with its reason in the {@link GemmPlan}. A backend whose native planner refuses
 * the problem is passed over the same way. Everything is checked before a launch (see
 * {@link GemmOperands}): missing or surplus arguments, sizes, shapes, element widths, formats,
 * alignment, closed buffers, overlapping output; a problem with M or N = 0 is a no-op.
 *
 * <p>Work goes on the scope's stream, asynchronously, except on the CPU backend (synchronous).
 * Plan first ({@link #plan}) to have the workspace allocated and the kernel chosen before a CUDA
 * graph capture; with {@code timeOps} each GPU op is also bracketed by two timing events for
 * {@link #kernelSummary()} (turn it off for graph capture). Use from one thread at a time, like
 * its stream.
 *
 * <pre>{@code
 * try (CudaStream stream = device.createStream(); DeviceScope scope = DeviceScope.open(stream);
 *      GpuGemm gemm = GpuGemm.create(scope)) {
 *   GemmProblem p = GemmProblem.builder(m, n, k, GemmInput.BF16).activation(GemmActivation.GELU).build();
 *   GemmOperands ops = GemmOperands.builder().a(DeviceView.of(a)).b(DeviceView.of(w)).d(DeviceView.of(y)).build();
 *   GemmPlan plan = gemm.run(p, ops);
 *   System.out.println(plan.selection());
 * }
 * }</pre>
 */
public final class GpuGemm implements AutoCloseable {

  private record PlanKey(GemmProblem problem, int alignmentClass, GemmPreference preference) {}

  private final DeviceScope scope;
  private final CudaStream stream;
  private final long streamHandle;
  private final int device;
  private final KernelRegistry registry;
  private final GemmKernelCatalog catalog;
  private final GemmTarget target;
  private final List<String> notes;
  private final int planBytes;
  private final KernelUsageLog usage = new KernelUsageLog();
  private final OpTimer timer;
  private final Map<PlanKey, GemmPlan> plans = new HashMap<>();
  private DeviceBuffer workspace;
  private boolean closed;

  private GpuGemm(DeviceScope scope, long streamHandle, KernelRegistry registry, NativeGemmCatalog.Discovery d,
      GemmTarget target, boolean timeOps) {
    this.scope = scope;
    this.stream = scope.stream();
    this.streamHandle = streamHandle;
    this.device = stream.device().ordinal();
    this.registry = registry;
    this.catalog = d.catalog();
    this.target = target;
    this.notes = List.copyOf(d.notes());
    this.planBytes = GemmNatives.planInfoSize();
    this.timer = timeOps ? new OpTimer(stream.device()) : null;
  }

  /** A GEMM on {@code scope}'s stream with the standard registry, timing each op. */
  public static GpuGemm create(DeviceScope scope) {
    return create(scope, KernelRegistry.standard(), true);
  }

  /**
   * A GEMM on {@code scope}'s stream.
   *
   * @param registry its disabled providers are passed over (e.g. to measure without CUTLASS)
   * @param timeOps  bracket each GPU op with timing events for {@link #kernelSummary()}
   * @throws dev.deepwell.gpu.GpuUnavailableException without a usable GPU
   */
  public static GpuGemm create(DeviceScope scope, KernelRegistry registry, boolean timeOps) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(registry, "registry");
    NativeLibrary.requireReady();
    CudaStream stream = scope.stream();
    if (stream.isClosed()) {
      throw new IllegalStateException("the scope's stream is closed: " + stream);
    }
    long handle = GemmNatives.streamHandle(stream);
    GpuInfo info = stream.device().info();
    NativeGemmCatalog.Discovery d = NativeGemmCatalog.discover(stream.device().ordinal(), info.smVersion());
    GemmTarget target = GemmTarget.fromGpu(info).withUnavailable(d.unavailable());
    return new GpuGemm(scope, handle, registry, d, target, timeOps);
  }

  /** The device as the selector sees it: architecture, SMs, backends absent here and why. */
  public GemmTarget target() {
    return target;
  }

  /** The kernels the loaded library offers. */
  public GemmKernelCatalog catalog() {
    return catalog;
  }

  /** What the discovery of the library's kernels could not settle (empty normally). */
  public List<String> notes() {
    return notes;
  }

  public CudaStream stream() {
    return stream;
  }

  // ---- planning ---------------------------------------------------------------------------

  /** The kernel for {@code p} with these operands (their alignment counts), along the whole chain. */
  public GemmPlan plan(GemmProblem p, GemmOperands ops) {
    return plan(p, ops, GemmPreference.AUTO);
  }

  /**
   * The kernel for {@code p} with these operands; a preferred backend or variant that cannot run
   * it throws {@link IllegalArgumentException} with the reason.
   */
  public GemmPlan plan(GemmProblem p, GemmOperands ops, GemmPreference preference) {
    ensureOpen();
    int align = GemmValidator.validate(p, ops, device);
    return planFor(p, align, Objects.requireNonNull(preference, "preference"));
  }

  /**
   * The kernel for {@code p} before any memory exists, for operands whose addresses are all
   * multiples of {@code pointerAlignment} (a power of two; device allocations are 256-aligned).
   */
  public GemmPlan plan(GemmProblem p, int pointerAlignment, GemmPreference preference) {
    ensureOpen();
    Objects.requireNonNull(p, "problem");
    Objects.requireNonNull(preference, "preference");
    if (pointerAlignment < 1 || Integer.bitCount(pointerAlignment) != 1) {
      throw new IllegalArgumentException("pointerAlignment must be a power of two >= 1, got " + pointerAlignment);
    }
    return planFor(p, Math.min(pointerAlignment, GemmValidator.MAX_ALIGNMENT), preference);
  }

  private synchronized GemmPlan planFor(GemmProblem p, int align, GemmPreference pref) {
    // Every kernel needs 16-byte alignment or less, so plans for 16 and 256 are the same.
    PlanKey key = new PlanKey(p, Math.min(align, 16), pref);
    GemmPlan cached = plans.get(key);
    if (cached != null) {
      return cached;
    }
    GemmPlan plan = resolve(p, align, pref);
    plans.put(key, plan);
    return plan;
  }

  private GemmPlan resolve(GemmProblem p, int align, GemmPreference pref) {
    GemmTarget t = target;
    for (int attempt = 0; attempt <= KernelProvider.values().length; attempt++) {
      GemmSelection sel = registry.selectGemm(p, catalog, t, align, pref);
      if (sel.provider() == KernelProvider.CPU) {
        return new GemmPlan(p, sel, device, sel.variant().name(), 0, 0, 0, null);
      }
      CudaException refused;
      try {
        return nativePlan(p, sel, sel.variant().index(), null);
      } catch (CudaException e) {
        refused = refusal(e);
      }
      String why = "refused when planning: " + refused.detail();
      boolean chooseOwn = pref.variant() < 0 && catalog.variants(sel.provider(), p.input()).size() > 1;
      if (chooseOwn) {
        // The Java tile choice named a configuration the planner refused: its own choice may run.
        try {
          return nativePlan(p, sel, -1, "the native planner refused " + sel.variant().name() + " (" + refused.detail()
              + ") and chose");
        } catch (CudaException e) {
          why = "refused when planning: " + refusal(e).detail();
        }
      }
      if (!pref.isAuto()) {
        throw new IllegalArgumentException(sel.provider().displayName() + " cannot run " + p + ": " + why, refused);
      }
      t = t.withUnavailable(sel.provider(), why);
    }
    throw new IllegalStateException("no kernel for " + p + " after every backend refused");
  }

  /** {@code e} when it says "this backend cannot run the problem"; rethrows anything else. */
  private static CudaException refusal(CudaException e) {
    boolean refusal = !(e instanceof CudaContextLostException) && (e.code() == GemmAbi.DW_ERROR_GEMM_UNSUPPORTED
        || e.code() == GemmAbi.DW_ERROR_LIBRARY_MISSING || e.code() == GemmAbi.DW_ERROR_INTERNAL);
    if (!refusal) {
      throw e;
    }
    return e;
  }

  private GemmPlan nativePlan(GemmProblem p, GemmSelection sel, int variant, String nativeChoiceNote) {
    NativeLibrary.requireReady();
    byte[] buf = new byte[planBytes];
    long[] info = new long[4];
    String name = GemmNatives.plan(device, p.m(), p.n(), p.k(), GemmAbi.input(p.input()), GemmAbi.output(p.output()),
        GemmAbi.activation(p.activation()), p.alpha(), p.outScale(), p.hasBias(), p.hasResidual(),
        GemmAbi.backend(sel.provider(), target.smVersion()), variant, 0, buf, info);
    KernelProvider planned = GemmAbi.provider((int) info[0]);
    if (planned != sel.provider()) {
      throw new IllegalStateException("asked the native planner for " + sel.provider() + ", it planned " + planned);
    }
    int nativeVariant = (int) info[1];
    GemmSelection s = sel;
    if (nativeChoiceNote != null || nativeVariant != sel.variant().index()) {
      List<GemmVariant> vs = catalog.variants(sel.provider(), p.input());
      GemmVariant v = nativeVariant < vs.size() ? vs.get(nativeVariant) : sel.variant();
      s = new GemmSelection(p, v, sel.reason() + (nativeChoiceNote == null ? "" : "; " + nativeChoiceNote + " " + name),
          sel.rejected());
    }
    ensureWorkspace(info[3]);
    return new GemmPlan(p, s, device, name, nativeVariant, (int) info[2], info[3], buf);
  }

  private void ensureWorkspace(long bytes) {
    if (bytes <= 0 || (workspace != null && workspace.size() >= bytes)) {
      return;
    }
    // Freed in stream order after the work already enqueued that uses it.
    if (workspace != null) {
      workspace.close();
    }
    workspace = null;
    workspace = scope.allocate(bytes);
  }

  // ---- running ----------------------------------------------------------------------------

  /** Plans (cached per problem) and runs {@code p}; returns the plan it ran. */
  public GemmPlan run(GemmProblem p, GemmOperands ops) {
    return run(p, ops, GemmPreference.AUTO);
  }

  /** Plans with a preference (cached) and runs {@code p}; returns the plan it ran. */
  public GemmPlan run(GemmProblem p, GemmOperands ops, GemmPreference preference) {
    ensureOpen();
    int align = GemmValidator.validate(p, ops, device);
    GemmPlan plan = planFor(p, align, Objects.requireNonNull(preference, "preference"));
    launch(plan, ops, align, true);
    return plan;
  }

  /**
   * Runs a plan of this GEMM with {@code ops} (checked against the plan's problem). Allocates
   * nothing for a GPU plan, so it may be captured into a CUDA graph (with timing off).
   */
  public void run(GemmPlan plan, GemmOperands ops) {
    launch(plan, ops, true);
  }

  /** For the profiler: runs without counting the op in the summary. */
  void launchUnrecorded(GemmPlan plan, GemmOperands ops) {
    launch(plan, ops, false);
  }

  private void launch(GemmPlan plan, GemmOperands ops, boolean record) {
    ensureOpen();
    Objects.requireNonNull(plan, "plan");
    if (plan.device() != device) {
      throw new IllegalArgumentException("the plan is for device " + plan.device() + ", this GEMM runs on " + device);
    }
    int align = GemmValidator.validate(plan.problem(), ops, device);
    launch(plan, ops, align, record);
  }

  private void launch(GemmPlan plan, GemmOperands ops, int align, boolean record) {
    if (align < plan.requiredAlignment()) {
      throw new IllegalArgumentException(plan.kernelName() + " needs " + plan.requiredAlignment() + "-byte aligned "
          + "operands (TMA), these are aligned to " + align + " byte(s); plan with these operands to fall back");
    }
    GemmProblem p = plan.problem();
    if (p.isEmpty()) {
      return; // M or N = 0: nothing to write
    }
    if (!plan.onGpu()) {
      long t0 = System.nanoTime();
      HostGemm.run(stream, p, ops);
      if (record) {
        usage.record(KernelProvider.CPU, plan.kernelName(), (System.nanoTime() - t0) / 1e9,
            plan.selection().rejected());
      }
      return;
    }
    if (plan.workspaceBytes() > 0 && (workspace == null || workspace.size() < plan.workspaceBytes())) {
      ensureWorkspace(plan.workspaceBytes()); // a plan made by another GpuGemm of the same device
    }
    long s = handle();
    NativeLibrary.requireReady();
    CudaEvent start = record && timer != null ? timer.begin(stream) : null;
    try {
      GemmNatives.run(s, plan.nativePlan(), p.alpha(), p.outScale(), address(ops, Field.A), address(ops, Field.B),
          address(ops, Field.D), address(ops, Field.SCALE_A), address(ops, Field.SCALE_B),
          address(ops, Field.TENSOR_SCALE_A), address(ops, Field.TENSOR_SCALE_B), address(ops, Field.BIAS),
          address(ops, Field.RESIDUAL), plan.workspaceBytes() > 0 ? workspace.address() : 0, plan.workspaceBytes());
    } catch (RuntimeException e) {
      if (start != null) {
        timer.abandon(start);
      }
      throw e;
    } finally {
      Reference.reachabilityFence(ops);
      Reference.reachabilityFence(this);
    }
    if (record) {
      usage.record(plan.provider(), plan.kernelName(), Double.NaN, plan.selection().rejected());
      if (start != null) {
        timer.end(stream, start, plan.kernelName(), usage);
      }
    }
  }

  private static long address(GemmOperands ops, Field f) {
    DeviceView v = ops.get(f);
    return v == null ? 0 : v.address();
  }

  // ---- accounting -------------------------------------------------------------------------

  /**
   * The share of ops and of time per backend and per kernel since creation (or the last
   * {@link #clearSummary()}), with the fallback reasons. Waits for the timed ops to finish.
   */
  public KernelSummary kernelSummary() {
    ensureOpen();
    if (timer != null) {
      timer.resolveAll(usage);
    }
    return usage.summary();
  }

  /** Forgets the ops counted so far. */
  public void clearSummary() {
    ensureOpen();
    if (timer != null) {
      timer.resolveAll(usage);
    }
    usage.clear();
  }

  private long handle() {
    if (stream.isClosed()) {
      throw new IllegalStateException("the GEMM's stream is closed: " + stream);
    }
    return streamHandle;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("GpuGemm is closed");
    }
    if (stream.isClosed()) {
      throw new IllegalStateException("the GEMM's stream is closed: " + stream);
    }
  }

  /** Frees the workspace and the timing events; plans it made cannot run any more. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (timer != null) {
        timer.close();
      }
    } finally {
      if (workspace != null) {
        workspace.close();
      }
    }
  }
}
