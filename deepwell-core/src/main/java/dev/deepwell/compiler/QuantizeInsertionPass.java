package dev.deepwell.compiler;

import dev.deepwell.ir.Attrs;
import dev.deepwell.ir.Graph;
import dev.deepwell.ir.LayerRole;
import dev.deepwell.ir.Op;
import dev.deepwell.ir.OpKind;
import dev.deepwell.ir.TensorFormat;
import dev.deepwell.ir.TensorValue;
import dev.deepwell.ir.ValueKind;
import dev.deepwell.precision.Precision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives every low-precision GEMM operands in its format: the weight becomes a quantized
 * {@link ValueKind#WEIGHT_COPY} of the parameter (shared by GEMMs that read the same parameter in
 * the same format), and a QUANTIZE op is inserted before the GEMM for its activation operand
 * (shared by GEMMs that read the same activation in the same format).
 */
public final class QuantizeInsertionPass implements Pass {

  private final boolean nvfp4TwoDimensionalWeights;

  public QuantizeInsertionPass(boolean nvfp4TwoDimensionalWeights) {
    this.nvfp4TwoDimensionalWeights = nvfp4TwoDimensionalWeights;
  }

  @Override
  public String name() {
    return "insert-quantize";
  }

  @Override
  public Graph run(Graph graph, CompileLog log) {
    Graph.Editor e = graph.edit();
    Map<String, Integer> copies = new HashMap<>();
    Map<String, Integer> quantized = new HashMap<>();
    int inserted = 0;
    for (int i = 0; i < e.ops().size(); i++) {
      Op op = e.ops().get(i);
      Precision p = op.precision();
      if (!op.kind().isGemm() || p == null || !p.isLowPrecision()) {
        continue;
      }
      TensorFormat wf = TensorFormat.weightFormat(p, nvfp4TwoDimensionalWeights);
      TensorFormat af = TensorFormat.activationFormat(p);
      int w = op.input(1);
      TensorValue wv = e.value(w);
      if (wv.kind() == ValueKind.PARAMETER) {
        int copy = copies.computeIfAbsent(w + "@" + wf, k ->
            e.addValue(wv.name() + "@" + wf.displayName(), wv.shape(), wf,
                ValueKind.WEIGHT_COPY, w));
        op = op.replacingInput(w, copy);
      }
      int x = op.input(0);
      TensorValue xv = e.value(x);
      if (xv.format() != af) {
        Integer q = quantized.get(x + "@" + af);
        if (q == null) {
          q = e.addValue(xv.name() + "@" + af.displayName(), xv.shape(), af,
              ValueKind.ACTIVATION, -1);
          quantized.put(x + "@" + af, q);
          Op quant = new Op(e.newOpId(), OpKind.QUANTIZE, op.name() + ".quantize",
              LayerRole.AUXILIARY, op.block(), List.of(x), List.of(q),
              Attrs.empty().with(Attrs.FORMAT, af.name()), p, List.of());
          e.ops().add(i, quant);
          i++;
          inserted++;
        }
        op = op.replacingInput(x, q);
      }
      e.ops().set(i, op);
    }
    log.note(name(), inserted + " quantize ops, " + copies.size() + " quantized weight copies");
    return e.build();
  }
}
