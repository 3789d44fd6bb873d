package dev.deepwell.quant;

/**
 * The 16-point random Hadamard transform (RHT) that NVFP4 quantization may apply to each
 * 16-element block before computing amax and scales. Multiplying by an orthogonal matrix spreads
 * an outlier over the block, so the block's amax (and with it the scale) shrinks relative to the
 * typical element; a GEMM whose two operands were transformed with the same signs gets the same
 * dot products, because {@code (HDa)·(HDb) = a·b}.
 *
 * <p><b>Definition.</b> {@code y = (1/4) · H16 · D · x}, where {@code H16} is the
 * Sylvester-order Hadamard matrix {@code H[i][j] = (-1)^popcount(i & j)} and
 * {@code D = diag(s_0..s_15)} with {@code s_j = -1} when bit {@code j} of the sign mask is set,
 * else {@code +1}. Since
 * {@code H16·H16 = 16·I}, the inverse is {@code x = (1/4) · D · H16 · y}.
 *
 * <p><b>Exact float op sequence</b> (what a GPU kernel must do to get identical bits), on 16
 * floats {@code v[0..15]}:
 *
 * <ol>
 *   <li>forward: {@code v[j] = -v[j]} where mask bit {@code j} is set (sign flip, exact);
 *   <li>{@code v[j] = v[j] * 0.25f} for every {@code j} (exact unless the product is below
 *       2^-126 in magnitude; scaling first keeps sums of values up to {@code FLT_MAX/4} finite);
 *   <li>four butterfly stages, {@code h = 1, 2, 4, 8} in that order; in each stage, for every
 *       {@code j} in {@code 0..15} with {@code (j & h) == 0}: {@code a = v[j], b = v[j+h];
 *       v[j] = a + b; v[j+h] = a - b} (round-to-nearest float add/sub, no fused operations; the
 *       pairs within one stage are independent, so their order does not matter).
 * </ol>
 *
 * The inverse runs step 2, then step 3, then step 1.
 *
 * <p><b>Signs.</b> One 16-bit mask per seed, shared by every block of the tensor (both operands
 * of a GEMM must use the same mask): {@link #signMask(long)} = the low 16 bits of word 0 of
 * Philox4x32-10 with counter {@code {0, 0, 0, 1}} and key {@code {lo32(seed), hi32(seed)}}.
 */
public final class Hadamard16 {

  /** Points of the transform (the NVFP4 block size). */
  public static final int SIZE = 16;

  private Hadamard16() {}

  /** The sign mask for {@code seed}: bit {@code j} set means element {@code j} is negated. */
  public static int signMask(long seed) {
    int[] w = Philox4x32.block(0, 0, 0, 1, (int) seed, (int) (seed >>> 32), Philox4x32.ROUNDS);
    return w[0] & 0xFFFF;
  }

  /** Forward transform of {@code v[offset .. offset+15]} in place. */
  public static void forward(float[] v, int offset, int signMask) {
    checkRange(v, offset);
    checkMask(signMask);
    applySigns(v, offset, signMask);
    scaleByQuarter(v, offset);
    butterflies(v, offset);
  }

  /** Inverse transform of {@code v[offset .. offset+15]} in place. */
  public static void inverse(float[] v, int offset, int signMask) {
    checkRange(v, offset);
    checkMask(signMask);
    scaleByQuarter(v, offset);
    butterflies(v, offset);
    applySigns(v, offset, signMask);
  }

  private static void applySigns(float[] v, int offset, int signMask) {
    for (int j = 0; j < SIZE; j++) {
      if (((signMask >>> j) & 1) != 0) {
        v[offset + j] = -v[offset + j];
      }
    }
  }

  private static void scaleByQuarter(float[] v, int offset) {
    for (int j = 0; j < SIZE; j++) {
      v[offset + j] = v[offset + j] * 0.25f;
    }
  }

  private static void butterflies(float[] v, int offset) {
    for (int h = 1; h < SIZE; h <<= 1) {
      for (int j = 0; j < SIZE; j++) {
        if ((j & h) == 0) {
          float a = v[offset + j];
          float b = v[offset + j + h];
          v[offset + j] = a + b;
          v[offset + j + h] = a - b;
        }
      }
    }
  }

  private static void checkRange(float[] v, int offset) {
    if (v == null) {
      throw new IllegalArgumentException("v must not be null");
    }
    if (offset < 0 || offset > v.length - SIZE) {
      throw new IllegalArgumentException(
          "offset " + offset + " leaves no 16 elements in v of length " + v.length);
    }
  }

  private static void checkMask(int signMask) {
    if ((signMask & ~0xFFFF) != 0) {
      throw new IllegalArgumentException(
          "signMask must fit in 16 bits, got 0x" + Integer.toHexString(signMask));
    }
  }
}
