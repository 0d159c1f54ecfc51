package node

import (
	"context"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

func TestTwoNodesReplicateSilence(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a := startNode(t, "a", nil, func(c *Config) { c.Emit = rec.emit })
	b := startNode(t, "b", []string{a.Addr()}, func(c *Config) { c.Emit = rec.emit })
	eventually(t, 5*time.Second, "both members seen by both", func() bool {
		return len(a.Members()) == 2 && len(b.Members()) == 2
	})
	id := postSilence(t, a.APIURL(), "HighLatency", "seed test 1")
	eventually(t, 5*time.Second, "silence on b", func() bool {
		return silenceIDs(t, b.APIURL())[id] == "seed test 1"
	})
	// b learned it by gossip: a state event for b with the silence's key.
	st := rec.filter(func(e protocol.Event) bool {
		return e.Type == protocol.TypeState && e.Key == "sil/"+id
	})
	if len(st) < 2 || st[0].Node != "a" {
		t.Fatalf("state events for the silence: %+v, want a first then b", st)
	}
	// The broadcast that carried it is visible as a user msg a -> b.
	msgs := rec.filter(func(e protocol.Event) bool {
		return e.Type == protocol.TypeMsg && e.Kind == wire.KindUser && e.Key == "sil/"+id && e.From == "a" && e.To == "b"
	})
	if len(msgs) == 0 {
		t.Fatalf("no user msg a->b carrying sil/%s; kinds seen: %v", id, kinds(rec.all()))
	}
}

func kinds(evs []protocol.Event) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		if e.Type == protocol.TypeMsg {
			m[e.Kind]++
		}
	}
	return m
}

// A node that leaves gracefully is reported left, not dead: by a node
// outside any lab (which decodes the leaver's dead-about-itself message)
// and by nodes sharing a LabNet.
func TestGracefulLeaveIsLeft(t *testing.T) {
	t.Parallel()
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "standalone", true: "labnet"}[shared], func(t *testing.T) {
			var f *LabNet
			if shared {
				f = NewLabNet()
			}
			a := startNode(t, "a", nil, func(c *Config) { c.LabNet = f })
			b := startNode(t, "b", []string{a.Addr()}, func(c *Config) { c.LabNet = f })
			eventually(t, 5*time.Second, "join", func() bool { return len(a.Members()) == 2 })
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := b.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			eventually(t, 5*time.Second, "a sees b leave", func() bool {
				s, _ := a.MemberStatus("b")
				return s == protocol.StatusLeft || s == protocol.StatusDead
			})
			if s, _ := a.MemberStatus("b"); s != protocol.StatusLeft {
				t.Fatalf("b is %s in a's view, want left", s)
			}
		})
	}
}

// Junk on the gossip port (random UDP packets, TCP streams, memberlist
// framing around a bad Part) is survived: the node keeps gossiping.
func TestGarbageOnGossipPortIsSurvived(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a := startNode(t, "a", nil, func(c *Config) { c.Emit = rec.emit })
	rng := rand.New(rand.NewPCG(1, 2))
	junk := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	udp, err := net.Dial("udp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	for i := 0; i < 200; i++ {
		_, _ = udp.Write(junk(1 + rng.IntN(1400)))
	}
	// Valid memberlist framing, invalid payloads: a user message whose Part
	// is garbage, and a compound announcing more parts than it has.
	_, _ = udp.Write(append([]byte{wiretest.MsgUser}, 0x0a, 0xff, 0xff))
	_, _ = udp.Write([]byte{wiretest.MsgCompound, 9, 0, 200})
	for i := 0; i < 10; i++ {
		c, err := net.Dial("tcp", a.Addr())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write(junk(1 + rng.IntN(4096)))
		c.Close()
	}
	b := startNode(t, "b", []string{a.Addr()}, nil)
	eventually(t, 5*time.Second, "join after the junk", func() bool { return len(a.Members()) == 2 && len(b.Members()) == 2 })
	id := postSilence(t, a.APIURL(), "StillUp", "still up")
	eventually(t, 5*time.Second, "replication after the junk", func() bool { return silenceIDs(t, b.APIURL())[id] == "still up" })
	// What came from outside was reported (by the receiver), never under a
	// blank name.
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg }) {
		if e.From == "" || e.To == "" {
			t.Fatalf("msg with a blank end: %+v", e)
		}
	}
}
