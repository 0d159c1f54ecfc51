#!/usr/bin/env bash
# Engine benchmarks (go test -bench): prints the "## Engine" section of
# docs/benchmarks.md. Run from anywhere; takes about a minute and a half
# (more on a busy machine). COUNT (default 3) is the figures per benchmark,
# reported as their median; BENCHTIME overrides the runs per figure.
set -euo pipefail
cd "$(dirname "$0")/.."
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
count=${COUNT:-3}

# Whole process, side by side: the naive loop (engine/internal/naive) and
# `gossipscope sim` on one million nodes, PUSH-PULL, K=3, interleaved A B C
# A B C ... REPS times so that load hits them alike; medians.
reps=${REPS:-7}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/gossipscope" ./cmd/gossipscope
go build -o "$bin/naivegossip" ./engine/internal/naive/naivegossip
TIMEFORMAT='%3R %3U %3S'
# timed NAME CMD...: one run; appends "wall cpu" (cpu = user + sys) to $bin/NAME.
timed() {
  local name=$1
  shift
  { time "$@" >/dev/null; } 2>&1 | awk '{ printf "%s %.3f\n", $1, $2 + $3 }' >>"$bin/$name"
}
cores=$(nproc)
sim=(sim --nodes 1000000 --mode pushpull --fanout 3 --peers random --stop never --trials 1)
load_side=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$reps"); do
  GOMAXPROCS=1 timed naive "$bin/naivegossip" 1000000 3 pushpull "$i"
  GOMAXPROCS=1 timed one "$bin/gossipscope" "${sim[@]}" --seed "$i"
  GOMAXPROCS=$cores timed all "$bin/gossipscope" "${sim[@]}" --seed "$i"
done
# Count-level chain at a billion nodes, whole process: 10 trials.
plan=(sim --plan --nodes 1000000000 --trials 10)
for i in $(seq 3); do
  GOMAXPROCS=1 timed plan "$bin/gossipscope" "${plan[@]}" --seed "$i"
done
load_side_after=$(cut -d' ' -f1-3 /proc/loadavg)
# median FILE COLUMN
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
nw=$(median "$bin/naive" 1); nc=$(median "$bin/naive" 2)
ow=$(median "$bin/one" 1); oc=$(median "$bin/one" 2)
aw=$(median "$bin/all" 1); ac=$(median "$bin/all" 2)
pw=$(median "$bin/plan" 1); pc=$(median "$bin/plan" 2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
side_by_side() {
  echo "## Engine"
  echo
  echo "### Whole process, side by side"
  echo
  echo "One million nodes, the classic model (PUSH-PULL, fan-out 3, every node picks its peers"
  echo "uniformly with replacement every round, until everyone knows), each run a whole process"
  echo "as a user runs it: the naive loop (\`engine/internal/naive\`: a \`[]bool\` per node,"
  echo "math/rand/v2's PCG, the state copied every round, every node drawing its 3 peers) against"
  echo "\`gossipscope ${sim[*]}\`, which runs the bitset kernel (\`engine/classic.go\`). Runs"
  echo "interleaved (naive, one core, all cores) $reps times with seeds 1..$reps, medians; CPU is"
  echo "user + system time. Measured $(date -u +'%Y-%m-%d %H:%M UTC'), load average $load_side before, $load_side_after after ($cores cores,"
  echo "shared: wall times carry the wait for a core, CPU times do not)."
  echo
  echo "| run | wall s | CPU s | naive / this, CPU | naive / this, wall |"
  echo "|---|---:|---:|---:|---:|"
  echo "| naive loop, GOMAXPROCS=1 | $nw | $nc | 1.0 | 1.0 |"
  echo "| gossipscope sim, GOMAXPROCS=1 | $ow | $oc | $(ratio "$nc" "$oc") | $(ratio "$nw" "$ow") |"
  echo "| gossipscope sim, GOMAXPROCS=$cores (one trial on every core) | $aw | $ac | $(ratio "$nc" "$ac") | $(ratio "$nw" "$aw") |"
  echo
  echo "The count-level chain (\`engine/chain.go\`) at a billion nodes, whole process:"
  echo "\`gossipscope ${plan[*]}\` (memberlist's LAN settings), median of 3: $pw s wall, $pc s CPU"
  echo "for 10 trials, so $(awk -v c="$pc" 'BEGIN { printf "%.0f", c * 100 }') ms of CPU per trial with the process's start."
  echo
}
side=$(side_by_side)
# bench REGEX RUNS: RUNS runs per figure (BENCHTIME overrides it), so a
# figure is at least a few tenths of a second of CPU time: getrusage counts
# in scheduler ticks.
bench() {
  go test -run '^$' -bench "$1" -benchtime "${BENCHTIME:-$2}" -count "$count" -cpu 1 -timeout 15m ./engine
}
out=$(
  bench '^BenchmarkRun$/^N=1000$' 1000x
  bench '^BenchmarkRun$/^N=10000$' 100x
  bench '^BenchmarkRun$/^N=100000$' 10x
  bench '^BenchmarkRun$/^N=1000000$' 3x
  bench '^BenchmarkRunClassic$' 3x
  bench '^BenchmarkRunLoss$' 3x
  bench '^BenchmarkRunScheduler$/^N=100000$' 3x
  bench '^BenchmarkRunScheduler$/^N=1000000$' 1x
  bench '^BenchmarkAdvanceEmit$' 100x
  bench '^BenchmarkChain$' 20x
)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# table FILTER: one row per benchmark matching FILTER, medians over -count.
table() {
  echo "$out" | awk -v filter="$1" '
  function med(s,   a, n, i, j, t) {
    n = split(substr(s, 2), a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  $1 ~ filter {
    name = $1; sub(/-[0-9]+$/, "", name)
    if (!(name in seen)) { seen[name] = 1; order[++rows] = name }
    for (i = 2; i <= NF; i++) {
      if ($i == "ns/op") wall[name] = wall[name] " " $(i-1)
      if ($i == "rounds") r[name] = $(i-1)
      if ($i == "msgs/run") msgs[name] = $(i-1)
      if ($i == "cpu-ms/run") cpums[name] = cpums[name] " " $(i-1)
      if ($i == "cpu-ns/msg") cpumsg[name] = cpumsg[name] " " $(i-1)
      if ($i == "cpu-ns/node-round") cpunr[name] = cpunr[name] " " $(i-1)
    }
  }
  END {
    for (k = 1; k <= rows; k++) {
      name = order[k]; split(name, p, "/")
      n = p[2]; sub("N=", "", n); m = p[3]; sub("mode=", "", m); extra = p[5] ? " " p[5] : ""
      printf "| %s | %s%s | %.1f | %d | %.1f | %.2f | %.1f | %.1f | %.1f |\n", n, m, extra, r[name], msgs[name],
        med(cpums[name]), med(cpumsg[name]), med(cpunr[name]), med(wall[name]) / 1e6, 1000 / med(cpums[name])
    }
  }'
}
header() {
  echo "| N | mode | rounds to 100% | messages | CPU ms per run | CPU ns per message | CPU ns per node-round | wall ms per run | runs per CPU second |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
}

echo "$side"
echo
echo "### In process"
echo
echo "\`go test -bench -cpu 1\` on the simulator's \`Run\` (no events: the path for large N):"
echo "synchronous rounds, zero latency, fan-out 3, every run to full convergence (everyone"
echo "informed), medians of $count figures (each from 3 to 1,000 runs). PUSH-PULL is 3 messages per"
echo "exchange and every node opens K exchanges per round; PULL 2 per exchange, every node; PUSH"
echo "1, informed nodes only. \`Run\` computes such rounds with the round kernel"
echo "(\`engine/kernel.go\`): one pass over the nodes per round, a byte of state per node in"
echo "cache, no message queued, with the same Stats as the message-by-message scheduler."
echo
echo "CPU columns are getrusage time, which does not count waiting for a core; the machine was"
echo "shared (load average $load_before before, $load_after after), which inflates the wall"
echo "column and, through the caches, the CPU columns somewhat. Cost per node-round staying flat"
echo "from a thousand to a million nodes is the near-linear scaling in N x rounds."
echo
echo "The basic peer rules (each node walks its own pseudo-random permutation of the peers; the"
echo "permutation is of [0, 2^b) and skips values >= N, 39% of them at N = 10,000 against 2-5% at"
echo "1,000 and 1,000,000, hence the bump in cost per node-round there):"
echo
header
table '^BenchmarkRun/'
echo
echo "The classic model's uniform random peers, a million nodes, on the bitset kernel"
echo "(\`engine/classic.go\`: a bit of state per node, half a wyrand draw and a multiply per pick,"
echo "and where one side's picks can hardly matter, early and late in a run, only the picks that do,"
echo "found by geometric skips):"
echo
header
table '^BenchmarkRunClassic/'
echo
echo "With 10% of the messages lost (each loss is a random draw, in the order the scheduler sends:"
echo "the kernel keeps a lossy round's exchanges and hands out the draws by block):"
echo
header
table '^BenchmarkRunLoss/'
echo
echo "For comparison, the message-by-message round scheduler the kernel replaces (what \`Run\`"
echo "used before it):"
echo
header
table '^BenchmarkRunScheduler/'
echo
echo "$out" | awk '
/^BenchmarkChain\// {
  name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkChain\//, "", name)
  if (!(name in row)) order[++n] = name
  for (i = 2; i <= NF; i++) {
    if ($i == "ns/op") ns = $(i-1)
    if ($i == "rounds") r = $(i-1)
    if ($i == "cpu-ms/run") cpu = $(i-1)
  }
  row[name] = sprintf("| %s | %.1f | %.3f | %.3f |", name, r, ns / 1e6, cpu)
}
END {
  print "One trial of the count-level chain (`BenchmarkChain`, `engine/chain.go`): exact binomial and"
  print "occupancy draws per round, so its cost follows the rounds, not N (the last of the figures):"
  print ""
  print "| chain | rounds | wall ms per trial | CPU ms per trial |"
  print "|---|---:|---:|---:|"
  for (k = 1; k <= n; k++) print row[order[k]]
  print ""
}'
echo "$out" | awk '
/^BenchmarkAdvanceEmit/ {
  for (i = 2; i <= NF; i++) {
    if ($i == "ns/op") nsop = $(i-1)
    if ($i == "events/run") ev = $(i-1)
    if ($i == "cpu-ns/event") nsev = $(i-1)
  }
  line = sprintf("The page path (`Advance` emitting every event; 1,000 nodes, PUSH-PULL K=3, asynchronous, 10-100 ms latency): %.0f events per run in %.1f ms (wall), %.0f CPU ns per event.", ev, nsop/1e6, nsev)
}
END { print line }'
