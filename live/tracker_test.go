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
