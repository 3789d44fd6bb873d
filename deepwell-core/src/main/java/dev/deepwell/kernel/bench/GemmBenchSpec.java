package dev.deepwell.kernel.bench;

import dev.deepwell.kernel.GemmInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a GEMM benchmark measures and how: the shapes, passes and formats (their cases), and the
 * timing method every {@link GemmBenchmarkProvider} follows.
 *
 * <p>The method (that of deepwell-cuda/tests/gemm/gemm_harness.cpp): each contender (our kernel,
 * cuBLASLt) of a case gets {@link #operandSets} copies of its operands, enough that more than
 * {@value #L2_MULTIPLE} x L2 of other data passes between two uses of one copy, so no call finds
 * its operands in L2; {@link #callsPerReplay} calls rotating over the copies are captured into one
 * CUDA graph, so host launch gaps are not timed. After {@link #warmup} untimed replays each, all
 * contenders of a (shape, pass) group, every format, are timed in {@link #rounds} rounds, one
 * replay each per round in a shuffled order (the card's clock drifts as it heats; interleaving
 * spreads that over everyone), between CUDA events; the result is the median over the rounds of
 * replay time / calls.
 */
public final class GemmBenchSpec {

  /** The data that must pass through L2 between two uses of one operand set, in units of L2. */
  public static final int L2_MULTIPLE = 2;
  /** At most this many operand sets (small problems reach the L2 rule well before). */
  public static final int MAX_OPERAND_SETS = 64;
  /** Bounds of the automatic calls per graph replay. */
  public static final int MIN_CALLS = 3;
  public static final int MAX_CALLS = 400;

  /** The formats measured when none are named: those with CUTLASS kernels on sm_90. */
  public static final List<GemmInput> DEFAULT_FORMATS =
      List.of(GemmInput.BF16, GemmInput.FP8_TENSOR, GemmInput.FP8_BLOCK128);

  private final List<GemmInput> formats;
  private final List<GemmPass> passes;
  private final List<GemmBenchShape> shapes;
  private final int warmup;
  private final int rounds;
  private final int calls;
  private final double replayMillis;
  private final int device;
  private final long seed;

  private GemmBenchSpec(Builder b) {
    this.formats = List.copyOf(b.formats);
    this.passes = List.copyOf(b.passes);
    this.shapes = List.copyOf(b.shapes);
    this.warmup = b.warmup;
    this.rounds = b.rounds;
    this.calls = b.calls;
    this.replayMillis = b.replayMillis;
    this.device = b.device;
    this.seed = b.seed;
  }

  /** The defaults: {@link GemmBenchShape#DEFAULT}, every pass, {@link #DEFAULT_FORMATS}. */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.formats = new ArrayList<>(formats);
    b.passes = new ArrayList<>(passes);
    b.shapes = new ArrayList<>(shapes);
    b.warmup = warmup;
    b.rounds = rounds;
    b.calls = calls;
    b.replayMillis = replayMillis;
    b.device = device;
    b.seed = seed;
    return b;
  }

  public List<GemmInput> formats() {
    return formats;
  }

  public List<GemmPass> passes() {
    return passes;
  }

  public List<GemmBenchShape> shapes() {
    return shapes;
  }

  /** Untimed graph replays of each contender before the timed rounds. */
  public int warmup() {
    return warmup;
  }

  /** Timed rounds; each contender's time is the median over them. */
  public int rounds() {
    return rounds;
  }

  /** Calls captured per graph; 0: as many as take about {@link #replayMillis()} (see {@link #callsPerReplay}). */
  public int calls() {
    return calls;
  }

  /** The time one graph replay should take when {@link #calls()} is 0. */
  public double replayMillis() {
    return replayMillis;
  }

  /** The CUDA device ordinal to run on. */
  public int device() {
    return device;
  }

  /** Seed of the operand values and of the round order. */
  public long seed() {
    return seed;
  }

  /**
   * The cases in table order: per shape, per pass, per format. A pass whose problem equals an
   * earlier pass's of the same shape (every pass of a cube) is measured once, under the first.
   */
  public List<GemmBenchCase> cases() {
    List<GemmBenchCase> l = new ArrayList<>();
    for (List<GemmBenchCase> g : groups()) {
      l.addAll(g);
    }
    return List.copyOf(l);
  }

  /** {@link #cases()} grouped by (shape, pass): the contenders timed in the same rounds. */
  public List<List<GemmBenchCase>> groups() {
    List<List<GemmBenchCase>> out = new ArrayList<>();
    for (GemmBenchShape s : shapes) {
      List<List<Long>> seen = new ArrayList<>();
      for (GemmPass p : passes) {
        long[] mnk = p.problemShape(s.m(), s.n(), s.k());
        List<Long> key = List.of(mnk[0], mnk[1], mnk[2]);
        if (seen.contains(key)) {
          continue;
        }
        seen.add(key);
        List<GemmBenchCase> g = new ArrayList<>();
        for (GemmInput in : formats) {
          g.add(new GemmBenchCase(s, p, in));
        }
        out.add(List.copyOf(g));
      }
    }
    return List.copyOf(out);
  }

  /**
   * How many copies of a case's operands (A, B, D and the scales: {@code setBytes}) the rotation
   * needs on a GPU with {@code l2Bytes} of L2: at least 2, and enough that the other copies hold
   * {@value #L2_MULTIPLE} x L2, capped at {@value #MAX_OPERAND_SETS}.
   */
  public static int operandSets(long setBytes, long l2Bytes) {
    if (setBytes < 1) {
      throw new IllegalArgumentException("setBytes must be >= 1, got " + setBytes);
    }
    if (l2Bytes < 0) {
      throw new IllegalArgumentException("l2Bytes must be >= 0, got " + l2Bytes);
    }
    long others = (L2_MULTIPLE * l2Bytes + setBytes - 1) / setBytes;
    return (int) Math.max(2, Math.min(MAX_OPERAND_SETS, others + 1));
  }

  /**
   * Calls per graph replay for a contender whose eager call took {@code estimateMillis}: the spec's
   * {@link #calls()} if set, else enough for {@link #replayMillis()}, within [{@value #MIN_CALLS},
   * {@value #MAX_CALLS}].
   */
  public int callsPerReplay(double estimateMillis) {
    if (calls > 0) {
      return calls;
    }
    if (!(estimateMillis > 0) || Double.isInfinite(estimateMillis)) {
      return MIN_CALLS; // a timer resolution of 0 (or garbage) must not ask for millions
    }
    double want = Math.ceil(replayMillis / estimateMillis);
    return (int) Math.max(MIN_CALLS, Math.min(MAX_CALLS, want));
  }

  /**
   * The formats a comma-separated list names by {@link GemmInput#displayName()} ("bf16",
   * "fp8-tensor", "fp8-block128", "mxfp8", "nvfp4"; case-insensitive).
   *
   * @throws IllegalArgumentException naming the unknown entry and the known names
   */
  public static List<GemmInput> parseFormats(String list) {
    Objects.requireNonNull(list, "list");
    List<GemmInput> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String s = raw.trim().toLowerCase(Locale.ROOT);
      GemmInput found = null;
      for (GemmInput in : GemmInput.values()) {
        if (in.displayName().equals(s)) {
          found = in;
        }
      }
      if (found == null) {
        List<String> names = new ArrayList<>();
        for (GemmInput in : GemmInput.values()) {
          names.add(in.displayName());
        }
        throw new IllegalArgumentException("unknown format '" + raw.trim() + "' (use " + String.join(", ", names)
            + ")");
      }
      out.add(found);
    }
    return out;
  }

  /** The passes a comma-separated list names ("fwd", "dgrad", "wgrad"). */
  public static List<GemmPass> parsePasses(String list) {
    Objects.requireNonNull(list, "list");
    List<GemmPass> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      out.add(GemmPass.parse(raw));
    }
    return out;
  }

  /** One line on how the numbers were taken, for the table's header. */
  public String describeMethod() {
    String per = calls > 0 ? calls + " calls" : String.format(Locale.ROOT, "~%.0f ms of calls", replayMillis);
    return "per contender a CUDA graph of " + per + " rotating over operand copies (>= " + L2_MULTIPLE
        + "x L2 between reuses); " + warmup + " warm-up replay(s); " + rounds
        + " shuffled rounds, all formats and cuBLASLt in the same rounds; median per call";
  }

  @Override
  public String toString() {
    return "GemmBenchSpec{formats=" + formats + ", passes=" + passes + ", shapes=" + shapes + ", warmup=" + warmup
        + ", rounds=" + rounds + ", calls=" + calls + ", replayMillis=" + replayMillis + ", device=" + device
        + ", seed=" + seed + "}";
  }

  /** Builds a {@link GemmBenchSpec}; every setter checks its argument. */
  public static final class Builder {
    private List<GemmInput> formats = new ArrayList<>(DEFAULT_FORMATS);
    private List<GemmPass> passes = new ArrayList<>(Arrays.asList(GemmPass.values()));
    private List<GemmBenchShape> shapes = new ArrayList<>(GemmBenchShape.DEFAULT);
    private int warmup = 2;
    private int rounds = 7;
    private int calls = 0;
    private double replayMillis = 10;
    private int device = 0;
    private long seed = 20261125L;

    private Builder() {}

    /** The formats, in column order; duplicates are dropped. */
    public Builder formats(List<GemmInput> formats) {
      this.formats = distinct(formats, "formats");
      return this;
    }

    /** The passes, in row order; duplicates are dropped. */
    public Builder passes(List<GemmPass> passes) {
      this.passes = distinct(passes, "passes");
      return this;
    }

    /** The layer shapes, in row order; duplicates are dropped. */
    public Builder shapes(List<GemmBenchShape> shapes) {
      this.shapes = distinct(shapes, "shapes");
      return this;
    }

    public Builder warmup(int warmup) {
      if (warmup < 0) {
        throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
      }
      this.warmup = warmup;
      return this;
    }

    public Builder rounds(int rounds) {
      if (rounds < 1 || rounds > 1000) {
        throw new IllegalArgumentException("rounds must be in [1, 1000], got " + rounds);
      }
      this.rounds = rounds;
      return this;
    }

    /** Calls per graph replay; 0 chooses by {@link #replayMillis(double)}. */
    public Builder calls(int calls) {
      if (calls < 0 || calls > 100_000) {
        throw new IllegalArgumentException("calls must be in [0, 100000] (0: automatic), got " + calls);
      }
      this.calls = calls;
      return this;
    }

    public Builder replayMillis(double replayMillis) {
      if (!(replayMillis > 0) || replayMillis > 10_000) {
        throw new IllegalArgumentException("replayMillis must be in (0, 10000], got " + replayMillis);
      }
      this.replayMillis = replayMillis;
      return this;
    }

    public Builder device(int device) {
      if (device < 0) {
        throw new IllegalArgumentException("device must be >= 0, got " + device);
      }
      this.device = device;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Fewer, shorter measurements (3 rounds of ~3 ms replays, 1 warm-up): a first look, noisier. */
    public Builder quick() {
      return warmup(1).rounds(3).replayMillis(3);
    }

    public GemmBenchSpec build() {
      return new GemmBenchSpec(this);
    }

    private static <T> List<T> distinct(List<T> values, String what) {
      Objects.requireNonNull(values, what);
      if (values.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      LinkedHashSet<T> s = new LinkedHashSet<>();
      for (T v : values) {
        s.add(Objects.requireNonNull(v, what + " must not contain null"));
      }
      return new ArrayList<>(s);
    }
  }
}
