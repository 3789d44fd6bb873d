/*
 * Deepwell GEMM: C ABI.
 *
 * One call computes, for row-major A [M,K], B given as [N,K] row-major ("TN": both operands
 * K-contiguous, the layout Hopper's tensor cores read without a transpose) and row-major D [M,N]:
 *
 *     Y[m,n] = alpha * scale_terms * sum_k deq(A)[m,k] * deq(B)[n,k]  + bias[n]
 *     D[m,n] = out_scale * act(Y[m,n]) + residual[m,n]
 *
 * where deq() applies the operand format's block scales (see dw_gemm_input), "scale_terms" is
 * the product of the per-tensor scales where the format has them (applied in FP32 after the
 * product), act is one of dw_gemm_activation, and bias / residual are present only when
 * desc.has_bias / desc.has_residual say so. The accumulator is FP32.
 *
 * All matrices are dense with no padding between rows (row stride = number of columns; for
 * NVFP4 a row of K values takes ceil(K/2) bytes). All pointers are device pointers except
 * where a field says otherwise. Nothing here allocates device memory, synchronises, or keeps
 * per-call state: a run may be captured into a CUDA graph.
 *
 * Shapes: the reference backend takes any M, N, K >= 1. The CUTLASS sm90 kernels need 16-byte
 * rows for TMA: K a multiple of 8 (BF16) or 16 (FP8), N a multiple of 8 (BF16 output) or 4
 * (FP32 output), and for FP8_BLOCK128 M a multiple of 4; otherwise they answer
 * DW_ERROR_GEMM_UNSUPPORTED and AUTO moves on to cuBLASLt or the reference kernel. The CUTLASS
 * sm100/sm120 block-scaled kernels (MXFP8, NVFP4) need K a multiple of 16 (MXFP8) or 32
 * (NVFP4) and N as above.
 *
 * MXFP8 on CUTLASS sm90 is EMULATED (Hopper has no block-scaled MMA), three ways:
 *  - variants 0 .. count-4: one pass dequantizes A and B exactly to BF16 copies in the workspace
 *    (2 (M + N) roundup(K, 8) bytes, part of the plan's workspace_bytes), then the BF16 kernel
 *    multiplies them. Any K (the copies are zero-padded), N as the BF16 kernels take it; the
 *    copies are exact except where a dequantized value lies below 2^-126 in magnitude (it
 *    rounds to a BF16 subnormal).
 *  - variant count-3 (forced only: AUTO never chooses it): Deepwell's FP8 wgmma kernel that
 *    applies the 32-deep scales while accumulating; K a multiple of 16, any M and N.
 *  - variants count-2 / count-1 (128x256 / 128x128 tiles): Deepwell's fused kernel, A dequantized
 *    to the same BF16 values in registers inside a BF16 wgmma main loop, B through a pass
 *    (N roundup(K, 64) x 2 bytes of workspace; where its tiles fill less than half of the SMs it
 *    splits K and adds splits x M x N x 4 bytes of FP32 partial sums); K a multiple of 16, any M
 *    and N. AUTO takes the 128x256 one where N <= 1024 and M >= 4096, the dequantizing pass
 *    elsewhere.
 * The own kernels' workspaces also hold tiled copies of row-major scales.
 *
 * Status codes and errors follow deepwell.h: every function that can fail returns a dw_status
 * (DW_SUCCESS, a CUDA error, or DW_ERROR_*) and records what failed for dw_last_error():
 *   DW_ERROR_INVALID_ARGUMENT   a null/negative/inconsistent field (the detail names it), or a
 *                               workspace smaller than the plan's workspace_bytes
 *   DW_ERROR_GEMM_UNSUPPORTED   a valid problem this backend/variant cannot run (the detail
 *                               says why: alignment, format, architecture, epilogue)
 *   DW_ERROR_LIBRARY_MISSING    the cuBLASLt backend was asked for and libcublasLt is missing
 *   DW_ERROR_INTERNAL           CUTLASS or cuBLASLt refused or failed (the detail has its status)
 *   a CUDA error                a launch or runtime call failed
 */
#ifndef DEEPWELL_GEMM_H
#define DEEPWELL_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "deepwell/deepwell.h"

#ifdef __cplusplus
extern "C" {
#endif


/* Operand format; A and B always share it. Scale layouts (all scales are device memory):
 *  BF16         no scales.
 *  FP8_TENSOR   E4M3 bytes; scale_a, scale_b: one FP32 each (deq = value * scale).
 *  FP8_BLOCK128 E4M3 bytes; scale_a: FP32 per 1x128 block of A, stored M-contiguous:
 *               element (m, kb) at scale_a[kb * M + m], kb < ceil(K/128);
 *               scale_b: FP32 per 128x128 block of B, stored K-contiguous:
 *               element (nb, kb) at scale_b[nb * ceil(K/128) + kb], nb < ceil(N/128).
 *  MXFP8        E4M3 bytes; scale_a / scale_b: one E8M0 byte per 32 consecutive k of a row,
 *               row-major [rows][ceil(K/32)] (deq = value * 2^(e - 127); e = 255 is NaN).
 *  NVFP4        E2M1 nibbles, two per byte, element k of a row in byte k/2, low nibble first;
 *               scale_a / scale_b: one UE4M3 byte (E4M3 with the sign bit 0) per 16
 *               consecutive k, row-major [rows][ceil(K/16)]; tensor_scale_a / tensor_scale_b:
 *               one FP32 each (deq = value * ue4m3 * tensor_scale).
 *  NVFP4_WEIGHT mixed input for inference, the one format whose A and B differ: A is BF16
 *               activations [M,K] with no scales (scale_a and tensor_scale_a must be null);
 *               B is NVFP4 weights [N,K] laid out as NVFP4's B (scale_b UE4M3 per 16 k,
 *               row-major [N][ceil(K/16)]; tensor_scale_b one FP32), dequantized in the main
 *               loop. Backends: GEMV (Deepwell's own kernel: M <= DW_GEMM_GEMV_MAX_M, K a
 *               multiple of 32, row-major scales) and the reference (any shape).
 * MXFP8 and NVFP4 scales may instead be given in the 128x4 tiled layout that the sm_100 /
 * sm_120 block-scaled tensor cores read (desc.scale_layout = DW_GEMM_SCALES_SWIZZLED_128X4; see
 * dw_gemm_scale_layout). */
typedef enum dw_gemm_input {
  DW_GEMM_IN_BF16 = 0,
  DW_GEMM_IN_FP8_TENSOR = 1,
  DW_GEMM_IN_FP8_BLOCK128 = 2,
  DW_GEMM_IN_MXFP8 = 3,
  DW_GEMM_IN_NVFP4 = 4,
  DW_GEMM_IN_NVFP4_WEIGHT = 5
} dw_gemm_input;

/* The most rows of A (tokens) the GEMV backend takes: decode, where the weights are read once
 * and the product is bound by memory bandwidth. */
#define DW_GEMM_GEMV_MAX_M 16

/* Type of D; bias and residual have the same type as D. */
typedef enum dw_gemm_output {
  DW_GEMM_OUT_BF16 = 0,
  DW_GEMM_OUT_F32 = 1
} dw_gemm_output;

typedef enum dw_gemm_activation {
  DW_GEMM_ACT_NONE = 0,
  DW_GEMM_ACT_GELU = 1, /* exact form: 0.5 x (1 + erf(x / sqrt 2)) */
  DW_GEMM_ACT_SILU = 2  /* x / (1 + exp(-x)) */
} dw_gemm_activation;

typedef enum dw_gemm_backend {
  DW_GEMM_BACKEND_AUTO = 0,         /* CUTLASS sm90 if it can, else cuBLASLt, else reference
                                       (exceptions: dw_gemm_plan) */
  DW_GEMM_BACKEND_CUTLASS_SM90 = 1, /* TMA warp-specialized kernels; compute capability 9.0 */
  DW_GEMM_BACKEND_CUBLASLT = 2,     /* libcublasLt opened at run time; BF16, FP8_TENSOR and
                                       FP8_BLOCK128 (cuBLASLt 12.9+ block scaling, where its
                                       heuristic offers a kernel for the GPU)                   */
  DW_GEMM_BACKEND_REFERENCE = 3,    /* plain CUDA, any arch, every format and shape          */
  DW_GEMM_BACKEND_GEMV = 4,         /* Deepwell's own decode GEMV kernels, any arch built for:
                                       NVFP4_WEIGHT, M <= DW_GEMM_GEMV_MAX_M; AUTO tries it first */
  DW_GEMM_BACKEND_CUTLASS_SM100 = 5, /* block-scaled tcgen05 kernels (TMEM accumulators), MXFP8
                                        and NVFP4; compute capability 10.0 (B200, B100: sm_100a
                                        code, which 10.3 cannot load) */
  DW_GEMM_BACKEND_CUTLASS_SM120 = 6  /* block-scaled MMA kernels, MXFP8 and NVFP4; compute
                                        capability 12.0 (RTX 50xx, RTX PRO 6000: sm_120a code) */
} dw_gemm_backend;

/* How MXFP8 / NVFP4 block scales (one byte each) are laid out; other formats take ROW_MAJOR.
 *  ROW_MAJOR       [rows][cols] as dw_gemm_input says (cols = ceil(K/32) MXFP8, ceil(K/16) NVFP4).
 *                  The sm100/sm120 kernels re-lay such scales into their workspace before each
 *                  run (a small extra kernel; the plan's workspace_bytes includes the room).
 *  SWIZZLED_128X4  the matrix padded to [roundup(rows, 128)][roundup(cols, 4)] and cut into
 *                  128x4 tiles of 512 bytes, stored tile-row-major (all tiles of rows 0..127
 *                  first, left to right); entry (r, c) of a tile at byte
 *                  (r % 32) * 16 + ((r / 32) % 4) * 4 + (c % 4). That is, entry (r, c) of the
 *                  matrix at ((r / 128) * ceil(cols / 4) + c / 4) * 512 + the in-tile offset:
 *                  CUTLASS's Sm1xxBlkScaledConfig layout and dev.deepwell.quant.ScaleLayout's.
 *                  The padding must hold finite scales (the quantizers write 0): the tensor
 *                  cores multiply the zero-filled tail of K by them. The sm100/sm120 kernels read
 *                  these scales in place; the reference backend re-lays them to row-major in its
 *                  workspace. */
typedef enum dw_gemm_scale_layout {
  DW_GEMM_SCALES_ROW_MAJOR = 0,
  DW_GEMM_SCALES_SWIZZLED_128X4 = 1
} dw_gemm_scale_layout;

/* What to compute: everything that chooses a kernel, no pointers. */
typedef struct dw_gemm_desc {
  int64_t m, n, k;               /* >= 1 each */
  dw_gemm_input input;
  dw_gemm_output output;
  dw_gemm_activation activation;
  float alpha;                   /* host value; multiplies the accumulator */
  float out_scale;               /* host value; multiplies act(Y) */
  int32_t has_bias;              /* 0/1: whether args.bias will be given */
  int32_t has_residual;          /* 0/1: whether args.residual will be given */
  int32_t scale_layout;          /* dw_gemm_scale_layout of scale_a / scale_b (MXFP8, NVFP4 only;
                                    0 = ROW_MAJOR, what a zero-initialised desc says) */
} dw_gemm_desc;

/* The device memory of one call. Pointers must be 16-byte aligned (cudaMalloc gives 256). */
typedef struct dw_gemm_args {
  const void* a;                 /* [M,K] */
  const void* b;                 /* [N,K] */
  void* d;                       /* [M,N] */
  const void* scale_a;           /* per dw_gemm_input; null for BF16 */
  const void* scale_b;
  const float* tensor_scale_a;   /* NVFP4 only, else null */
  const float* tensor_scale_b;
  const void* bias;              /* [N] of the output type, iff desc.has_bias */
  const void* residual;          /* [M,N] of the output type, iff desc.has_residual; may equal d */
} dw_gemm_args;

/* A resolved choice of kernel for one desc on one device. Plain value: copy it freely. */
typedef struct dw_gemm_plan_info {
  dw_gemm_desc planned;          /* the problem it was planned for: a run must match its shape,
                                    formats, activation and bias/residual flags */
  int32_t device;                /* the device it was planned for; runs make it current */
  dw_gemm_backend backend;       /* never AUTO once planned */
  int32_t variant;               /* kernel configuration within the backend */
  int32_t swizzle;               /* CUTLASS tile-raster swizzle (1, 2, 4, 8); 0 before planning:
                                    the planner's choice (a benchmark may preset it) */
  uint64_t workspace_bytes;      /* device scratch dw_gemm_run needs (0: none) */
  char name[64];                 /* kernel name, for logs and the kernel matrix */
  uint64_t opaque[10];           /* backend-private (cuBLASLt keeps its chosen algorithm here) */
} dw_gemm_plan_info;

/* Number of variants a backend has for an input format in this build (0: none). */
int32_t dw_gemm_variant_count(dw_gemm_backend backend, dw_gemm_input input);

/* Chooses a kernel for `desc` on `device`. variant < 0 lets the backend choose by problem
 * size; variant >= 0 forces one (benchmarks). AUTO tries CUTLASS sm90, then cuBLASLt, then the
 * reference kernel, and returns the first that accepts the problem; on compute capability 10.x
 * it tries CUTLASS sm100 first, on 12.x CUTLASS sm120 first; on 9.0 cuBLASLt comes before CUTLASS
 * sm90 for FP8_BLOCK128 and FP8_TENSOR, and for BF16 with M <= 256 or with an output of at most
 * one 128x128 tile per SM and K >= 8192 (where it measured faster on an H100). A preset out->swizzle > 0
 * is kept. A CUTLASS backend asked for on a device of another architecture answers
 * DW_ERROR_GEMM_UNSUPPORTED naming the architecture it needs and the device's. AUTO tries the
 * GEMV backend before all of these (it accepts NVFP4_WEIGHT with M <= DW_GEMM_GEMV_MAX_M only;
 * larger M goes on to the reference kernel). */
dw_status dw_gemm_plan(int32_t device, const dw_gemm_desc* desc, dw_gemm_backend backend, int32_t variant,
                       dw_gemm_plan_info* out);

/* Runs a planned GEMM on `stream` (a cudaStream_t of the plan's device, e.g. dw_stream_native();
 * null = the default stream). Asynchronous; may be captured into a CUDA graph. */
dw_status dw_gemm_run(const dw_gemm_desc* desc, const dw_gemm_args* args, const dw_gemm_plan_info* plan,
                      void* workspace, uint64_t workspace_bytes, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* DEEPWELL_GEMM_H */
