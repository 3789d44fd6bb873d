package dev.deepwell.precision;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Matching of layer-name patterns (see {@link PrecisionConfig}) and suggestions for patterns that
 * match nothing.
 */
public final class LayerPatterns {

  private LayerPatterns() {}

  /** True when {@code pattern} matches {@code layer}: exactly, as dotted prefix/suffix, or glob. */
  public static boolean matches(String pattern, String layer) {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(layer, "layer");
    if (pattern.contains("*")) {
      return globToRegex(pattern).matcher(layer).matches();
    }
    return layer.equals(pattern)
        || layer.startsWith(pattern + ".")
        || layer.endsWith("." + pattern)
        || layer.contains("." + pattern + ".");
  }

  /** True when {@code pattern} matches at least one of {@code layers}. */
  public static boolean matchesAny(String pattern, Collection<String> layers) {
    for (String l : layers) {
      if (matches(pattern, l)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Up to {@code limit} layer names (or dotted parts of them) closest to {@code pattern} by edit
   * distance, within a distance of a third of the pattern's length (at least 2).
   */
  public static List<String> nearMatches(String pattern, Collection<String> layers, int limit) {
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(layers, "layers");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    Set<String> candidates = new LinkedHashSet<>();
    for (String layer : layers) {
      candidates.add(layer);
      String[] parts = layer.split("\\.");
      // Every dotted suffix ("mlp.down", "down") is itself a valid pattern worth suggesting.
      for (int i = 1; i < parts.length; i++) {
        candidates.add(String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)));
      }
    }
    String p = pattern.replace("*", "");
    int maxDistance = Math.max(2, p.length() / 3);
    List<String> near = new ArrayList<>();
    for (String c : candidates) {
      if (editDistance(p, c) <= maxDistance) {
        near.add(c);
      }
    }
    near.sort(Comparator.comparingInt((String c) -> editDistance(p, c)).thenComparing(c -> c));
    return near.size() > limit ? List.copyOf(near.subList(0, limit)) : List.copyOf(near);
  }

  /** Levenshtein distance. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Pattern globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        if (literal.length() > 0) {
          sb.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        sb.append(".*");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      sb.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(sb.toString());
  }
}
