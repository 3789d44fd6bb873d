package dev.deepwell.precision;

/** Why a layer got its precision. Each value's {@link #summary()} is the rule in one line. */
public enum PrecisionReason {
  DEFAULT_COMPUTE("the configured default compute precision"),
  OVERRIDE("an explicit per-layer override"),
  SENSITIVE("matches a sensitive-layer pattern: kept in high precision"),
  EMBEDDING("embeddings are table look-ups, not GEMMs: kept in high precision"),
  NORM("normalisation reduces in FP32 and feeds the next GEMM: kept in high precision"),
  ROUTER("the MoE router decides token routing; small errors flip expert choices"),
  LM_HEAD("the output projection sets the logits directly: kept in high precision"),
  NON_GEMM("attention core and element-wise ops run in high precision"),
  SHAPE_NOT_ALIGNED("a GEMM dimension is not a multiple of the format's block/alignment"),
  TOO_SMALL_TO_GAIN("the roofline estimate shows too little speedup over BF16"),
  NOT_NATIVE_EMULATED("the target has no native kernels for the format: emulated"),
  NOT_NATIVE_MAPPED("the target has no native kernels for the format: mapped to one it has"),
  AUTO_FALLBACK("automatic fallback: measured quantization error above the threshold");

  private final String summary;

  PrecisionReason(String summary) {
    this.summary = summary;
  }

  /** The rule behind this reason, in one line. */
  public String summary() {
    return summary;
  }
}
