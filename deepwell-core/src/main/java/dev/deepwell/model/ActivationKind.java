package dev.deepwell.model;

/** Element-wise activations of a sequential model. GELU is the tanh approximation (GPT-2). */
public enum ActivationKind { GELU, RELU, SILU }
