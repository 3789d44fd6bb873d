package dev.deepwell.kernel.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The forward GEMM (M, N, K) of one benchmarked layer shape, with the label the table shows.
 *
 * @param label how the shape was named ("4096^3", "16384x2304x768")
 * @param m     rows of X and Y (tokens)
 * @param n     rows of W (output features)
 * @param k     the reduction (input features)
 */
public record GemmBenchShape(String label, long m, long n, long k) {

  /** Tokens of the model shapes: a 16k-token training batch. */
  public static final long MODEL_TOKENS = 16384;

  /**
   * The linear layers of a d_model = 768 transformer (GPT-2 small) at {@link #MODEL_TOKENS}
   * tokens: QKV projection, attention output, MLP up (4x), an MLP down of a 2048-wide layer, and a
   * 32k-vocabulary LM head.
   */
  public static final List<GemmBenchShape> MODEL = List.of(
      tokens(2304, 768), tokens(768, 768), tokens(4096, 768), tokens(768, 2048), tokens(32768, 768));

  /** What the benchmark measures when no shapes are named: 4096^3, 8192^3 and {@link #MODEL}. */
  public static final List<GemmBenchShape> DEFAULT = concat(List.of(cube(4096), cube(8192)), MODEL);

  public GemmBenchShape {
    Objects.requireNonNull(label, "label");
    if (label.isBlank()) {
      throw new IllegalArgumentException("label must not be blank");
    }
    if (m < 1 || n < 1 || k < 1) {
      throw new IllegalArgumentException("shape " + label + ": M, N and K must be >= 1, got " + m + "x" + n + "x" + k);
    }
    if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + label + ": M, N and K must each be < 2^31");
    }
  }

  /** The cube c x c x c, labelled "c^3". */
  public static GemmBenchShape cube(long c) {
    return new GemmBenchShape(c + "^3", c, c, c);
  }

  /** (M, N, K) labelled "MxNxK". */
  public static GemmBenchShape of(long m, long n, long k) {
    return new GemmBenchShape(m + "x" + n + "x" + k, m, n, k);
  }

  private static GemmBenchShape tokens(long n, long k) {
    return of(MODEL_TOKENS, n, k);
  }

  /** True when M = N = K: every pass is the same problem. */
  public boolean isCube() {
    return m == n && n == k;
  }

  /**
   * The shapes a comma-separated list names: {@code C^3} (a cube), {@code MxNxK}, {@code model}
   * ({@link #MODEL}) or {@code default} ({@link #DEFAULT}). A shape whose (M, N, K) appeared
   * before is dropped (the first name stays).
   *
   * @throws IllegalArgumentException naming the entry that is none of these
   */
  public static List<GemmBenchShape> parseList(String list) {
    Objects.requireNonNull(list, "list");
    List<GemmBenchShape> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String s = raw.trim().toLowerCase(Locale.ROOT);
      List<GemmBenchShape> named;
      if (s.equals("model")) {
        named = MODEL;
      } else if (s.equals("default")) {
        named = DEFAULT;
      } else {
        named = List.of(parse(s));
      }
      for (GemmBenchShape g : named) {
        if (out.stream().noneMatch(o -> o.m == g.m && o.n == g.n && o.k == g.k)) {
          out.add(g);
        }
      }
    }
    return List.copyOf(out);
  }

  /** One shape: {@code C^3} or {@code MxNxK} (positive integers). */
  public static GemmBenchShape parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim().toLowerCase(Locale.ROOT);
    String usage = " (use C^3, MxNxK, model or default, e.g. 4096^3,8192x1024x4096,model)";
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty shape in the list" + usage);
    }
    try {
      if (s.endsWith("^3")) {
        return cube(dim(s.substring(0, s.length() - 2)));
      }
      String[] p = s.split("x", -1);
      if (p.length == 3) {
        return of(dim(p[0]), dim(p[1]), dim(p[2]));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad shape '" + text.trim() + "': " + e.getMessage() + usage, e);
    }
    throw new IllegalArgumentException("bad shape '" + text.trim() + "'" + usage);
  }

  private static long dim(String s) {
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a whole number");
    }
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(s + " is out of range (1 to 2^31-1)");
    }
    return v;
  }

  private static List<GemmBenchShape> concat(List<GemmBenchShape> a, List<GemmBenchShape> b) {
    List<GemmBenchShape> l = new ArrayList<>(a);
    l.addAll(b);
    return List.copyOf(l);
  }

  @Override
  public String toString() {
    return label;
  }
}
