#!/usr/bin/env bash
# Prints the "## Page" section of docs/benchmarks.md: the page in headless
# Chromium at 1024x768 (go test -bench BenchmarkPage in e2e/) and the size
# of the wasm it downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=web/gossipscope.wasm
[ -f "$wasm" ] || make wasm >&2

echo "## Page"
echo
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
if command -v brotli >/dev/null 2>&1; then
  br=$(brotli -q 11 -c "$wasm" | wc -c)
else
  br=""
fi
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "WebAssembly download (\`web/gossipscope.wasm\`): $(mib "$raw") raw, $(mib "$gz") gzip -9 (what \`gossipscope serve\` sends)$(
  [ -n "$br" ] && echo ", $(mib "$br") brotli -q 11" || echo ", brotli n/a (no \`brotli\` CLI here)")."
echo

chrome=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chrome" ]; then
  echo "Frame rates: n/a (no Chromium here; set CHROMIUM)."
  exit 0
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
if ! out=$(go test ./e2e -run '^$' -bench '^BenchmarkPage$' -benchtime 1x -count 1 -timeout 20m 2>&1); then
  echo "The page benchmark failed:"
  echo
  echo '```'
  echo "$out" | tail -n 25
  echo '```'
  exit 0
fi
echo "$(${chrome} --version 2>/dev/null | head -n1), headless, 1024x768 window, WebGL on SwiftShader"
echo "(the CPU): frame rates here are a floor, not what a browser with a GPU shows. Draw is the"
echo "Go time in the wasm's \`Draw\` per frame, the page's own cost. Each size animates a PUSH-PULL"
echo "cluster (fan-out 3, latency 100-400 ms, a new version of the news every second) mid-run,"
echo "with messages in flight, for 3 s. First frame: from navigation with an empty browser cache"
echo "(download over loopback, compile, build the scene) to the first frame drawn."
echo "Load average before the run: $load (2 cores: above about 1, the page shared the CPU"
echo "with other work and the figures are pessimistic)."
echo
echo "| nodes | frames/s (browser) | frames/s (ebiten) | Go in Draw, ms/frame | slowest Draw, ms | first frame, ms (empty cache) | JS API ready, ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
echo "$out" | awk '
  function commas(n,   s) { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } return n s }
  /^BenchmarkPage\/nodes=/ {
    split($1, a, "="); n = a[2]; sub(/-[0-9]+$/, "", n)
    fps = efps = draw = dmax = ff = rd = "n/a"
    for (i = 2; i <= NF; i++) {
      if ($i == "fps") fps = $(i-1)
      if ($i == "ebiten-fps") efps = $(i-1)
      if ($i == "draw-ms/frame") draw = $(i-1)
      if ($i == "draw-max-ms") dmax = $(i-1)
      if ($i == "ms-to-first-frame") ff = $(i-1)
      if ($i == "ms-to-ready") rd = $(i-1)
    }
    printf "| %s | %.1f | %.1f | %.2f | %.1f | %.0f | %.0f |\n", commas(n), fps, efps, draw, dmax, ff, rd
  }'
