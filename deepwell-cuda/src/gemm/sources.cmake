# GEMM family: the dispatcher, the sm_90 configuration choice, cuBLASLt (opened at run time) and
# the plain CUDA reference kernel are built for every target; the CUTLASS sm_90a kernels only for
# sm_90a (their wgmma/TMA code exists nowhere else) and only when CUTLASS is found.
deepwell_cuda_sources(FILES gemm_dispatch.cpp gemm_sm90_select.cpp gemm_cublaslt.cpp gemm_reference.cu)
deepwell_cuda_sources(FILES gemm_sm90_bf16.cu gemm_sm90_fp8_tensor.cu gemm_sm90_fp8_blockwise.cu
                      GENCODE arch=compute_90a,code=sm_90a REQUIRES_CUTLASS)
