#!/usr/bin/env bash
# The native runtime on a GPU host, in one go: probe, GPU tests, native benchmarks, the JMH
# launch-overhead benchmark and the PyTorch launch peer. Writes logs and JSON under $OUT (or
# /tmp/deepwell-gpu-check) and prints a short table last.
#
# Runs from the repository root on the GPU host, with what scripts/gpu-stage.sh prepared here:
#   source .gpu/env.sh && bash scripts/gpu-check.sh
# (carry: .gpu, dist/deepwell-<version>, dist/peers). Nothing is built there and no GPU
# setting is changed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT:-/tmp/deepwell-gpu-check}
mkdir -p "$out"
[[ -n ${JAVA_HOME:-} ]] || { [[ -f .gpu/env.sh ]] && source .gpu/env.sh; }
bundle=$(ls -d dist/deepwell-*/ 2>/dev/null | head -1)
bundle=${bundle%/}
[[ -x $bundle/bin/deepwell ]] || { echo "gpu-check: no bundle under dist/ (run scripts/gpu-stage.sh here first)" >&2; exit 1; }
export DEEPWELL_NATIVE_CACHE=/tmp/deepwell-native-cache
step() { echo "== $* ($(date +%T))"; }

step "device"
{
  date -u +"date: %Y-%m-%dT%H:%M:%SZ"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit \
    --format=csv 2>&1
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo
  echo "\$ bin/deepwell probe"
  "$bundle/bin/deepwell" probe 2>&1
  echo "exit $?"
} >"$out/probe.txt" 2>&1
cat "$out/probe.txt"

step "GPU tests"
"$bundle/bin/deepwell-gpu-tests" --disable-ansi-colors >"$out/gpu-tests.log" 2>&1
tests_rc=$?
tail -n 25 "$out/gpu-tests.log"

step "native runtime benchmark"
"$JAVA_HOME/bin/java" -cp "$bundle/bench/benchmarks.jar" dev.deepwell.bench.gpu.NativeRuntimeBench \
  --json "$out/native-bench.json" >"$out/native-bench.log" 2>&1
bench_rc=$?
cat "$out/native-bench.log"

step "JMH launch overhead"
"$JAVA_HOME/bin/java" -jar "$bundle/bench/benchmarks.jar" 'dev.deepwell.bench.gpu.LaunchOverheadBenchmark' \
  -rf json -rff "$out/jmh-launch.json" >"$out/jmh-launch.log" 2>&1
jmh_rc=$?
tail -n 6 "$out/jmh-launch.log"

step "PyTorch launch peer"
PYTHONUNBUFFERED=1 python3 dist/peers/torch_launch_peer.py >"$out/torch-launch-peer.json" 2>"$out/torch-peer.err"
peer_rc=$?
cat "$out/torch-launch-peer.json"
[[ -s $out/torch-peer.err ]] && tail -n 5 "$out/torch-peer.err" >>"$out/jmh-launch.log"
rm -f "$out/torch-peer.err"

step "summary"
python3 - "$out" "$tests_rc" "$bench_rc" "$jmh_rc" "$peer_rc" <<'EOF' | tee "$out/summary.txt"
import json, os, re, sys
out, tests_rc, bench_rc, jmh_rc, peer_rc = sys.argv[1], *map(int, sys.argv[2:])
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except Exception:
        return {}
bench, peer = load("native-bench.json"), load("torch-launch-peer.json")
jmh = {}
for r in load("jmh-launch.json") or []:
    jmh[r["benchmark"].rsplit(".", 1)[-1]] = r["primaryMetric"]["score"]
tests = "?"
try:
    log = open(os.path.join(out, "gpu-tests.log")).read()
    m = {k: re.search(r"(\d+) tests " + k, log) for k in ("successful", "failed", "aborted", "skipped")}
    tests = ", ".join(f"{v.group(1)} {k}" for k, v in m.items() if v)
except Exception:
    pass
def f(v, fmt="{:.3f}"):
    return fmt.format(v) if isinstance(v, (int, float)) else "n/a"
print(f"device: {bench.get('device', '?')} ({bench.get('sm', '?')}, {bench.get('multiprocessors', '?')} SMs)")
print(f"GPU tests: {tests} (exit {tests_rc})")
rows = [
    ("1 GiB round trip bit-identical", str(bench.get("round_trip_bit_identical", "n/a")), ""),
    ("pinned H2D GB/s", f(bench.get("h2d_pinned_gb_s"), "{:.1f}"), ""),
    ("pinned D2H GB/s", f(bench.get("d2h_pinned_gb_s"), "{:.1f}"), ""),
    ("D2D cudaMemcpy TB/s (r+w)", f(bench.get("d2d_memcpy_tb_s")), ""),
    ("D2D our kernel TB/s (r+w)", f(bench.get("d2d_kernel_tb_s")), "target >= 0.90 x memcpy"),
    ("  kernel / memcpy", f(bench.get("d2d_kernel_over_memcpy")), ""),
    ("launch direct JNI us/kernel (JMH)", f(jmh.get("directLaunch")), f"harness {f(bench.get('launch_direct_us_per_kernel'))}"),
    ("launch graph replay us/kernel (JMH)", f(jmh.get("graphReplay")), f"harness {f(bench.get('launch_graph_us_per_kernel'))}; target <= 3"),
    ("torch eager us/kernel", f(peer.get("eager_us_per_kernel")), ""),
    ("torch graph us/kernel", f(peer.get("graph_us_per_kernel")), ""),
]
if jmh.get("directLaunch") and peer.get("eager_us_per_kernel"):
    rows.append(("ours/torch eager (direct)", f(jmh["directLaunch"] / peer["eager_us_per_kernel"]), "< 1 is faster"))
if jmh.get("graphReplay") and peer.get("graph_us_per_kernel"):
    rows.append(("ours/torch graph", f(jmh["graphReplay"] / peer["graph_us_per_kernel"]), ""))
for name, value, note in rows:
    print(f"{name:<38} {value:>10}  {note}")
print(f"exit codes: tests {tests_rc}, bench {bench_rc}, jmh {jmh_rc}, peer {peer_rc}")
EOF
[[ $tests_rc -eq 0 && $bench_rc -eq 0 && $jmh_rc -eq 0 ]]
