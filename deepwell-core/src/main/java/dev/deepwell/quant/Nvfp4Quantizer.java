package dev.deepwell.quant;

import dev.deepwell.format.Ue4M3;

/**
 * Reference quantizer of NVIDIA's NVFP4: E2M1 elements, one UE4M3 scale per 16-element block and
 * one FP32 scale per tensor, following the TransformerEngine recipe. {@link QuantFormat#NVFP4}
 * uses 1x16 blocks along the quantized axis; {@link QuantFormat#NVFP4_2D} (for weights) uses one
 * amax per 16x16 tile, with the tile's scale stored in the same {@code [storedRows,
 * storedCols/16]} 1x16 layout, repeated for each of the tile's rows, so GEMMs consume it
 * unchanged and the ROW and COL copies are exact transposes of each other (codes and scales). A
 * ragged non-quantized dimension gives partial tiles at the edge, whose amax covers the rows
 * present.
 *
 * <h2>Exact operation sequence (the GPU kernels reproduce it byte for byte)</h2>
 *
 * IEEE-754 binary32, round-to-nearest-even, subnormals kept (no FTZ, no fast-math: divisions are
 * correctly rounded, CUDA {@code __fdiv_rn}), no fused multiply-add. {@code v} is the input in
 * the stored orientation ({@link Axis}).
 *
 * <ol>
 *   <li><b>Hadamard</b> (option {@code hadamard16}): every 16-element block of every stored row is
 *       replaced by {@link Hadamard16#forward} with {@code Hadamard16.signMask(seed)}; all later
 *       steps see the transformed values.
 *   <li><b>Tensor amax</b> {@code A} = largest {@code |v|} over the <em>finite</em> elements (0 if
 *       none). Non-finite values only poison their own block (step 4).
 *   <li><b>Encode scale</b> {@code sEnc = A == 0 ? 1 : min(2688f / A, FLT_MAX)} (one division,
 *       {@code 2688 = 448 · 6}, exact); <b>tensor decode scale</b>
 *       {@code tensorScale = 1f / sEnc} (one division), stored in
 *       {@link QuantizedTensor#tensorScale()}.
 *   <li><b>Block scale</b>, per block (1x16 run, or 16x16 tile for NVFP4_2D): if the block holds a
 *       NaN or ±Inf, its scale byte is {@code 0x7F} (UE4M3 NaN) and all its element codes are 0,
 *       so it dequantizes to NaN. Otherwise {@code a} = the block's amax,
 *       {@code d = (a / 6f) * sEnc} (a division, then a multiply), {@code code = Ue4M3.encode(d)}
 *       (RNE, saturating at 448), {@code sDec = Ue4M3.decode(code)}.
 *   <li><b>Element scale</b> {@code e = sDec == 0 ? 0 : min(sEnc / sDec, FLT_MAX)} (one division).
 *       (TransformerEngine's FP32 path computes {@code 1 / (sDec * (1 / sEnc))} instead; we use the
 *       single rounding of {@code encodeScale / decodedBlockScale}. For {@code sDec == 0}, i.e. a
 *       block far below the tensor amax, TE multiplies by FLT_MAX; we write +-0 codes, which
 *       dequantize to the same zeros.)
 *   <li><b>Elements</b> {@code q = v * e} (one multiply), {@code code = cvt.rn.satfinite.e2m1(q)},
 *       or with stochastic rounding {@code Fp4E2M1.encodeStochastic(q, random24(seed, i))}, where
 *       {@code i} is the element's linear index in the original input ({@link Philox4x32}).
 * </ol>
 *
 * <b>Dequantization:</b> {@code x' = (decode(code) * sDec) * tensorScale} (the first product is
 * exact: 2 x 4 significant bits), and with {@code hadamard16} then {@link Hadamard16#inverse} on
 * each 16-element block. A GEMM whose operands both carry the same signs may skip the inverse.
 *
 * <p><b>Limits of the recipe</b> (documented and tested, not bugs): the Hadamard transform runs
 * along the quantized axis, so with {@code hadamard16} the ROW and COL copies of NVFP4_2D are no
 * longer transposes of each other. A tensor whose finite amax is below about {@code 6 / FLT_MAX}
 * (float subnormals) loses resolution because {@code sEnc} and {@code e} clamp at FLT_MAX; an
 * all-subnormal tensor quantizes to zeros.
 */
public final class Nvfp4Quantizer implements Quantizer {

  /** Elements per block along the quantized axis (and tile side for NVFP4_2D). */
  public static final int BLOCK_SIZE = 16;
  /** {@code 448 · 6}: UE4M3 max times E2M1 max, the numerator of the tensor encode scale. */
  public static final float ENCODE_NUMERATOR = 2688f;

  private final QuantFormat format;
  private final boolean twoD;

  /** @param format {@link QuantFormat#NVFP4} or {@link QuantFormat#NVFP4_2D} */
  public Nvfp4Quantizer(QuantFormat format) {
    if (format == null || !format.isNvfp4()) {
      throw new IllegalArgumentException("format must be nvfp4 or nvfp4-2d, got " + format);
    }
    this.format = format;
    this.twoD = format == QuantFormat.NVFP4_2D;
  }

  public QuantFormat format() {
    return format;
  }

  /** Step 3: the tensor encode scale for finite tensor amax {@code amax}. */
  public static float encodeScale(float amax) {
    if (!(amax >= 0f && amax <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("amax must be finite and >= 0, got " + amax);
    }
    return amax == 0f ? 1f : Math.min(ENCODE_NUMERATOR / amax, Float.MAX_VALUE);
  }

  /** Step 4: the UE4M3 block scale code for finite block amax {@code amax}. */
  public static int blockScaleCode(float amax, float encodeScale) {
    if (!(amax >= 0f && amax <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("amax must be finite and >= 0, got " + amax);
    }
    checkEncodeScale(encodeScale);
    return Ue4M3.encode((amax / 6f) * encodeScale);
  }

  /** Step 5: the multiplier applied to each element before the E2M1 conversion. */
  public static float elementScale(float encodeScale, float decodedBlockScale) {
    checkEncodeScale(encodeScale);
    if (!(decodedBlockScale >= 0f && decodedBlockScale <= Ue4M3.MAX)) {
      throw new IllegalArgumentException(
          "decodedBlockScale must be a UE4M3 value in [0, 448], got " + decodedBlockScale);
    }
    return decodedBlockScale == 0f ? 0f : Math.min(encodeScale / decodedBlockScale,
        Float.MAX_VALUE);
  }

  private static void checkEncodeScale(float encodeScale) {
    if (!(encodeScale > 0f && encodeScale <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "encodeScale must be finite and > 0, got " + encodeScale);
    }
  }

  @Override
  public QuantizedTensor quantize(float[] x, int rows, int cols, QuantOptions options) {
    Shapes.checkInput(format, x, rows, cols, options);
    Storage s = Storage.of(x, rows, cols, options.axis());
    float[] v = s.values;
    if (options.hadamard16()) {
      int mask = Hadamard16.signMask(options.seed());
      for (int off = 0; off < v.length; off += BLOCK_SIZE) {
        Hadamard16.forward(v, off, mask);
      }
    }
    float tensorAmax = 0f;
    for (float value : v) {
      float a = Math.abs(value);
      if (a <= Float.MAX_VALUE && a > tensorAmax) {
        tensorAmax = a;
      }
    }
    float sEnc = encodeScale(tensorAmax);
    float tensorScale = 1f / sEnc;

    int blocksPerRow = s.storedCols / BLOCK_SIZE;
    int tileRows = twoD ? BLOCK_SIZE : 1;
    int[] codes = new int[v.length];
    byte[] scales = new byte[s.storedRows * blocksPerRow];
    Philox4x32.Stream rng =
        options.stochasticRounding() ? new Philox4x32.Stream(options.seed()) : null;

    for (int r0 = 0; r0 < s.storedRows; r0 += tileRows) {
      int r1 = Math.min(r0 + tileRows, s.storedRows);
      for (int b = 0; b < blocksPerRow; b++) {
        int c0 = b * BLOCK_SIZE;
        float amax = 0f;
        boolean nonFinite = false;
        for (int r = r0; r < r1; r++) {
          for (int j = 0; j < BLOCK_SIZE; j++) {
            float a = Math.abs(v[r * s.storedCols + c0 + j]);
            if (!(a <= Float.MAX_VALUE)) {
              nonFinite = true;
            } else if (a > amax) {
              amax = a;
            }
          }
        }
        int scaleCode = nonFinite ? 0x7F : blockScaleCode(amax, sEnc);
        float e = nonFinite ? 0f : elementScale(sEnc, Ue4M3.decode(scaleCode));
        for (int r = r0; r < r1; r++) {
          scales[r * blocksPerRow + b] = (byte) scaleCode;
          if (nonFinite) {
            continue; // element codes stay 0
          }
          for (int j = 0; j < BLOCK_SIZE; j++) {
            int p = r * s.storedCols + c0 + j;
            float q = v[p] * e;
            codes[p] = rng == null
                ? ElementCodec.E2M1.encode(q)
                : ElementCodec.E2M1.encodeStochastic(q, rng.random24(s.originalIndex(p)));
          }
        }
      }
    }
    byte[] laidOut = ScaleLayout.convert(scales, s.storedRows, blocksPerRow,
        ScaleLayout.ROW_MAJOR, options.scaleLayout());
    return QuantizedTensor.wrap(format, rows, cols, options, ElementCodec.E2M1.pack(codes),
        laidOut, tensorScale);
  }

  @Override
  public float[] dequantize(QuantizedTensor q) {
    MxQuantizer.checkTensor(q, format);
    int storedCols = q.storedCols();
    int n = q.rows() * q.cols();
    int blocksPerRow = storedCols / BLOCK_SIZE;
    int[] codes = ElementCodec.E2M1.unpack(q.dataUnsafe(), n);
    byte[] scales = q.rowMajorScalesUnsafe();
    float tensorScale = q.tensorScale();
    float[] out = new float[n];
    for (int p = 0; p < n; p++) {
      int block = (p / storedCols) * blocksPerRow + (p % storedCols) / BLOCK_SIZE;
      float sDec = Ue4M3.decode(scales[block] & 0xFF);
      out[p] = (ElementCodec.E2M1.decode(codes[p]) * sDec) * tensorScale;
    }
    if (q.options().hadamard16()) {
      int mask = Hadamard16.signMask(q.options().seed());
      for (int off = 0; off < n; off += BLOCK_SIZE) {
        Hadamard16.inverse(out, off, mask);
      }
    }
    return Storage.toOriginal(out, q.rows(), q.cols(), q.axis());
  }
}
