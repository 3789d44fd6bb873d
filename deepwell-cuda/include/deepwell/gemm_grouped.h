/*
 * Deepwell grouped GEMM: C ABI. One call runs G GEMMs that share N and K but each have their
 * own number of rows M_g (M_g may be 0): the expert layers of a mixture-of-experts model, where
 * M_g is the number of tokens the router sent to expert g.
 *
 * Layout ("packed", the layout MoE dispatch produces; no per-group pointers to build):
 *   A  [sum M_g, K] row-major: the rows of group g start at row offset_g = M_0 + ... + M_{g-1}
 *   B  [G, N, K]    row-major: expert g's weight is B[g], [N, K] ("TN" as in gemm.h)
 *   D  [sum M_g, N] row-major: group g's result at row offset_g
 * and for each group, with deq() as in gemm.h:
 *
 *     Y[m,n] = alpha * sum_k deq(A_g)[m,k] * deq(B_g)[n,k] + bias[g][n]
 *     D_g[m,n] = out_scale * act(Y[m,n])
 *
 * Group sizes: M_g is given either in device memory (group_m: what a routing kernel writes;
 * nothing is read back to the host, so a run stays asynchronous and graph-capturable) or in host
 * memory (group_m_host: checked on the host; the values are passed to the device inside kernel
 * parameters, so a captured graph keeps the sizes of capture time). CUTLASS does not need host
 * sizes: its grouped scheduler reads the problem shapes from device memory and runs a persistent
 * grid of one CTA per SM, whatever the sizes.
 *
 * Device sizes cannot be checked before the kernels run. They are clamped on the device instead,
 * never read or written out of bounds: a negative M_g counts as 0, and rows past
 * desc.max_total_m are dropped (the group that crosses it is cut, later groups are empty). When
 * args.sizes_clamped is given, each run writes 1 there if it clamped anything, else 0. Rows of D
 * past sum M_g are not written.
 *
 * Scales (FP8_BLOCK128; all FP32, device memory), per group exactly as gemm.h lays out one GEMM:
 *   scale_a: group g's [ceil(K/128), M_g] block, M-contiguous (element (m, kb) at kb * M_g + m),
 *            starting at scale_a + ceil(K/128) * offset_g. The blocks of the groups follow one
 *            another: ceil(K/128) * sum M_g floats in all.
 *   scale_b: [G, ceil(N/128), ceil(K/128)]: expert g's 128x128 block scales K-contiguous.
 *
 * Formats: BF16 and FP8_BLOCK128 (other dw_gemm_input values are refused). Outputs BF16 or F32;
 * bias [G, N] of the output type when desc.has_bias. Accumulation in FP32.
 *
 * Shapes: the reference backend takes any N, K >= 1. The CUTLASS sm90 kernels need 16-byte rows
 * for TMA: K a multiple of 8 (BF16) or 16 (FP8), N a multiple of 8 (BF16 output) or 4 (F32), and
 * answer DW_ERROR_GEMM_UNSUPPORTED otherwise (AUTO then plans the reference kernel). Any M_g
 * works. Pointers must be 16-byte aligned (cudaMalloc gives 256). Sizes: max_total_m, N and K
 * each at most 2^31 - 1, G at most DW_GEMM_GROUPED_MAX_GROUPS.
 *
 * Nothing here allocates device memory or synchronises: the caller provides the workspace the
 * plan asks for (device-side problem shapes, pointer and stride arrays that a setup kernel fills
 * from the group sizes, plus CUTLASS's per-SM TMA descriptors). A workspace may serve one run at
 * a time. Status codes and dw_last_error() as in gemm.h.
 */
#ifndef DEEPWELL_GEMM_GROUPED_H
#define DEEPWELL_GEMM_GROUPED_H

#include <stddef.h>
#include <stdint.h>

#include "deepwell/deepwell.h"
#include "deepwell/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DW_GEMM_GROUPED_MAX_GROUPS 65536

/* What to compute: everything that chooses a kernel and sizes the workspace, no pointers. */
typedef struct dw_gemm_grouped_desc {
  int32_t groups;                /* G >= 1 */
  int32_t has_bias;              /* 0/1: whether args.bias ([G, N], output type) will be given */
  int64_t max_total_m;           /* >= 0: upper bound of sum M_g (rows of A and D) */
  int64_t n, k;                  /* >= 1 each; shared by every group */
  dw_gemm_input input;           /* DW_GEMM_IN_BF16 or DW_GEMM_IN_FP8_BLOCK128 */
  dw_gemm_output output;
  dw_gemm_activation activation;
  float alpha;                   /* host value; multiplies the accumulator */
  float out_scale;               /* host value; multiplies act(Y) */
} dw_gemm_grouped_desc;

/* The device memory of one call (host memory only where a field says so). */
typedef struct dw_gemm_grouped_args {
  const void* a;                 /* [sum M_g, K] */
  const void* b;                 /* [G, N, K] */
  void* d;                       /* [sum M_g, N] (max_total_m rows available) */
  const float* scale_a;          /* FP8_BLOCK128: per-group blocks (above); null for BF16 */
  const float* scale_b;          /* FP8_BLOCK128: [G, ceil(N/128), ceil(K/128)]; null for BF16 */
  const void* bias;              /* [G, N] of the output type, iff desc.has_bias */
  const int32_t* group_m;        /* device [G] int32 group sizes, or null when group_m_host is given */
  const int32_t* group_m_host;   /* HOST [G] int32 group sizes, or null when group_m is given */
  int32_t* sizes_clamped;        /* optional device int32: 1 when this run clamped group_m, else 0 */
} dw_gemm_grouped_args;

/* A resolved choice of kernel for one grouped desc on one device. Plain value: copy it freely. */
typedef struct dw_gemm_grouped_plan_info {
  dw_gemm_grouped_desc planned;  /* a run must match it (alpha and out_scale may change) */
  int32_t device;                /* the device it was planned for; runs make it current */
  dw_gemm_backend backend;       /* CUTLASS_SM90 or REFERENCE once planned */
  int32_t variant;               /* kernel configuration within the backend */
  int32_t swizzle;               /* CUTLASS tile-raster swizzle (1, 2, 4, 8); 0 before planning:
                                    the planner's choice (a benchmark may preset it) */
  uint64_t workspace_bytes;      /* device scratch dw_gemm_grouped_run needs (> 0) */
  char name[64];                 /* kernel name, for logs */
} dw_gemm_grouped_plan_info;

/* Number of variants a backend has for an input format in this build (0: none). */
int32_t dw_gemm_grouped_variant_count(dw_gemm_backend backend, dw_gemm_input input);

/* Chooses a kernel for `desc` on `device` and sizes its workspace (which depends on G, the
 * device's SM count and the kernel, not on the group sizes). variant < 0 lets the backend
 * choose; variant >= 0 forces one. AUTO tries CUTLASS sm90, then the reference kernel
 * (cuBLASLt has no grouped GEMM here). A preset out->swizzle > 0 is kept. */
dw_status dw_gemm_grouped_plan(int32_t device, const dw_gemm_grouped_desc* desc, dw_gemm_backend backend,
                               int32_t variant, dw_gemm_grouped_plan_info* out);

/* Runs a planned grouped GEMM on `stream` (a cudaStream_t of the plan's device; null = the
 * default stream): one setup kernel that turns the group sizes into the kernel's problem and
 * pointer arrays inside `workspace`, then the GEMM. Asynchronous; may be captured into a CUDA
 * graph. With group_m_host and more than 512 groups the setup takes one launch per 512. */
dw_status dw_gemm_grouped_run(const dw_gemm_grouped_desc* desc, const dw_gemm_grouped_args* args,
                              const dw_gemm_grouped_plan_info* plan, void* workspace, uint64_t workspace_bytes,
                              void* stream);

#ifdef __cplusplus
}
#endif

#endif /* DEEPWELL_GEMM_GROUPED_H */
