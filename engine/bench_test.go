package engine

import (
	"fmt"
	"testing"
)

// benchRun runs c b.N times (seed varies) and reports rounds and the cost
// per simulated message.
func benchRun(b *testing.B, c Config) {
	b.ReportAllocs()
	var msgs, rounds int64
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
}

// BenchmarkRun is the headline: PUSH-PULL, fan-out 3, the seed's peer
// rules, synchronous rounds, to full convergence, for growing N.
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		for _, m := range []Mode{Push, Pull, PushPull} {
			b.Run(fmt.Sprintf("N=%d/mode=%s/K=3", n, m), func(b *testing.B) {
				benchRun(b, Config{Nodes: n, Mode: m, Fanout: 3, Peers: PeersSeed, Stop: StopNever})
			})
		}
	}
}
