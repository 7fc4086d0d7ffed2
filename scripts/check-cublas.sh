#!/usr/bin/env bash
# Suanli's CUDA declarations against NVIDIA's own, without a GPU: what `make test-cublas` runs.
# Fetches the CUDA 13.0 runtime and cuBLAS 13.0 wheels and NVML's header wheel from PyPI (2 +
# 420 + 0.1 MB, cached in the ignored .cache/cublas-13), then
#   1. compiles Tests/DevicesTests/Fixtures/shim_vs_headers.c and shim_vs_nvml.c against the
#      wheels' headers: every value Sources/CCUDA/shim.h copies, the heuristic-result struct's
#      layout and the NVML names it resolves must be NVIDIA's (the CUDA headers include two
#      toolkit files the wheels lack; headers-stub/ stands in);
#   2. runs RealCuBLASTests: the real libraries load through Suanli's gateway, every entry point
#      resolves, and each precision's plan gets as far as a library can without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/cublas-13
if [[ ! -f $dest/lib/libcublasLt.so.13 || ! -f $dest/include/nvml.h ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  /usr/bin/python3 -m pip download --no-deps --quiet --disable-pip-version-check \
    nvidia-cuda-runtime==13.0.96 nvidia-cublas==13.0.0.19 nvidia-nvml-dev-cu12==12.9.79 -d "$tmp"
  mkdir -p "$dest"
  /usr/bin/python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
for wheel in glob.glob(sys.argv[1] + "/*.whl"):
    for name in zipfile.ZipFile(wheel).namelist():
        for prefix in ("nvidia/cu13/", "nvidia/nvml_dev/"):
            if not (name.startswith(prefix + "include/") or name.startswith(prefix + "lib/")):
                continue
            target = os.path.join(sys.argv[2], name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(zipfile.ZipFile(wheel).read(name))
PY
fi
for check in shim_vs_headers shim_vs_nvml; do
  gcc -std=c11 -Wall -Werror -fsyntax-only -I Tests/DevicesTests/Fixtures/headers-stub \
    -I "$dest/include" -I Sources/CCUDA "Tests/DevicesTests/Fixtures/$check.c"
done
echo "shim.h: every value, the struct layout and the NVML names are NVIDIA's (CUDA 13.0, NVML 12.9 headers)"
SUANLI_TEST_CUBLAS_DIR=$PWD/$dest/lib swift test --disable-swift-testing ${TRAITS:-} \
  --filter RealCuBLASTests
