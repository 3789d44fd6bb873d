#!/usr/bin/env bash
# Finds or installs the toolchain that builds Deepwell's native library, and prints it.
#
#   scripts/install-toolchain.sh           use a suitable system CUDA, else install the pinned
#                                          PyPI wheels into .toolchain/cu13 (about 1.4 GB, once)
#   scripts/install-toolchain.sh --check   find only, never install; exit 1 (reason on stderr)
#                                          when nothing suitable is there
#   scripts/install-toolchain.sh --wheels  ignore any system CUDA; use/install the wheels
#
# On success it prints KEY=VALUE lines on stdout (everything else goes to stderr):
#   DEEPWELL_TOOLCHAIN=system|wheels  NVCC=...  CUDA_HOME=...  CUTLASS_DIR=...  NCCL_HOME=...
#   CMAKE=...  NINJA=...
# CUTLASS_DIR or NCCL_HOME may be empty in --check mode: the runtime builds without them.
#
# A system CUDA is honoured when its nvcc (CUDA_HOME/bin/nvcc, else nvcc on PATH, else
# /usr/local/cuda/bin/nvcc) is 12.8 or newer (sm_100a/sm_120a need 12.8). CUTLASS then comes
# from CUTLASS_DIR (a folder with include/cutlass/cutlass.h); without it, the nvidia-cutlass
# wheel alone is installed into the venv.
#
# Why wheels: CI and most developer machines have no CUDA. The GPU host runs CUDA 13.0, and
# nvcc, crt and nvvm must match exactly (13.0.88): unpinned, pip mixes 13.5 crt/nvvm with the
# 13.0 nvcc and the build breaks. cmake/ninja wheels are added only where the system has none
# (or a cmake older than 3.24).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${DEEPWELL_TOOLCHAIN:-$root/.toolchain/cu13}
py=${PYTHON:-python3}

cuda_pins=(
  nvidia-cuda-nvcc==13.0.88 nvidia-cuda-crt==13.0.88 nvidia-nvvm==13.0.88
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85
  nvidia-cublas==13.1.0.3 nvidia-nccl-cu13==2.32.3
  nvidia-cutlass==4.2.0.0
  nvidia-cuda-cuobjdump==13.5.37 nvidia-cuda-nvdisasm==13.5.37
)
cutlass_pins=(nvidia-cutlass==4.2.0.0)
build_pins=(cmake==3.31.6 ninja==1.11.1.4)

mode=install
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  --wheels) mode=wheels ;;
  *) echo "usage: $0 [--check|--wheels]" >&2; exit 2 ;;
esac

say() { echo "install-toolchain: $*" >&2; }

# "13 0" from nvcc --version, or nothing.
nvcc_version() {
  "$1" --version 2>/dev/null | sed -n 's/.*release \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p' | head -1
}

version_ok() {  # major minor >= 12.8
  local major=$1 minor=$2
  (( major > 12 || (major == 12 && minor >= 8) ))
}

site_dir() {
  "$dest/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'
}

# Installs `pins` into the venv unless its stamp file already lists exactly them.
ensure_wheels() {
  local stamp=$1; shift
  local want
  want=$(printf '%s\n' "$@")
  if [[ -f $stamp && "$(cat "$stamp")" == "$want" && -x $dest/bin/python3 ]]; then return 0; fi
  if [[ $mode == check ]]; then return 1; fi
  if [[ ! -x $dest/bin/python3 ]]; then
    say "creating $dest"
    "$py" -m venv "$dest" >&2
  fi
  say "installing $(printf '%s ' "$@")"
  "$dest/bin/python3" -m pip install -q --no-deps --disable-pip-version-check "$@" >&2
  printf '%s\n' "$@" > "$stamp"
}

wheel_cutlass_dir() {
  [[ -x $dest/bin/python3 ]] || return 1
  "$dest/bin/python3" -c 'import cutlass_library; print(cutlass_library.source_path)' 2>/dev/null
}

# ---- CUDA: system first (unless --wheels), else the wheels ----
toolchain="" nvcc="" cuda_home="" cutlass="" nccl=""
if [[ $mode != wheels ]]; then
  candidate=""
  if [[ -n ${CUDA_HOME:-} && -x $CUDA_HOME/bin/nvcc ]]; then
    candidate=$CUDA_HOME/bin/nvcc
  elif command -v nvcc >/dev/null 2>&1; then
    candidate=$(command -v nvcc)
  elif [[ -x /usr/local/cuda/bin/nvcc ]]; then
    candidate=/usr/local/cuda/bin/nvcc
  fi
  # The wheels' own nvcc is handled below, as wheels.
  if [[ -n $candidate && $candidate != "$dest"/* ]]; then
    read -r major minor <<<"$(nvcc_version "$candidate")" || true
    if [[ -n ${major:-} ]] && version_ok "$major" "$minor"; then
      toolchain=system
      nvcc=$(readlink -f "$candidate")
      cuda_home=$(cd "$(dirname "$nvcc")/.." && pwd)
      if [[ ! -f $cuda_home/include/cublasLt.h ]]; then
        say "warning: $cuda_home has no cublasLt.h (cuBLAS development files); the cuBLASLt GEMM path will not build"
      fi
    else
      say "ignoring $candidate (CUDA ${major:-?}.${minor:-?}; 12.8 or newer is needed)"
    fi
  fi
fi

if [[ -z $toolchain ]]; then
  if ! ensure_wheels "$dest/.pins" "${cuda_pins[@]}"; then
    echo "install-toolchain: no CUDA 12.8+ toolchain (no suitable nvcc, and no pinned wheels in $dest); run scripts/install-toolchain.sh" >&2
    exit 1
  fi
  site=$(site_dir)
  cuda_home=$site/nvidia/cu13
  nvcc=$cuda_home/bin/nvcc
  chmod +x "$cuda_home"/bin/* "$cuda_home"/nvvm/bin/* 2>/dev/null || true
  # nvcc.profile links from lib64; the wheel ships lib. Without this, nvcc cannot link a program.
  [[ -e $cuda_home/lib64 ]] || ln -s lib "$cuda_home/lib64"
  [[ -x $nvcc ]] || { echo "install-toolchain: $nvcc missing: delete $dest and run again" >&2; exit 1; }
  toolchain=wheels
  cutlass=$(wheel_cutlass_dir || true)
  nccl=$site/nvidia/nccl
fi

# ---- CUTLASS ----
if [[ -n ${CUTLASS_DIR:-} ]]; then
  if [[ -f $CUTLASS_DIR/include/cutlass/cutlass.h ]]; then
    cutlass=$CUTLASS_DIR
  else
    say "CUTLASS_DIR=$CUTLASS_DIR has no include/cutlass/cutlass.h; ignoring it"
  fi
fi
if [[ -z $cutlass ]]; then
  cutlass=$(wheel_cutlass_dir || true)
fi
if [[ -z $cutlass ]]; then
  if ensure_wheels "$dest/.pins-cutlass" "${cutlass_pins[@]}"; then
    cutlass=$(wheel_cutlass_dir || true)
  else
    say "no CUTLASS (set CUTLASS_DIR, or run without --check): kernel families that need it are left out"
  fi
fi

# ---- NCCL headers (optional: NCCL itself is opened at run time) ----
if [[ -n ${NCCL_HOME:-} && -f $NCCL_HOME/include/nccl.h ]]; then
  nccl=$NCCL_HOME
elif [[ -z $nccl || ! -f $nccl/include/nccl.h ]]; then
  nccl=""
  [[ -f $cuda_home/include/nccl.h ]] && nccl=$cuda_home
fi

# ---- cmake >= 3.24 and ninja ----
cmake_bin=$(command -v cmake || true)
if [[ -n $cmake_bin ]]; then
  cv=$("$cmake_bin" --version | sed -n 's/cmake version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
  read -r cmaj cmin <<<"$cv"
  if ! (( cmaj > 3 || (cmaj == 3 && cmin >= 24) )); then cmake_bin=""; fi
fi
ninja_bin=$(command -v ninja || true)
if [[ -z $cmake_bin || -z $ninja_bin ]]; then
  if ensure_wheels "$dest/.pins-build" "${build_pins[@]}"; then
    [[ -z $cmake_bin ]] && cmake_bin=$dest/bin/cmake
    [[ -z $ninja_bin ]] && ninja_bin=$dest/bin/ninja
  else
    echo "install-toolchain: cmake >= 3.24 and ninja are needed (run without --check to install them)" >&2
    exit 1
  fi
fi

echo "DEEPWELL_TOOLCHAIN=$toolchain"
echo "NVCC=$nvcc"
echo "CUDA_HOME=$cuda_home"
echo "CUTLASS_DIR=$cutlass"
echo "NCCL_HOME=$nccl"
echo "CMAKE=$cmake_bin"
echo "NINJA=$ninja_bin"
