package dev.deepwell.kernel;

/**
 * The activation a GEMM epilogue applies: {@code D = outScale * act(Y) + residual}. GELU is the
 * exact form {@code 0.5 x (1 + erf(x / sqrt 2))} (not the tanh approximation), as the kernels of
 * deepwell/gemm.h compute it; {@link #apply} evaluates each in double precision.
 */
public enum GemmActivation {
  NONE,
  GELU,
  SILU;

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
  private static final double SQRT_HALF = 0.7071067811865476;

  /** act(x) in double precision (NaN in, NaN out). */
  public double apply(double x) {
    switch (this) {
      case NONE:
        return x;
      case GELU:
        // 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2), which keeps its precision for
        // large negative x where 1 + erf cancels.
        return 0.5 * x * erfc(-x * SQRT_HALF);
      case SILU:
        return x / (1 + Math.exp(-x));
      default:
        throw new AssertionError(this);
    }
  }

  /** The largest |d act / dx| over all x (1 for NONE); bounds how far an error in Y moves D. */
  public double maxSlope() {
    switch (this) {
      case NONE:
        return 1;
      case GELU:
        return 1.13; // reached near x = 1.41 (1.1289)
      case SILU:
        return 1.1; // reached near x = 2.40 (1.0998)
      default:
        throw new AssertionError(this);
    }
  }

  /** erf(x) to about 1e-15, absolute. Java has no erf; the GELU reference needs one. */
  static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double ax = Math.abs(x);
    if (ax < 2) {
      // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); below |x| = 2 its
      // largest term is about 3, so cancellation costs at most one digit.
      double x2 = x * x;
      double term = x;
      double sum = x;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      return TWO_OVER_SQRT_PI * sum;
    }
    double c = erfcLarge(ax);
    return x > 0 ? 1 - c : c - 1;
  }

  /** erfc(x) = 1 - erf(x), accurate in relative terms for large positive x. */
  static double erfc(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    if (x >= 2) {
      return erfcLarge(x);
    }
    if (x <= -2) {
      return 2 - erfcLarge(-x);
    }
    return 1 - erf(x);
  }

  /**
   * erfc(x) for x >= 2 from its continued fraction, exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 /
   * (x + (3/2) / (x + ...)))), evaluated from a fixed depth backwards (converged to double
   * precision at x = 2 after about 60 levels).
   */
  private static double erfcLarge(double x) {
    if (x > 27) {
      return 0; // below the smallest double
    }
    double f = x;
    for (int k = 120; k >= 1; k--) {
      f = x + (k / 2.0) / f;
    }
    return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
  }
}
