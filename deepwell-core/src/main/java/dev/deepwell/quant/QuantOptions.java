package dev.deepwell.quant;

import java.util.Objects;

/**
 * How to quantize: immutable, built with {@link #builder()} or derived with {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>used by</th></tr>
 *   <tr><td>axis</td><td>ROW</td><td>all</td></tr>
 *   <tr><td>scaleRule</td><td>CEIL</td><td>MX formats</td></tr>
 *   <tr><td>scaleLayout</td><td>ROW_MAJOR</td><td>formats with one-byte block scales</td></tr>
 *   <tr><td>stochasticRounding</td><td>false</td><td>all</td></tr>
 *   <tr><td>seed</td><td>0</td><td>stochastic rounding, Hadamard signs</td></tr>
 *   <tr><td>hadamard16</td><td>false</td><td>NVFP4, NVFP4_2D (rejected by the others)</td></tr>
 *   <tr><td>fp8BlockShape</td><td>ACT_1X128</td><td>FP8_BLOCK</td></tr>
 * </table>
 */
public final class QuantOptions {

  private static final QuantOptions DEFAULTS = new Builder().build();

  private final Axis axis;
  private final ScaleRule scaleRule;
  private final ScaleLayout scaleLayout;
  private final boolean stochasticRounding;
  private final long seed;
  private final boolean hadamard16;
  private final Fp8BlockShape fp8BlockShape;

  private QuantOptions(Builder b) {
    this.axis = b.axis;
    this.scaleRule = b.scaleRule;
    this.scaleLayout = b.scaleLayout;
    this.stochasticRounding = b.stochasticRounding;
    this.seed = b.seed;
    this.hadamard16 = b.hadamard16;
    this.fp8BlockShape = b.fp8BlockShape;
  }

  /** ROW axis, CEIL scales, row-major scales, round-to-nearest, seed 0, no Hadamard, 1x128. */
  public static QuantOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset to these options. */
  public Builder toBuilder() {
    return new Builder()
        .axis(axis)
        .scaleRule(scaleRule)
        .scaleLayout(scaleLayout)
        .stochasticRounding(stochasticRounding)
        .seed(seed)
        .hadamard16(hadamard16)
        .fp8BlockShape(fp8BlockShape);
  }

  public Axis axis() {
    return axis;
  }

  public ScaleRule scaleRule() {
    return scaleRule;
  }

  public ScaleLayout scaleLayout() {
    return scaleLayout;
  }

  public boolean stochasticRounding() {
    return stochasticRounding;
  }

  public long seed() {
    return seed;
  }

  public boolean hadamard16() {
    return hadamard16;
  }

  public Fp8BlockShape fp8BlockShape() {
    return fp8BlockShape;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof QuantOptions)) {
      return false;
    }
    QuantOptions that = (QuantOptions) o;
    return axis == that.axis
        && scaleRule == that.scaleRule
        && scaleLayout == that.scaleLayout
        && stochasticRounding == that.stochasticRounding
        && seed == that.seed
        && hadamard16 == that.hadamard16
        && fp8BlockShape == that.fp8BlockShape;
  }

  @Override
  public int hashCode() {
    return Objects.hash(axis, scaleRule, scaleLayout, stochasticRounding, seed, hadamard16,
        fp8BlockShape);
  }

  @Override
  public String toString() {
    return "QuantOptions{axis=" + axis + ", scaleRule=" + scaleRule + ", scaleLayout="
        + scaleLayout + ", stochasticRounding=" + stochasticRounding + ", seed=" + seed
        + ", hadamard16=" + hadamard16 + ", fp8BlockShape=" + fp8BlockShape + "}";
  }

  /** Mutable builder of {@link QuantOptions}; every setter rejects null. */
  public static final class Builder {
    private Axis axis = Axis.ROW;
    private ScaleRule scaleRule = ScaleRule.CEIL;
    private ScaleLayout scaleLayout = ScaleLayout.ROW_MAJOR;
    private boolean stochasticRounding;
    private long seed;
    private boolean hadamard16;
    private Fp8BlockShape fp8BlockShape = Fp8BlockShape.ACT_1X128;

    private Builder() {}

    public Builder axis(Axis axis) {
      this.axis = Objects.requireNonNull(axis, "axis");
      return this;
    }

    public Builder scaleRule(ScaleRule scaleRule) {
      this.scaleRule = Objects.requireNonNull(scaleRule, "scaleRule");
      return this;
    }

    public Builder scaleLayout(ScaleLayout scaleLayout) {
      this.scaleLayout = Objects.requireNonNull(scaleLayout, "scaleLayout");
      return this;
    }

    public Builder stochasticRounding(boolean stochasticRounding) {
      this.stochasticRounding = stochasticRounding;
      return this;
    }

    /** Seed of the Philox streams (stochastic rounding and Hadamard signs); any value. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder hadamard16(boolean hadamard16) {
      this.hadamard16 = hadamard16;
      return this;
    }

    public Builder fp8BlockShape(Fp8BlockShape fp8BlockShape) {
      this.fp8BlockShape = Objects.requireNonNull(fp8BlockShape, "fp8BlockShape");
      return this;
    }

    public QuantOptions build() {
      return new QuantOptions(this);
    }
  }
}
