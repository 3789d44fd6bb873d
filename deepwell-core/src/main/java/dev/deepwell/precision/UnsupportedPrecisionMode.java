package dev.deepwell.precision;

/**
 * What to do when a layer asks for a precision the target GPU cannot run natively (for example
 * MXFP8 on Hopper, which has FP8 but no block-scaled tensor cores). Never silent: each choice is
 * recorded on the layer and in the fallback history.
 */
public enum UnsupportedPrecisionMode {
  /** Refuse to compile, naming the layer, the precision and the target. The default. */
  ERROR,
  /** Keep the requested format and run it through an emulating kernel; the layer is flagged. */
  EMULATE,
  /** Use the best format the target runs natively (NVFP4 -> MXFP8 -> FP8_BLOCK -> FP8 -> BF16). */
  MAP_TO_NATIVE
}
