#!/usr/bin/env bash
# Reads `suanli topo --json` on stdin and fails when the binary lacks FMA/AVX2/F16C/AVX-512
# that the CPU has: a build for the wrong -target-cpu runs kernels far below peak.
set -euo pipefail
notes=$(grep -o '"this binary was built without[^"]*"' || true)
if [[ -n "$notes" ]]; then
  echo "build check failed: $notes" >&2
  exit 1
fi
