#!/usr/bin/env bash
# Prints the "## Memberlist mode" section of docs/benchmarks.md: the sizes
# of both WebAssembly programs, and in headless Chromium the page's first
# frame beside memberlist mode's start (go test -bench BenchmarkMemlab in
# e2e/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f web/gossipscope.wasm ] && [ -f web/memlab.wasm ] || make wasm >&2

mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "## Memberlist mode"
echo
echo "| program | raw | gzip -9 | brotli -q 11 (sent to browsers that take it) | fetched |"
echo "|---|---:|---:|---:|---|"
for w in gossipscope memlab; do
  f=web/$w.wasm
  when="on every load"
  [ "$w" = memlab ] && when="only when memberlist mode starts"
  br="-"
  [ -f "$f.br" ] && br=$(mib "$(stat -c %s "$f.br")")
  echo "| \`$f\` | $(mib "$(stat -c %s "$f")") | $(mib "$(gzip -9 -c "$f" | wc -c)") | $br | $when |"
done
echo

chrome=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chrome" ]; then
  echo "Start times: n/a (no Chromium here; set CHROMIUM)."
  exit 0
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
if ! out=$(go test ./e2e -run '^$' -bench '^BenchmarkMemlab$' -benchtime 1x -count 1 -timeout 10m 2>&1); then
  echo "The memberlist mode benchmark failed:"
  echo
  echo '```'
  echo "$out" | tail -n 25
  echo '```'
  exit 0
fi
echo "Headless Chromium, 1024x768, empty cache, load average before the run: $load (2 cores)."
echo "The page's first frame is measured from navigation (its own program only). Memberlist mode"
echo "from pressing Start: web/memlab.wasm fetched, compiled and ready; the first memberlist events"
echo "fed to the player; all 20 nodes alive in the majority's view. Frame rates: 3 s of the page's"
echo "default simulation, then 3 s of the 20 memberlist nodes gossiping (their Go runs in a Web"
echo "Worker; the page plays their events)."
echo
echo "$out" | awk '
  /^BenchmarkMemlab/ {
    for (i = 2; i <= NF; i++) v[$i] = $(i-1)
    printf "| page first frame | memlab ready | first events | 20 alive | frames/s simulation | frames/s memberlist | Go in Draw, ms/frame (sim / memberlist) |\n"
    printf "|---:|---:|---:|---:|---:|---:|---:|\n"
    printf "| %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.1f | %.1f | %.2f / %.2f |\n", v["ms-to-first-frame"], v["ms-to-memlab-loaded"], v["ms-to-first-memberlist-events"], v["ms-to-20-alive"], v["sim-fps"], v["fps"], v["sim-draw-ms/frame"], v["draw-ms/frame"]
  }'
