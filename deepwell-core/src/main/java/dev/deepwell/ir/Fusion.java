package dev.deepwell.ir;

/** Work folded into an op by the fusion pass (an epilogue or a fused output conversion). */
public enum Fusion {
  /** The op writes its output quantized (norm + quantize, activation + quantize). */
  QUANTIZE_OUTPUT,
  /** GEMM epilogue: the activation of the next op. */
  GELU,
  RELU,
  SILU,
  /** GEMM/combine epilogue: adds the residual input. */
  RESIDUAL_ADD
}
