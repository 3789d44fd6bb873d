#!/usr/bin/env bash
# Builds libdeepwell.so (deepwell-cuda's kernels + deepwell-jni's JNI glue, one shared library)
# with CMake and Ninja, and puts it where the deepwell-jni jar picks it up. Maven runs this in
# deepwell-jni (phase process-classes); it can also be run by hand after compiling deepwell-jni.
#
#   scripts/build-native.sh --out DIR --jni-headers DIR [--version V] [--java-home DIR]
#                           [--build-dir DIR] [--mode auto|required|off]
#
# --mode (or DEEPWELL_NATIVE): auto (default) builds when scripts/install-toolchain.sh --check
# finds a toolchain and otherwise prints one line and succeeds (a CPU-only build); required
# fails instead; off skips. A compile error always fails.
#
# Writes DIR/libdeepwell.so and DIR/libdeepwell.properties (version, SHA-256, toolchain), which
# the Java loader uses to extract and verify the library.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag="[deepwell-native]"

out="" headers="" version="dev" java_home=${JAVA_HOME:-} build_dir=$root/build-native mode=${DEEPWELL_NATIVE:-auto}
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --jni-headers) headers=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --java-home) java_home=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --mode) mode=${2:-auto}; shift 2 ;;
    *) echo "$tag unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $mode ]] || mode=auto
case $mode in auto|required|off) ;; *) echo "$tag --mode must be auto, required or off, got '$mode'" >&2; exit 2 ;; esac
[[ -n $out && -n $headers ]] || { echo "$tag usage: $0 --out DIR --jni-headers DIR [...]" >&2; exit 2; }

skip() {
  if [[ $mode == required ]]; then
    echo "$tag FAILED: $1 (native build required)" >&2
    exit 1
  fi
  echo "$tag SKIPPED, building CPU only: $1"
  exit 0
}

[[ $mode == off ]] && skip "native build turned off (DEEPWELL_NATIVE=off / -Ddeepwell.native=off)"
[[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || skip "the native library is built on Linux x86-64 only"

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
if ! envlines=$("$root/scripts/install-toolchain.sh" --check 2>"$errfile"); then
  skip "no CUDA toolchain ($(tail -1 "$errfile" | sed 's/^install-toolchain: //'))"
fi
declare -A tc=()
while IFS='=' read -r key value; do tc[$key]=$value; done <<<"$envlines"
nvcc=${tc[NVCC]} cutlass=${tc[CUTLASS_DIR]:-} cmake=${tc[CMAKE]} ninja=${tc[NINJA]}

jni_include=""
for candidate in "$java_home/include" "${JAVA_HOME:-}/include"; do
  if [[ -f $candidate/jni.h ]]; then jni_include=$candidate; break; fi
done
[[ -n $jni_include ]] || skip "no jni.h under --java-home/JAVA_HOME ('$java_home')"
[[ -f $headers/dev_deepwell_gpu_Natives.h ]] || { echo "$tag no JNI headers in $headers (compile deepwell-jni first)" >&2; exit 1; }

nvcc_release=$("$nvcc" --version | sed -n 's/.*release [0-9.]*, V\([0-9.]*\).*/\1/p')
# One build folder per configuration (compiler, CUTLASS, header folders), so that builds with
# different settings do not keep invalidating each other's objects; a lock serialises builds
# of one configuration started at the same time (several Maven runs in one checkout).
config_key=$(printf '%s\n' "$nvcc" "$cutlass" "$(cd "$headers" && pwd)" "$jni_include" | sha1sum | cut -c1-12)
build_dir=$build_dir/$config_key
mkdir -p "$build_dir"
exec 9>"$build_dir/.lock"
flock 9
log=$build_dir/build.log
start=$(date +%s)
echo "$tag building with nvcc $nvcc_release (${tc[DEEPWELL_TOOLCHAIN]}); log: ${log#"$root"/}"
if ! {
  "$cmake" -S "$root/deepwell-jni/src/main/cpp" -B "$build_dir" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$ninja" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_COMPILER="$nvcc" \
    -DDEEPWELL_JNI_HEADERS="$(cd "$headers" && pwd)" \
    -DJNI_INCLUDE_DIR="$jni_include" \
    -DDEEPWELL_CUTLASS_DIR="$cutlass" &&
  "$cmake" --build "$build_dir"
} >"$log" 2>&1; then
  tail -n 80 "$log" >&2
  echo "$tag FAILED: native build error (full log: $log)" >&2
  exit 1
fi

lib=$build_dir/libdeepwell.so
# Every native method javac saw must be defined and exported, or Java would only find out at
# the first call (UnsatisfiedLinkError).
missing=$(comm -23 \
  <(grep -ho 'Java_dev_deepwell_[A-Za-z0-9_]*' "$headers"/*.h | sort -u) \
  <(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u))
if [[ -n $missing ]]; then
  echo "$tag FAILED: native methods without a JNI definition in libdeepwell.so:" >&2
  echo "$missing" >&2
  exit 1
fi

# With CUTLASS, the GEMM kernels must hold the tensor-core instructions of their architectures
# (sm_90a wgmma, sm_100a block-scaled tcgen05 + tensor memory, sm_120a block-scaled MMA): no CI
# machine can run them, but their machine code can be read. Checked once per built library.
if [[ -n $cutlass ]]; then
  lib_sha=$(sha256sum "$lib" | cut -d' ' -f1)
  if [[ "$(cat "$build_dir/check-sass.ok" 2>/dev/null)" != "$lib_sha" ]]; then
    if ! CUOBJDUMP="${tc[CUDA_HOME]}/bin/cuobjdump" "$root/scripts/check-sass.sh" "$lib" >"$build_dir/check-sass.log" 2>&1; then
      cat "$build_dir/check-sass.log" >&2
      echo "$tag FAILED: libdeepwell.so's GEMM kernels lack the tensor-core instructions they are built for" \
        "(scripts/check-sass.sh; log: $build_dir/check-sass.log)" >&2
      exit 1
    fi
    echo "$lib_sha" >"$build_dir/check-sass.ok"
  fi
  echo "$tag $(tail -n 1 "$build_dir/check-sass.log")"
fi

mkdir -p "$out"
install -m 755 "$lib" "$out/libdeepwell.so"
sha=$(sha256sum "$out/libdeepwell.so" | cut -d' ' -f1)
gencode=$(sed -n 's/^DEEPWELL_CUDA_GENCODE:STRING=//p' "$build_dir/CMakeCache.txt")
{
  echo "# libdeepwell.so built by scripts/build-native.sh"
  echo "version=$version"
  echo "sha256=$sha"
  echo "nvcc=$nvcc_release"
  echo "toolchain=${tc[DEEPWELL_TOOLCHAIN]}"
  echo "gencode=$gencode"
  echo "cutlass=$([[ -n $cutlass ]] && echo yes || echo no)"
} >"$out/libdeepwell.properties"
size=$(du -k "$out/libdeepwell.so" | cut -f1)
targets=$(echo "$gencode" | tr ';' '\n' | sed -n 's/.*code=\(.*\)/\1/p' | tr '\n' ' ')
echo "$tag built libdeepwell.so (${size} KiB; ${targets% }) in $(( $(date +%s) - start ))s"
