# Quantize kernel family (deepwell/quantize.h): one translation unit per kernel family plus the
# C ABI. Built without fast math and with FMA contraction off: the kernels must round exactly as
# the Java reference (they also use __fmul_rn / __fadd_rn / __fdiv_rn where order matters).
set(_dwq_files
  quantize_api.cu
  mx_quantize.cu
  nvfp4_quantize.cu
  fp8_quantize.cu
  amax.cu
  dequantize.cu
  fp8_block2d_pipe3.cu)
# Host code: the tensor map of pipe3's TMA fill (no kernels, so none of the flags below).
deepwell_cuda_sources(FILES ${_dwq_files} quant_tensor_map.cpp)
foreach(_f IN LISTS _dwq_files)
  set_property(SOURCE "${CMAKE_CURRENT_LIST_DIR}/${_f}" TARGET_DIRECTORY deepwell_cuda APPEND PROPERTY COMPILE_OPTIONS -fmad=false)
endforeach()
