package dev.deepwell.ir;

/** The operations of the IR. Shapes in comments: T tokens, d width, V vocabulary. */
public enum OpKind {
  /** ids [T] int32, table [V, d] -> [T, d]. */
  EMBEDDING,
  /** x [T, d], table [P, d] -> x + table[position], P >= seqLen. */
  POSITION_EMBEDDING,
  /** x [.., d], weight [d] -> y (+ rstd [rows] fp32 when training). */
  RMSNORM,
  /** x [.., d], weight [d], bias [d] -> y (+ mean/rstd [rows, 2] fp32 when training). */
  LAYERNORM,
  /** x [M, K], weight [N, K], (bias [N]), (residual [M, N]) -> [M, N] (+ pre-activation aux). */
  LINEAR,
  /** x [R, K], weights [E, N, K], expert ids [T, k] -> [R, N], R = T k; row r: expert ids[r]. */
  GROUPED_LINEAR,
  /** Rotary embedding on the q and k parts of a fused qkv [T, (h + 2g) hd]; v passes through. */
  ROPE,
  /** Scaled-dot-product attention over qkv [T, (h + 2g) hd] -> [T, h hd] (+ lse when training). */
  ATTENTION,
  /** [M, 2f] -> [M, f]: silu(first half) * second half. */
  SWIGLU,
  GELU,
  RELU,
  SILU,
  /** a + b, same shape (residual connection). */
  ADD,
  /** x -> x in a quantized format (attribute "format"). */
  QUANTIZE,
  /** router logits [T, E] -> top-k softmax weights [T, k] fp32, expert ids [T, k] int32. */
  ROUTER_TOPK,
  /** x [T, d], expert ids [T, k] -> [T k, d]: row t k + j is token t for its j-th expert. */
  MOE_DISPATCH,
  /** y [T k, d], weights [T, k], (residual [T, d]) -> [T, d]: weighted sum over each token's k. */
  MOE_COMBINE,
  /** logits [T, V], labels [T] int32 -> mean loss [1] fp32, log-sum-exp [T] fp32. */
  CROSS_ENTROPY;

  /** True for the ops that multiply by a weight matrix (the ones low precision applies to). */
  public boolean isGemm() {
    return this == LINEAR || this == GROUPED_LINEAR;
  }

  public boolean isNorm() {
    return this == RMSNORM || this == LAYERNORM;
  }

  public boolean isActivation() {
    return this == SWIGLU || this == GELU || this == RELU || this == SILU;
  }
}
