package dev.deepwell.gpu.gemm;

import dev.deepwell.gpu.CudaStream;
import dev.deepwell.gpu.gemm.GemmOperands.Field;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.KernelProvider;
import java.util.Objects;

/**
 * One planned GEMM with its operands, as an op to profile. Launches go through
 * {@link GpuGemm#run(GemmPlan, GemmOperands)}'s checks but are not counted in its summary.
 */
public final class GemmCall implements ProfiledOp {

  private final GpuGemm gemm;
  private final GemmPlan plan;
  private final GemmOperands ops;

  private GemmCall(GpuGemm gemm, GemmPlan plan, GemmOperands ops) {
    this.gemm = gemm;
    this.plan = plan;
    this.ops = ops;
  }

  /** {@code plan} of {@code gemm} with {@code ops}, checked now. */
  public static GemmCall of(GpuGemm gemm, GemmPlan plan, GemmOperands ops) {
    Objects.requireNonNull(gemm, "gemm");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(ops, "ops");
    GemmValidator.validate(plan.problem(), ops, plan.device());
    return new GemmCall(gemm, plan, ops);
  }

  public GemmPlan plan() {
    return plan;
  }

  @Override
  public String name() {
    return plan.kernelName();
  }

  @Override
  public KernelProvider provider() {
    return plan.provider();
  }

  @Override
  public double flops() {
    return plan.problem().flops();
  }

  /** A, B, D and every scale, bias and residual the problem reads, once each. */
  @Override
  public double bytes() {
    return minimumBytes(plan.problem());
  }

  /** The bytes a perfect kernel moves for {@code p}. */
  public static double minimumBytes(GemmProblem p) {
    double total = 0;
    for (Field f : Field.values()) {
      if (OperandLayout.required(p, f)) {
        total += OperandLayout.expect(p, f).bytes();
      }
    }
    return total;
  }

  @Override
  public CudaStream stream() {
    return gemm.stream();
  }

  @Override
  public void launch() {
    gemm.launchUnrecorded(plan, ops);
  }

  @Override
  public String toString() {
    return "GemmCall{" + plan + "}";
  }
}
