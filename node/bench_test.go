package node

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"
)

// BenchmarkLabReplication measures, on real loopback sockets with
// Alertmanager's default timings (gossip every 200 ms), how long a silence
// created on one node takes to be held by every node, and how many
// messages carry it. One op = one silence.
func BenchmarkLabReplication(b *testing.B) {
	for _, nodes := range []int{3, 10, 50} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			var held, carried atomic.Int64
			var target atomic.Value
			target.Store("")
			tmpl := DefaultConfig()
			l, err := NewLab(LabConfig{Nodes: nodes, RandomPorts: true, NoAPI: true, Template: &tmpl,
				Emit: func(e protocol.Event) {
					if e.Key == "" || e.Key != target.Load().(string) {
						return
					}
					switch e.Type {
					case protocol.TypeState:
						held.Add(1)
					case protocol.TypeMsg:
						carried.Add(1)
					}
				}})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			deadline := time.Now().Add(2 * time.Minute)
			for !converged(l, nodes) {
				if time.Now().After(deadline) {
					b.Fatalf("%d nodes did not converge in 2 minutes", nodes)
				}
				time.Sleep(50 * time.Millisecond)
			}
			origin := l.Node("n1")
			var msgs int64
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				held.Store(0)
				carried.Store(0)
				// The ID is chosen here, not by Set, so that the emit filter
				// knows it before the first event.
				now := time.Now().UTC()
				sil := silence.ForAlert(fmt.Sprintf("Bench%d", i), now)
				sil.Id = fmt.Sprintf("bench-%d-%d", now.UnixNano(), i)
				sil.UpdatedAt = now
				target.Store("sil/" + sil.Id)
				// Merged as if gossiped to n1: taken and gossiped on, as a
				// silence made there would be.
				err := origin.sil.Merge(wiretest.Delimited(b, &silencepb.MeshSilence{Silence: sil, ExpiresAt: sil.EndsAt.Add(time.Hour)}))
				if err != nil {
					b.Fatal(err)
				}
				opDeadline := time.Now().Add(90 * time.Second)
				for held.Load() < int64(nodes) {
					if time.Now().After(opDeadline) {
						b.Fatalf("silence %d reached %d of %d nodes in 90 s", i, held.Load(), nodes)
					}
					time.Sleep(time.Millisecond)
				}
				msgs += carried.Load()
			}
			b.ReportMetric(float64(msgs)/float64(b.N), "msgs/op")
		})
	}
}
