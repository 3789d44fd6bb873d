// cuBLASLt backend: BF16, FP8 per-tensor and FP8 block-scaled (1x128 A, 128x128 B; the modes
// cuBLASLt 12.9+ offers on Hopper) GEMMs through NVIDIA's library, opened at run time with dlopen
// so that the Deepwell library neither links against nor ships it. Serves as the baseline our
// own kernels are measured against and as the fallback where they cannot run. Whether the
// installed cuBLASLt has a block-scaled kernel for the running GPU is its heuristic's answer:
// none is an UNSUPPORTED refusal (the AUTO chain then moves on).
//
// cuBLASLt is column-major. Our row-major D [M,N] is a column-major [N,M] matrix, and
//   D^T (N x M) = B (N x K, = column-major K x N read transposed) * A^T (K x M, = row-major A).
// So the cuBLASLt problem is m' = N, n' = M, k' = K with op(A') = T on our B and op(B') = N on
// our A: the "TN" form cuBLASLt requires for FP8.
#include <dlfcn.h>

#include <cstring>
#include <mutex>

#include <cublasLt.h>

#include "gemm_internal.h"

namespace dw::gemm {
namespace {

constexpr const char* kOp = "cuBLASLt GEMM";
constexpr size_t kMaxWorkspace = size_t(32) << 20;  // NVIDIA's recommendation for Hopper
constexpr uint32_t kMinAlignment = 16;              // what gemm.h promises callers need

// The entry points used here, resolved once from the library the runtime opened
// (dw_optional_library); one cuBLASLt handle per device, made on first use.
struct CublasLt {
  bool ok = false;
  const char* why = "";
  size_t version = 0;
#define DW_LT_FN(name) decltype(&::name) name = nullptr
  DW_LT_FN(cublasLtCreate);
  DW_LT_FN(cublasLtGetVersion);
  DW_LT_FN(cublasLtGetStatusString);
  DW_LT_FN(cublasLtMatmul);
  DW_LT_FN(cublasLtMatmulDescCreate);
  DW_LT_FN(cublasLtMatmulDescDestroy);
  DW_LT_FN(cublasLtMatmulDescSetAttribute);
  DW_LT_FN(cublasLtMatrixLayoutCreate);
  DW_LT_FN(cublasLtMatrixLayoutDestroy);
  DW_LT_FN(cublasLtMatmulPreferenceCreate);
  DW_LT_FN(cublasLtMatmulPreferenceDestroy);
  DW_LT_FN(cublasLtMatmulPreferenceSetAttribute);
  DW_LT_FN(cublasLtMatmulAlgoGetHeuristic);
#undef DW_LT_FN
  std::once_flag handle_once[dw::kMaxDevices];
  cublasLtHandle_t handle[dw::kMaxDevices] = {};
};

template <class F>
bool resolve(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

CublasLt& library() {
  static CublasLt lt;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dw::optional_library_handle(DW_LIBRARY_CUBLASLT);
    if (lib == nullptr) {
      lt.why = "libcublasLt could not be opened (see dw_optional_library)";
      return;
    }
    bool ok = true;
#define DW_LT_RESOLVE(name) ok = resolve(lib, lt.name, #name) && ok
    DW_LT_RESOLVE(cublasLtCreate);
    DW_LT_RESOLVE(cublasLtGetVersion);
    DW_LT_RESOLVE(cublasLtGetStatusString);
    DW_LT_RESOLVE(cublasLtMatmul);
    DW_LT_RESOLVE(cublasLtMatmulDescCreate);
    DW_LT_RESOLVE(cublasLtMatmulDescDestroy);
    DW_LT_RESOLVE(cublasLtMatmulDescSetAttribute);
    DW_LT_RESOLVE(cublasLtMatrixLayoutCreate);
    DW_LT_RESOLVE(cublasLtMatrixLayoutDestroy);
    DW_LT_RESOLVE(cublasLtMatmulPreferenceCreate);
    DW_LT_RESOLVE(cublasLtMatmulPreferenceDestroy);
    DW_LT_RESOLVE(cublasLtMatmulPreferenceSetAttribute);
    DW_LT_RESOLVE(cublasLtMatmulAlgoGetHeuristic);
#undef DW_LT_RESOLVE
    if (!ok) {
      lt.why = "libcublasLt lacks an expected symbol";
      return;
    }
    lt.version = lt.cublasLtGetVersion();
    if (lt.version < 120000) {  // FP8 and the attributes used here arrived with cuBLASLt 12.0
      lt.why = "libcublasLt is older than 12.0";
      return;
    }
    lt.ok = true;
  });
  return lt;
}

// The library and a handle for `device` (current on the calling thread), or a recorded error.
dw_status acquire(int32_t device, const CublasLt** out, cublasLtHandle_t* handle) {
  CublasLt& lt = library();
  if (!lt.ok) return dw::fail(DW_ERROR_LIBRARY_MISSING, kOp, "%s", lt.why);
  std::call_once(lt.handle_once[device], [&] {
    if (lt.cublasLtCreate(&lt.handle[device]) != CUBLAS_STATUS_SUCCESS) lt.handle[device] = nullptr;
  });
  if (lt.handle[device] == nullptr)
    return dw::fail(DW_ERROR_INTERNAL, kOp, "cublasLtCreate failed on device %d", device);
  *out = &lt;
  *handle = lt.handle[device];
  return DW_SUCCESS;
}

dw_status lt_fail(const CublasLt& lt, cublasStatus_t s, const char* what) {
  return dw::fail(DW_ERROR_INTERNAL, kOp, "%s: %s", what, lt.cublasLtGetStatusString(s));
}

// The descriptors of one problem, destroyed with the object.
struct Problem {
  const CublasLt& lt;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr, d = nullptr;
  explicit Problem(const CublasLt& l) : lt(l) {}
  ~Problem() {
    if (op) lt.cublasLtMatmulDescDestroy(op);
    for (auto* l : {a, b, c, d})
      if (l) lt.cublasLtMatrixLayoutDestroy(l);
  }
  Problem(const Problem&) = delete;
  Problem& operator=(const Problem&) = delete;
};

bool is_fp8(const dw_gemm_desc& desc) {
  return desc.input == DW_GEMM_IN_FP8_TENSOR || desc.input == DW_GEMM_IN_FP8_BLOCK128;
}

// FP8_BLOCK128's scales as cuBLASLt reads them: scale_a (1x128 blocks of A, cuBLASLt's B
// operand, VEC128_32F) M-contiguous exactly as gemm.h stores it; scale_b (128x128 blocks of B,
// cuBLASLt's A, BLK128x128_32F) K-contiguous with its row stride rounded up to 4 floats. Where
// ceil(K/128) is not a multiple of 4, run() copies scale_b into that padded form at the start of
// the workspace (the plan's workspace_bytes includes the room).
struct BlockScaleCopy {
  int64_t k_blocks = 0, rows = 0, padded_k_blocks = 0;
  size_t bytes = 0;  // 0: scale_b is used in place
};

BlockScaleCopy block_scale_copy(const dw_gemm_desc& desc) {
  BlockScaleCopy c;
  if (desc.input != DW_GEMM_IN_FP8_BLOCK128) return c;
  c.k_blocks = (desc.k + 127) / 128;
  c.rows = (desc.n + 127) / 128;
  c.padded_k_blocks = (c.k_blocks + 3) / 4 * 4;
  if (c.padded_k_blocks != c.k_blocks)
    c.bytes = (static_cast<size_t>(c.rows * c.padded_k_blocks) * sizeof(float) + 255) / 256 * 256;
  return c;
}

dw_status supported(const dw_gemm_desc& desc) {
  if (desc.input != DW_GEMM_IN_BF16 && !is_fp8(desc))
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp,
                    "input format %d not wired (BF16, FP8_TENSOR, FP8_BLOCK128 only)", desc.input);
  if (desc.activation != DW_GEMM_ACT_NONE)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp,
                    "activation %d not offered (its GELU is the tanh form, it has no SiLU)", desc.activation);
  if (desc.has_bias && desc.out_scale != 1.0f)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "out_scale != 1 with a bias cannot be expressed");
  if (is_fp8(desc) && desc.k % 16 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "FP8: k=%lld must be a multiple of 16", (long long)desc.k);
  // cuBLASLt 13.1 on H100 found no 1x128 / 128x128 block-scaled algorithm for M = 1, 255, 257 (N =
  // 2304..14336, K = 768, 4096) and ran every M % 4 == 0 shape we tried (4 .. 16384, ragged N and K;
  // 2026-11-27): said here, before its heuristic, so that the Java mirror can say it too.
  if (desc.input == DW_GEMM_IN_FP8_BLOCK128 && desc.m % 4 != 0)
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "FP8 block: m=%lld must be a multiple of 4", (long long)desc.m);
  return DW_SUCCESS;
}

// Builds the descriptors; pointers (scales, bias) are set only when `args` is given.
dw_status describe(const CublasLt& lt, const dw_gemm_desc& desc, const dw_gemm_args* args, const void* padded_scale_b,
                   Problem& p) {
  const bool fp8 = is_fp8(desc);
  const cudaDataType_t in_type = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  const cudaDataType_t out_type = desc.output == DW_GEMM_OUT_F32 ? CUDA_R_32F : CUDA_R_16BF;
  cublasStatus_t s = lt.cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  if (s != CUBLAS_STATUS_SUCCESS) return lt_fail(lt, s, "MatmulDescCreate");
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta);
  lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb);
  if (fp8) {
    const int8_t fast = 0;  // promote partial sums into FP32, like the CUTLASS FP8 kernels
    lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast);
  }
  if (desc.input == DW_GEMM_IN_FP8_BLOCK128) {  // cuBLASLt's A is our B (weights), its B our A
    const int32_t a_mode = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F, b_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
    cublasStatus_t sa = lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &a_mode, sizeof a_mode);
    cublasStatus_t sb = lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &b_mode, sizeof b_mode);
    if (sa != CUBLAS_STATUS_SUCCESS || sb != CUBLAS_STATUS_SUCCESS)  // a cuBLASLt older than 12.9
      return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "this cuBLASLt (%zu) has no 1x128 / 128x128 block scaling",
                      lt.version);
  }
  if (desc.has_bias) {
    const cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
    lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi);
    const cudaDataType_t bias_type = out_type;
    lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_type, sizeof bias_type);
  }
  if (args == nullptr && desc.input == DW_GEMM_IN_FP8_BLOCK128) {
    // cuBLASLt 13.1's heuristic answers "invalid value" for block scaling unless both scale
    // pointers are set (H100, 2026-11-26); it never reads them, so planning passes a non-null
    // sentinel and run() the caller's pointers.
    const void* sentinel = reinterpret_cast<const void*>(uintptr_t{256});
    lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &sentinel, sizeof sentinel);
    lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &sentinel, sizeof sentinel);
  }
  if (args != nullptr) {
    if (fp8) {  // cuBLASLt's A is our B and vice versa
      const void* scale_b = padded_scale_b != nullptr ? padded_scale_b : args->scale_b;
      lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &scale_b, sizeof scale_b);
      lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &args->scale_a,
                                        sizeof args->scale_a);
    }
    if (desc.has_bias)
      lt.cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &args->bias, sizeof args->bias);
  }
  const uint64_t m = desc.n, n = desc.m, k = desc.k;
  if ((s = lt.cublasLtMatrixLayoutCreate(&p.a, in_type, k, m, static_cast<int64_t>(k))) != CUBLAS_STATUS_SUCCESS ||
      (s = lt.cublasLtMatrixLayoutCreate(&p.b, in_type, k, n, static_cast<int64_t>(k))) != CUBLAS_STATUS_SUCCESS ||
      (s = lt.cublasLtMatrixLayoutCreate(&p.c, out_type, m, n, static_cast<int64_t>(m))) != CUBLAS_STATUS_SUCCESS ||
      (s = lt.cublasLtMatrixLayoutCreate(&p.d, out_type, m, n, static_cast<int64_t>(m))) != CUBLAS_STATUS_SUCCESS)
    return lt_fail(lt, s, "MatrixLayoutCreate");
  return DW_SUCCESS;
}

bool aligned(const void* p) { return (reinterpret_cast<uintptr_t>(p) % kMinAlignment) == 0; }

}  // namespace

dw_status cublaslt_plan(const DeviceInfo& dev, const dw_gemm_desc& desc, dw_gemm_plan_info* plan) {
  dw_status st = supported(desc);
  if (st != DW_SUCCESS) return st;
  const CublasLt* ltp = nullptr;
  cublasLtHandle_t handle = nullptr;
  st = acquire(dev.device, &ltp, &handle);
  if (st != DW_SUCCESS) return st;
  const CublasLt& lt = *ltp;
  Problem p(lt);
  st = describe(lt, desc, nullptr, nullptr, p);
  if (st != DW_SUCCESS) return st;

  cublasLtMatmulPreference_t pref = nullptr;
  cublasStatus_t s = lt.cublasLtMatmulPreferenceCreate(&pref);
  if (s != CUBLAS_STATUS_SUCCESS) return lt_fail(lt, s, "MatmulPreferenceCreate");
  const size_t max_ws = kMaxWorkspace;
  lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws, sizeof max_ws);
  for (auto attr : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    lt.cublasLtMatmulPreferenceSetAttribute(pref, attr, &kMinAlignment, sizeof kMinAlignment);
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  s = lt.cublasLtMatmulAlgoGetHeuristic(handle, p.op, p.a, p.b, p.c, p.d, pref, 1, &result, &found);
  lt.cublasLtMatmulPreferenceDestroy(pref);
  if (s == CUBLAS_STATUS_NOT_SUPPORTED)  // e.g. FP8 with an FP32 output and a bias
    return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "MatmulAlgoGetHeuristic: %s", lt.cublasLtGetStatusString(s));
  if (s != CUBLAS_STATUS_SUCCESS) return lt_fail(lt, s, "MatmulAlgoGetHeuristic");
  if (found < 1) return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "no algorithm for this problem");

  static_assert(sizeof(result.algo) <= sizeof(plan->opaque), "cuBLASLt algo must fit plan->opaque");
  std::memcpy(plan->opaque, &result.algo, sizeof result.algo);
  plan->backend = DW_GEMM_BACKEND_CUBLASLT;
  plan->variant = 0;
  plan->workspace_bytes = block_scale_copy(desc).bytes + result.workspaceSize;
  set_name(plan, desc.input == DW_GEMM_IN_FP8_TENSOR    ? "cublaslt_fp8_tensor"
                 : desc.input == DW_GEMM_IN_FP8_BLOCK128 ? "cublaslt_fp8_block128"
                                                          : "cublaslt_bf16");
  return DW_SUCCESS;
}

dw_status cublaslt_run(const DeviceInfo& dev, const dw_gemm_desc& desc, const dw_gemm_args& args,
                       const dw_gemm_plan_info& plan, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  dw_status st = supported(desc);
  if (st != DW_SUCCESS) return st;
  const CublasLt* ltp = nullptr;
  cublasLtHandle_t handle = nullptr;
  st = acquire(dev.device, &ltp, &handle);
  if (st != DW_SUCCESS) return st;
  for (const void* ptr : {args.a, args.b, static_cast<const void*>(args.d), args.residual, args.bias})
    if (ptr != nullptr && !aligned(ptr))
      return dw::fail(DW_ERROR_GEMM_UNSUPPORTED, kOp, "pointers must be %u-byte aligned", kMinAlignment);
  const CublasLt& lt = *ltp;
  const BlockScaleCopy copy = block_scale_copy(desc);
  void* padded_scale_b = nullptr;
  if (copy.bytes > 0) {
    if (workspace == nullptr || workspace_bytes < copy.bytes || !aligned(workspace))
      return dw::fail(DW_ERROR_INVALID_ARGUMENT, kOp,
                      "FP8_BLOCK128 with ceil(K/128) %% 4 != 0 needs %zu bytes of 16-byte aligned workspace for "
                      "the padded scale_b",
                      copy.bytes);
    padded_scale_b = workspace;
    const size_t row = static_cast<size_t>(copy.k_blocks) * sizeof(float);
    const cudaError_t e = cudaMemcpy2DAsync(padded_scale_b, static_cast<size_t>(copy.padded_k_blocks) * sizeof(float),
                                            args.scale_b, row, row, static_cast<size_t>(copy.rows),
                                            cudaMemcpyDeviceToDevice, stream);
    if (e != cudaSuccess) return dw::check(e, kOp, "padding scale_b");
    workspace = static_cast<char*>(workspace) + copy.bytes;
    workspace_bytes -= copy.bytes;
  }
  Problem p(lt);
  st = describe(lt, desc, &args, padded_scale_b, p);
  if (st != DW_SUCCESS) return st;
  cublasLtMatmulAlgo_t algo;
  std::memcpy(&algo, plan.opaque, sizeof algo);
  // D = out_scale * (alpha * acc + bias) + residual; the planner refused out_scale != 1 with a
  // bias, so the scale folds into alpha.
  const float alpha = desc.alpha * desc.out_scale;
  const float beta = desc.has_residual ? 1.0f : 0.0f;
  const void* c = desc.has_residual ? args.residual : args.d;
  cublasStatus_t s = lt.cublasLtMatmul(handle, p.op, &alpha, args.b, p.a, args.a, p.b, &beta, c, p.c, args.d, p.d,
                                       &algo, workspace, workspace_bytes, stream);
  if (s != CUBLAS_STATUS_SUCCESS) return lt_fail(lt, s, "Matmul");
  return DW_SUCCESS;
}

}  // namespace dw::gemm
