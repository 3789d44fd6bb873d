/**
 * Reference block quantizers: the CPU definition, bit for bit, of every quantized tensor format
 * Deepwell uses (MXFP8, MXFP4, NVFP4 1-D and 2-D, per-tensor FP8, blockwise FP8).
 *
 * <p>Each {@link dev.deepwell.quant.Quantizer}'s class comment lists the exact sequence of IEEE
 * float32 operations it performs; the GPU quantization kernels follow the same sequence (round to
 * nearest even, subnormals kept, correctly rounded division, no fused multiply-add) and must
 * produce identical bytes. Random bits for stochastic rounding and the Hadamard signs come from
 * {@link dev.deepwell.quant.Philox4x32} with the counter mapping documented there. Element and
 * scale encodings are those of {@code dev.deepwell.format}.
 */
package dev.deepwell.quant;
