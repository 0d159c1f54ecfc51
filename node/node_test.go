package node

import (
	"context"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

func TestTwoNodesReplicateSilence(t *testing.T) {
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
		return e.Type == protocol.TypeMsg && e.Kind == KindUser && e.Key == "sil/"+id && e.From == "a" && e.To == "b"
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
// and by nodes sharing a lab filter.
func TestGracefulLeaveIsLeft(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "standalone", true: "filter"}[shared], func(t *testing.T) {
			var f *Filter
			if shared {
				f = NewFilter()
			}
			a := startNode(t, "a", nil, func(c *Config) { c.Filter = f })
			b := startNode(t, "b", []string{a.Addr()}, func(c *Config) { c.Filter = f })
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
