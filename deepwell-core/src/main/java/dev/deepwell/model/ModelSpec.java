package dev.deepwell.model;

/** A model description the engine can capture: a transformer or a sequential stack of layers. */
public sealed interface ModelSpec permits TransformerSpec, SequentialSpec {

  /** Human-readable name, e.g. "llama-7b". */
  String name();

  /** Longest sequence the model accepts (its position table or RoPE range). */
  int maxSeqLen();

  /** Number of trainable parameters (a tied weight is counted once). */
  long parameterCount();
}
