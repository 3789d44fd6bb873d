#!/usr/bin/env bash
# Installs the pinned CUDA 13.0 + CUTLASS 4.2 toolchain from PyPI wheels into .toolchain/cu13
# when no suitable system toolchain is present. Idempotent: re-running with everything in place
# does nothing. Prints the environment to use as KEY=VALUE lines on its last lines.
#
# Why wheels: the GPU host runs CUDA 13.0 (driver + /usr/local/cuda), and a developer or CI
# machine usually has no CUDA at all. nvcc, the runtime, CCCL, crt and nvvm must match exactly
# (13.0.88): unpinned, pip mixes 13.5 crt/nvvm with 13.0 nvcc and the build breaks.
#
# A user with a system CUDA 12.8+/13 (nvcc on PATH or CUDA_HOME) and CUTLASS_DIR set is honoured
# instead: pass --system-ok and this script only checks and reports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${DEEPWELL_TOOLCHAIN:-$root/.toolchain/cu13}
pins=(
  nvidia-cuda-nvcc==13.0.88 nvidia-cuda-crt==13.0.88 nvidia-nvvm==13.0.88
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85
  nvidia-cublas==13.1.0.3 nvidia-nccl-cu13==2.32.3
  nvidia-cutlass==4.2.0.0
  nvidia-cuda-cuobjdump==13.5.37
)
py=${PYTHON:-python3}
if [[ ! -x $dest/bin/python3 ]]; then
  echo "install-toolchain: creating $dest" >&2
  "$py" -m venv "$dest"
fi
stamp=$dest/.pins
want=$(printf '%s\n' "${pins[@]}")
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "install-toolchain: installing pinned wheels (about 1.4 GB, a few minutes)" >&2
  "$dest/bin/python3" -m pip install -q --no-deps --disable-pip-version-check "${pins[@]}" >&2
  printf '%s\n' "${pins[@]}" > "$stamp"
fi
site=$("$dest/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cu=$site/nvidia/cu13
cutlass=$("$dest/bin/python3" -c 'import cutlass_library; print(cutlass_library.source_path)')
chmod +x "$cu"/bin/* "$cu"/nvvm/bin/* 2>/dev/null || true
echo "CUDA_HOME=$cu"
echo "CUTLASS_DIR=$cutlass"
echo "NCCL_HOME=$site/nvidia/nccl"
