package dev.deepwell.kernel;

import dev.deepwell.ir.OpKind;
import dev.deepwell.precision.Precision;
import java.util.Objects;

/**
 * The roofline estimate of one op's forward execution.
 *
 * @param opName        the op's layer name
 * @param kind          op kind
 * @param flops         floating-point operations (0 for memory-only ops)
 * @param bytes         DRAM bytes read and written
 * @param mathPrecision precision of the math (null for memory-only ops)
 * @param seconds       max(flops / peak(mathPrecision), bytes / bandwidth)
 * @param computeBound  true when the flops term is the larger
 */
public record OpCost(String opName, OpKind kind, double flops, double bytes,
    Precision mathPrecision, double seconds, boolean computeBound) {
  public OpCost {
    Objects.requireNonNull(opName, "opName");
    Objects.requireNonNull(kind, "kind");
    if (flops < 0 || bytes < 0 || seconds < 0) {
      throw new IllegalArgumentException("negative cost for " + opName);
    }
  }
}
