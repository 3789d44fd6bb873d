package dev.deepwell.kernel;

import java.util.Locale;
import java.util.Objects;

/**
 * What every GEMM problem states besides its rows: N and K, the operand format and the epilogue
 * (output type, activation, alpha, outScale, bias). {@link GemmProblem} adds M, a residual and the
 * operand layout; the grouped problem of deepwell-jni ({@code dev.deepwell.gpu.gemm.GroupedGemmProblem})
 * adds the groups and their row bound. The C ABI's two descs share these fields, and so do the
 * problems: one class checks, compares and prints them for both. Immutable; not for extension
 * outside Deepwell (a subclass is a problem the C ABI has).
 */
public abstract class AbstractGemmProblem {

  private final long n;
  private final long k;
  private final GemmInput input;
  private final GemmOutput output;
  private final GemmActivation activation;
  private final float alpha;
  private final float outScale;
  private final boolean bias;

  protected AbstractGemmProblem(Builder<?> b) {
    this.n = b.n;
    this.k = b.k;
    this.input = b.input;
    this.output = b.output;
    this.activation = b.activation;
    this.alpha = b.alpha;
    this.outScale = b.outScale;
    this.bias = b.bias;
  }

  public long n() {
    return n;
  }

  public long k() {
    return k;
  }

  public GemmInput input() {
    return input;
  }

  public GemmOutput output() {
    return output;
  }

  public GemmActivation activation() {
    return activation;
  }

  /** Multiplies the accumulator (host value). */
  public float alpha() {
    return alpha;
  }

  /** Multiplies act(Y) (host value). */
  public float outScale() {
    return outScale;
  }

  /** Whether a bias of the output type (a row of N values per GEMM) is added before the activation. */
  public boolean hasBias() {
    return bias;
  }

  /** Whether {@code o} has the same N, K, formats, activation and bias (alpha and outScale aside). */
  protected final boolean sameIgnoringScales(AbstractGemmProblem o) {
    return n == o.n && k == o.k && input == o.input && output == o.output && activation == o.activation
        && bias == o.bias;
  }

  /** Whether {@code o} has the same alpha and outScale, bit for bit. */
  protected final boolean sameScales(AbstractGemmProblem o) {
    return Float.floatToIntBits(alpha) == Float.floatToIntBits(o.alpha)
        && Float.floatToIntBits(outScale) == Float.floatToIntBits(o.outScale);
  }

  /**
   * The common form of a problem's toString: "{kind} {input} {rows} N=.. K=.. -> {output}", the
   * activation and bias, the subclass's own {@code terms} (" +residual"), then alpha and outScale
   * where they are not 1.
   */
  protected final String describe(String kind, String rows, String terms) {
    StringBuilder sb = new StringBuilder(kind).append(' ').append(input.displayName()).append(' ').append(rows)
        .append(" N=").append(n).append(" K=").append(k).append(" -> ").append(output.name().toLowerCase(Locale.ROOT));
    if (activation != GemmActivation.NONE) {
      sb.append(" +").append(activation.name().toLowerCase(Locale.ROOT));
    }
    if (bias) {
      sb.append(" +bias");
    }
    sb.append(terms);
    if (alpha != 1f) {
      sb.append(" alpha=").append(alpha);
    }
    if (outScale != 1f) {
      sb.append(" outScale=").append(outScale);
    }
    return sb.toString();
  }

  /**
   * Mutable builder of the shared fields; every setter checks its argument. Defaults: BF16 output,
   * no activation, alpha = outScale = 1, no bias.
   *
   * @param <B> the subclass's builder, which every setter returns
   */
  public abstract static class Builder<B extends Builder<B>> {
    final long n;
    final long k;
    final GemmInput input;
    private GemmOutput output = GemmOutput.BF16;
    private GemmActivation activation = GemmActivation.NONE;
    private float alpha = 1f;
    private float outScale = 1f;
    private boolean bias;

    /** Takes N, K and the input unchecked: the subclass checks them with its own ranges and order. */
    protected Builder(long n, long k, GemmInput input) {
      this.n = n;
      this.k = k;
      this.input = input;
    }

    @SuppressWarnings("unchecked") // B is the subclass by declaration
    private B self() {
      return (B) this;
    }

    /** Presets the epilogue to {@code p}'s (for toBuilder). */
    protected final B epilogueOf(AbstractGemmProblem p) {
      output = p.output;
      activation = p.activation;
      alpha = p.alpha;
      outScale = p.outScale;
      bias = p.bias;
      return self();
    }

    public B output(GemmOutput output) {
      this.output = Objects.requireNonNull(output, "output");
      return self();
    }

    public B activation(GemmActivation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return self();
    }

    /** @throws IllegalArgumentException unless finite */
    public B alpha(float alpha) {
      if (!Float.isFinite(alpha)) {
        throw new IllegalArgumentException("alpha must be finite, got " + alpha);
      }
      this.alpha = alpha;
      return self();
    }

    /** @throws IllegalArgumentException unless finite */
    public B outScale(float outScale) {
      if (!Float.isFinite(outScale)) {
        throw new IllegalArgumentException("outScale must be finite, got " + outScale);
      }
      this.outScale = outScale;
      return self();
    }

    /**
     * Whether a bias of the output type is added before the activation: a row of N values per
     * GEMM ([N] for {@link GemmProblem}, [G, N] for a grouped problem).
     */
    public B bias(boolean bias) {
      this.bias = bias;
      return self();
    }
  }
}
