#!/usr/bin/env bash
# Prints the "## Live" section of docs/benchmarks.md: a lab of real
# memberlist nodes (50, and 10 for contrast) streamed over /ws to a
# websocket client, and the hub's own ceiling. LIVE_BENCH_NODES and
# LIVE_BENCH_SECONDS override the big lab's size and seconds per phase;
# the whole run takes about a minute and a half.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${LIVE_BENCH_NODES:-50}
secs=${LIVE_BENCH_SECONDS:-20}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_lab() {
  LIVE_BENCH_NODES=$1 LIVE_BENCH_SECONDS=$2 go test -run '^$' -bench '^BenchmarkLiveLab$' -benchtime 1x -timeout 10m ./live | grep '^BenchmarkLiveLab'
}
big=$(run_lab "$nodes" "$secs")
small=$(run_lab 10 10)
hub=$(go test -run '^$' -bench '^BenchmarkHubStream$' -benchtime 300000x -count 3 -timeout 10m ./live | grep '^BenchmarkHubStream')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# metric UNIT LINE: the value reported before UNIT in a benchmark line.
metric() { awk -v u="$1" '{for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' <<<"$2" | head -1; }
num() { printf '%.*f' "$1" "$2"; }
row() { # row TITLE DIGITS UNIT [SUFFIX]
  local suffix=${4:-}
  echo "| $1 | $(num "$2" "$(metric "$3" "$big")")$suffix | $(num "$2" "$(metric "$3" "$small")")$suffix |"
}

echo "## Live"
echo
echo "Real memberlist nodes in one process (Alertmanager's timings; a silence created every"
echo "100 ms on the next node, an alert to every node every 5 s) streamed by the hub over /ws to"
echo "one websocket client on loopback (\`BenchmarkLiveLab\` in \`live/bench_test.go\`). Lag is from"
echo "a node's transport seeing a packet to the client decoding its event; the hub flushes every"
echo "25 ms, so about 12 ms of it is by design. CPU is the whole process (lab, hub and client;"
echo "100% = one core); \"no client\" is the same lab just before and after. The machine is shared:"
echo "load average $load_before before, $load_after after; lag tails grow with that load."
echo
echo "| measure | $nodes nodes, ${secs} s | 10 nodes, 10 s |"
echo "|---|---|---|"
row "events per second to the client" 0 events/s
echo "| kB per second / websocket messages per second | $(num 0 "$(metric kB/s "$big")") / $(num 1 "$(metric msgs/s "$big")") | $(num 0 "$(metric kB/s "$small")") / $(num 1 "$(metric msgs/s "$small")") |"
row "lag p50" 1 lag-p50-ms " ms"
row "lag p99" 1 lag-p99-ms " ms"
row "lag max" 1 lag-max-ms " ms"
row "of the lag, inside the nodes before the hub (p99)" 2 emit-lag-p99-ms " ms"
row "events dropped" 0 dropped
row "process CPU with the client" 1 cpu-% "%"
row "process CPU without a client" 1 cpu-no-client-% "%"
row "events per second without a client" 0 events/s-no-client
echo
echo "The hub alone (\`BenchmarkHubStream\`): lab-like events emitted by one goroutine, encoded once,"
echo "streamed to two websocket clients that read and scan every line; three runs:"
echo
echo "| run | ns per event, end to end | events per second |"
echo "|---|---|---|"
i=0
while read -r line; do
  i=$((i + 1))
  echo "| $i | $(num 0 "$(awk '{print $3}' <<<"$line")") | $(num 0 "$(metric events/s "$line")") |"
done <<<"$hub"
