#!/usr/bin/env bash
# Compiler launcher for nvcc (CMAKE_CUDA_COMPILER_LAUNCHER): runs the compile and fails it when
# ptxas reports C7510 ("wgmma.mma_async instructions are serialized"), which means a Hopper
# kernel was built in a slow form (typically device asserts without NDEBUG). The compiler's
# output is passed on unchanged.
set -u
log=$(mktemp "${TMPDIR:-/tmp}/nvcc-guard.XXXXXX")
trap 'rm -f "$log"' EXIT
"$@" 2>"$log"
status=$?
cat "$log" >&2
if grep -q 'C7510' "$log"; then
  echo "nvcc-guard: ptxas warning C7510 (serialized wgmma) is an error in Deepwell builds: compile with -DNDEBUG and check the kernel" >&2
  exit 1
fi
exit $status
