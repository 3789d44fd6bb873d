#!/usr/bin/env bash
# GPU quantization (issue 4): correctness against the Java reference + bandwidth benchmark + the
# PyTorch peer, in one call on a GPU machine (device time is scarce).
#
#   scripts/gpu-quant.sh prepare        on the development machine (no GPU needed): builds what
#                                       the GPU machine lacks the tools for, into .quant-build/
#   scripts/gpu-quant.sh run [--quick] [--no-torch-compile]
#                                       on the GPU machine, with .quant-build and .gpu carried
#   scripts/gpu-quant.sh prepare-check  on the development machine: only .quant-build/quantize_check
#   scripts/gpu-quant.sh variants       on the GPU machine, carrying only .quant-build/quantize_check:
#                                       the C ABI benchmark of each kernel variant one after the
#                                       other (tile, pipe, pipe3 and its knobs; tile and pipe3 again
#                                       last: run-to-run spread), then the byte-exact check of each
#                                       variant (in parallel: host-bound); about 4 minutes at most
#
# prepare builds
#   - .quant-build/quantize_check   the standalone C++ check + benchmark (nvcc, sm_90a)
#   - .quant-build/libdeepwell.so   the runtime + quantize kernels + JNI glue (CMake, sm_90a
#                                   only: the GEMM families are left out of this test build)
#   - .quant-build/java/            classes, test classes and the jars they need (Maven)
# run executes, logging under $OUT (at most 8 files come back):
#   1. quantize_check --check: all 2^32 floats through the FP8/FP4 conversions the kernels use,
#      then every format/axis/option byte for byte against a host transcription of the reference
#   2. the JUnit GPU tests of dev.deepwell.gpu.quant (GPU bytes == Java reference bytes)
#   3. QuantGpuBench (Java, through MicroscaleManager) and quantize_check --bench (C ABI), the
#      latter also with DEEPWELL_QUANT_GRID=persistent
#   4. scripts/quant_torch_peer.py (same operations in PyTorch, eager and torch.compile)
#   5. a short table last: ours vs copy bandwidth vs PyTorch
# Never changes GPU settings.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
B=.quant-build
cmd=${1:-}
shift || true

prepare() {
  local tc=.toolchain/cu13/lib/python3.11/site-packages/nvidia/cu13
  local nvcc=${NVCC:-$root/$tc/bin/nvcc}
  local jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
  local T=.quant-build-tmp
  mkdir -p "$T/obj" "$T/lib-build" "$B/java/lib"
  echo "== Java: core, jni (+ tests), bench"
  ./mvnw -o -q -pl deepwell-jni,deepwell-bench -am package dependency:copy-dependencies -DskipTests \
    -Ddeepwell.native=off -DincludeScope=test -DoutputDirectory="$root/$B/java/lib" -Dmdep.overWriteIfNewer=true
  rm -rf "$B/java/classes" && mkdir -p "$B/java/classes"
  for d in deepwell-core/target/classes deepwell-jni/target/classes deepwell-jni/target/test-classes \
           deepwell-bench/target/classes; do
    cp -r "$d"/. "$B/java/classes/"
  done
  rm -rf "$B/java/classes/native"   # the library is passed explicitly (-Ddeepwell.native.library)
  # deepwell's own classes are copied above; JUnit comes from the console launcher; JMH is not used.
  (cd "$B/java/lib" && rm -f deepwell-*.jar junit-jupiter*.jar junit-platform-commons-*.jar junit-platform-engine-*.jar \
    opentest4j-*.jar apiguardian-*.jar jmh-*.jar commons-math3-*.jar jopt-simple-*.jar)
  cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar \
    "$B/java/lib/" 2>/dev/null || ./mvnw -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
    -DoutputDirectory="$root/$B/java/lib"
  echo "== libdeepwell.so (sm_90a)"
  cmake -S deepwell-jni/src/main/cpp -B "$T/lib-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_COMPILER="$nvcc" -DDEEPWELL_JNI_HEADERS="$root/deepwell-jni/target/jni-headers" \
    -DJNI_INCLUDE_DIR="$jdk/include" -DDEEPWELL_CUTLASS_DIR= \
    "-DDEEPWELL_CUDA_GENCODE=arch=compute_90a,code=sm_90a" > "$T/lib-build/configure.log"
  cmake --build "$T/lib-build" --target deepwell_cuda > "$T/lib-build/build.log" || { tail -40 "$T/lib-build/build.log"; exit 1; }
  # The JNI glue is linked here rather than by the CMake target, leaving out the JNI files of
  # families this build does not contain (the GEMM family needs CUTLASS and its own build).
  local cuda_lib=$tc/lib64 objs=()
  mkdir -p "$T/jni"
  for f in deepwell-jni/src/main/cpp/*.cpp; do
    case $(basename "$f") in gemm_*) continue ;; esac
    local o=$T/jni/$(basename "$f" .cpp).o
    c++ -std=c++17 -O2 -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" \
      -Ideepwell-jni/target/jni-headers -Ideepwell-cuda/include -I"$tc/include" -c "$f" -o "$o"
    objs+=("$o")
  done
  c++ -shared -o "$B/libdeepwell.so" "${objs[@]}" "$T/lib-build/deepwell-cuda/libdeepwell_cuda.a" \
    "$cuda_lib/libcudart_static.a" -ldl -lrt -lpthread -Wl,--exclude-libs,ALL -Wl,--no-undefined \
    -static-libstdc++ -static-libgcc
  echo "== quantize_check (sm_90a)"
  local common=(-std=c++17 -O3 -DNDEBUG -Ideepwell-cuda/include -Xcompiler -ffp-contract=off)
  local g=(-gencode=arch=compute_90a,code=sm_90a)
  "$nvcc" "${common[@]}" "${g[@]}" -fmad=false -c deepwell-cuda/src/quantize/check/quantize_check.cu -o "$T/obj/quantize_check.o"
  "$nvcc" -o "$B/quantize_check" "$T/obj/quantize_check.o" "$T/lib-build/deepwell-cuda/libdeepwell_cuda.a" -ldl -lpthread -lrt
  du -sh "$B/quantize_check" "$B/libdeepwell.so" "$B/java"
}

# The standalone check + benchmark alone (no Java, no JNI library): CMake builds the kernels.
prepare_check() {
  local tc=.toolchain/cu13/lib/python3.11/site-packages/nvidia/cu13
  local nvcc=${NVCC:-$root/$tc/bin/nvcc}
  local T=.quant-build-tmp
  mkdir -p "$T/obj" "$T/check-build" "$B"
  if [ ! -f "$T/check-build/build.ninja" ]; then
    cmake -S deepwell-cuda -B "$T/check-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$nvcc" \
      -DDEEPWELL_CUTLASS_DIR= "-DDEEPWELL_CUDA_GENCODE=arch=compute_90a,code=sm_90a" > "$T/check-configure.log"
  fi
  # QUANT_BUILD_JOBS: ninja's parallelism (default: ninja's own), e.g. 1 on a shared 2-core machine
  cmake --build "$T/check-build" --target deepwell_cuda ${QUANT_BUILD_JOBS:+-j "$QUANT_BUILD_JOBS"} > "$T/check-build.log" \
    || { tail -40 "$T/check-build.log"; exit 1; }
  local common=(-std=c++17 -O3 -DNDEBUG -Ideepwell-cuda/include -Xcompiler -ffp-contract=off)
  "$nvcc" "${common[@]}" -gencode=arch=compute_90a,code=sm_90a -fmad=false \
    -c deepwell-cuda/src/quantize/check/quantize_check.cu -o "$T/obj/quantize_check.o"
  "$nvcc" -o "$B/quantize_check" "$T/obj/quantize_check.o" "$T/check-build/libdeepwell_cuda.a" -ldl -lpthread -lrt
  ls -la "$B/quantize_check"
}

# Kernel variants (DEEPWELL_QUANT_GRID / _GROUP / _MAX_CTAS, see quantize_api.cu), one process each.
variants() {
  local out=${OUT:-$root/$B/out}
  mkdir -p "$out"
  local q=$B/quantize_check
  local t0=$SECONDS
  set +e
  # 1. benchmarks, one at a time, nothing else on the GPU; the tile kernel first and last (spread)
  mkdir -p "$out/b"
  # the environment heads bench.log (at most 8 files come back: no env.txt of its own)
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu \
    --format=csv > "$out/bench.log" 2>&1 || true
  date -u >> "$out/bench.log"
  # Each variant: the environment of one quantize_check --bench process (knobs: quantize_api.cu).
  local i=0 v
  local -a bench_variants=(
    "DEEPWELL_QUANT_GRID=tile"
    "DEEPWELL_QUANT_GRID=pipe"
    "DEEPWELL_QUANT_GRID=pipe3"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_FETCH=tma"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_CTAS_PER_SM=2"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_TILES=4x4"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_TILES=2x2 DEEPWELL_QUANT_GROUP=16"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_STORE=ef"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_MXMUL=fp32"
    "DEEPWELL_QUANT_GRID=tile"
    "DEEPWELL_QUANT_GRID=pipe3"
    "DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_FETCH=tma"
  )
  for v in "${bench_variants[@]}"; do
    i=$((i + 1))
    mkdir -p "$out/b/$i"
    echo "== bench $i: $v" >> "$out/bench.log"
    env $v timeout 20 "$q" --bench --out "$out/b/$i" >> "$out/bench.log" 2>&1
    echo "exit $?" >> "$out/bench.log"
  done
  cat "$out"/b/*/quant_bench.jsonl > "$out/bench.jsonl" 2>/dev/null
  rm -rf "$out/b"  # at most 8 files come back
  local t1=$SECONDS
  # 2. byte-exact checks of each variant, in parallel (the host reference dominates; 16 cores),
  #    within what is left of VARIANTS_BUDGET_S (default 225 s) for the whole command
  local left=$(( ${VARIANTS_BUDGET_S:-225} - (t1 - t0) ))
  [ "$left" -lt 30 ] && left=30
  # pipe3 with a 7-CTA grid, band 5 and 2x4 groups walks many partial groups and every ring stage;
  # the last one covers the FP32 MX multiply, 1x1 groups and the evict-first stores.
  DEEPWELL_QUANT_GRID=tile timeout "$left" "$q" --check > "$out/check_tile.log" 2>&1 &
  local p1=$!
  DEEPWELL_QUANT_GRID=pipe3 timeout "$left" "$q" --check > "$out/check_pipe3.log" 2>&1 &
  local p2=$!
  DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_MAX_CTAS=7 DEEPWELL_QUANT_GROUP=5 DEEPWELL_QUANT_TILES=2x4 \
    timeout "$left" "$q" --check --quick > "$out/check_pipe3_small_grid.log" 2>&1 &
  local p3=$!
  DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_MXMUL=fp32 DEEPWELL_QUANT_TILES=1x1 DEEPWELL_QUANT_STORE=ef \
    timeout "$left" "$q" --check --quick > "$out/check_pipe3_knobs.log" 2>&1 &
  local p4=$!
  DEEPWELL_QUANT_GRID=pipe timeout "$left" "$q" --check --quick > "$out/check_pipe.log" 2>&1 &
  local p5=$!
  # the TMA ring fill without a barrier per tile (DEEPWELL_QUANT_FETCH=tma), every case
  DEEPWELL_QUANT_GRID=pipe3 DEEPWELL_QUANT_FETCH=tma timeout "$left" "$q" --check > "$out/check_pipe3_tma.log" 2>&1 &
  local p6=$!
  wait $p1; local rc1=$?
  wait $p2; local rc2=$?
  wait $p3; local rc3=$?
  wait $p4; local rc4=$?
  wait $p5; local rc5=$?
  wait $p6; local rc6=$?
  local t2=$SECONDS
  echo "times: benches $((t1 - t0)) s, checks $((t2 - t1)) s (exit: tile $rc1, pipe3 $rc2, pipe3 small grid $rc3," \
    "pipe3 knobs $rc4, pipe $rc5, pipe3 tma $rc6)"
  local f
  for f in check_tile check_pipe3 check_pipe3_small_grid check_pipe3_knobs check_pipe check_pipe3_tma; do
    echo "$f: $(grep -E "conversions over" "$out/$f.log" | cut -c1-150)"
    echo "$f: $(grep -E "pipe3 E2M1|pipe3 element paths" "$out/$f.log" | cut -c1-200 | tr '\n' ' ')"
    echo "$f: $(grep -E "CHECK SUMMARY" "$out/$f.log" || grep -E "^progress" "$out/$f.log" | tail -1)"
    grep -E "^FAIL" "$out/$f.log" | head -5 || true
  done
  python3 - "$out/bench.jsonl" <<'EOF' || true
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs, cur = [], None
for r in rows:
    if r["kind"] == "copy":
        cur = {"variant": r["variant"], "copy": r["memcpy_gbs"], "cases": {}}
        runs.append(cur)
    elif cur is not None:
        cur["cases"][r["case"]] = r
cases = list(runs[0]["cases"]) if runs else []
print("ms (% of copy); memcpy GB/s per run: " + ", ".join("%.0f" % r["copy"] for r in runs))
for i, r in enumerate(runs):
    print("  #%d: %s" % (i + 1, r["variant"]))
print("%-34s" % "case" + "".join("%16s" % ("#%d" % (i + 1)) for i in range(len(runs))))
for c in cases:
    print("%-34s" % c + "".join(("%7.3f (%5.1f)" % (r["cases"][c]["ms"], r["cases"][c]["pct_copy"])) if c in r["cases"] else "%16s" % "-" for r in runs))
EOF
}

run() {
  local quick=() torch_args=()
  for a in "$@"; do
    case $a in
      --quick) quick=(--quick) ;;
      --no-torch-compile) torch_args=(--no-compile) ;;
      *) echo "unknown run option $a" >&2; exit 2 ;;
    esac
  done
  local out=${OUT:-$root/$B/out}
  mkdir -p "$out"
  # shellcheck disable=SC1091
  source .gpu/env.sh
  local t0=$SECONDS
  local cp="$B/java/classes:$(ls "$B"/java/lib/*.jar | grep -v console-standalone | tr '\n' ':')"
  local java_opts=(-Xmx16g -Ddeepwell.native.library="$root/$B/libdeepwell.so")
  {
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu \
      --format=csv 2>&1 || true
    echo "== quantize_check --check ${quick[*]}"
    "$B/quantize_check" --check "${quick[@]}" 2>&1 || echo "quantize_check --check exit $?"
  } > "$out/check.log"
  grep -E "conversions|hardware NaN|CHECK SUMMARY" "$out/check.log" || true
  grep -E "^FAIL" "$out/check.log" | head -20 || true
  local t1=$SECONDS

  echo "== JUnit GPU tests (dev.deepwell.gpu.quant)"
  set +e
  timeout 240 java "${java_opts[@]}" -jar "$B"/java/lib/junit-platform-console-standalone-1.14.1.jar execute \
    --class-path "$cp" --select-package dev.deepwell.gpu.quant --details=summary --disable-banner \
    --details-theme=ascii > "$out/junit.log" 2>&1
  local junit_rc=$?
  set -e
  grep -E "tests (successful|failed|aborted|skipped|found)|containers failed" "$out/junit.log" || tail -20 "$out/junit.log"
  grep -B2 -A6 -E "MethodSource|=> " "$out/junit.log" | grep -E "=>|Exception|Error|expected|differ" | head -20 || true
  local t2=$SECONDS

  echo "== benchmark: QuantGpuBench (Java) and quantize_check --bench (C ABI)"
  set +e
  timeout 120 java "${java_opts[@]}" -cp "$cp" dev.deepwell.bench.quantgpu.QuantGpuBench \
    --json "$out/java_bench.jsonl" > "$out/java_bench.log" 2>&1
  { echo "== quantize_check --bench (one CTA per tile, the default)"; "$B/quantize_check" --bench --out "$out" "${quick[@]}"
    mkdir -p "$out/persistent"
    echo "== quantize_check --bench, DEEPWELL_QUANT_GRID=persistent"
    DEEPWELL_QUANT_GRID=persistent "$B/quantize_check" --bench --out "$out/persistent" "${quick[@]}"; } >> "$out/check.log" 2>&1
  local t3=$SECONDS
  echo "== PyTorch peer"
  PYTHONUNBUFFERED=1 timeout 150 python3 scripts/quant_torch_peer.py "${torch_args[@]}" > "$out/torch_peer.jsonl" \
    2>> "$out/check.log"  # at most 8 files come back: the peer's stderr joins check.log
  set -e
  local t4=$SECONDS
  cat "$out/java_bench.log"
  echo "times: check $((t1 - t0)) s, junit $((t2 - t1)) s (exit $junit_rc), bench $((t3 - t2)) s, torch $((t4 - t3)) s"

  python3 - "$out" > "$out/summary.txt" <<'EOF'
import json, os, sys
out = sys.argv[1]
def load(name):
    p = os.path.join(out, name)
    if not os.path.exists(p): return []
    rows = []
    for l in open(p):
        try: rows.append(json.loads(l))
        except ValueError: pass
    return rows
ours = {r["case"]: r for r in load("java_bench.jsonl") if r.get("kind") == "quant"}
src = "Java MicroscaleManager"
if not ours:
    ours = {r["case"]: r for r in load("quant_bench.jsonl") if r.get("kind") == "quant"}
    src = "C ABI (quantize_check)"
copy = [r for r in load("java_bench.jsonl") + load("quant_bench.jsonl") if r.get("kind") == "copy"]
torch = {}
for r in load("torch_peer.jsonl"):
    if r.get("kind") == "torch" and "ms" in r: torch[(r["mode"], r["case"])] = r
tcopy = [r for r in load("torch_peer.jsonl") if r.get("kind") == "copy"]
if copy:
    c = copy[0]
    print("copy GB/s (read+write): memcpy %.0f, copy kernel %.0f%s" % (c.get("memcpy_gbs", 0), c.get("copy_kernel_gbs", 0),
          (", torch copy_ %.0f" % tcopy[0]["copy_gbs"]) if tcopy else ""))
print("%-28s %8s %7s %6s | %8s %8s %7s %7s   (ours: %s)" % ("case", "ms", "GB/s", "%copy", "torch", "compiled", "x eager", "x comp", src))
for name, r in ours.items():
    te, tc = torch.get(("eager", name)), torch.get(("compile", name))
    print("%-28s %8.3f %7.0f %5.1f%% | %8s %8s %7s %7s" % (name, r["ms"], r["gbs"], r["pct_copy"],
          "%.3f" % te["ms"] if te else "-", "%.3f" % tc["ms"] if tc else "-",
          "%.2f" % (te["ms"] / r["ms"]) if te else "-", "%.2f" % (tc["ms"] / r["ms"]) if tc else "-"))
EOF
  cat "$out/summary.txt"
  grep -E "CHECK SUMMARY|conversions" "$out/check.log" | sed 's/^/  /'
  grep -E "tests (successful|failed)" "$out/junit.log" | sed 's/^/  junit /'
}

case $cmd in
  prepare) prepare ;;
  prepare-check) prepare_check ;;
  run) run "$@" ;;
  variants) variants ;;
  *) echo "usage: $0 prepare | prepare-check | run [--quick] [--no-torch-compile] | variants" >&2; exit 2 ;;
esac
