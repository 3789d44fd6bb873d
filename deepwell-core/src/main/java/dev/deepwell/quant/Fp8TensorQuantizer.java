package dev.deepwell.quant;

/**
 * Reference FP8 E4M3 quantizer with one FP32 scale for the whole tensor ("current scaling" in
 * TransformerEngine terms): the scale comes from this tensor's own amax.
 *
 * <h2>Exact operation sequence (the GPU kernels reproduce it byte for byte)</h2>
 *
 * IEEE-754 binary32, round-to-nearest-even, subnormals kept, correctly rounded division, no fused
 * multiply-add.
 *
 * <ol>
 *   <li><b>amax</b> {@code A} = largest {@code |x|} over the finite elements (0 if none).
 *   <li><b>Encode scale</b> {@code s = A == 0 ? 1 : min(448f / A, FLT_MAX)} (one division);
 *       <b>decode scale</b> {@code tensorScale = 1f / s} (one division), stored in
 *       {@link QuantizedTensor#tensorScale()}.
 *   <li><b>Elements</b> {@code q = x * s} (one multiply), {@code code = cvt.rn.satfinite.e4m3(q)},
 *       or with stochastic rounding {@code Fp8E4M3.encodeStochastic(q, random24(seed, i))}, with
 *       {@code i} the element's linear index in the input ({@link Philox4x32}). NaN gives the
 *       E4M3 NaN code {@code 0x7F}; ±Inf saturates to ±448 (Inf is left out of amax so one
 *       overflowed value does not flatten the whole tensor).
 * </ol>
 *
 * <b>Dequantization:</b> {@code x' = decode(code) * tensorScale}.
 *
 * <p>The axis only picks the storage orientation (COL stores the transpose; the codes are the
 * same); there are no block scales ({@link QuantizedTensor#scales()} is empty, scale matrix
 * {@code [0, 0]}).
 */
public final class Fp8TensorQuantizer implements Quantizer {

  public QuantFormat format() {
    return QuantFormat.FP8_TENSOR;
  }

  /** Step 2: the encode scale for finite amax {@code amax}. */
  public static float encodeScale(float amax) {
    if (!(amax >= 0f && amax <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("amax must be finite and >= 0, got " + amax);
    }
    return amax == 0f ? 1f : Math.min(448f / amax, Float.MAX_VALUE);
  }

  @Override
  public QuantizedTensor quantize(float[] x, int rows, int cols, QuantOptions options) {
    Shapes.checkInput(QuantFormat.FP8_TENSOR, x, rows, cols, options);
    Storage s = Storage.of(x, rows, cols, options.axis());
    float amax = 0f;
    for (float value : s.values) {
      float a = Math.abs(value);
      if (a <= Float.MAX_VALUE && a > amax) {
        amax = a;
      }
    }
    float scale = encodeScale(amax);
    float tensorScale = 1f / scale;
    Philox4x32.Stream rng =
        options.stochasticRounding() ? new Philox4x32.Stream(options.seed()) : null;
    int[] codes = new int[s.values.length];
    for (int p = 0; p < codes.length; p++) {
      float q = s.values[p] * scale;
      codes[p] = rng == null
          ? ElementCodec.E4M3.encode(q)
          : ElementCodec.E4M3.encodeStochastic(q, rng.random24(s.originalIndex(p)));
    }
    return QuantizedTensor.wrap(QuantFormat.FP8_TENSOR, rows, cols, options,
        ElementCodec.E4M3.pack(codes), new byte[0], tensorScale);
  }

  @Override
  public float[] dequantize(QuantizedTensor q) {
    MxQuantizer.checkTensor(q, QuantFormat.FP8_TENSOR);
    int n = q.rows() * q.cols();
    int[] codes = ElementCodec.E4M3.unpack(q.dataUnsafe(), n);
    float tensorScale = q.tensorScale();
    float[] out = new float[n];
    for (int p = 0; p < n; p++) {
      out[p] = ElementCodec.E4M3.decode(codes[p]) * tensorScale;
    }
    return Storage.toOriginal(out, q.rows(), q.cols(), q.axis());
  }
}
