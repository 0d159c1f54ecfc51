#!/usr/bin/env bash
# Writes docs/benchmarks.md: the machine, then one section from each
# scripts/bench-*.sh (engine, page, live), each printing Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/benchmarks.md
tmp=$(mktemp)
{
  echo "# gossipscope benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d). Figures are from this one machine;"
  echo "compare ratios, not absolute numbers, across machines."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
  echo "- Memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "- $(go version)"
  echo
  for s in scripts/bench-*.sh; do
    [ -x "$s" ] || continue
    echo "Running $s" >&2
    "$s"
    echo
  done
} >"$tmp"
mv "$tmp" "$out"
echo "wrote $out"
