//go:build !js

package engine

import (
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall clock also counts time spent waiting for a core; CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRun runs c b.N times (seed varies) and reports rounds and the cost
// per simulated message, in wall and CPU time.
func benchRun(b *testing.B, c Config) {
	b.ReportAllocs()
	var msgs, rounds int64
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		c.Seed = uint64(i)
		st, err := Run(c)
		if err != nil {
			b.Fatal(err)
		}
		if st.Informed != st.Alive {
			b.Fatalf("not converged: %d of %d", st.Informed, st.Alive)
		}
		msgs += st.Sent
		rounds += int64(st.Rounds100)
	}
	b.ReportMetric(float64(rounds)/float64(b.N), "rounds")
	b.ReportMetric(float64(msgs)/float64(b.N), "msgs/run")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(msgs), "cpu-ns/msg")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/run")
}

// BenchmarkRun is the headline: PUSH-PULL, fan-out 3, the seed's peer
// rules, synchronous rounds, to full convergence, for growing N.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		for _, m := range []Mode{PushPull, Push, Pull} {
			if n == 1_000_000 && m != PushPull {
				continue // the headline only: keeps make bench short
			}
			b.Run(fmt.Sprintf("N=%d/mode=%s/K=3", n, m), func(b *testing.B) {
				benchRun(b, Config{Nodes: n, Mode: m, Fanout: 3, Peers: PeersSeed, Stop: StopNever})
			})
		}
	}
}

// BenchmarkAdvanceEmit is the page's path: a 1,000-node scenario with
// latency and asynchronous tickers, every event emitted.
func BenchmarkAdvanceEmit(b *testing.B) {
	b.ReportAllocs()
	var events int64
	for i := 0; i < b.N; i++ {
		s, err := New(Config{Nodes: 1000, Mode: PushPull, Fanout: 3, Async: true, LatencyMin: 10, LatencyMax: 100, Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		s.Advance(math.Inf(1), func(*protocol.Event) { events++ })
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
