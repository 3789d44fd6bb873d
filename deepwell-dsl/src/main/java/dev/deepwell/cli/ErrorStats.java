package dev.deepwell.cli;

/**
 * How far a reconstruction {@code y} is from a reference {@code x}, accumulated in double.
 *
 * @param relativeRmsError {@code sqrt(sum (x - y)^2 / sum x^2)}
 * @param maxAbsError      {@code max |x - y|}
 * @param sqnrDb           signal-to-quantization-noise ratio {@code 10 log10(sum x^2 / sum (x-y)^2)};
 *                         +Infinity for an exact reconstruction
 * @param nonFinite        elements of {@code y} that are NaN or infinite while {@code x} is finite
 */
record ErrorStats(double relativeRmsError, double maxAbsError, double sqnrDb, long nonFinite) {

  static ErrorStats compare(float[] x, float[] y) {
    if (x == null) throw new NullPointerException("x");
    if (y == null) throw new NullPointerException("y");
    if (x.length != y.length) {
      throw new IllegalArgumentException("x.length " + x.length + " != y.length " + y.length);
    }
    if (x.length == 0) throw new IllegalArgumentException("x must not be empty");
    double signal = 0;
    double noise = 0;
    double maxAbs = 0;
    long nonFinite = 0;
    for (int i = 0; i < x.length; i++) {
      double xi = x[i];
      double yi = y[i];
      if (!Double.isFinite(yi) && Double.isFinite(xi)) {
        nonFinite++;
        continue;
      }
      double e = xi - yi;
      signal += xi * xi;
      noise += e * e;
      double a = Math.abs(e);
      if (a > maxAbs) maxAbs = a;
    }
    double rel = signal == 0 ? (noise == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(noise / signal);
    double sqnr = noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    return new ErrorStats(rel, maxAbs, sqnr, nonFinite);
  }
}
