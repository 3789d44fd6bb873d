#!/usr/bin/env bash
# The decode GEMV alone: builds build-gemv/gemm_harness WITHOUT the CUTLASS families (the GEMV,
# the reference kernel, cuBLASLt loaded at run time, the speed-of-light reader; through
# scripts/gpu-gemm.sh --build-only --no-cutlass), which compiles
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
    # The build rules are scripts/gpu-gemm.sh's (same flags, incremental by content hash).
    eval "$(scripts/install-toolchain.sh --check)"
    NVCC=$NVCC scripts/gpu-gemm.sh --build-only --no-cutlass
    grep -h "spill stores" $B/gemv_nvfp4.log $B/gemv_nvfp4_tma.log | sort | uniq -c
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
