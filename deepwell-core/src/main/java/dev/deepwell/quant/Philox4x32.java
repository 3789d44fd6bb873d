package dev.deepwell.quant;

/**
 * Philox4x32-10, the counter-based random number generator of Salmon et al., "Parallel Random
 * Numbers: As Easy as 1, 2, 3" (SC11), as used by cuRAND and TransformerEngine. It is a pure
 * function of a 128-bit counter and a 64-bit key, so a GPU kernel gets the same bits for an
 * element from that element's index alone, with no sequential state.
 *
 * <p>One round maps counter words {@code (x0, x1, x2, x3)} and key words {@code (k0, k1)} to
 *
 * <pre>
 *   p0 = 0xD2511F53 * x0   (32x32 -> 64-bit unsigned product)
 *   p1 = 0xCD9E8D57 * x2
 *   (x0, x1, x2, x3) = (hi(p1) ^ x1 ^ k0, lo(p1), hi(p0) ^ x3 ^ k1, lo(p0))
 * </pre>
 *
 * and between rounds the key is bumped: {@code k0 += 0x9E3779B9, k1 += 0xBB67AE85} (mod 2^32).
 * Ten rounds, nine bumps. Verified against the Random123 known-answer vectors (see the test).
 *
 * <p><b>Stochastic-rounding stream.</b> Every quantizer in this package that rounds
 * stochastically draws the random bits of the element at linear index {@code i} of the
 * <em>input</em> (row-major, original orientation, regardless of the quantization axis) as
 * {@link #random24(long, long)}: counter {@code {lo32(i/4), hi32(i/4), 0, 0}}, key
 * {@code {lo32(seed), hi32(seed)}}, {@code random24 = word[i % 4] >>> 8}. A GPU kernel uses the
 * same mapping (one Philox call per four consecutive input elements), so the same seed gives the
 * same bytes on CPU and GPU, and the row-wise and column-wise copies of a tensor round each
 * element with the same random number.
 *
 * <p><b>Hadamard sign stream.</b> {@link Hadamard16#signMask(long)} uses counter
 * {@code {0, 0, 0, 1}} with the same key; counter word 3 is never non-zero in the stochastic
 * rounding stream, so the two streams never share a counter.
 */
public final class Philox4x32 {

  /** The round count of Philox4x32-10. */
  public static final int ROUNDS = 10;

  private static final long M0 = 0xD2511F53L;
  private static final long M1 = 0xCD9E8D57L;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;

  private Philox4x32() {}

  /**
   * Philox4x32 with {@code rounds} rounds (10 for Philox4x32-10; other counts exist only to check
   * the generator against the published 7-round vectors).
   *
   * @return the four output words
   */
  public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1, int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
    }
    int x0 = c0;
    int x1 = c1;
    int x2 = c2;
    int x3 = c3;
    for (int r = 0; r < rounds; r++) {
      if (r > 0) {
        k0 += W0;
        k1 += W1;
      }
      long p0 = M0 * (x0 & 0xFFFFFFFFL);
      long p1 = M1 * (x2 & 0xFFFFFFFFL);
      int y0 = (int) (p1 >>> 32) ^ x1 ^ k0;
      int y1 = (int) p1;
      int y2 = (int) (p0 >>> 32) ^ x3 ^ k1;
      int y3 = (int) p0;
      x0 = y0;
      x1 = y1;
      x2 = y2;
      x3 = y3;
    }
    return new int[] {x0, x1, x2, x3};
  }

  /** Philox4x32-10 of {@code counter} (4 words) under {@code key} (2 words). */
  public static int[] block(int[] counter, int[] key) {
    if (counter == null || counter.length != 4) {
      throw new IllegalArgumentException(
          "counter must hold 4 words, got " + (counter == null ? "null" : counter.length));
    }
    if (key == null || key.length != 2) {
      throw new IllegalArgumentException(
          "key must hold 2 words, got " + (key == null ? "null" : key.length));
    }
    return block(counter[0], counter[1], counter[2], counter[3], key[0], key[1], ROUNDS);
  }

  /**
   * The 24 random bits, in {@code [0, 2^24)}, that stochastic rounding uses for the input element
   * at linear index {@code elementIndex} under {@code seed} (mapping in the class comment).
   */
  public static int random24(long seed, long elementIndex) {
    if (elementIndex < 0) {
      throw new IllegalArgumentException("elementIndex must be >= 0, got " + elementIndex);
    }
    long group = elementIndex >>> 2;
    int[] w = block((int) group, (int) (group >>> 32), 0, 0, (int) seed, (int) (seed >>> 32),
        ROUNDS);
    return w[(int) (elementIndex & 3)] >>> 8;
  }

  /**
   * A reusable source of {@link #random24(long, long)} for one seed that keeps the last Philox
   * block, so walking indices in order costs one Philox call per four elements. Not thread-safe.
   */
  static final class Stream {
    private final long seed;
    private long cachedGroup = -1;
    private int[] cachedWords;

    Stream(long seed) {
      this.seed = seed;
    }

    int random24(long elementIndex) {
      long group = elementIndex >>> 2;
      if (group != cachedGroup) {
        cachedWords = block((int) group, (int) (group >>> 32), 0, 0, (int) seed,
            (int) (seed >>> 32), ROUNDS);
        cachedGroup = group;
      }
      return cachedWords[(int) (elementIndex & 3)] >>> 8;
    }
  }
}
