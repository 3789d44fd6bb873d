#!/usr/bin/env bash
# Links build-gemm/gemm_harness (every dense GEMM family, CUTLASS included) on the development
# machine from the objects of a scripts/build-native.sh build and the harness's own two objects
# (compiled by scripts/gemv-harness.sh --build). The harness that checks a library is then made of
# that library's own objects, and the GPU machine only runs it (no build of several minutes there).
#
#   scripts/link-gemm-harness.sh [BUILD_DIR]
#
# BUILD_DIR is a build-native/<hash> directory (default: the most recently built one). Carry
# build-gemm/gemm_harness (about 20 MB; xz brings it to 2 MB) and run it with
# LD_LIBRARY_PATH=/usr/local/cuda/lib64 for cuBLASLt. Links build-gemm/grouped_harness (the MoE
# GEMMs' checks and benchmark) from the same objects too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
eval "$(scripts/install-toolchain.sh --check)"

dir=${1:-}
if [[ -z $dir ]]; then
  dir=$(ls -td build-native/*/ 2>/dev/null | head -1)
  [[ -n $dir ]] || { echo "$0: no build-native/<hash> directory: run scripts/build-native.sh first" >&2; exit 2; }
fi
objs_dir=${dir%/}/deepwell-cuda/CMakeFiles
[[ -d $objs_dir/deepwell_cuda_cutlass.dir ]] ||
  { echo "$0: $dir has no CUTLASS objects (a build with --mode required, with CUTLASS)" >&2; exit 2; }
for o in gemm_harness_main stream_read_probe; do
  [[ -f build-gemv/$o.o ]] || { echo "$0: build-gemv/$o.o missing: run scripts/gemv-harness.sh --build" >&2; exit 2; }
done

objs=()
for f in gemm_dispatch.cpp gemm_sm90_select.cpp gemm_cublaslt.cpp gemm_reference.cu gemv_nvfp4.cu gemv_nvfp4_tma.cu \
         gemm_blockscaled_dispatch.cpp gemm_scale_layout.cu; do
  objs+=("$objs_dir/deepwell_cuda.dir/src/gemm/$f.o")
done
# The dense CUTLASS families (the grouped ones belong to grouped_harness).
for f in "$objs_dir"/deepwell_cuda_cutlass.dir/src/gemm/*.o; do
  case $f in *sm90_grouped*) continue ;; esac
  objs+=("$f")
done
objs+=("$objs_dir/deepwell_cuda.dir/src/runtime/errors.cpp.o" "$objs_dir/deepwell_cuda.dir/src/runtime/libraries.cpp.o")
objs+=(build-gemv/gemm_harness_main.o build-gemv/stream_read_probe.o)
mkdir -p build-gemm
"$NVCC" -o build-gemm/gemm_harness "${objs[@]}" -ldl
echo "linked build-gemm/gemm_harness from $dir"

# The grouped (MoE) harness from the same build: its own main (compiled here, a few seconds) and
# every GEMM object of the library (the grouped dispatcher reaches the dense planner's helpers).
"$NVCC" -std=c++17 -O3 -DNDEBUG -Xcompiler -fPIC -Ideepwell-cuda/include -Ideepwell-cuda/src \
  -Ideepwell-cuda/tests/gemm -c deepwell-cuda/tests/gemm/grouped_harness.cpp -o build-gemv/grouped_harness_main.o
"$NVCC" -o build-gemm/grouped_harness "$objs_dir"/deepwell_cuda.dir/src/gemm/*.o \
  "$objs_dir"/deepwell_cuda_cutlass.dir/src/gemm/*.o "$objs_dir/deepwell_cuda.dir/src/runtime/errors.cpp.o" \
  "$objs_dir/deepwell_cuda.dir/src/runtime/libraries.cpp.o" build-gemv/grouped_harness_main.o -ldl
echo "linked build-gemm/grouped_harness from $dir"
