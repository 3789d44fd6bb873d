package dev.deepwell.kernel.bench;

import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmProblem;
import java.util.Objects;

/**
 * One GEMM the benchmark times: a layer shape, the pass of it, and the operand format. The
 * problem has a BF16 output and no epilogue, as in a training step's plain matmuls.
 */
public record GemmBenchCase(GemmBenchShape shape, GemmPass pass, GemmInput input) {

  public GemmBenchCase {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(pass, "pass");
    Objects.requireNonNull(input, "input");
  }

  public long m() {
    return pass.problemShape(shape.m(), shape.n(), shape.k())[0];
  }

  public long n() {
    return pass.problemShape(shape.m(), shape.n(), shape.k())[1];
  }

  public long k() {
    return pass.problemShape(shape.m(), shape.n(), shape.k())[2];
  }

  /** The C ABI problem: (M, N, K) of the pass, this format, BF16 out, no epilogue. */
  public GemmProblem problem() {
    return GemmProblem.builder(m(), n(), k(), input).build();
  }

  @Override
  public String toString() {
    return shape.label() + " " + pass.displayName() + " " + input.displayName() + " (" + m() + "x" + n() + "x" + k()
        + ")";
  }
}
