package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaException;
import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.DeviceBuffer;
import dev.deepwell.gpu.DeviceScope;
import dev.deepwell.gpu.NativeLibrary;
import dev.deepwell.gpu.gemm.GroupedGemmOperands.Field;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.KernelProvider;
import java.lang.ref.Reference;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Grouped GEMMs on the GPU through deepwell/gemm_grouped.h: the expert layers of a
 * mixture-of-experts model in one call, G GEMMs that share N and K with ragged, possibly empty
 * groups of rows (see {@link GroupedGemmProblem}). BF16 and FP8 block128 operands; CUTLASS's
 * sm_90a pointer-array kernels where they run (compute capability 9.0, 16-byte rows), else the
 * reference GPU kernel.
 *
 * <p>The group sizes may stay on the device (as routing leaves them): nothing is read back, so
 * a run is asynchronous and can be captured into a CUDA graph; a graph replays with whatever
 * sizes the device buffer holds then. Everything that can be checked on the host is checked
 * before a launch ({@link GroupedGemmValidator}). Work goes on the scope's stream; use from one
 * thread at a time, like its stream.
 *
 * <pre>{@code
 * try (GpuGroupedGemm moe = GpuGroupedGemm.create(scope)) {
 *   GroupedGemmProblem p = GroupedGemmProblem.builder(experts, tokens, n, k, GemmInput.BF16).build();
 *   GroupedGemmOperands ops = GroupedGemmOperands.builder().a(DeviceView.of(x)).b(DeviceView.of(w))
 *       .d(DeviceView.of(y)).groupSizes(DeviceView.of(tokensPerExpert)).build();
 *   moe.run(p, ops);
 * }
 * }</pre>
 */
public final class GpuGroupedGemm implements AutoCloseable {

  /** The alignment the native run requires of the workspace (CUTLASS's TMA descriptors). */
  static final int WORKSPACE_ALIGNMENT = 128;

  private record PlanKey(GroupedGemmProblem problem, int backend, int variant) {}

  private final DeviceScope scope;
  private final CudaStream stream;
  private final long streamHandle;
  private final int device;
  private final int planBytes;
  private final Map<PlanKey, GroupedGemmPlan> plans = new HashMap<>();
  private DeviceBuffer workspace;
  private boolean closed;

  private GpuGroupedGemm(DeviceScope scope, long streamHandle, int planBytes) {
    this.scope = scope;
    this.stream = scope.stream();
    this.streamHandle = streamHandle;
    this.device = stream.device().ordinal();
    this.planBytes = planBytes;
  }

  /**
   * A grouped GEMM on {@code scope}'s stream; its workspace is allocated from the scope.
   *
   * @throws dev.deepwell.gpu.GpuUnavailableException without a usable GPU
   */
  public static GpuGroupedGemm create(DeviceScope scope) {
    Objects.requireNonNull(scope, "scope");
    NativeLibrary.requireReady();
    CudaStream stream = scope.stream();
    if (stream.isClosed()) {
      throw new IllegalStateException("the scope's stream is closed: " + stream);
    }
    long handle = GemmNatives.streamHandle(stream);
    return new GpuGroupedGemm(scope, handle, GroupedGemmNatives.planInfoSize());
  }

  public CudaStream stream() {
    return stream;
  }

  /** Configurations {@code provider} has for {@code input} in the loaded library (0: none). */
  public static int variantCount(KernelProvider provider, GemmInput input) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(input, "input");
    NativeLibrary.requireReady();
    return GroupedGemmNatives.variantCount(backend(provider), GemmAbi.input(input));
  }

  private static int backend(KernelProvider p) {
    if (p != KernelProvider.CUTLASS && p != KernelProvider.REFERENCE_GPU) {
      throw new IllegalArgumentException("provider " + p.displayName() + " has no grouped GEMM (grouped: "
          + KernelProvider.CUTLASS.displayName() + ", " + KernelProvider.REFERENCE_GPU.displayName() + ")");
    }
    return GemmAbi.backend(p);
  }

  // ---- planning ---------------------------------------------------------------------------

  /** The kernel for {@code p}: CUTLASS if it can run it here, else the reference kernel. */
  public GroupedGemmPlan plan(GroupedGemmProblem p) {
    Objects.requireNonNull(p, "problem");
    return planFor(p, GemmAbi.BACKEND_AUTO, -1);
  }

  /**
   * The kernel of {@code provider} for {@code p}; {@code variant} -1 lets it choose, else forces
   * one configuration (benchmarks).
   *
   * @throws IllegalArgumentException if the provider cannot run the problem (the reason attached)
   */
  public GroupedGemmPlan plan(GroupedGemmProblem p, KernelProvider provider, int variant) {
    Objects.requireNonNull(p, "problem");
    int b = backend(Objects.requireNonNull(provider, "provider"));
    if (variant < -1) {
      throw new IllegalArgumentException("variant must be -1 (the backend's choice) or >= 0, got " + variant);
    }
    try {
      return planFor(p, b, variant);
    } catch (CudaException e) {
      if (e.code() == GemmAbi.DW_ERROR_GEMM_UNSUPPORTED || e.code() == GemmAbi.DW_ERROR_INVALID_ARGUMENT) {
        throw new IllegalArgumentException(provider.displayName() + " cannot run " + p + ": " + e.detail(), e);
      }
      throw e;
    }
  }

  private synchronized GroupedGemmPlan planFor(GroupedGemmProblem p, int backend, int variant) {
    ensureOpen();
    PlanKey key = new PlanKey(p, backend, variant);
    GroupedGemmPlan cached = plans.get(key);
    if (cached != null) {
      return cached;
    }
    NativeLibrary.requireReady();
    byte[] buf = new byte[planBytes];
    long[] info = new long[4];
    String name = GroupedGemmNatives.plan(device, p.groups(), p.maxTotalM(), p.n(), p.k(), GemmAbi.input(p.input()),
        GemmAbi.output(p.output()), GemmAbi.activation(p.activation()), p.alpha(), p.outScale(), p.hasBias(), backend,
        variant, 0, buf, info);
    GroupedGemmPlan plan = new GroupedGemmPlan(p, device, GemmAbi.provider((int) info[0]), name, (int) info[1],
        (int) info[2], info[3], buf);
    ensureWorkspace(plan.workspaceBytes());
    plans.put(key, plan);
    return plan;
  }

  private void ensureWorkspace(long bytes) {
    if (bytes <= 0 || (workspace != null && !workspace.isClosed() && workspace.size() >= bytes)) {
      return;
    }
    if (workspace != null) {
      workspace.close(); // freed in stream order, after the work already enqueued that uses it
    }
    workspace = null;
    workspace = scope.allocate(bytes);
  }

  // ---- running ----------------------------------------------------------------------------

  /** Plans {@code p} (cached) on the best backend and runs it; returns the plan it ran. */
  public GroupedGemmPlan run(GroupedGemmProblem p, GroupedGemmOperands ops) {
    Objects.requireNonNull(p, "problem");
    GroupedGemmValidator.validate(p, ops, device);
    GroupedGemmPlan plan = plan(p);
    launch(plan, ops);
    return plan;
  }

  /**
   * Runs a plan of this device with {@code ops} (checked against the plan's problem). Allocates
   * nothing when the plan was made by this object, so it may be captured into a CUDA graph.
   */
  public void run(GroupedGemmPlan plan, GroupedGemmOperands ops) {
    Objects.requireNonNull(plan, "plan");
    if (plan.device() != device) {
      throw new IllegalArgumentException("the plan is for device " + plan.device() + ", this grouped GEMM runs on "
          + device);
    }
    GroupedGemmValidator.validate(plan.problem(), ops, device);
    launch(plan, ops);
  }

  private void launch(GroupedGemmPlan plan, GroupedGemmOperands ops) {
    ensureOpen();
    ensureWorkspace(plan.workspaceBytes()); // a plan made by another GpuGroupedGemm of the device
    long ws = workspace.address();
    if (ws % WORKSPACE_ALIGNMENT != 0) {
      throw new IllegalStateException("the workspace at 0x" + Long.toHexString(ws) + " is not "
          + WORKSPACE_ALIGNMENT + "-byte aligned");
    }
    GroupedGemmProblem p = plan.problem();
    NativeLibrary.requireReady();
    try {
      GroupedGemmNatives.run(handle(), plan.nativePlan(), p.alpha(), p.outScale(), address(ops, Field.A),
          address(ops, Field.B), address(ops, Field.D), address(ops, Field.SCALE_A), address(ops, Field.SCALE_B),
          address(ops, Field.BIAS), address(ops, Field.GROUP_SIZES), ops.hostSizesUnsafe(),
          address(ops, Field.SIZES_CLAMPED), ws, workspace.size());
    } finally {
      Reference.reachabilityFence(ops);
      Reference.reachabilityFence(this);
    }
  }

  private static long address(GroupedGemmOperands ops, Field f) {
    DeviceView v = ops.get(f);
    return v == null ? 0 : v.address();
  }

  private long handle() {
    if (stream.isClosed()) {
      throw new IllegalStateException("the grouped GEMM's stream is closed: " + stream);
    }
    return streamHandle;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("GpuGroupedGemm is closed");
    }
    if (stream.isClosed()) {
      throw new IllegalStateException("the grouped GEMM's stream is closed: " + stream);
    }
  }

  /** Frees the workspace; plans it made stay valid for another GpuGroupedGemm of the device. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (workspace != null) {
      workspace.close();
    }
  }
}
