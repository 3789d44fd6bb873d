package dev.deepwell.quant;

import dev.deepwell.format.E8M0;

/**
 * Reference quantizer of the OCP Microscaling formats: MXFP8 (E4M3 or E5M2 elements) and MXFP4
 * (E2M1 elements), 32-element blocks along the quantized axis, one E8M0 (power-of-two) scale per
 * block.
 *
 * <h2>Exact operation sequence (the GPU kernels reproduce it byte for byte)</h2>
 *
 * All arithmetic is IEEE-754 binary32 with round-to-nearest-even, subnormals kept (no FTZ, no
 * fast-math), no fused multiply-add. For each block {@code v[0..31]} (32 consecutive stored
 * elements of one stored row; see {@link Axis}):
 *
 * <ol>
 *   <li><b>Non-finite check.</b> If any {@code v[j]} is NaN or ±Inf, the block's scale byte is
 *       the E8M0 NaN code {@code 0xFF} and all 32 element codes are {@code 0} (+0); dequantizing
 *       gives NaN for the whole block (OCP MX v1.0: a NaN scale makes every element NaN). E4M3
 *       and E2M1 cannot represent Inf, so for all three formats alike an Inf is reported as a
 *       NaN block rather than silently clamped.
 *   <li><b>amax</b> = the largest {@code |v[j]|} (sign bit cleared; exact, order-independent).
 *   <li><b>Scale code</b> (one byte, unbiased exponent {@code e = code - 127}):
 *       <ul>
 *         <li>{@link ScaleRule#OCP}: {@code code = E8M0.fromExponent(biasedExp(amax) - 127 -
 *             emax)}, where {@code biasedExp} is bits 23..30 of amax's float encoding (0 for zero
 *             and subnormal amax, which then clamp to code 0 anyway) and {@code emax} = 8 (E4M3),
 *             15 (E5M2), 2 (E2M1); {@code fromExponent} clamps the exponent to [-127, 127].
 *         <li>{@link ScaleRule#CEIL}: {@code t = amax / elementMax} (one float division by 448,
 *             57344 or 6), {@code code = E8M0.encodeRoundUp(t)}
 *             ({@code cvt.rp.satfinite.ue8m0x2.f32}). NVIDIA's kernels multiply by a rounded
 *             reciprocal instead; the division is the definition here. Whenever {@code t} is a
 *             normal float no element saturates: no float amax lies strictly between
 *             {@code elementMax·2^k} and a value whose quotient would round down to {@code 2^k}.
 *       </ul>
 *   <li><b>Inverse scale</b> {@code inv = 2^(127 - code)} built exactly (code 254 gives the
 *       subnormal 2^-127; no division).
 *   <li><b>Elements:</b> {@code q[j] = v[j] * inv} (one float multiply; exact unless the product is
 *       subnormal, and then far below the element's smallest subnormal, so it still encodes to
 *       zero), then {@code code[j] = cvt.rn.satfinite(q[j])} of the element format; with
 *       stochastic rounding, {@code encodeStochastic(q[j], random24(seed, i))} where {@code i} is
 *       the element's linear index in the original input ({@link Philox4x32}). OCP scales let
 *       the top binade exceed the element max, so those elements saturate; CEIL never does.
 * </ol>
 *
 * <b>Dequantization:</b> {@code x'[j] = decode(code[j]) * E8M0.decode(scale)}, one float
 * multiply (exact unless the result is subnormal). Under CEIL a value within half an element ulp
 * of FLT_MAX rounds to {@code 2^128}, beyond float range, and so dequantizes to ±Inf.
 *
 * <p>Data: FP8 codes one per byte, FP4 codes two per byte (low nibble first) in the stored
 * orientation; scales: {@code [storedRows, storedCols/32]} E8M0 bytes in the requested
 * {@link ScaleLayout}.
 */
public final class MxQuantizer implements Quantizer {

  /** Elements per MX block. */
  public static final int BLOCK_SIZE = 32;

  private final QuantFormat format;
  private final ElementCodec codec;

  /**
   * @param format {@link QuantFormat#MXFP8_E4M3}, {@link QuantFormat#MXFP8_E5M2} or
   *     {@link QuantFormat#MXFP4}
   */
  public MxQuantizer(QuantFormat format) {
    if (format == null || !format.isMx()) {
      throw new IllegalArgumentException(
          "format must be mxfp8-e4m3, mxfp8-e5m2 or mxfp4, got " + format);
    }
    this.format = format;
    this.codec = format == QuantFormat.MXFP8_E4M3
        ? ElementCodec.E4M3
        : format == QuantFormat.MXFP8_E5M2 ? ElementCodec.E5M2 : ElementCodec.E2M1;
  }

  public QuantFormat format() {
    return format;
  }

  @Override
  public QuantizedTensor quantize(float[] x, int rows, int cols, QuantOptions options) {
    Shapes.checkInput(format, x, rows, cols, options);
    Storage s = Storage.of(x, rows, cols, options.axis());
    int blocksPerRow = s.storedCols / BLOCK_SIZE;
    int[] codes = new int[s.values.length];
    byte[] scales = new byte[s.storedRows * blocksPerRow];
    Philox4x32.Stream rng =
        options.stochasticRounding() ? new Philox4x32.Stream(options.seed()) : null;

    for (int block = 0; block < scales.length; block++) {
      int base = block * BLOCK_SIZE;
      float amax = 0f;
      boolean nonFinite = false;
      for (int j = 0; j < BLOCK_SIZE; j++) {
        float a = Math.abs(s.values[base + j]);
        if (!(a <= Float.MAX_VALUE)) {
          nonFinite = true;
        } else if (a > amax) {
          amax = a;
        }
      }
      if (nonFinite) {
        scales[block] = (byte) E8M0.NAN_CODE;
        continue; // element codes stay 0
      }
      int scaleCode = scaleCode(amax, options.scaleRule(), codec);
      scales[block] = (byte) scaleCode;
      float inv = Math.scalb(1f, 127 - scaleCode);
      for (int j = 0; j < BLOCK_SIZE; j++) {
        int p = base + j;
        float q = s.values[p] * inv;
        codes[p] = rng == null
            ? codec.encode(q)
            : codec.encodeStochastic(q, rng.random24(s.originalIndex(p)));
      }
    }
    byte[] laidOut = ScaleLayout.convert(scales, s.storedRows, blocksPerRow,
        ScaleLayout.ROW_MAJOR, options.scaleLayout());
    return QuantizedTensor.wrap(format, rows, cols, options, codec.pack(codes), laidOut, 1f);
  }

  /** The E8M0 scale code of a block whose finite amax is {@code amax} (step 3 above). */
  static int scaleCode(float amax, ScaleRule rule, ElementCodec codec) {
    if (rule == ScaleRule.OCP) {
      int biasedExponent = (Float.floatToRawIntBits(amax) >>> 23) & 0xFF;
      return E8M0.fromExponent(biasedExponent - 127 - codec.emax);
    }
    return E8M0.encodeRoundUp(amax / codec.max);
  }

  @Override
  public float[] dequantize(QuantizedTensor q) {
    checkTensor(q, format);
    int storedCols = q.storedCols();
    int n = q.rows() * q.cols();
    int blocksPerRow = storedCols / BLOCK_SIZE;
    int[] codes = codec.unpack(q.dataUnsafe(), n);
    byte[] scales = q.rowMajorScalesUnsafe();
    float[] out = new float[n];
    for (int p = 0; p < n; p++) {
      int block = (p / storedCols) * blocksPerRow + (p % storedCols) / BLOCK_SIZE;
      out[p] = codec.decode(codes[p]) * E8M0.decode(scales[block] & 0xFF);
    }
    return Storage.toOriginal(out, q.rows(), q.cols(), q.axis());
  }

  static void checkTensor(QuantizedTensor q, QuantFormat expected) {
    if (q == null) {
      throw new IllegalArgumentException("q must not be null");
    }
    if (q.format() != expected) {
      throw new IllegalArgumentException("this quantizer dequantizes " + expected.cliName()
          + ", got a " + q.format().cliName() + " tensor");
    }
  }
}
