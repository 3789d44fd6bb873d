package dev.deepwell.precision;

import java.util.Objects;

/**
 * The precision assigned to one layer and why.
 *
 * @param layer     the layer name, e.g. {@code "layers.3.mlp.down"}
 * @param precision the precision the layer runs in
 * @param requested what the configuration asked for before any fallback or mapping
 * @param reason    the rule that decided
 * @param detail    the rule applied to this layer, in words (e.g. "K=100 is not a multiple of 32")
 * @param emulated  true when the target runs this format by emulation rather than natively
 */
public record LayerPrecision(
    String layer,
    Precision precision,
    Precision requested,
    PrecisionReason reason,
    String detail,
    boolean emulated) {

  public LayerPrecision {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(requested, "requested");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    if (layer.isBlank()) {
      throw new IllegalArgumentException("layer must not be blank");
    }
  }

  /** True when the layer runs in a different precision than was asked for. */
  public boolean fellBack() {
    return precision != requested;
  }
}
