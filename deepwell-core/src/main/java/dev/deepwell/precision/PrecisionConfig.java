package dev.deepwell.precision;

import dev.deepwell.quant.ScaleRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the user asks for: a default compute precision, layers to keep in high precision, per-layer
 * overrides, the automatic-fallback settings and the quantization recipe. Immutable; build with
 * {@link #builder()} or {@link #of(Precision)}.
 *
 * <p>Layer patterns (in {@code sensitive} and {@code overrides}) match a layer name when the
 * pattern equals it, when it names a dot-separated prefix ({@code "layers.0"} matches
 * {@code "layers.0.mlp.down"}) or suffix ({@code "mlp.down"} matches every block's down
 * projection), or as a glob where {@code *} matches any run of characters.
 */
public final class PrecisionConfig {

  /** Default relative RMS quantization error above which a layer falls back at run time. */
  public static final double DEFAULT_FALLBACK_THRESHOLD = 0.2;
  /** Default minimum roofline speedup for a GEMM to be worth running in low precision. */
  public static final double DEFAULT_MIN_GEMM_SPEEDUP = 1.1;

  private final Precision defaultCompute;
  private final List<String> sensitive;
  private final Map<String, Precision> overrides;
  private final boolean enableAutoFallback;
  private final double fallbackThreshold;
  private final ScaleRule scaleRule;
  private final boolean nvfp4TwoDimensionalWeights;
  private final boolean hadamard;
  private final boolean stochasticRounding;
  private final UnsupportedPrecisionMode unsupportedPrecision;
  private final double minGemmSpeedup;

  private PrecisionConfig(Builder b) {
    this.defaultCompute = b.defaultCompute;
    this.sensitive = List.copyOf(b.sensitive);
    this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.overrides));
    this.enableAutoFallback = b.enableAutoFallback;
    this.fallbackThreshold = b.fallbackThreshold;
    this.scaleRule = b.scaleRule;
    this.nvfp4TwoDimensionalWeights = b.nvfp4TwoDimensionalWeights;
    this.hadamard = b.hadamard;
    this.stochasticRounding = b.stochasticRounding;
    this.unsupportedPrecision = b.unsupportedPrecision;
    this.minGemmSpeedup = b.minGemmSpeedup;
  }

  /** All defaults with {@code defaultCompute} as the default compute precision. */
  public static PrecisionConfig of(Precision defaultCompute) {
    return builder().defaultCompute(defaultCompute).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder()
        .defaultCompute(defaultCompute)
        .enableAutoFallback(enableAutoFallback)
        .fallbackThreshold(fallbackThreshold)
        .scaleRule(scaleRule)
        .nvfp4TwoDimensionalWeights(nvfp4TwoDimensionalWeights)
        .hadamard(hadamard)
        .stochasticRounding(stochasticRounding)
        .unsupportedPrecision(unsupportedPrecision)
        .minGemmSpeedup(minGemmSpeedup);
    b.sensitive.addAll(sensitive);
    b.overrides.putAll(overrides);
    return b;
  }

  /** Precision of every GEMM layer no other rule decides. Default BF16. */
  public Precision defaultCompute() {
    return defaultCompute;
  }

  /** Patterns of layers kept in high precision, in the order given. */
  public List<String> sensitive() {
    return sensitive;
  }

  /** Pattern -> precision, in insertion order; the first matching pattern wins. */
  public Map<String, Precision> overrides() {
    return overrides;
  }

  /** Whether a layer whose measured quantization error exceeds the threshold falls back to BF16. */
  public boolean enableAutoFallback() {
    return enableAutoFallback;
  }

  /** Relative RMS quantization error ({@code ||x - dq(q(x))|| / ||x||}) that triggers fallback. */
  public double fallbackThreshold() {
    return fallbackThreshold;
  }

  /** How MX block scales are chosen. Default {@link ScaleRule#CEIL}. */
  public ScaleRule scaleRule() {
    return scaleRule;
  }

  /** NVFP4 weights in 16x16 tiles (one copy serves both GEMM orientations). Default true. */
  public boolean nvfp4TwoDimensionalWeights() {
    return nvfp4TwoDimensionalWeights;
  }

  /** 16-point random Hadamard transform on NVFP4 weight-gradient operands. Default false. */
  public boolean hadamard() {
    return hadamard;
  }

  /** Stochastic rounding of NVFP4 gradients. Default false. */
  public boolean stochasticRounding() {
    return stochasticRounding;
  }

  /** What to do with a precision the target cannot run natively. Default ERROR. */
  public UnsupportedPrecisionMode unsupportedPrecision() {
    return unsupportedPrecision;
  }

  /** Minimum estimated speedup over BF16 for a GEMM to stay in low precision; 0 disables. */
  public double minGemmSpeedup() {
    return minGemmSpeedup;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PrecisionConfig)) {
      return false;
    }
    PrecisionConfig c = (PrecisionConfig) o;
    return defaultCompute == c.defaultCompute
        && sensitive.equals(c.sensitive)
        && overrides.equals(c.overrides)
        && enableAutoFallback == c.enableAutoFallback
        && Double.compare(fallbackThreshold, c.fallbackThreshold) == 0
        && scaleRule == c.scaleRule
        && nvfp4TwoDimensionalWeights == c.nvfp4TwoDimensionalWeights
        && hadamard == c.hadamard
        && stochasticRounding == c.stochasticRounding
        && unsupportedPrecision == c.unsupportedPrecision
        && Double.compare(minGemmSpeedup, c.minGemmSpeedup) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(defaultCompute, sensitive, overrides, enableAutoFallback,
        fallbackThreshold, scaleRule, nvfp4TwoDimensionalWeights, hadamard, stochasticRounding,
        unsupportedPrecision, minGemmSpeedup);
  }

  @Override
  public String toString() {
    return "PrecisionConfig{default=" + defaultCompute + ", sensitive=" + sensitive
        + ", overrides=" + overrides + ", autoFallback=" + enableAutoFallback
        + (enableAutoFallback ? "@" + fallbackThreshold : "") + ", scaleRule=" + scaleRule
        + ", nvfp4_2d=" + nvfp4TwoDimensionalWeights + ", hadamard=" + hadamard
        + ", sr=" + stochasticRounding + ", unsupported=" + unsupportedPrecision
        + ", minGemmSpeedup=" + minGemmSpeedup + "}";
  }

  /** Mutable builder; setters validate and name the bad argument. */
  public static final class Builder {
    private Precision defaultCompute = Precision.BF16;
    private final List<String> sensitive = new ArrayList<>();
    private final Map<String, Precision> overrides = new LinkedHashMap<>();
    private boolean enableAutoFallback;
    private double fallbackThreshold = DEFAULT_FALLBACK_THRESHOLD;
    private ScaleRule scaleRule = ScaleRule.CEIL;
    private boolean nvfp4TwoDimensionalWeights = true;
    private boolean hadamard;
    private boolean stochasticRounding;
    private UnsupportedPrecisionMode unsupportedPrecision = UnsupportedPrecisionMode.ERROR;
    private double minGemmSpeedup = DEFAULT_MIN_GEMM_SPEEDUP;

    private Builder() {}

    public Builder defaultCompute(Precision precision) {
      this.defaultCompute = Objects.requireNonNull(precision, "defaultCompute");
      return this;
    }

    /** Adds layer patterns to keep in high precision. */
    public Builder sensitive(String... patterns) {
      Objects.requireNonNull(patterns, "sensitive patterns");
      for (String p : patterns) {
        sensitive.add(checkPattern(p, "sensitive pattern"));
      }
      return this;
    }

    /** Runs the layers matching {@code pattern} in {@code precision}, whatever else says. */
    public Builder override(String pattern, Precision precision) {
      String p = checkPattern(pattern, "override pattern");
      Objects.requireNonNull(precision, "override precision for '" + pattern + "'");
      overrides.put(p, precision);
      return this;
    }

    public Builder enableAutoFallback(boolean enable) {
      this.enableAutoFallback = enable;
      return this;
    }

    public Builder fallbackThreshold(double threshold) {
      if (!(threshold > 0) || Double.isInfinite(threshold)) {
        throw new IllegalArgumentException(
            "fallbackThreshold must be a finite number > 0, got " + threshold);
      }
      this.fallbackThreshold = threshold;
      return this;
    }

    public Builder scaleRule(ScaleRule rule) {
      this.scaleRule = Objects.requireNonNull(rule, "scaleRule");
      return this;
    }

    public Builder nvfp4TwoDimensionalWeights(boolean enable) {
      this.nvfp4TwoDimensionalWeights = enable;
      return this;
    }

    public Builder hadamard(boolean enable) {
      this.hadamard = enable;
      return this;
    }

    public Builder stochasticRounding(boolean enable) {
      this.stochasticRounding = enable;
      return this;
    }

    public Builder unsupportedPrecision(UnsupportedPrecisionMode mode) {
      this.unsupportedPrecision = Objects.requireNonNull(mode, "unsupportedPrecision");
      return this;
    }

    public Builder minGemmSpeedup(double speedup) {
      if (!(speedup >= 0) || Double.isInfinite(speedup)) {
        throw new IllegalArgumentException(
            "minGemmSpeedup must be a finite number >= 0, got " + speedup);
      }
      this.minGemmSpeedup = speedup;
      return this;
    }

    public PrecisionConfig build() {
      return new PrecisionConfig(this);
    }

    private static String checkPattern(String pattern, String what) {
      if (pattern == null) {
        throw new NullPointerException(what);
      }
      String p = pattern.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return p;
    }
  }
}
