#!/usr/bin/env bash
# The decode GEMV alone: builds build-gemv/gemm_harness WITHOUT the CUTLASS families (the GEMV,
# the reference kernel, cuBLASLt loaded at run time, the speed-of-light reader), which compiles
# in about half a minute on two cores, so a GEMV change can be built on the development machine
# and only run on the GPU machine (`--run`, with the binary carried).
#
#   scripts/gemv-harness.sh --build        compile (nvcc from scripts/install-toolchain.sh)
#   scripts/gemv-harness.sh --run [KNOBS]  on the GPU machine: --gemv-only --check, then --bench,
#                                          once per KNOBS entry ("NAME=V,NAME=V" env settings;
#                                          "-" for the defaults); logs under $OUT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
B=build-gemv
mode=${1:-}
shift || true
case $mode in
  --build)
    eval "$(scripts/install-toolchain.sh --check)"
    mkdir -p "$B"
    src=deepwell-cuda/src/gemm tests=deepwell-cuda/tests/gemm rt=deepwell-cuda/src/runtime
    common=(-std=c++17 -O3 -DNDEBUG -Xcompiler -fPIC -Ideepwell-cuda/include -Ideepwell-cuda/src)
    anyarch=(-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90,code=sm_90)
    pids=()
    unit() { local name=$1; shift; ( "$NVCC" "$@" -o "$B/$name.o" > "$B/$name.log" 2>&1 || { cat "$B/$name.log"; exit 1; } ) & pids+=($!); }
    unit gemv_nvfp4 "${common[@]}" -gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=sm_80 \
      -Xptxas -v -c $src/gemv_nvfp4.cu
    unit gemm_reference "${common[@]}" "${anyarch[@]}" -c $src/gemm_reference.cu
    unit gemm_scale_layout "${common[@]}" "${anyarch[@]}" -c $src/gemm_scale_layout.cu
    unit stream_read_probe "${common[@]}" -gencode=arch=compute_90a,code=sm_90a -c $tests/stream_read_probe.cu
    for f in $src/gemm_dispatch.cpp $src/gemm_blockscaled_dispatch.cpp $src/gemm_sm90_select.cpp \
             $src/gemm_cublaslt.cpp $tests/gemm_harness.cpp $rt/errors.cpp $rt/libraries.cpp; do
      n=$(basename "${f%.*}")
      unit "h_$n" "${common[@]}" -c "$f"
    done
    rc=0
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    [[ $rc == 0 ]] || { echo "BUILD FAILED"; exit 1; }
    grep -h "spill stores" $B/gemv_nvfp4.log | sort | uniq -c
    "$NVCC" -o "$B/gemm_harness" "$B"/*.o -ldl
    echo "built $B/gemm_harness"
    ;;
  --run)
    out=${OUT:-$B/out}
    mkdir -p "$out"
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.limit --format=csv,noheader | tee "$out/gpu.txt"
    [[ $# -gt 0 ]] || set -- -
    i=0
    for knobs in "$@"; do
      i=$((i + 1))
      envs=()
      [[ $knobs == - ]] || IFS=, read -r -a envs <<< "$knobs"
      echo "== [$i] $knobs"
      set +e
      env "${envs[@]}" "$B/gemm_harness" --gemv-only --check > "$out/check$i.log" 2>&1
      crc=$?
      env "${envs[@]}" "$B/gemm_harness" --gemv-only --bench > "$out/bench$i.log" 2>&1
      set -e
      grep -E "CHECK SUMMARY" "$out/check$i.log" || tail -5 "$out/check$i.log"
      grep -E "<-- WRONG|^FAIL" "$out/check$i.log" | head -5 || true
      echo "check exit $crc"
      sed -n '/^NVFP4-weight decode GEMV/,/^$/p' "$out/bench$i.log"
      grep -i "geomean" "$out/bench$i.log" || true
    done
    ;;
  *) echo "usage: $0 --build | --run [KNOBS...]" >&2; exit 2 ;;
esac
