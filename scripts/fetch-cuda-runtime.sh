#!/usr/bin/env bash
# Test fixtures from PyPI: the real CUDA runtimes, libcudart.so.12 out of the
# nvidia-cuda-runtime-cu12 wheel (3.5 MB) into .cache/cuda-runtime and libcudart.so.13 out of
# nvidia-cuda-runtime 13.0 (2.2 MB) into .cache/cuda-runtime-13 (both ignored by git). With
# them, `make test` checks what Suanli says on a node without an NVIDIA driver (each runtime's
# error 35). Offline, a missing fixture's test says so and skips.
set -uo pipefail
cd "$(dirname "$0")/.."
fetch() {  # package==version, path inside the wheel, destination folder
  local dest=$3
  [[ -f $dest/$(basename "$2") ]] && return 0
  local tmp
  tmp=$(mktemp -d)
  if ! /usr/bin/python3 -m pip download --no-deps --quiet --disable-pip-version-check \
    "$1" -d "$tmp" >/dev/null 2>&1; then
    echo "note: could not fetch $1 from PyPI; its real-runtime test will skip" >&2
    rm -rf "$tmp"
    return 0
  fi
  mkdir -p "$dest"
  /usr/bin/python3 - "$tmp" "$2" "$dest" <<'PY'
import glob, os, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])
with open(os.path.join(sys.argv[3], os.path.basename(sys.argv[2])), "wb") as out:
    out.write(wheel.read(sys.argv[2]))
PY
  rm -rf "$tmp"
}
fetch nvidia-cuda-runtime-cu12==12.9.79 nvidia/cuda_runtime/lib/libcudart.so.12 .cache/cuda-runtime
fetch nvidia-cuda-runtime==13.0.96 nvidia/cu13/lib/libcudart.so.13 .cache/cuda-runtime-13
