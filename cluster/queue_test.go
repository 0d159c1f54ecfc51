package cluster

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hashicorp/memberlist"
)

// The broadcast queue hands out exactly what memberlist's
// TransmitLimitedQueue does, call after call.
func TestBroadcastQueueMatchesMemberlist(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		nodes := 1 + rng.IntN(60)
		mult := 1 + rng.IntN(5)
		ref := &memberlist.TransmitLimitedQueue{NumNodes: func() int { return nodes }, RetransmitMult: mult}
		q := &broadcastQueue{numNodes: func() int { return nodes }, mult: mult}
		for step := 0; step < 3000; step++ {
			if rng.IntN(3) == 0 {
				msg := []byte(fmt.Sprintf("%d/%d:", seed, step))
				msg = append(msg, bytes.Repeat([]byte{'x'}, rng.IntN(700))...)
				ref.QueueBroadcast(simpleBroadcast(msg))
				q.QueueBroadcast(msg)
				continue
			}
			overhead, limit := rng.IntN(4), rng.IntN(1500)
			want := ref.GetBroadcasts(overhead, limit)
			got := q.GetBroadcasts(overhead, limit)
			if len(got) != len(want) {
				t.Fatalf("seed %d step %d: %d messages, memberlist gives %d", seed, step, len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("seed %d step %d: message %d is %.12q, memberlist gives %.12q", seed, step, i, got[i], want[i])
				}
			}
			if q.NumQueued() != ref.NumQueued() {
				t.Fatalf("seed %d step %d: %d queued, memberlist has %d", seed, step, q.NumQueued(), ref.NumQueued())
			}
		}
	}
}

func BenchmarkBroadcastQueue(b *testing.B) {
	for _, impl := range []string{"memberlist", "node"} {
		b.Run(impl, func(b *testing.B) {
			var queue func([]byte)
			var get func(int, int) [][]byte
			if impl == "memberlist" {
				q := &memberlist.TransmitLimitedQueue{NumNodes: func() int { return 50 }, RetransmitMult: 24}
				queue = func(m []byte) { q.QueueBroadcast(simpleBroadcast(m)) }
				get = q.GetBroadcasts
			} else {
				q := &broadcastQueue{numNodes: func() int { return 50 }, mult: 24}
				queue, get = q.QueueBroadcast, q.GetBroadcasts
			}
			msg := bytes.Repeat([]byte{'s'}, 180)
			b.ReportAllocs()
			// A lab of 50: a new silence every tenth packet, each sent 48 times.
			for i := 0; b.Loop(); i++ {
				if i%10 == 0 {
					queue(msg)
				}
				get(3, 1300)
			}
		})
	}
}

// simpleBroadcast is Alertmanager's: a message that invalidates nothing.
type simpleBroadcast []byte

func (b simpleBroadcast) Message() []byte                       { return b }
func (b simpleBroadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b simpleBroadcast) Finished()                             {}
