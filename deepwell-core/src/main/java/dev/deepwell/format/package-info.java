/**
 * Bit-exact software implementations of the element formats Deepwell computes in: BF16, FP16, FP8 (E4M3, E5M2),
 * FP4 E2M1 and the block-scale formats UE8M0 and UE4M3.
 *
 * <p>Every conversion reproduces NVIDIA's: PTX {@code cvt} on the GPU and, equivalently, the host (non-device)
 * code paths of the CUDA 13 headers {@code cuda_bf16.hpp}, {@code cuda_fp16.hpp}, {@code cuda_fp8.hpp} and
 * {@code cuda_fp4.hpp}, so the CPU backend and the GPU backend produce identical codes. The encoders are static,
 * branch-light and allocation-free because a CPU quantizer calls them once per element.
 */
package dev.deepwell.format;
