package dev.deepwell.compiler;

import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.kernel.KernelBinding;
import java.util.List;
import java.util.Objects;

/**
 * One op of the compiled step with its operands resolved and its kernel.
 *
 * @param op      the op
 * @param inputs  the values it reads
 * @param outputs the values it writes
 * @param binding the kernel it runs and why
 */
public record CompiledOp(Op op, List<TensorValue> inputs, List<TensorValue> outputs,
    KernelBinding binding) {
  public CompiledOp {
    Objects.requireNonNull(op, "op");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    Objects.requireNonNull(binding, "binding");
  }
}
