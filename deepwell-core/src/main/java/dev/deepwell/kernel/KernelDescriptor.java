package dev.deepwell.kernel;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import java.util.Objects;
import java.util.Set;

/**
 * What one kernel can do: the op, the architectures, the operand formats, the fusions it folds
 * in and the alignment it needs. A descriptor carries no code: a backend maps {@link #id()} to its
 * implementation, so the same catalogue serves planning for any target and execution where the
 * backend is present.
 *
 * @param id              stable name, e.g. "cutlass.sm100.gemm.mxfp8"
 * @param provider        where it comes from (sets its place in the fallback chain)
 * @param op              the op kind it implements
 * @param arch            where it runs
 * @param inputFormats    accepted formats of the data input (GEMMs: the activation operand)
 * @param weightFormats   accepted weight formats (GEMMs only; empty otherwise)
 * @param outputFormats   formats it can write
 * @param fusions         fusions it can fold in
 * @param alignment       multiple that a GEMM's K and N must be (1: any)
 * @param workspaceBytes  scratch memory it needs while running
 * @param emulated        true when it computes a format it has no native support for
 *                        (dequantize, then higher-precision math)
 * @param notes           anything a reader of a plan should know
 * @param shapeLimits     a GEMM's own rules on K and M beyond the alignment
 *                        ({@link GemmShapeLimits#NONE} for none, and for every other op)
 */
public record KernelDescriptor(
    String id,
    KernelProvider provider,
    OpKind op,
    ArchSupport arch,
    Set<TensorFormat> inputFormats,
    Set<TensorFormat> weightFormats,
    Set<TensorFormat> outputFormats,
    Set<Fusion> fusions,
    int alignment,
    long workspaceBytes,
    boolean emulated,
    String notes,
    GemmShapeLimits shapeLimits) {

  /** A kernel with no shape rules beyond its alignment. */
  public KernelDescriptor(String id, KernelProvider provider, OpKind op, ArchSupport arch,
      Set<TensorFormat> inputFormats, Set<TensorFormat> weightFormats, Set<TensorFormat> outputFormats,
      Set<Fusion> fusions, int alignment, long workspaceBytes, boolean emulated, String notes) {
    this(id, provider, op, arch, inputFormats, weightFormats, outputFormats, fusions, alignment,
        workspaceBytes, emulated, notes, GemmShapeLimits.NONE);
  }

  public KernelDescriptor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(arch, "arch");
    inputFormats = Set.copyOf(inputFormats);
    weightFormats = Set.copyOf(weightFormats);
    outputFormats = Set.copyOf(outputFormats);
    fusions = Set.copyOf(fusions);
    Objects.requireNonNull(notes, "notes");
    Objects.requireNonNull(shapeLimits, "shapeLimits");
    if (id.isBlank()) {
      throw new IllegalArgumentException("kernel id must not be blank");
    }
    if (inputFormats.isEmpty() || outputFormats.isEmpty()) {
      throw new IllegalArgumentException("kernel " + id + " must accept and produce some format");
    }
    if (op.isGemm() == weightFormats.isEmpty()) {
      throw new IllegalArgumentException("kernel " + id + ": weight formats are given exactly "
          + "for GEMM ops");
    }
    if (alignment < 1) {
      throw new IllegalArgumentException("kernel " + id + ": alignment must be >= 1, got "
          + alignment);
    }
    if (!op.isGemm() && !shapeLimits.equals(GemmShapeLimits.NONE)) {
      throw new IllegalArgumentException("kernel " + id + ": shape limits are for GEMM ops");
    }
    if (workspaceBytes < 0) {
      throw new IllegalArgumentException("kernel " + id + ": workspaceBytes must be >= 0");
    }
    if ((provider == KernelProvider.CPU) != arch.isCpu()) {
      throw new IllegalArgumentException("kernel " + id + ": CPU kernels and only they run on "
          + "the CPU architecture");
    }
  }
}
