package dev.deepwell.precision;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The precision of every layer of one compiled model, with the reason for each, the history of
 * fallbacks (compile time and run time) and the warnings raised while assigning. Immutable: a
 * run-time fallback yields a new policy through {@link #withFallback(FallbackEvent)}.
 *
 * <p>The assignment rules live in {@code dev.deepwell.compiler.PrecisionAssigner}; this class is
 * the result.
 */
public final class PrecisionPolicy {

  private final PrecisionConfig config;
  private final String target;
  private final Map<String, LayerPrecision> layers;
  private final List<FallbackEvent> history;
  private final List<String> warnings;

  /**
   * @param config   the configuration the policy was assigned from
   * @param target   name of the target it was assigned for (e.g. "b200", "cpu")
   * @param layers   layer precisions in graph order
   * @param history  fallbacks so far, oldest first
   * @param warnings assignment warnings (unknown patterns etc.)
   */
  public PrecisionPolicy(PrecisionConfig config, String target, List<LayerPrecision> layers,
      List<FallbackEvent> history, List<String> warnings) {
    this.config = Objects.requireNonNull(config, "config");
    this.target = Objects.requireNonNull(target, "target");
    Objects.requireNonNull(layers, "layers");
    Map<String, LayerPrecision> m = new LinkedHashMap<>();
    for (LayerPrecision lp : layers) {
      Objects.requireNonNull(lp, "layers element");
      if (m.put(lp.layer(), lp) != null) {
        throw new IllegalArgumentException("layer '" + lp.layer() + "' assigned twice");
      }
    }
    this.layers = Collections.unmodifiableMap(m);
    this.history = List.copyOf(Objects.requireNonNull(history, "history"));
    this.warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
  }

  public PrecisionConfig config() {
    return config;
  }

  /** The target the policy was assigned for. */
  public String target() {
    return target;
  }

  /** Layer name -> precision with reason, in graph order. */
  public Map<String, LayerPrecision> layerPrecisions() {
    return layers;
  }

  /** Every fallback so far, oldest first. */
  public List<FallbackEvent> fallbackHistory() {
    return history;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** The precision of {@code layer}. */
  public LayerPrecision layer(String layer) {
    LayerPrecision lp = layers.get(Objects.requireNonNull(layer, "layer"));
    if (lp == null) {
      throw new IllegalArgumentException("no layer '" + layer + "' in the policy; layers: "
          + LayerPatterns.nearMatches(layer, layers.keySet(), 5) + " are the nearest names");
    }
    return lp;
  }

  /** True when {@code layer} is in the policy. */
  public boolean hasLayer(String layer) {
    return layers.containsKey(Objects.requireNonNull(layer, "layer"));
  }

  /** A policy in which {@code event}'s layer runs in {@code event.to()}, the event appended. */
  public PrecisionPolicy withFallback(FallbackEvent event) {
    Objects.requireNonNull(event, "event");
    LayerPrecision old = layer(event.layer());
    if (old.precision() != event.from()) {
      throw new IllegalArgumentException("fallback of layer '" + event.layer() + "' from "
          + event.from() + " but the layer runs in " + old.precision());
    }
    List<LayerPrecision> updated = new ArrayList<>();
    for (LayerPrecision lp : layers.values()) {
      updated.add(lp.layer().equals(event.layer())
          ? new LayerPrecision(lp.layer(), event.to(), lp.requested(), event.reason(),
              event.detail(), false)
          : lp);
    }
    List<FallbackEvent> h = new ArrayList<>(history);
    h.add(event);
    return new PrecisionPolicy(config, target, updated, h, warnings);
  }

  /** One line per layer: name, precision, reason and detail. */
  public String summary() {
    int width = 5;
    for (String name : layers.keySet()) {
      width = Math.max(width, name.length());
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-" + width + "s  %-9s  %s%n", "layer", "precision", "reason"));
    for (LayerPrecision lp : layers.values()) {
      sb.append(String.format("%-" + width + "s  %-9s  %s: %s%s%n", lp.layer(),
          lp.precision().cliName(), lp.reason(), lp.detail(), lp.emulated() ? " [EMULATED]" : ""));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "PrecisionPolicy{target=" + target + ", layers=" + layers.size() + ", fallbacks="
        + history.size() + "}";
  }
}
