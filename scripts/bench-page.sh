#!/usr/bin/env bash
# Prints the "## Page" section of docs/benchmarks.md: the page in headless
# Chromium at 1280x800 beside a plain Canvas2D page (go test -bench
# BenchmarkPage in e2e/) and the size of the wasm it downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=web/gossipscope.wasm
[ -f "$wasm" ] || make wasm >&2

echo "## Page"
echo
raw=$(stat -c %s "$wasm")
[ -f "$wasm.sha256" ] || ./scripts/precompress.sh "$wasm" >&2
gz=$(stat -c %s "$wasm.gz")
br=$( [ -f "$wasm.br" ] && stat -c %s "$wasm.br" || echo "")
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "WebAssembly download (\`web/gossipscope.wasm\`): $(mib "$raw") raw, $(mib "$gz") gzip -9$(
  [ -n "$br" ] && echo ", $(mib "$br") brotli -q 11 (what \`gossipscope serve\` sends to browsers that accept brotli, Chromium included)" || echo " (what \`gossipscope serve\` sends; brotli n/a: no \`brotli\` command at build time)"),"
echo "both made at build time (\`scripts/precompress.sh\`). A reload is a 304 (ETag): headers only."
echo

chrome=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chrome" ]; then
  echo "Frame rates: n/a (no Chromium here; set CHROMIUM)."
  exit 0
fi
# bench NAME TIMEOUT WHAT: runs e2e's BenchmarkNAME once into $out, or
# prints its failure's tail (as WHAT) and fails.
bench() {
  if ! out=$(go test ./e2e -run '^$' -bench "^Benchmark$1\$" -benchtime 1x -count 1 -timeout "$2" 2>&1); then
    echo "The $3 benchmark failed:"
    echo
    echo '```'
    echo "$out" | tail -n 25
    echo '```'
    return 1
  fi
}
load=$(cut -d' ' -f1-3 /proc/loadavg)
bench Page 30m page || exit 0
echo "$(${chrome} --version 2>/dev/null | head -n1), headless, a 1280x800 window, WebGL on SwiftShader"
echo "(the CPU, as on machines without a usable GPU). Each size animates a PUSH-PULL cluster (fan-out 3,"
echo "latency 100-400 ms, a new version of the news every second) mid-run, with messages in flight;"
echo "beside it, in the same run and in turn, a plain Canvas2D page (\`e2e/testdata/canvas2d.html\`)"
echo "draws as many nodes and moving dots at the same sizes, a panel of text and a chart line."
echo "Three 3-second windows of each, interleaved; medians. Frames are counted by"
echo "requestAnimationFrame, the rate from the browser's own timestamps; a frame missed is a gap between"
echo "two of more than one refresh period (the median gap), summed over the three windows; CPU per frame is read from /proc for Chromium's GPU process (where"
echo "WebGL runs) and its renderers (JavaScript, the wasm, Canvas2D); Go in Draw is the wasm's own"
echo "share of the renderer's. Paused: the cores all of the browser's processes used over 6 s with"
echo "the page paused (2 s after its loop fell asleep), and the frames it drew meanwhile; in brackets"
echo "the floor, the same for the Canvas2D page with its animation stopped (what any still page costs"
echo "in this browser; the benchmark reports the paused figure per process too). First frame: from navigation with an empty"
echo "browser cache (download over loopback, compile, build the scene) to the first drawn frame, the"
echo "median of the three loads."
echo "Load average before the run: $load, after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores: above about"
echo "1 the pages shared the CPU with other work; compare the ratio, measured under the same load)."
echo
echo "| nodes | gossipscope fps | Canvas2D fps | ratio | longest gap, ms (Canvas2D) | frames missed in 9 s (Canvas2D) | GPU process ms/frame (Canvas2D) | renderer ms/frame (Canvas2D) | Go in Draw, ms/frame | paused: cores (floor), frames drawn | first frame, ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "$out" | awk '
  function commas(n,   s) { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } return n s }
  /^BenchmarkPage\/nodes=/ {
    split($1, a, "="); n = a[2]; sub(/-[0-9]+$/, "", n)
    delete m
    for (i = 3; i < NF; i++) if ($(i+1) ~ /^[a-z0-9\/-]+$/ && $i ~ /^-?[0-9.]+$/) m[$(i+1)] = $i
    printf "| %s | %.1f | %.1f | %.2f | %.0f (%.0f) | %d (%d) | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.3f (%.3f), %d | %.0f |\n", commas(n),
      m["fps"], m["c2d-fps"], m["fps-ratio"], m["max-gap-ms"], m["c2d-max-gap-ms"], m["dropped-frames"], m["c2d-dropped-frames"],
      m["gpu-ms/frame"], m["c2d-gpu-ms/frame"], m["renderer-ms/frame"], m["c2d-renderer-ms/frame"],
      m["draw-ms/frame"], m["idle-cores"], m["idle-cores-floor"], m["idle-frames"], m["ms-to-first-frame"]
  }'
echo

# What each part of the frame costs (BenchmarkPageParts): the same page,
# parts left out in turn by the API's leaveOut diagnostic.
load=$(cut -d' ' -f1-3 /proc/loadavg)
bench PageParts 10m parts || exit 0
echo "What each part of a frame costs at 1,000 nodes (\`BenchmarkPageParts\`): the same page and"
echo "scenario in one tab, the JS API's \`leaveOut\` diagnostic leaving one part undrawn at a time, in"
echo "turn, three 3-second windows of each, interleaved; medians. A part's cost is the whole frame's"
echo "figure less the one without it. \"Nothing\" draws no part: what presenting and compositing a"
echo "frame of the canvas costs by itself. Load average before: $load, after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| frame | fps | GPU process ms/frame | renderer ms/frame |"
echo "|---|---:|---:|---:|"
echo "$out" | awk '
  /^BenchmarkPageParts/ {
    for (i = 3; i < NF; i++) if ($(i+1) ~ /^[a-z0-9\/-]+$/ && $i ~ /^-?[0-9.]+$/) m[$(i+1)] = $i
    split("whole no-under no-panel no-over nothing all-on-canvas", k, " ")
    split("whole|without the Under batch (dots, trails, glows, nodes below 2,501)|without the panel|without the Over batch|nothing drawn|whole, all of it drawn by WebGL on the canvas, none on the still plane", label, "|")
    for (j = 1; j <= 6; j++)
      printf "| %s | %.1f | %.1f | %.1f |\n", label[j], m[k[j] "-fps"], m[k[j] "-gpu-ms/frame"], m[k[j] "-renderer-ms/frame"]
  }'
echo

# The start-up step by step (BenchmarkStartup): fresh tabs, empty cache.
load=$(cut -d' ' -f1-3 /proc/loadavg)
bench Startup 10m start-up || exit 0
echo "The start-up at 1,000 nodes (\`BenchmarkStartup\`): the page loaded 7 times, each in a fresh tab"
echo "with an empty browser cache, on the scenario above; ms from navigation to the end of the wasm's"
echo "download and to each of the page's \`gs:\` marks (docs/architecture.md, \"The first frame comes"
echo "first\"): compiled and instantiated (the wasm), main (Go's package init done), ready (the JS API"
echo "up), drawn (the first frame's draw calls made), first frame (the page notices it: the first-frame"
echo "figure above) and shown (the browser has put it on screen: what a user waits for)."
echo "Load average before: $load, after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| load | wasm downloaded | compiled | instantiated | main | ready | drawn | first frame | shown |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "$out" | awk '
  / load [0-9]+ \(this build\):/ {
    delete m
    for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) m[kv[1]] = kv[2]
    printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", ++n, m["wasm"], m["compiled"], m["instantiated"], m["main"], m["ready"], m["drawn"], m["first-frame"], m["shown"]
  }
  /^BenchmarkStartup/ {
    for (i = 3; i < NF; i++) if ($(i+1) ~ /^ms-to-/ && $i ~ /^[0-9.]+$/) med[substr($(i+1), 7)] = $i
  }
  END {
    printf "| **median** | **%.0f** | **%.0f** | **%.0f** | **%.0f** | **%.0f** | **%.0f** | **%.0f** | **%.0f** |\n", med["wasm"], med["compiled"], med["instantiated"], med["main"], med["ready"], med["drawn"], med["first-frame"], med["shown"]
  }'
