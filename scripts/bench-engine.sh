#!/usr/bin/env bash
# Engine benchmarks (go test -bench): prints the "## Engine" section of
# docs/benchmarks.md. Run from anywhere; takes about a minute or two.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench '^Benchmark(Run|AdvanceEmit)$' -benchtime "${BENCHTIME:-3x}" -timeout 10m ./engine)
echo "## Engine"
echo
echo "\`go test -bench\` on the simulator (\`engine.Run\`: no events, the path for large N):"
echo "synchronous rounds, zero latency, the seed's peer rules, fan-out 3, every run to full"
echo "convergence (everyone informed). PUSH-PULL is 3 messages per exchange and every node"
echo "opens K exchanges per round; PUSH is informed nodes only."
echo
echo "Wall-clock figures include time spent waiting for a core when the machine is shared;"
echo "the CPU columns (getrusage) do not."
echo
echo "| N | mode | rounds | ms per run | CPU ms per run | ns per simulated message | CPU ns per message | runs per second |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
echo "$out" | awk '
/^BenchmarkRun\// {
  split($1, p, "/"); n = p[2]; sub("N=", "", n); m = p[3]; sub("mode=", "", m)
  for (i = 2; i <= NF; i++) {
    if ($i == "ns/op") nsop = $(i-1)
    if ($i == "rounds") r = $(i-1)
    if ($i == "ns/msg") nsmsg = $(i-1)
    if ($i == "cpu-ns/msg") cpumsg = $(i-1)
    if ($i == "cpu-ms/run") cpums = $(i-1)
  }
  printf "| %d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", n, m, r, nsop/1e6, cpums, nsmsg, cpumsg, 1e9/nsop
}'
echo
echo "$out" | awk '
/^BenchmarkAdvanceEmit/ {
  for (i = 2; i <= NF; i++) {
    if ($i == "ns/op") nsop = $(i-1)
    if ($i == "events/run") ev = $(i-1)
    if ($i == "ns/event") nsev = $(i-1)
  }
  printf "The page path (`Advance` emitting every event; 1,000 nodes, PUSH-PULL K=3, asynchronous, 10-100 ms latency): %.0f events per run in %.1f ms, %.0f ns per event.\n", ev, nsop/1e6, nsev
}'
