#!/usr/bin/env bash
# Compiler launcher for nvcc (CMAKE_CUDA_COMPILER_LAUNCHER): runs the compile and fails it when
# ptxas reports that it serialized wgmma ("wgmma.mma_async instructions are serialized": C7510
# for device asserts without NDEBUG, C7513-C7515 for register use it cannot prove safe, printed as
# "info" and as easy to miss), which means a Hopper kernel was built in a slow form. The
# compiler's output is passed on unchanged.
set -u
log=$(mktemp "${TMPDIR:-/tmp}/nvcc-guard.XXXXXX")
trap 'rm -f "$log"' EXIT
"$@" 2>"$log"
status=$?
cat "$log" >&2
if grep -q 'wgmma.mma_async instructions are serialized' "$log"; then
  echo "nvcc-guard: ptxas serialized wgmma ($(grep -o 'C75[0-9][0-9]' "$log" | sort -u | tr '\n' ' ')) - an error in Deepwell builds: compile with -DNDEBUG and check the kernel" >&2
  exit 1
fi
exit $status
