#!/usr/bin/env bash
# One test fixture from PyPI: the real CUDA runtime, libcudart.so.12 out of the
# nvidia-cuda-runtime-cu12 wheel (3.5 MB), cached in .cache/cuda-runtime (ignored by git). With
# it, `make test` checks what Suanli says on a node without an NVIDIA driver (the runtime's
# error 35). Offline, the fixture is missing and that one test says so and skips.
set -uo pipefail
cd "$(dirname "$0")/.."
dest=.cache/cuda-runtime
[[ -f $dest/libcudart.so.12 ]] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 -m pip download --no-deps --quiet --disable-pip-version-check \
  nvidia-cuda-runtime-cu12==12.9.79 -d "$tmp" >/dev/null 2>&1; then
  echo "note: could not fetch nvidia-cuda-runtime-cu12 from PyPI; the real-runtime test will skip" >&2
  exit 0
fi
mkdir -p "$dest"
/usr/bin/python3 - "$tmp" "$dest" <<'PY'
import glob, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])
with open(sys.argv[2] + "/libcudart.so.12", "wb") as out:
    out.write(wheel.read("nvidia/cuda_runtime/lib/libcudart.so.12"))
PY
