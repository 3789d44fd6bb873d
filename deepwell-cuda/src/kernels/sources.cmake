# The runtime's own kernels: copy (bandwidth), elementwise (the launch-overhead kernel), and the
# test-only fault kernel. Built for every target in DEEPWELL_CUDA_GENCODE.
deepwell_cuda_sources(FILES copy.cu elementwise.cu fault.cu)
