package dev.deepwell.model;

/**
 * Element-wise activations of a sequential model. GELU is the exact form 0.5 x (1 + erf(x / sqrt
 * 2)), as deepwell/gemm.h defines its GELU epilogue (GPT-2's tanh approximation differs by up to
 * 4.7e-4).
 */
public enum ActivationKind { GELU, RELU, SILU }
