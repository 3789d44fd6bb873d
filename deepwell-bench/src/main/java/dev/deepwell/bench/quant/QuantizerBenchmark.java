package dev.deepwell.bench.quant;

import dev.deepwell.quant.Axis;
import dev.deepwell.quant.QuantFormat;
import dev.deepwell.quant.QuantOptions;
import dev.deepwell.quant.QuantizedTensor;
import dev.deepwell.quant.Quantizer;
import dev.deepwell.quant.Quantizers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the CPU reference quantizers (one thread): one operation quantizes a row-major
 * {@code rows x cols} FP32 matrix (1024 x 4096 by default) in one format along one axis, with the
 * default options (CEIL scales, row-major scales, round to nearest).
 *
 * <p>JMH reports operations per second; {@link #bytesPerOperation} turns that into the memory
 * traffic rate (input FP32 bytes read + packed data and scale bytes written), which
 * {@link QuantizerThroughput} prints as GB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class QuantizerBenchmark {

  @Param({"mxfp8-e4m3", "mxfp8-e5m2", "mxfp4", "nvfp4", "nvfp4-2d", "fp8-tensor", "fp8-block"})
  public String format;

  @Param({"ROW", "COL"})
  public String axis;

  @Param({"1024"})
  public int rows;

  @Param({"4096"})
  public int cols;

  private float[] x;
  private Quantizer quantizer;
  private QuantOptions options;

  @Setup(Level.Trial)
  public void setUp() {
    QuantFormat f = QuantFormat.fromCliName(format);
    quantizer = Quantizers.forFormat(f);
    options = QuantOptions.builder().axis(Axis.valueOf(axis)).build();
    x = input(rows, cols, 0x5EED);
  }

  @Benchmark
  public QuantizedTensor quantize() {
    return quantizer.quantize(x, rows, cols, options);
  }

  /**
   * Gaussian values with log-normal per-column scales: blocks of differing magnitude, so the
   * scale computation is exercised as on real activations. Seeded, hence identical every run.
   */
  static float[] input(int rows, int cols, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] colScale = new float[cols];
    for (int c = 0; c < cols; c++) colScale[c] = (float) Math.exp(rnd.nextGaussian());
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * colScale[i % cols];
    return x;
  }

  /**
   * Bytes one {@link #quantize()} moves at the least: the FP32 input read once plus the packed
   * elements and scale bytes written (the FP32 tensor scale is negligible and left out).
   */
  public static long bytesPerOperation(String format, String axis, int rows, int cols) {
    QuantFormat f = QuantFormat.fromCliName(format);
    QuantizedTensor q = Quantizers.forFormat(f).quantize(input(rows, cols, 1), rows, cols,
        QuantOptions.builder().axis(Axis.valueOf(axis)).build());
    return 4L * rows * cols + q.data().length + q.scales().length;
  }
}
