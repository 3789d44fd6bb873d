# The runtime: status and errors, driver check, devices, memory, streams, events, graphs, and
# the run-time loading of cuBLASLt and NCCL. Host code only.
deepwell_cuda_sources(FILES errors.cpp device.cpp memory.cpp streams.cpp libraries.cpp)
