package live

import (
	"cmp"
	"container/list"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gossipscope/gossipscope/protocol"
)

// DefaultMaxKeys is how many (node, key) state entries a Tracker keeps by
// default: more than a lab of 300 nodes holding 100 silences each needs,
// about 8 MB held and a 4 MB snapshot.
const DefaultMaxKeys = 1 << 15

// A Tracker also bounds what a hostile or odd recording can make it hold
// besides state: members and merged params.
const (
	maxTrackedNodes  = 10000
	maxTrackedParams = 256
)

// Tracker follows a stream and can say, at any point, what state it has
// reached, as events: the snapshot for a client that joins a replay late.
// Its memory is bounded whatever the stream: past MaxKeys state entries it
// forgets the one updated longest ago, and the snapshot ends with a note
// saying what it left out. Its zero value is ready to use.
type Tracker struct {
	// MaxKeys bounds the (node, key) state entries kept; 0 means
	// DefaultMaxKeys. Set it before the first Observe.
	MaxKeys int

	mu     sync.Mutex
	t      float64
	nodes  map[string]protocol.Status
	held   map[heldKey]*list.Element // of *heldState, in order
	order  list.List                 // state entries, least recently updated first
	groups [][]string                // current partition, nil when healed
	params map[string]any            // merged param events

	forgotKeys, skippedNodes, skippedParams int
}

type heldKey struct{ node, key string }

type heldState struct {
	heldKey
	version int64
	value   string
}

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
		if _, ok := tr.nodes[ev.Node]; !ok && len(tr.nodes) >= maxTrackedNodes {
			tr.skippedNodes++
			return
		}
		tr.nodes[ev.Node] = ev.Status
	case protocol.TypeState:
		tr.observeState(ev)
	case protocol.TypePartition:
		tr.groups = ev.Groups
	case protocol.TypeHeal:
		tr.groups = nil
	case protocol.TypeParam:
		if tr.params == nil {
			tr.params = map[string]any{}
		}
		for k, v := range ev.Params {
			if _, ok := tr.params[k]; !ok && len(tr.params) >= maxTrackedParams {
				tr.skippedParams++
				continue
			}
			tr.params[k] = v
		}
	}
}

func (tr *Tracker) observeState(ev protocol.Event) {
	if tr.held == nil {
		tr.held = map[heldKey]*list.Element{}
	}
	k := heldKey{ev.Node, ev.Key}
	if el, ok := tr.held[k]; ok {
		st := el.Value.(*heldState)
		st.version, st.value = ev.Version, ev.Value
		tr.order.MoveToBack(el)
		return
	}
	if len(tr.held) >= tr.maxKeys() {
		oldest := tr.order.Front()
		delete(tr.held, oldest.Value.(*heldState).heldKey)
		tr.order.Remove(oldest)
		tr.forgotKeys++
	}
	tr.held[k] = tr.order.PushBack(&heldState{heldKey: k, version: ev.Version, value: ev.Value})
}

func (tr *Tracker) maxKeys() int {
	if tr.MaxKeys > 0 {
		return tr.MaxKeys
	}
	return DefaultMaxKeys
}

// Snapshot returns the state reached as events at the latest t: params,
// node statuses, what each node holds, and the partition if any, in a
// stable order; then, if the tracker's bounds cost anything, a note
// saying what was left out.
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
	states := make([]*heldState, 0, len(tr.held))
	for _, el := range tr.held {
		states = append(states, el.Value.(*heldState))
	}
	slices.SortFunc(states, func(a, b *heldState) int {
		if a.node != b.node {
			return cmp.Compare(a.node, b.node)
		}
		return cmp.Compare(a.key, b.key)
	})
	for _, st := range states {
		out = append(out, protocol.Event{Type: protocol.TypeState, T: tr.t, Node: st.node, Key: st.key, Version: st.version, Value: st.value})
	}
	if tr.groups != nil {
		out = append(out, protocol.Event{Type: protocol.TypePartition, T: tr.t, Groups: tr.groups})
	}
	var cut []string
	for _, c := range []struct {
		n     int
		what  string
		limit int
	}{{tr.forgotKeys, "state entries updated longest ago", tr.maxKeys()}, {tr.skippedNodes, "members", maxTrackedNodes}, {tr.skippedParams, "params", maxTrackedParams}} {
		if c.n > 0 {
			cut = append(cut, fmt.Sprintf("%d %s (it keeps %d)", c.n, c.what, c.limit))
		}
	}
	if len(cut) > 0 {
		out = append(out, protocol.Event{Type: protocol.TypeNote, T: tr.t,
			Text:   "snapshot: the replay left out " + strings.Join(cut, ", "),
			Params: map[string]any{"left_out_states": tr.forgotKeys, "left_out_nodes": tr.skippedNodes, "left_out_params": tr.skippedParams}})
	}
	return out
}
