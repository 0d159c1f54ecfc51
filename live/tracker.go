package live

import (
	"cmp"
	"slices"
	"sync"

	"github.com/gossipscope/gossipscope/protocol"
)

// Tracker follows a stream and can say, at any point, what state it has
// reached, as events: the snapshot for a client that joins a replay late.
// Its zero value is ready to use.
type Tracker struct {
	mu     sync.Mutex
	t      float64
	nodes  map[string]protocol.Status
	held   map[heldKey]protocol.Event // latest state event per (node, key)
	groups [][]string                 // current partition, nil when healed
	params map[string]any             // merged param events
}

type heldKey struct{ node, key string }

// Observe updates the state with ev.
func (tr *Tracker) Observe(ev protocol.Event) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if ev.T > tr.t {
		tr.t = ev.T
	}
	switch ev.Type {
	case protocol.TypeNode:
		if tr.nodes == nil {
			tr.nodes = map[string]protocol.Status{}
		}
		tr.nodes[ev.Node] = ev.Status
	case protocol.TypeState:
		if tr.held == nil {
			tr.held = map[heldKey]protocol.Event{}
		}
		tr.held[heldKey{ev.Node, ev.Key}] = ev
	case protocol.TypePartition:
		tr.groups = ev.Groups
	case protocol.TypeHeal:
		tr.groups = nil
	case protocol.TypeParam:
		if tr.params == nil {
			tr.params = map[string]any{}
		}
		for k, v := range ev.Params {
			tr.params[k] = v
		}
	}
}

// Snapshot returns the state reached as events at the latest t: params,
// node statuses, what each node holds, and the partition if any, in a
// stable order.
func (tr *Tracker) Snapshot() []protocol.Event {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []protocol.Event
	if len(tr.params) > 0 {
		p := make(map[string]any, len(tr.params))
		for k, v := range tr.params {
			p[k] = v
		}
		out = append(out, protocol.Event{Type: protocol.TypeParam, T: tr.t, Params: p})
	}
	names := make([]string, 0, len(tr.nodes))
	for n := range tr.nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, protocol.Event{Type: protocol.TypeNode, T: tr.t, Node: n, Status: tr.nodes[n]})
	}
	keys := make([]heldKey, 0, len(tr.held))
	for k := range tr.held {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b heldKey) int {
		if a.node != b.node {
			return cmp.Compare(a.node, b.node)
		}
		return cmp.Compare(a.key, b.key)
	})
	for _, k := range keys {
		ev := tr.held[k]
		out = append(out, protocol.Event{Type: protocol.TypeState, T: tr.t, Node: ev.Node, Key: ev.Key, Version: ev.Version, Value: ev.Value})
	}
	if tr.groups != nil {
		out = append(out, protocol.Event{Type: protocol.TypePartition, T: tr.t, Groups: tr.groups})
	}
	return out
}
