package dev.deepwell.ir;

/** The role of a value in a step. */
public enum ValueKind {
  /** Fed in each step (token ids, labels, input features). */
  INPUT,
  /** A trainable parameter, stored in the activation storage format (BF16 or FP32). */
  PARAMETER,
  /**
   * A quantized copy of a parameter that a low-precision GEMM reads; made from the FP32 master
   * weights when they change (after each optimizer step), not by an op of the step.
   */
  WEIGHT_COPY,
  /** Produced by an op of the step. */
  ACTIVATION
}
