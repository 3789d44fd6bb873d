# GEMM family: the dispatcher, the sm_90 configuration choice, cuBLASLt (opened at run time) and
# the plain CUDA reference kernel are built for every target; the CUTLASS sm_90a kernels only for
# sm_90a (their wgmma/TMA code exists nowhere else) and only when CUTLASS is found.
deepwell_cuda_sources(FILES gemm_dispatch.cpp gemm_sm90_select.cpp gemm_cublaslt.cpp gemm_reference.cu)
deepwell_cuda_sources(FILES gemm_sm90_bf16.cu gemm_sm90_bf16_splitk_reduce.cu gemm_sm90_fp8_tensor.cu
                      gemm_sm90_fp8_blockwise.cu gemm_sm90_mxfp8.cu GENCODE arch=compute_90a,code=sm_90a REQUIRES_CUTLASS)
# MXFP8 on sm_90a with the block scales applied while accumulating: our own wgmma kernel, no
# CUTLASS headers, but a variant of the CUTLASS sm90 MXFP8 family (built where that family is).
# The same family's fused kernel (A dequantized in registers, BF16 wgmma; ours, no CUTLASS either).
# NVFP4 weights x BF16 activations for any M (ours, no CUTLASS: weights decoded in registers, BF16
# wgmma), a family of the same backend. Our BF16 kernel with 128x112 tiles (no CUTLASS either), a
# variant of the CUTLASS BF16 family.
deepwell_cuda_sources(FILES gemm_sm90_mxfp8_wgmma.cu gemm_sm90_mxfp8_fused.cu gemm_sm90_nvfp4w.cu
                      gemm_sm90_bf16_wgmma.cu
                      GENCODE arch=compute_90a,code=sm_90a REQUIRES_CUTLASS)
# Grouped (mixture-of-experts) GEMM of gemm_grouped.h: dispatcher and reference kernel for every
# target, the CUTLASS sm_90a pointer-array kernels as above.
deepwell_cuda_sources(FILES gemm_grouped.cpp gemm_grouped_reference.cu)
deepwell_cuda_sources(FILES gemm_sm90_grouped_bf16.cu gemm_sm90_grouped_fp8_block.cu
                      GENCODE arch=compute_90a,code=sm_90a REQUIRES_CUTLASS)
# Deepwell's decode GEMV (NVFP4 weights x BF16 activations, no CUTLASS): every target, clusters
# where the architecture has them (sm_90+); its TMA engine likewise (sm_90+ only, as every target is).
deepwell_cuda_sources(FILES gemv_nvfp4.cu gemv_nvfp4_tma.cu)
# Blackwell block-scaled (MXFP8, NVFP4) GEMMs: the backend glue and the scale re-layout kernel for
# every target (the reference backend re-lays tiled scales too); the CUTLASS kernels only for their
# own architecture (tcgen05 + TMEM on sm_100a, block-scaled mma on sm_120a) and only with CUTLASS.
deepwell_cuda_sources(FILES gemm_blockscaled_dispatch.cpp gemm_scale_layout.cu)
deepwell_cuda_sources(FILES gemm_sm100_blockscaled.cu gemm_sm100_grouped_blockscaled.cu
                      GENCODE arch=compute_100a,code=sm_100a REQUIRES_CUTLASS)
deepwell_cuda_sources(FILES gemm_sm120_blockscaled.cu GENCODE arch=compute_120a,code=sm_120a REQUIRES_CUTLASS)
# Runs host program `check` on `input` (a table both it and a Java test read) as part of every
# build of the library: a nonzero exit fails the build; it reruns when either changes.
function(deepwell_check_at_build check input)
  set(_stamp ${CMAKE_CURRENT_BINARY_DIR}/${check}.stamp)
  add_custom_command(OUTPUT ${_stamp} COMMAND ${check} ${input} COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
                     DEPENDS ${check} ${input} VERBATIM)
  add_custom_target(${check}_ran DEPENDS ${_stamp})
  add_dependencies(deepwell_cuda ${check}_ran)
endfunction()

# The sm90 MXFP8 way and the fused kernel's split-K model (gemm_sm90_select.cpp) against the table
# the Java mirror (Mxfp8FusedSplit, GemmTileChoice) is tested with: a host program, no GPU needed;
# a disagreement fails the build (tests/gemm/mxfp8_fused_choice_check.cpp says how to regenerate).
set(_dw_choice_check ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/mxfp8_fused_choice_check.cpp)
set(_dw_choice_table ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/mxfp8_fused_choices.txt)
add_executable(deepwell_mxfp8_choice_check ${_dw_choice_check} ${CMAKE_CURRENT_LIST_DIR}/gemm_sm90_select.cpp)
target_include_directories(deepwell_mxfp8_choice_check PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../include
                           ${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_CUDA_TOOLKIT_INCLUDE_DIRECTORIES})
target_compile_options(deepwell_mxfp8_choice_check PRIVATE -O2 -Wall -Wextra)
deepwell_check_at_build(deepwell_mxfp8_choice_check ${_dw_choice_table})
# The sm90 tile planner's rules (BF16, FP8 per-tensor, FP8 block) against the table GemmTileChoice is
# tested with, the same way (tests/gemm/sm90_tile_choice_check.cpp).
set(_dw_tile_check ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/sm90_tile_choice_check.cpp)
set(_dw_tile_table ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/sm90_tile_choices.txt)
add_executable(deepwell_tile_choice_check ${_dw_tile_check} ${CMAKE_CURRENT_LIST_DIR}/gemm_sm90_select.cpp)
target_include_directories(deepwell_tile_choice_check PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../include
                           ${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_CUDA_TOOLKIT_INCLUDE_DIRECTORIES})
target_compile_options(deepwell_tile_choice_check PRIVATE -O2 -Wall -Wextra)
deepwell_check_at_build(deepwell_tile_choice_check ${_dw_tile_table})
# The tiled scale layout (gemm_blockscaled.h), checked on every build with CUTLASS against CUTLASS's
# own layout and the vectors the Java ScaleLayout is tested with: a host program, no GPU needed; a
# mismatch fails the build.
if(DEEPWELL_HAVE_CUTLASS)
  set(_dw_scale_check ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/scale_layout_check.cpp)
  set(_dw_scale_vectors ${CMAKE_CURRENT_LIST_DIR}/../../tests/gemm/scale_swizzle_vectors.txt)
  set_source_files_properties(${_dw_scale_check} PROPERTIES LANGUAGE CUDA)
  add_executable(deepwell_scale_layout_check ${_dw_scale_check})
  target_include_directories(deepwell_scale_layout_check PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../include
                             ${CMAKE_CURRENT_LIST_DIR}/.. ${DEEPWELL_CUTLASS_DIR}/include)
  target_compile_options(deepwell_scale_layout_check PRIVATE --expt-relaxed-constexpr)
  # nvcc registers a (here empty) fatbinary with the runtime, so the program links it.
  target_link_libraries(deepwell_scale_layout_check PRIVATE ${DEEPWELL_CUDART_STATIC} Threads::Threads
                        ${CMAKE_DL_LIBS} rt)
  deepwell_check_at_build(deepwell_scale_layout_check ${_dw_scale_vectors})
endif()
