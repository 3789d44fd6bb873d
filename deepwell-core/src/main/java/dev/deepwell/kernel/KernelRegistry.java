package dev.deepwell.kernel;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.Shape;
import dev.deepwell.ir.TensorFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kernels known for every op, and binding: for an op on a target, try the providers in chain
 * order ({@link KernelProvider#CUTLASS} -> {@link KernelProvider#CUBLASLT} ->
 * {@link KernelProvider#REFERENCE_GPU} -> {@link KernelProvider#CPU}) and take the first kernel
 * whose architecture, operand formats, fusions and alignment all fit, recording why each earlier
 * provider was passed over. Immutable; a provider can be disabled with a reason (for example when
 * the native library is absent at run time).
 */
public final class KernelRegistry {

  private final List<KernelDescriptor> kernels;
  private final Map<KernelProvider, String> disabled;

  private KernelRegistry(List<KernelDescriptor> kernels, Map<KernelProvider, String> disabled) {
    this.kernels = List.copyOf(kernels);
    Set<String> ids = new HashSet<>();
    for (KernelDescriptor k : this.kernels) {
      if (!ids.add(k.id())) {
        throw new IllegalArgumentException("duplicate kernel id " + k.id());
      }
    }
    this.disabled = Collections.unmodifiableMap(new EnumMap<>(disabled));
  }

  /** A registry of exactly {@code kernels}. */
  public static KernelRegistry of(List<KernelDescriptor> kernels) {
    Objects.requireNonNull(kernels, "kernels");
    return new KernelRegistry(kernels, new EnumMap<>(KernelProvider.class));
  }

  /** The standard catalogue: see {@link StandardKernels}. */
  public static KernelRegistry standard() {
    return of(StandardKernels.all());
  }

  /** A copy with {@code kernel} added. */
  public KernelRegistry with(KernelDescriptor kernel) {
    Objects.requireNonNull(kernel, "kernel");
    List<KernelDescriptor> l = new ArrayList<>(kernels);
    l.add(kernel);
    return new KernelRegistry(l, disabled.isEmpty()
        ? new EnumMap<>(KernelProvider.class) : new EnumMap<>(disabled));
  }

  /** A copy in which {@code provider} is skipped, with {@code reason} recorded at each binding. */
  public KernelRegistry withProviderDisabled(KernelProvider provider, String reason) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(reason, "reason");
    if (provider == KernelProvider.CPU) {
      throw new IllegalArgumentException("the CPU provider is the last resort and cannot be "
          + "disabled");
    }
    EnumMap<KernelProvider, String> d = disabled.isEmpty()
        ? new EnumMap<>(KernelProvider.class) : new EnumMap<>(disabled);
    d.put(provider, reason);
    return new KernelRegistry(kernels, d);
  }

  /**
   * Chooses the kernel of one GEMM problem at run time (see {@link GemmKernelSelector}): the
   * providers this registry disables are passed over with their reasons, like those absent on
   * {@code target}.
   */
  public GemmSelection selectGemm(GemmProblem problem, GemmKernelCatalog catalog, GemmTarget target,
      int pointerAlignment, GemmPreference preference) {
    Objects.requireNonNull(target, "target");
    Map<KernelProvider, String> off = new EnumMap<>(KernelProvider.class);
    disabled.forEach((p, why) -> off.put(p, "disabled (" + why + ")"));
    return GemmKernelSelector.select(problem, catalog, target.withUnavailable(off), pointerAlignment, preference);
  }

  public List<KernelDescriptor> kernels() {
    return kernels;
  }

  /** The kernel with {@code id}. */
  public KernelDescriptor kernel(String id) {
    for (KernelDescriptor k : kernels) {
      if (k.id().equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("no kernel with id '" + id + "'");
  }

  /** The request {@code op} of {@code graph} makes. */
  public static KernelRequest requestFor(Op op, Graph graph) {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(graph, "graph");
    TensorFormat in = graph.value(op.input(0)).format();
    TensorFormat out = graph.value(op.output()).format();
    if (!op.kind().isGemm()) {
      return new KernelRequest(op.kind(), in, null, out, new LinkedHashSet<>(op.fused()), 0, 0, 0);
    }
    Shape x = graph.value(op.input(0)).shape();
    Shape w = graph.value(op.input(1)).shape();
    if (x == null || w == null) {
      throw new IllegalArgumentException("op '" + op.name() + "' has no shapes; run shape "
          + "inference before binding");
    }
    long m = x.dim(0);
    long n = op.kind() == OpKind.LINEAR ? w.dim(0) : w.dim(1);
    long k = x.last();
    return new KernelRequest(op.kind(), in, graph.value(op.input(1)).format(), out,
        new LinkedHashSet<>(op.fused()), m, n, k);
  }

  /** Binds {@code op} of {@code graph} for {@code target}. */
  public KernelBinding bind(Op op, Graph graph, CompileTarget target) {
    Objects.requireNonNull(target, "target");
    KernelRequest req = requestFor(op, graph);
    List<String> rejected = new ArrayList<>();
    for (KernelProvider provider : KernelProvider.values()) {
      if (provider == KernelProvider.DEEPWELL_GPU && !writtenFor(provider, req)) {
        continue; // specialised kernels are no fallback step for requests they were not written for
      }
      if (disabled.containsKey(provider)) {
        rejected.add(provider.displayName() + ": disabled (" + disabled.get(provider) + ")");
        continue;
      }
      if (provider != KernelProvider.CPU && target.isCpu()) {
        rejected.add(provider.displayName() + ": target cpu has no GPU");
        continue;
      }
      String best = null;
      int bestStage = -1;
      for (KernelDescriptor k : kernels) {
        if (k.provider() != provider || k.op() != req.op()) {
          continue;
        }
        Mismatch mm = mismatch(k, req, target);
        if (mm == null) {
          String reason = rejected.isEmpty()
              ? "first choice: " + provider.displayName() + " supports " + req
              : "fallback to " + provider.displayName() + " after " + rejected.size()
                  + " provider(s) could not run " + req;
          if (provider == KernelProvider.CPU && !target.isCpu()) {
            reason += "; runs on the host CPU, not the GPU";
          }
          return new KernelBinding(op.id(), op.name(), req, k, reason, rejected);
        }
        if (mm.stage > bestStage) {
          bestStage = mm.stage;
          best = k.id() + " " + mm.reason;
        }
      }
      rejected.add(provider.displayName() + ": "
          + (best == null ? "no " + req.op() + " kernel" : best));
    }
    throw new IllegalStateException("no kernel for op '" + op.name() + "' " + req + " on "
        + target + ": " + String.join("; ", rejected));
  }

  /** Whether {@code provider} has a kernel of {@code r}'s op that reads its formats. */
  private boolean writtenFor(KernelProvider provider, KernelRequest r) {
    for (KernelDescriptor k : kernels) {
      if (k.provider() == provider && k.op() == r.op() && k.inputFormats().contains(r.inputFormat())
          && (r.weightFormat() == null || k.weightFormats().contains(r.weightFormat()))) {
        return true;
      }
    }
    return false;
  }

  private static final class Mismatch {
    final int stage;
    final String reason;

    Mismatch(int stage, String reason) {
      this.stage = stage;
      this.reason = reason;
    }
  }

  /**
   * Why {@code k} cannot serve {@code r} on {@code t}, or null when it can. Checks run from the
   * most to the least fundamental (formats, architecture, fusions, alignment); the stage tells
   * how close a kernel came, so the rejection reported per provider is its closest kernel's.
   */
  private static Mismatch mismatch(KernelDescriptor k, KernelRequest r, CompileTarget t) {
    if (!k.inputFormats().contains(r.inputFormat())) {
      return new Mismatch(0, "does not read " + r.inputFormat().displayName() + " (reads "
          + names(k.inputFormats()) + ")");
    }
    if (r.weightFormat() != null && !k.weightFormats().contains(r.weightFormat())) {
      return new Mismatch(0, "does not read " + r.weightFormat().displayName() + " weights (reads "
          + names(k.weightFormats()) + ")");
    }
    if (!k.outputFormats().contains(r.outputFormat())) {
      return new Mismatch(0, "does not write " + r.outputFormat().displayName() + " (writes "
          + names(k.outputFormats()) + ")");
    }
    if (!k.arch().runsOn(t)) {
      return new Mismatch(1, "needs " + k.arch() + ", target is " + t);
    }
    if (!k.fusions().containsAll(r.fusions())) {
      Set<Object> missing = new LinkedHashSet<>(r.fusions());
      missing.removeAll(k.fusions());
      return new Mismatch(2, "cannot fuse " + missing);
    }
    if (r.op().isGemm() && (r.k() % k.alignment() != 0 || r.n() % k.alignment() != 0)) {
      return new Mismatch(3, "needs K and N multiples of " + k.alignment() + ", got K=" + r.k()
          + ", N=" + r.n());
    }
    String limit = r.op().isGemm() ? k.shapeLimits().refusal(r.m(), r.k()) : null;
    if (limit != null) {
      return new Mismatch(3, limit);
    }
    return null;
  }

  private static String names(Set<TensorFormat> formats) {
    return formats.stream().map(TensorFormat::displayName).sorted()
        .collect(Collectors.joining("|"));
  }
}
