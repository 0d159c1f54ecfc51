package node

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/hashicorp/memberlist"
)

// observePair starts two real nodes, a and b, sharing a LabNet, with
// b holding silence "held"; their events go to a counting sink that takes
// a lock, as a Lab's emit does.
func observePair(b *testing.B) (a, c *Node, events *atomic.Int64, heldAt time.Time) {
	b.Helper()
	f := NewLabNet()
	events = &atomic.Int64{}
	var mu sync.Mutex
	sink := func(protocol.Event) { mu.Lock(); events.Add(1); mu.Unlock() }
	mk := func(name string, peers []string) *Node {
		cfg := FastConfig()
		cfg.Name, cfg.Peers, cfg.LabNet, cfg.Emit, cfg.APIAddr = name, peers, f, sink, ""
		n, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { n.Crash() })
		return n
	}
	a = mk("a", nil)
	c = mk("b", []string{a.Addr()})
	heldAt = time.Now().UTC().Truncate(time.Millisecond)
	if err := c.sil.Merge(wiretest.Delimited(b, wiretest.MeshSilence("held", "held by b", heldAt))); err != nil {
		b.Fatal(err)
	}
	return a, c, events, heldAt
}

// BenchmarkObserveSend is the cost of one gossip packet from lab node a to
// lab node b from the moment memberlist has built it: the CRC (memberlist's
// rawSendMsgPacket), then the observing transport (decode, redundancy
// against b's state, 4 msg events, compression) and the UDP write. B/op
// and allocs/op include b receiving it (inflating it, memberlist handling
// it), which runs concurrently in the same process.
func BenchmarkObserveSend(b *testing.B) {
	a, c, events, heldAt := observePair(b)
	payload := wiretest.GossipPayload(b, heldAt)
	to := memberlist.Address{Addr: c.Addr(), Name: "b"}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	e0 := events.Load()
	for b.Loop() {
		if _, err := a.tr.WriteToAddress(wiretest.WithCRC(payload), to); err != nil {
			b.Fatal(err)
		}
	}
	if got := events.Load() - e0; got < 4*int64(b.N) {
		b.Fatalf("%d events for %d packets", got, b.N)
	}
}

// BenchmarkHoldsUnderMerge is the redundancy check a sender makes for each
// user message ("does b hold sil/held at this version?") while b's store
// keeps taking new silences from gossip on another goroutine.
func BenchmarkHoldsUnderMerge(b *testing.B) {
	_, c, _, heldAt := observePair(b)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := &testing.T{}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = c.sil.Merge(wiretest.Delimited(t, wiretest.MeshSilence(fmt.Sprint("churn-", i), "churn", time.Now().UTC())))
		}
	}()
	f := c.cfg.LabNet
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !f.holds("b", "sil/held", heldAt.UnixMilli()) {
				b.Error("b does not hold sil/held")
				return
			}
		}
	})
	close(stop)
	wg.Wait()
}
