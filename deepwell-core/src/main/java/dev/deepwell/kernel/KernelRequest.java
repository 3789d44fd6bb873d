package dev.deepwell.kernel;

import dev.deepwell.ir.Fusion;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import java.util.Objects;
import java.util.Set;

/**
 * What an op needs from a kernel.
 *
 * @param op           op kind
 * @param inputFormat  format of the data input
 * @param weightFormat format of the weight (GEMMs), or null
 * @param outputFormat format of the first output
 * @param fusions      fusions the op carries
 * @param m            GEMM rows (0 for other ops)
 * @param n            GEMM output columns (0 for other ops)
 * @param k            GEMM reduction length (0 for other ops)
 */
public record KernelRequest(OpKind op, TensorFormat inputFormat, TensorFormat weightFormat,
    TensorFormat outputFormat, Set<Fusion> fusions, long m, long n, long k) {

  public KernelRequest {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(inputFormat, "inputFormat");
    Objects.requireNonNull(outputFormat, "outputFormat");
    fusions = Set.copyOf(fusions);
    if (op.isGemm() && weightFormat == null) {
      throw new IllegalArgumentException("a GEMM request needs a weight format");
    }
  }

  @Override
  public String toString() {
    return op + " " + inputFormat.displayName()
        + (weightFormat == null ? "" : " x " + weightFormat.displayName()) + " -> "
        + outputFormat.displayName() + (fusions.isEmpty() ? "" : " +" + fusions)
        + (op.isGemm() ? " (M=" + m + ", N=" + n + ", K=" + k + ")" : "");
  }
}
