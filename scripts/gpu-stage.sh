#!/usr/bin/env bash
# Prepares, on the development machine, what scripts/gpu-check.sh needs on the GPU host:
# the bundle (./mvnw -Pdist package), the peer scripts from ../shared/bench (which does not
# travel) copied into dist/peers/, and .gpu/ (../shared/gpu/prepare). Prints the paths to
# carry and their total size, which must stay under the 64 MiB transfer limit.
#
#   scripts/gpu-stage.sh [--no-build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ${1:-} != --no-build ]]; then
  ./mvnw -q -B -Pdist package -DskipTests
fi
bundle=$(ls -d dist/deepwell-*/ | head -1)
bundle=${bundle%/}
unzip -l "$bundle"/lib/deepwell-jni-*.jar | grep -q 'native/linux-x86_64/libdeepwell.so' ||
  { echo "gpu-stage: $bundle carries no libdeepwell.so (no CUDA toolchain here?)" >&2; exit 1; }
mkdir -p dist/peers
cp ../shared/bench/torch_*_peer.py dist/peers/
if [[ ! -f .gpu/env.sh || ! -f .gpu/jre.txz ]]; then
  ../shared/gpu/prepare
fi
carry=(.gpu "$bundle" dist/peers)
tree_kib=$(git ls-files -co --exclude-standard -z | du -ck --files0-from=- 2>/dev/null | tail -1 | cut -f1)
carry_kib=$(du -ck "${carry[@]}" | tail -1 | cut -f1)
echo "carry: ${carry[*]}"
echo "size: working tree ${tree_kib} KiB + carried ${carry_kib} KiB = $(( (tree_kib + carry_kib) / 1024 )) MiB (limit 64 MiB)"
(( tree_kib + carry_kib < 60 * 1024 )) || { echo "gpu-stage: too large to travel" >&2; exit 1; }
