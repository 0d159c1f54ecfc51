#!/usr/bin/env bash
# Prints the "## Live" section of docs/benchmarks.md: a lab of real
# memberlist nodes (50 by default) streamed over /ws to a websocket client,
# and the hub's own ceiling. LIVE_BENCH_NODES / LIVE_BENCH_SECONDS override
# the lab size and the seconds per phase (the run takes about 3 x that).
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${LIVE_BENCH_NODES:-50}
secs=${LIVE_BENCH_SECONDS:-20}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
lab=$(LIVE_BENCH_NODES=$nodes LIVE_BENCH_SECONDS=$secs go test -run '^$' -bench '^BenchmarkLiveLab$' -benchtime 1x -timeout 10m ./live | grep '^BenchmarkLiveLab')
hub=$(go test -run '^$' -bench '^BenchmarkHubStream$' -benchtime 300000x -count 3 -timeout 10m ./live | grep '^BenchmarkHubStream')

# metric NAME LINE: the value reported before unit NAME in a benchmark line.
metric() { awk -v u="$1" '{for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' <<<"$2" | head -1; }
fmt() { printf '%.*f' "$1" "$2"; }

echo "## Live"
echo
echo "A lab of $nodes real memberlist nodes in one process (Alertmanager's timings; a silence"
echo "created every 100 ms on the next node, an alert to every node every 5 s) streamed by the hub"
echo "over /ws to one websocket client on loopback, for ${secs} s (\`BenchmarkLiveLab\` in"
echo "\`live/bench_test.go\`). Lag is from a node's transport seeing a packet to the client"
echo "decoding its event; the hub flushes every 25 ms, so about 12 ms of it is by design. CPU is"
echo "the whole process (lab, hub and client; 100% = one core). Load average before the run:"
echo "$load_before (the machine is shared: lag tails grow with its load)."
echo
echo "| measure | value |"
echo "|---|---|"
echo "| events per second to the client | $(fmt 0 "$(metric events/s "$lab")") ($(fmt 0 "$(metric kB/s "$lab")") kB/s in $(fmt 1 "$(metric msgs/s "$lab")") messages/s) |"
echo "| lag p50 / p99 / max | $(fmt 1 "$(metric lag-p50-ms "$lab")") / $(fmt 1 "$(metric lag-p99-ms "$lab")") / $(fmt 1 "$(metric lag-max-ms "$lab")") ms |"
echo "| of which inside the nodes, before the hub (p50 / p99) | $(fmt 2 "$(metric emit-lag-p50-ms "$lab")") / $(fmt 1 "$(metric emit-lag-p99-ms "$lab")") ms |"
echo "| events dropped | $(fmt 0 "$(metric dropped "$lab")") |"
echo "| process CPU with the client | $(fmt 1 "$(metric cpu-% "$lab")")% |"
echo "| process CPU, same lab, no client | $(fmt 1 "$(metric cpu-no-client-% "$lab")")% (at $(fmt 0 "$(metric events/s-no-client "$lab")") events/s) |"
echo
echo "The hub alone (\`BenchmarkHubStream\`): lab-like events emitted by one goroutine, encoded once,"
echo "streamed to two websocket clients that read and scan every line; three runs:"
echo
echo "| run | ns per event, end to end | events per second |"
echo "|---|---|---|"
i=0
while read -r line; do
  i=$((i + 1))
  echo "| $i | $(fmt 0 "$(awk '{print $3}' <<<"$line")") | $(fmt 0 "$(metric events/s "$line")") |"
done <<<"$hub"
