package dev.deepwell.compiler;

import dev.deepwell.ir.Graph;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.precision.Precision;
import dev.deepwell.precision.PrecisionPolicy;
import java.util.Objects;

/**
 * Writes the policy onto the ops: each layer op gets its layer's precision, every other op the
 * model's high precision. When the default compute is FP32, BF16 activations and parameters are
 * switched to FP32 storage.
 */
public final class ApplyPrecisionPass implements Pass {

  private final PrecisionPolicy policy;

  public ApplyPrecisionPass(PrecisionPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  @Override
  public String name() {
    return "apply-precision";
  }

  @Override
  public Graph run(Graph graph, CompileLog log) {
    Graph.Editor e = graph.edit();
    boolean fp32 = policy.config().defaultCompute() == Precision.FP32;
    Precision high = fp32 ? Precision.FP32 : Precision.BF16;
    if (fp32) {
      for (TensorValue v : graph.values().values()) {
        if (v.format() == TensorFormat.BF16
            && (v.kind() == ValueKind.ACTIVATION || v.kind() == ValueKind.PARAMETER
                || v.kind() == ValueKind.INPUT)) {
          e.putValue(v.withFormat(TensorFormat.FP32));
        }
      }
      log.note(name(), "FP32 model: activations and parameters stored in FP32");
    }
    int low = 0;
    for (int i = 0; i < e.ops().size(); i++) {
      Op op = e.ops().get(i);
      Precision p = policy.hasLayer(op.name()) ? policy.layer(op.name()).precision() : high;
      if (p.isLowPrecision()) {
        low++;
      }
      e.ops().set(i, op.withPrecision(p));
    }
    log.note(name(), low + " of " + policy.layerPrecisions().size()
        + " layers in low precision");
    return e.build();
  }
}
