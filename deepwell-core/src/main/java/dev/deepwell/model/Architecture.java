package dev.deepwell.model;

/**
 * The decoder-only families a {@link TransformerSpec} describes.
 *
 * <ul>
 *   <li>LLAMA: RMSNorm, rotary position embedding, grouped-query attention, SwiGLU MLP, no biases.
 *   <li>GPT2: LayerNorm (weight and bias), learned position embedding, GELU MLP (the exact erf
 *       form; GPT-2 itself used the tanh approximation), biases on every linear layer.
 * </ul>
 */
public enum Architecture { LLAMA, GPT2 }
