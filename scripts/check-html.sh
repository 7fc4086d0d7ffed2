#!/usr/bin/env bash
# `make test-html`: the pages in a real browser. Draws the example reports and their comparison,
# renders each in headless Chromium (light and dark), and checks that every screenshot is drawn
# (not blank: at least 5 % of the pixels off the background, at least 50 colours) and that CJK
# fonts exist for the Chinese labels. Needs chromium and fonts-noto-cjk (about 500 MB; the
# Makefile installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SUANLI_BIN:-.build/release/suanli}
out=${HTML_OUT:-$(mktemp -d)}
mkdir -p "$out"
fc-list :lang=zh | grep -q . || { echo "no CJK font (fonts-noto-cjk): Chinese labels would not render" >&2; exit 1; }
trusted=results/examples/trusted
for report in results/examples/*.json; do
  name=$(basename "$report" .json)
  "$BIN" report "$report" --html --trusted "$trusted" -o "$out/$name.html" 2>/dev/null
done
"$BIN" compare results/examples --trusted "$trusted" --format html > "$out/compare.html"
status=0
for page in "$out"/*.html; do
  for theme in light dark; do
    flags=()
    [ "$theme" = dark ] && flags=(--force-dark-mode)
    shot="${page%.html}-$theme.png"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "${flags[@]}" \
      --window-size=1200,1800 --screenshot="$shot" "file://$(realpath "$page")" >/dev/null 2>&1
    stats=$(python3 scripts/png-stats.py "$shot")
    drawn=$(echo "$stats" | awk '{print $2}' | tr -d %)
    colours=$(echo "$stats" | awk '{print $4}')
    verdict=ok
    if awk "BEGIN{exit !($drawn < 5 || $colours < 50)}"; then verdict=BLANK; status=1; fi
    echo "$(basename "$shot"): $stats $verdict"
  done
done
echo "pages and screenshots in $out"
exit $status
