package dev.deepwell.precision;

import java.util.Objects;

/**
 * One change of a layer's precision away from what was requested: at compile time (shape, size,
 * target support) or at run time (automatic fallback on measured quantization error).
 *
 * @param layer  the layer
 * @param from   the precision requested
 * @param to     the precision used instead
 * @param reason the rule
 * @param detail the rule applied, in words
 * @param phase  when it happened
 */
public record FallbackEvent(
    String layer, Precision from, Precision to, PrecisionReason reason, String detail,
    Phase phase) {

  /** When a fallback was decided. */
  public enum Phase { COMPILE, RUNTIME }

  public FallbackEvent {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(phase, "phase");
    if (from == to) {
      throw new IllegalArgumentException("a fallback must change the precision, got " + from
          + " -> " + to + " for layer " + layer);
    }
  }
}
