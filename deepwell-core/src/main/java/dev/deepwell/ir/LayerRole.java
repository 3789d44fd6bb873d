package dev.deepwell.ir;

/** What an op is for in the model, which the precision rules key on. */
public enum LayerRole {
  EMBEDDING,
  NORM,
  ATTENTION_QKV,
  ATTENTION_CORE,
  ATTENTION_OUT,
  MLP_UP,
  MLP_DOWN,
  ROUTER,
  EXPERTS_UP,
  EXPERTS_DOWN,
  LM_HEAD,
  /** Element-wise, routing and bookkeeping ops that follow their inputs' format. */
  AUXILIARY,
  /** A layer of a sequential model with no transformer role. */
  CUSTOM,
  LOSS
}
