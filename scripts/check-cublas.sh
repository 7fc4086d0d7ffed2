#!/usr/bin/env bash
# Suanli's CUDA declarations against NVIDIA's own, without a GPU: what `make test-cublas` runs.
# Fetches the CUDA 13.0 runtime and cuBLAS 13.0 wheels from PyPI (2 + 420 MB, cached in the
# ignored .cache/cublas-13), then
#   1. compiles Tests/DevicesTests/Fixtures/shim_vs_headers.c against the wheels' headers: every
#      enum value Sources/CCUDA/shim.h copies, and the heuristic-result struct's layout, must be
#      NVIDIA's (the headers include two toolkit files the wheels lack; headers-stub/ stands in);
#   2. runs RealCuBLASTests: the real libraries load through Suanli's gateway, every entry point
#      resolves, and each precision's plan gets as far as a library can without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/cublas-13
if [[ ! -f $dest/lib/libcublasLt.so.13 ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  /usr/bin/python3 -m pip download --no-deps --quiet --disable-pip-version-check \
    nvidia-cuda-runtime==13.0.96 nvidia-cublas==13.0.0.19 -d "$tmp"
  mkdir -p "$dest"
  /usr/bin/python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
for wheel in glob.glob(sys.argv[1] + "/*.whl"):
    for name in zipfile.ZipFile(wheel).namelist():
        if name.startswith("nvidia/cu13/include/") or name.startswith("nvidia/cu13/lib/"):
            target = os.path.join(sys.argv[2], name[len("nvidia/cu13/"):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(zipfile.ZipFile(wheel).read(name))
PY
fi
gcc -std=c11 -Wall -Werror -fsyntax-only -I Tests/DevicesTests/Fixtures/headers-stub \
  -I "$dest/include" -I Sources/CCUDA Tests/DevicesTests/Fixtures/shim_vs_headers.c
echo "shim.h: every value and the struct layout are NVIDIA's (CUDA 13.0 headers)"
SUANLI_TEST_CUBLAS_DIR=$PWD/$dest/lib swift test --disable-swift-testing ${TRAITS:-} \
  --filter RealCuBLASTests
