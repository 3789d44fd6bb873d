#!/usr/bin/env bash
# The GEMM library as built on the development machine, verified and measured on a GPU host in one
# call (device time is scarce): the harness's correctness suite, the Java bundle's GPU tests, the
# sixteen benchmark shapes (our BF16 and MXFP8 AUTO against cuBLASLt), the NVFP4-weight GEMM and the
# decode GEMV. Optionally the same benchmarks with a second harness in the same call, alternating,
# for an A/B ratio measured in one run. Prints a short table last; logs go to $OUT.
# (scripts/gpu-gemm.sh --prebuilt runs carried harnesses too, with the PyTorch peer but without the
# library's GPU tests; its uncompressed build-gemm/ and a library do not fit one carry next to the
# bundle, hence the compressed staging here.)
#
# Stage here (development machine), then carry build-verify, .gpu and the bundle:
#   scripts/build-native.sh --out /tmp/native ...          # libdeepwell.so (incremental)
#   scripts/gemv-harness.sh --build && scripts/link-gemm-harness.sh build-native/<hash>
#   scripts/gpu-verify.sh --stage /tmp/native/libdeepwell.so build-gemm/gemm_harness [NAME]
#   ./mvnw -o -q -B -Pdist package -DskipTests -Ddeepwell.native=off && ../shared/gpu/prepare
# (--stage compresses both into build-verify/NAME, default "new": 4 + 2 MB instead of 35 + 10.)
# Run there:
#   scripts/gpu-verify.sh [--ab OTHER] [--skip-tests] [--quick] [NAME]
#     NAME      the staged build to verify (default new)
#     --ab      also time staged build OTHER (a harness of the previous commit) in the same rounds
#     --quick   checks and tests only
# Never changes a GPU setting.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stage_dir=build-verify

if [[ ${1:-} == --stage ]]; then
  [[ $# -ge 3 ]] || { echo "usage: $0 --stage LIBDEEPWELL_SO GEMM_HARNESS [NAME]" >&2; exit 2; }
  name=${4:-new}
  mkdir -p "$stage_dir/$name"
  xz -T0 -6 -c "$2" > "$stage_dir/$name/libdeepwell.so.xz" && xz -T0 -6 -c "$3" > "$stage_dir/$name/gemm_harness.xz" ||
    exit 1
  echo "staged $stage_dir/$name ($(du -sh "$stage_dir/$name" | cut -f1)); carry: $stage_dir .gpu dist/deepwell-*"
  exit 0
fi

name=new ab="" tests=1 quick=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --ab) ab=$2; shift ;;
    --skip-tests) tests=0 ;;
    --quick) quick=1 ;;
    -*) echo "usage: $0 [--ab OTHER] [--skip-tests] [--quick] [NAME]" >&2; exit 2 ;;
    *) name=$1 ;;
  esac
  shift
done
out=${OUT:-/tmp/deepwell-gpu-verify}
mkdir -p "$out" /tmp/dw-verify
[[ -f .gpu/env.sh ]] && source .gpu/env.sh
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}

# Unpacks staged build $1 into /tmp/dw-verify/$1/.
unpack() {
  local d=/tmp/dw-verify/$1
  mkdir -p "$d"
  xz -dc "$stage_dir/$1/gemm_harness.xz" > "$d/gemm_harness" && chmod +x "$d/gemm_harness" &&
    xz -dc "$stage_dir/$1/libdeepwell.so.xz" > "$d/libdeepwell.so"
}
unpack "$name" || { echo "gpu-verify: no staged build $stage_dir/$name" >&2; exit 1; }
[[ -z $ab ]] || unpack "$ab" || { echo "gpu-verify: no staged build $stage_dir/$ab" >&2; exit 1; }
harness=/tmp/dw-verify/$name/gemm_harness
summary=()
note() { summary+=("$*"); echo "$*"; }

{
  date -u +"date: %Y-%m-%dT%H:%M:%SZ"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,power.limit --format=csv,noheader
  sha256sum /tmp/dw-verify/*/libdeepwell.so | sed 's|/tmp/dw-verify/||'
} | tee "$out/device.txt"

timeout 150 "$harness" --check > "$out/check.log" 2>&1
rc=$?
summary_line=$(grep -m1 'CHECK SUMMARY' "$out/check.log" | sed 's/CHECK SUMMARY: //')
note "gemm_harness --check (rc $rc): ${summary_line:-$(head -1 "$out/check.log")}"
grep '^FAIL' "$out/check.log" | head -10

if [[ $tests == 1 ]]; then
  bundle=$(ls -d dist/deepwell-*/ 2>/dev/null | head -1)
  if [[ -x ${bundle}bin/deepwell-gpu-tests ]]; then
    DEEPWELL_NATIVE_LIBRARY=/tmp/dw-verify/$name/libdeepwell.so DEEPWELL_NATIVE_CACHE=/tmp/dw-verify/cache \
      timeout 200 "${bundle}bin/deepwell-gpu-tests" --disable-ansi-colors > "$out/gpu-tests.log" 2>&1
    note "GPU tests (rc $?): $(grep -E 'tests (successful|failed)' "$out/gpu-tests.log" | tr -s ' []' ' ' | paste -sd, -)"
  else
    note "GPU tests: no bundle under dist/ (skipped)"
  fi
fi
[[ $quick == 1 ]] && { printf '\n%s\n' "${summary[@]}"; exit 0; }

# The sixteen shapes: AUTO and cuBLASLt only (variant 99 names no configuration), no decode table.
builds=("$name")
[[ -z $ab ]] || builds=("$ab" "$name")
for b in "${builds[@]}"; do
  DW_GEMV_SHAPES=none DW_BENCH_INPUTS=bf16,mxfp8 DW_BENCH_VARIANTS=99 timeout 150 \
    /tmp/dw-verify/$b/gemm_harness --bench > "$out/bench-$b.log" 2>&1
  note "[$b] $(grep 'geomean BF16 auto/cuBLASLt' "$out/bench-$b.log") | $(grep -m1 'geomean MXFP8 auto/BF16' "$out/bench-$b.log")"
done
for b in "${builds[@]}"; do
  DW_NVFP4W_VARIANTS=0 timeout 90 /tmp/dw-verify/$b/gemm_harness --nvfp4w --bench > "$out/nvfp4w-$b.log" 2>&1
  note "[$b] $(grep 'geomean' "$out/nvfp4w-$b.log")"
done
timeout 90 "$harness" --gemv-only --bench > "$out/gemv.log" 2>&1
note "[$name] $(grep 'geomean ratio' "$out/gemv.log")"

echo
grep -A17 'mx auto' "$out/bench-$name.log" | head -18
printf '\n%s\n' "${summary[@]}"
