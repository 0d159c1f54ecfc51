//go:build !js

package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/engine/internal/naive"
	"github.com/gossipscope/gossipscope/protocol"
)

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall clock also counts time spent waiting for a core; CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRun runs c b.N times (seed varies) with Run (schedAuto) or on the
// given scheduler, and reports rounds and the cost per simulated message
// and per node-round, in wall and CPU time.
func benchRun(b *testing.B, c Config, sched int) {
	b.ReportAllocs()
	var msgs, rounds, nodeRounds int64
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		c.Seed = uint64(i)
		var st Stats
		if sched == schedAuto {
			var err error
			if st, err = Run(c); err != nil { // the bitset kernel where it applies
				b.Fatal(err)
			}
		} else {
			s, err := newSim(c, sched)
			if err != nil {
				b.Fatal(err)
			}
			s.Advance(math.Inf(1), nil)
			st = s.stats()
		}
		if st.Informed != st.Alive {
			b.Fatalf("not converged: %d of %d", st.Informed, st.Alive)
		}
		msgs += st.Sent
		rounds += int64(st.Rounds100)
		nodeRounds += int64(st.Nodes) * int64(st.Rounds)
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(rounds)/float64(b.N), "rounds")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/run")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(msgs), "cpu-ns/msg")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(nodeRounds), "cpu-ns/node-round")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/run")
}

// BenchmarkRun is the headline: Run (the round kernel) on PUSH-PULL, PUSH
// and PULL, fan-out 3, the basic peer rules (docs/gossip-rules.md), synchronous rounds, to full
// convergence, for N from a thousand to a million. Cost per message is
// flat and cost per node-round nearly so: linear in N x rounds.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		for _, m := range []Mode{PushPull, Push, Pull} {
			b.Run(fmt.Sprintf("N=%d/mode=%s/K=3", n, m), func(b *testing.B) {
				benchRun(b, Config{Nodes: n, Mode: m, Fanout: 3, Peers: PeersSeed, Stop: StopNever}, schedAuto)
			})
		}
	}
}

// BenchmarkRunClassic is the classic model's peer choice (uniform random,
// drawn from the PCG stream) at a million nodes.
func BenchmarkRunClassic(b *testing.B) {
	for _, m := range []Mode{PushPull, Push, Pull} {
		b.Run(fmt.Sprintf("N=1000000/mode=%s/K=3", m), func(b *testing.B) {
			benchRun(b, Config{Nodes: 1_000_000, Mode: m, Fanout: 3, Peers: PeersRandom, Stop: StopNever}, schedAuto)
		})
	}
}

// BenchmarkRunLoss is Run with 10% of the messages lost, a million nodes:
// the kernel draws each message's loss in the scheduler's order, so it
// keeps the round's exchanges and sorts their draws by block.
func BenchmarkRunLoss(b *testing.B) {
	for _, m := range []Mode{PushPull, Push, Pull} {
		b.Run(fmt.Sprintf("N=1000000/mode=%s/K=3/loss=0.1", m), func(b *testing.B) {
			benchRun(b, Config{Nodes: 1_000_000, Mode: m, Fanout: 3, Peers: PeersSeed, Stop: StopNever, Loss: 0.1}, schedAuto)
		})
	}
}

// BenchmarkRunScheduler is what the kernel replaces, for comparison: the
// round scheduler (a queued message per message), which Run used before.
func BenchmarkRunScheduler(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		c := Config{Nodes: n, Mode: PushPull, Fanout: 3, Peers: PeersSeed, Stop: StopNever}
		b.Run(fmt.Sprintf("N=%d/mode=pushpull/K=3", n), func(b *testing.B) { benchRun(b, c, schedRounds) })
		c.Loss = 0.1
		b.Run(fmt.Sprintf("N=%d/mode=pushpull/K=3/loss=0.1", n), func(b *testing.B) { benchRun(b, c, schedRounds) })
	}
}

// BenchmarkAdvanceEmit is the page's path: a 1,000-node scenario with
// latency and asynchronous tickers, every event emitted.
func BenchmarkAdvanceEmit(b *testing.B) {
	b.ReportAllocs()
	var events int64
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		s, err := New(Config{Nodes: 1000, Mode: PushPull, Fanout: 3, Async: true, LatencyMin: 10, LatencyMax: 100, Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		s.Advance(math.Inf(1), func(*protocol.Event) { events++ })
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(events), "cpu-ns/event")
}

// BenchmarkClassicVsNaive is the classic model (PUSH-PULL, K=3, uniform
// peers with replacement) at a million nodes, side by side in one run:
// the naive loop (package naive: a []bool per node, math/rand/v2 PCG, the
// state copied every round) and Run on the bitset kernel, one core, and
// the bitset kernel on every core (-cpu sets GOMAXPROCS).
func BenchmarkClassicVsNaive(b *testing.B) {
	const n = 1_000_000
	b.Run("naive", func(b *testing.B) {
		var rounds int
		cpu0 := cpuTime()
		for i := 0; i < b.N; i++ {
			rounds += naive.Run(n, 3, "pushpull", uint64(i), MaxPeriods)
		}
		b.ReportMetric(float64(rounds)/float64(b.N), "rounds")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/run")
	})
	for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("bitset/workers=%d", w), func(b *testing.B) {
			var rounds int
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				st, err := RunWorkers(Config{Nodes: n, Mode: PushPull, Fanout: 3, Peers: PeersRandom, Stop: StopNever, Seed: uint64(i)}, w)
				if err != nil || st.Informed != n {
					b.Fatalf("%v %+v", err, st)
				}
				rounds += st.Rounds100
			}
			b.ReportMetric(float64(rounds)/float64(b.N), "rounds")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/run")
		})
	}
}

// BenchmarkChain is one trial of the count-level chain: its cost is about
// the number of rounds whatever N (push hits cost O(sqrt U) a round).
func BenchmarkChain(b *testing.B) {
	for _, c := range []struct {
		name string
		ch   Chain
	}{
		{"N=1e9/mode=pushpull/K=3", Chain{Nodes: 1e9, Fanout: 3, Mode: PushPull}},
		{"N=1e9/mode=push/K=3/limit=40", Chain{Nodes: 1e9, Fanout: 3, Mode: Push, Limit: limitFor(4, 1e9)}},
		{"N=1e4/mode=push/K=3/limit=20", Chain{Nodes: 1e4, Fanout: 3, Mode: Push, Limit: limitFor(4, 1e4)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := rand.NewPCG(1, 2)
			var s []int64
			var rounds int
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				s = c.ch.Trial(r, MaxPeriods, s)
				rounds += len(s)
			}
			b.ReportMetric(float64(rounds)/float64(b.N), "rounds")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/run")
		})
	}
}
