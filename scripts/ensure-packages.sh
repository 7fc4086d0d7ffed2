#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are missing (apt-get, no recommends).
# Not root: prints the exact apt-get line and fails.
set -euo pipefail
command -v swift >/dev/null || {
  echo "swift is not on PATH: install the Swift 6.1+ toolchain for Linux first (swift.org)" >&2
  exit 1
}
missing=()
for package in "$@"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "run as root: apt-get update && $line" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$line -qq >/dev/null
