package dev.deepwell.cpu;

import dev.deepwell.precision.FallbackEvent;
import dev.deepwell.precision.PrecisionPolicy;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a CPU forward pass produced.
 *
 * @param outputs          graph outputs by value name (logits [tokens x vocab] row-major, or the
 *                         loss as a one-element array)
 * @param policy           the policy after this pass (with any run-time fallbacks applied)
 * @param runtimeFallbacks the fallbacks this pass triggered
 */
public record ForwardResult(Map<String, float[]> outputs, PrecisionPolicy policy,
    List<FallbackEvent> runtimeFallbacks) {

  public ForwardResult {
    outputs = Map.copyOf(outputs);
    Objects.requireNonNull(policy, "policy");
    runtimeFallbacks = List.copyOf(runtimeFallbacks);
  }

  /** The output called {@code name} (a copy). */
  public float[] output(String name) {
    float[] a = outputs.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no output '" + name + "'; outputs: " + outputs.keySet());
    }
    return a.clone();
  }
}
