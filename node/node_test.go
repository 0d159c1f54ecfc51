package node

import (
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
