package dev.deepwell.quant;

/**
 * Reference blockwise FP8 quantizer of the DeepSeek-V3 / cuBLAS scheme: E4M3 elements with one
 * FP32 decode scale per {@code 1 x 128} block along the quantized axis (activations, gradients)
 * or per {@code 128 x 128} tile (weights), chosen by {@link QuantOptions#fp8BlockShape()}. The
 * non-quantized dimension may be ragged (partial tiles at the edge; their amax covers the rows
 * present).
 *
 * <h2>Exact operation sequence (the GPU kernels reproduce it byte for byte)</h2>
 *
 * IEEE-754 binary32, round-to-nearest-even, subnormals kept, correctly rounded division
 * ({@code __fdiv_rn}; not fast-math), no fused multiply-add. Per block or tile of stored
 * elements:
 *
 * <ol>
 *   <li><b>amax</b> {@code a} = largest {@code |v|} over the block's finite elements (0 if none).
 *   <li><b>Decode scale</b> {@code s = a / 448f} (one division); if {@code s == 0} (all-zero block
 *       or underflow) then {@code s = 1}.
 *   <li><b>Elements</b> {@code q = v / s} (one division per element, as DeepSeek-V3's kernels
 *       do), {@code code = cvt.rn.satfinite.e4m3(q)}, or with stochastic rounding
 *       {@code Fp8E4M3.encodeStochastic(q, random24(seed, i))}, {@code i} the element's linear
 *       index in the input ({@link Philox4x32}). NaN gives {@code 0x7F}; ±Inf saturates to ±448.
 * </ol>
 *
 * <b>Dequantization:</b> {@code x' = decode(code) * s}.
 *
 * <p>Scales: FP32 {@code s} as little-endian 4-byte words, a row-major
 * {@code [storedRows, storedCols/128]} matrix for 1x128 or {@code [ceil(storedRows/128),
 * storedCols/128]} for 128x128. Only {@link ScaleLayout#ROW_MAJOR} applies.
 */
public final class Fp8BlockQuantizer implements Quantizer {

  /** Elements per block along the quantized axis. */
  public static final int BLOCK_SIZE = 128;

  public QuantFormat format() {
    return QuantFormat.FP8_BLOCK;
  }

  /** Step 2: the FP32 decode scale for finite block amax {@code amax}. */
  public static float decodeScale(float amax) {
    if (!(amax >= 0f && amax <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("amax must be finite and >= 0, got " + amax);
    }
    float s = amax / 448f;
    return s == 0f ? 1f : s;
  }

  @Override
  public QuantizedTensor quantize(float[] x, int rows, int cols, QuantOptions options) {
    Shapes.checkInput(QuantFormat.FP8_BLOCK, x, rows, cols, options);
    Storage s = Storage.of(x, rows, cols, options.axis());
    float[] v = s.values;
    int tileRows = options.fp8BlockShape().tileRows();
    int blocksPerRow = s.storedCols / BLOCK_SIZE;
    int scaleRows = (s.storedRows + tileRows - 1) / tileRows;
    byte[] scales = new byte[4 * scaleRows * blocksPerRow];
    int[] codes = new int[v.length];
    Philox4x32.Stream rng =
        options.stochasticRounding() ? new Philox4x32.Stream(options.seed()) : null;

    for (int tr = 0; tr < scaleRows; tr++) {
      int r0 = tr * tileRows;
      int r1 = Math.min(r0 + tileRows, s.storedRows);
      for (int b = 0; b < blocksPerRow; b++) {
        int c0 = b * BLOCK_SIZE;
        float amax = 0f;
        for (int r = r0; r < r1; r++) {
          for (int j = 0; j < BLOCK_SIZE; j++) {
            float a = Math.abs(v[r * s.storedCols + c0 + j]);
            if (a <= Float.MAX_VALUE && a > amax) {
              amax = a;
            }
          }
        }
        float scale = decodeScale(amax);
        putFloatLe(scales, 4 * (tr * blocksPerRow + b), scale);
        for (int r = r0; r < r1; r++) {
          for (int j = 0; j < BLOCK_SIZE; j++) {
            int p = r * s.storedCols + c0 + j;
            float q = v[p] / scale;
            codes[p] = rng == null
                ? ElementCodec.E4M3.encode(q)
                : ElementCodec.E4M3.encodeStochastic(q, rng.random24(s.originalIndex(p)));
          }
        }
      }
    }
    return QuantizedTensor.wrap(QuantFormat.FP8_BLOCK, rows, cols, options,
        ElementCodec.E4M3.pack(codes), scales, 1f);
  }

  @Override
  public float[] dequantize(QuantizedTensor q) {
    MxQuantizer.checkTensor(q, QuantFormat.FP8_BLOCK);
    int storedCols = q.storedCols();
    int n = q.rows() * q.cols();
    int tileRows = q.options().fp8BlockShape().tileRows();
    int blocksPerRow = storedCols / BLOCK_SIZE;
    int[] codes = ElementCodec.E4M3.unpack(q.dataUnsafe(), n);
    byte[] scales = q.dataUnsafeScales();
    float[] out = new float[n];
    for (int p = 0; p < n; p++) {
      int tile = (p / storedCols / tileRows) * blocksPerRow + (p % storedCols) / BLOCK_SIZE;
      out[p] = ElementCodec.E4M3.decode(codes[p]) * getFloatLe(scales, 4 * tile);
    }
    return Storage.toOriginal(out, q.rows(), q.cols(), q.axis());
  }

  static void putFloatLe(byte[] b, int off, float f) {
    int bits = Float.floatToRawIntBits(f);
    b[off] = (byte) bits;
    b[off + 1] = (byte) (bits >>> 8);
    b[off + 2] = (byte) (bits >>> 16);
    b[off + 3] = (byte) (bits >>> 24);
  }

  /** The FP32 stored little-endian at {@code b[off .. off+3]}. */
  public static float getFloatLe(byte[] b, int off) {
    if (b == null || off < 0 || off > b.length - 4) {
      throw new IllegalArgumentException("no 4 bytes at offset " + off + " in "
          + (b == null ? "null" : b.length + " bytes"));
    }
    int bits = (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24;
    return Float.intBitsToFloat(bits);
  }
}
