package live_test

import (
	"fmt"
	"testing"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

func TestTrackerSnapshotIsTheStateReached(t *testing.T) {
	var tr live.Tracker
	if s := tr.Snapshot(); len(s) != 0 {
		t.Fatalf("empty tracker: %v", s)
	}
	for _, ev := range []protocol.Event{
		{Type: protocol.TypeNode, T: 1, Node: "n2", Status: protocol.StatusAlive},
		{Type: protocol.TypeNode, T: 1, Node: "n1", Status: protocol.StatusAlive},
		{Type: protocol.TypeState, T: 2, Node: "n1", Key: "sil/a", Version: 1, Value: "v1"},
		{Type: protocol.TypeState, T: 3, Node: "n1", Key: "sil/a", Version: 2, Value: "v2"},
		{Type: protocol.TypeMsg, T: 4, From: "n1", To: "n2", Kind: "user"},
		{Type: protocol.TypePartition, T: 5, Groups: [][]string{{"n1"}, {"n2"}}},
		{Type: protocol.TypeParam, T: 6, Params: map[string]any{"loss": 0.1, "fanout": 3}},
		{Type: protocol.TypeParam, T: 7, Params: map[string]any{"loss": 0.3}},
		{Type: protocol.TypeNode, T: 8, Node: "n2", Status: protocol.StatusDead},
	} {
		tr.Observe(ev)
	}
	var got []string
	for _, ev := range tr.Snapshot() {
		if ev.T != 8 {
			t.Errorf("%+v: t %v, want the latest, 8", ev, ev.T)
		}
		switch ev.Type {
		case protocol.TypeParam:
			got = append(got, fmt.Sprintf("param loss=%v fanout=%v", ev.Params["loss"], ev.Params["fanout"]))
		case protocol.TypeNode:
			got = append(got, fmt.Sprintf("node %s %s", ev.Node, ev.Status))
		case protocol.TypeState:
			got = append(got, fmt.Sprintf("state %s %s v%d %s", ev.Node, ev.Key, ev.Version, ev.Value))
		case protocol.TypePartition:
			got = append(got, fmt.Sprintf("partition %v", ev.Groups))
		default:
			got = append(got, string(ev.Type))
		}
	}
	want := "[param loss=0.3 fanout=3 node n1 alive node n2 dead state n1 sil/a v2 v2 partition [[n1] [n2]]]"
	if fmt.Sprint(got) != want {
		t.Fatalf("snapshot\n got %v\nwant %s", got, want)
	}
	tr.Observe(protocol.Event{Type: protocol.TypeHeal, T: 9})
	for _, ev := range tr.Snapshot() {
		if ev.Type == protocol.TypePartition {
			t.Fatal("partition still in the snapshot after a heal")
		}
	}
}

// Past MaxKeys the tracker forgets the entry updated longest ago, however
// many keys the stream has, and its snapshot says what it left out.
func TestTrackerIsBounded(t *testing.T) {
	tr := live.Tracker{MaxKeys: 3}
	for i := range 10 {
		tr.Observe(protocol.Event{Type: protocol.TypeState, T: float64(i), Node: "n1", Key: fmt.Sprint("k", i), Version: 1})
	}
	// k7 is updated again: k8 is now the oldest, and goes next.
	tr.Observe(protocol.Event{Type: protocol.TypeState, T: 10, Node: "n1", Key: "k7", Version: 2})
	tr.Observe(protocol.Event{Type: protocol.TypeState, T: 11, Node: "n1", Key: "k10", Version: 1})
	for i := range 20000 {
		tr.Observe(protocol.Event{Type: protocol.TypeNode, T: 12, Node: fmt.Sprint("m", i), Status: protocol.StatusAlive})
	}
	var keys []string
	nodes := 0
	var note protocol.Event
	for _, ev := range tr.Snapshot() {
		switch ev.Type {
		case protocol.TypeState:
			keys = append(keys, fmt.Sprintf("%s v%d", ev.Key, ev.Version))
		case protocol.TypeNode:
			nodes++
		case protocol.TypeNote:
			note = ev
		}
	}
	if fmt.Sprint(keys) != "[k10 v1 k7 v2 k9 v1]" {
		t.Errorf("kept %v, want k7 (updated), k9 and k10", keys)
	}
	if nodes != 10000 {
		t.Errorf("kept %d members, want 10000", nodes)
	}
	if note.Text != "snapshot: the replay left out 8 state entries updated longest ago (it keeps 3), 10000 members (it keeps 10000)" {
		t.Errorf("note %q", note.Text)
	}
}
