package dev.deepwell.samples;

import dev.deepwell.format.Bf16;
import dev.deepwell.format.E8M0;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import dev.deepwell.quant.ScaleLayout;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Quantizes one FP32 matrix to MXFP8 and NVFP4 with the reference (pure-Java) quantizers, prints
 * what each costs in bytes and in error, checks MXFP8 against its rounding bound, and moves the
 * block scales into the swizzled layout that Blackwell GEMMs read.
 *
 * <p>Run: {@code java -cp "samples/target/classes:samples/target/lib/*"
 * dev.deepwell.samples.QuantizeATensor [rows cols [seed]]}.
 */
public final class QuantizeATensor {

  private QuantizeATensor() {}

  public static void main(String[] args) {
    // 200 x 544 on purpose: neither side is a multiple of the swizzled tile (128 rows x 4 scale
    // columns), so the layout section shows the padding a GPU buffer must allow for.
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int cols = args.length > 1 ? Integer.parseInt(args[1]) : 544;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 20260101L;
    run(System.out, rows, cols, seed);
  }

  /**
   * The whole sample, printing to {@code out}. {@code cols} must be a multiple of 32 (the MXFP8
   * block; NVFP4's 16 then divides it too) because blocks run along the rows.
   */
  public static void run(PrintStream out, int rows, int cols, long seed) {
    if (rows <= 0 || cols <= 0 || cols % 32 != 0) {
      throw new IllegalArgumentException(
          "rows must be > 0 and cols a positive multiple of 32, got " + rows + " x " + cols);
    }
    float[] x = activationLike(rows, cols, seed);
    out.printf(Locale.ROOT, "Input: %d x %d FP32, Gaussian with 4 outlier columns 20x larger"
        + " (seed %d)%n%n", rows, cols, seed);

    // Defaults: blocks along each row (Axis.ROW, the copy a GEMM reads when K is the column
    // dimension), CEIL scale rule (what NVIDIA's libraries use: no element ever saturates),
    // round-to-nearest-even, row-major scales.
    QuantOptions options = QuantOptions.defaults();

    out.printf(Locale.ROOT, "%-11s %11s %14s %14s %9s%n", "format", "bytes/elem", "rel RMS err",
        "max |err|", "SQNR dB");
    // BF16 is the baseline every low-precision format is judged against: 2 bytes, 8 mantissa bits.
    float[] bf16 = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      bf16[i] = Bf16.decode(Bf16.encode(x[i]));
    }
    printRow(out, "bf16", 2.0, x, bf16);

    QuantizedTensor mx = null;
    for (QuantFormat format : new QuantFormat[] {QuantFormat.MXFP8_E4M3, QuantFormat.NVFP4}) {
      Quantizer quantizer = Quantizers.forFormat(format);
      QuantizedTensor q = quantizer.quantize(x, rows, cols, options);
      float[] back = quantizer.dequantize(q);
      printRow(out, format.cliName(), bytesPerElement(q), x, back);
      if (format == QuantFormat.MXFP8_E4M3) {
        mx = q;
      }
    }
    out.println();
    checkMxfp8Bound(out, x, mx);
    out.println();
    swizzle(out, x, mx, Quantizers.forFormat(QuantFormat.MXFP8_E4M3));
  }

  /**
   * Everything the tensor occupies: packed elements, block scales and, for NVFP4, the one FP32
   * tensor scale. This is the figure that decides memory and bandwidth, not the element width.
   */
  static double bytesPerElement(QuantizedTensor q) {
    boolean tensorScale = q.format().isNvfp4() || q.format() == QuantFormat.FP8_TENSOR;
    long bytes = q.data().length + (long) q.scales().length + (tensorScale ? Float.BYTES : 0);
    return (double) bytes / ((long) q.rows() * q.cols());
  }

  /**
   * With CEIL scales an MXFP8 E4M3 element never saturates, so its only error is rounding to 3
   * mantissa bits: at most half an ulp, |x|·2^-4, for values in E4M3's normal range, and at most
   * half the subnormal step, 2^-10 times the block scale, below it. Checking every element
   * against that bound is a stronger test than an average error.
   */
  private static void checkMxfp8Bound(PrintStream out, float[] x, QuantizedTensor q) {
    float[] back = Quantizers.forFormat(q.format()).dequantize(q);
    byte[] scales = q.scales(); // row-major [rows, cols / 32] E8M0 codes (default layout)
    int blocksPerRow = q.cols() / 32;
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      int r = i / q.cols();
      int c = i % q.cols();
      double scale = E8M0.decode(scales[r * blocksPerRow + c / 32] & 0xFF);
      double bound = Math.max(Math.abs(x[i]) * 0x1p-4, scale * 0x1p-10);
      worst = Math.max(worst, Math.abs((double) x[i] - back[i]) / bound);
    }
    out.println("MXFP8 E4M3 per-element bound |err| <= max(|x|*2^-4, blockScale*2^-10):");
    out.printf(Locale.ROOT, "  worst |err| / bound = %.4f -> %s%n", worst,
        worst <= 1.0 ? "within the format bound" : "OUTSIDE the format bound");
  }

  /**
   * Blackwell block-scaled GEMMs (CUTLASS, cuBLASLt) do not read scales row-major: they expect
   * 128x4 tiles with the rows interleaved in four groups of 32 (see {@link ScaleLayout}). The
   * quantizer can write that layout directly (QuantOptions.scaleLayout) or a tensor can be
   * converted afterwards; both ways are bit-exact, and only the scale bytes move.
   */
  private static void swizzle(PrintStream out, float[] x, QuantizedTensor rowMajor,
      Quantizer quantizer) {
    QuantizedTensor swizzled = rowMajor.withScaleLayout(ScaleLayout.SWIZZLED_128X4);
    int sr = rowMajor.scaleRows();
    int sc = rowMajor.scaleCols();
    out.printf(Locale.ROOT, "Scale layout (%s, logical scale matrix [%d, %d]):%n",
        rowMajor.format().cliName(), sr, sc);
    out.printf(Locale.ROOT, "  ROW_MAJOR       %6d bytes%n", rowMajor.scales().length);
    out.printf(Locale.ROOT, "  SWIZZLED_128X4  %6d bytes (padded to [%d, %d], zero-filled)%n",
        swizzled.scales().length, roundUp(sr, ScaleLayout.TILE_ROWS),
        roundUp(sc, ScaleLayout.TILE_COLS));

    // Where a few entries land: consecutive rows are 16 bytes apart, rows 32 apart share a
    // 16-byte line, which is what one thread's vector load of scale factors expects.
    byte[] a = rowMajor.scales();
    byte[] b = swizzled.scales();
    int[][] probes = {{0, 0}, {1, 0}, {32, 0}, {0, 1}, {sr - 1, sc - 1}};
    for (int[] p : probes) {
      int r = Math.min(p[0], sr - 1);
      int c = Math.min(p[1], sc - 1);
      int from = ScaleLayout.ROW_MAJOR.offset(r, c, sr, sc);
      int to = ScaleLayout.SWIZZLED_128X4.offset(r, c, sr, sc);
      out.printf(Locale.ROOT, "  scale (%3d, %2d): row-major offset %5d -> swizzled offset %5d,"
          + " code 0x%02x %s%n", r, c, from, to, a[from] & 0xFF, a[from] == b[to] ? "(same)"
          : "(DIFFERENT)");
    }
    byte[] back = ScaleLayout.convert(b, sr, sc, ScaleLayout.SWIZZLED_128X4,
        ScaleLayout.ROW_MAJOR);
    out.println("  swizzled -> row-major round trip bit-exact: " + Arrays.equals(a, back));
    // The reference dequantizer reads either layout, so a tensor can stay swizzled end to end.
    out.println("  dequantize(swizzled) == dequantize(row-major): "
        + Arrays.equals(quantizer.dequantize(swizzled), quantizer.dequantize(rowMajor)));
    QuantizedTensor direct = quantizer.quantize(x, rowMajor.rows(), rowMajor.cols(),
        rowMajor.options().toBuilder()
            .scaleLayout(ScaleLayout.SWIZZLED_128X4).build());
    out.println("  quantizing straight into SWIZZLED_128X4 gives the identical tensor: "
        + direct.equals(swizzled));
  }

  private static void printRow(PrintStream out, String name, double bytesPerElement, float[] x,
      float[] y) {
    double signal = 0;
    double noise = 0;
    double maxAbs = 0;
    for (int i = 0; i < x.length; i++) {
      double e = (double) x[i] - y[i];
      signal += (double) x[i] * x[i];
      noise += e * e;
      maxAbs = Math.max(maxAbs, Math.abs(e));
    }
    out.printf(Locale.ROOT, "%-11s %11.4f %14.3e %14.3e %9.2f%n", name, bytesPerElement,
        Math.sqrt(noise / signal), maxAbs, 10 * Math.log10(signal / noise));
  }

  /**
   * Activations are not uniform: a few channels carry values an order of magnitude larger. Those
   * outliers are what block scaling is for, since one per-tensor scale would be set by them and
   * crush every other value toward zero.
   */
  static float[] activationLike(int rows, int cols, long seed) {
    Random random = new Random(seed);
    float[] x = new float[rows * cols];
    int[] outlierColumns = {3, cols / 3, cols / 2 + 1, cols - 2};
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int r = 0; r < rows; r++) {
      for (int c : outlierColumns) {
        x[r * cols + c] *= 20f;
      }
    }
    return x;
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }
}
