package dev.deepwell.bench.cpu;

import dev.deepwell.cpu.CpuGemm;
import dev.deepwell.kernel.GemmInput;
import dev.deepwell.kernel.GemmOutput;
import dev.deepwell.kernel.GemmProblem;
import dev.deepwell.kernel.OperandMajor;
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
 * The pure-Java GEMM, the last backend of the kernel chain ({@link CpuGemm}): one operation is one
 * M x N x K product with a BF16 output and no epilogue, on every core the JVM sees. JMH reports
 * the time per call; {@link #flopsPerOperation} turns it into GFLOP/s.
 *
 * <pre>java -jar deepwell-bench/target/benchmarks.jar CpuGemmBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CpuGemmBenchmark {

  /** M x N x K. */
  @Param({"256x256x256", "512x768x768", "64x2048x768"})
  public String shape;

  /** How A and B are stored: K-major (the kernels' TN), or A M-major and B N-major. */
  @Param({"K_MAJOR", "MN_MAJOR"})
  public String major;

  private GemmProblem problem;
  private float[] a;
  private float[] b;

  @Setup(Level.Trial)
  public void setUp() {
    long[] mnk = parse(shape);
    OperandMajor outer = major.equals("K_MAJOR") ? OperandMajor.K_MAJOR : OperandMajor.MN_MAJOR;
    problem = GemmProblem.builder(mnk[0], mnk[1], mnk[2], GemmInput.BF16).output(GemmOutput.BF16)
        .layout(outer, outer).build();
    a = input(mnk[0] * mnk[2], 1);
    b = input(mnk[1] * mnk[2], 2);
  }

  @Benchmark
  public float[] gemm() {
    return CpuGemm.compute(problem, a, b, 1f, null, null);
  }

  static long[] parse(String shape) {
    String[] p = shape.split("x");
    return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])};
  }

  /** 2 M N K for a shape "MxNxK". */
  static double flopsPerOperation(String shape) {
    long[] mnk = parse(shape);
    return 2.0 * mnk[0] * mnk[1] * mnk[2];
  }

  static float[] input(long count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[Math.toIntExact(count)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }
}
