package node

import (
	"sync"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// memberView is one node's view of the membership, reported as node events
// when it changes. memberlist's event delegate tells joins and departures
// but neither suspicion nor its refutation, and reading memberlist's Node
// structs outside its lock races; so suspicion is taken from what the node
// gossips: memberlist only broadcasts a suspect (or alive) message about a
// node after accepting it into its own view (state.go suspectNode,
// aliveNode), so the first such message this node sends marks the change.
//
// Node events carry the observer in From: several nodes report the same
// change, each when it learns it.
type memberView struct {
	self string
	emit func(protocol.Event)
	t    func() float64
	mu   sync.Mutex
	st   map[string]protocol.Status
	inc  map[string]int64 // last incarnation seen in a suspect or alive message
	// leaving: nodes seen announcing their own departure
	leaving map[string]bool
	hasLeft func(string) bool // lab nodes that announced leaving
}

func newMemberView(self string, emit func(protocol.Event), t func() float64) *memberView {
	return &memberView{self: self, emit: emit, t: t, st: map[string]protocol.Status{}, inc: map[string]int64{}, leaving: map[string]bool{}}
}

// joined marks name alive (memberlist's NotifyJoin: a new or returning member).
func (v *memberView) joined(name string) { v.set(name, protocol.StatusAlive) }

// departed marks name dead, or left when it announced its own departure
// (memberlist's NotifyLeave; the Node it passes does not carry the state:
// nodeState.State shadows Node.State, which memberlist never updates).
func (v *memberView) departed(name string) {
	v.mu.Lock()
	left := v.leaving[name] || (v.hasLeft != nil && v.hasLeft(name))
	delete(v.leaving, name)
	v.mu.Unlock()
	if left {
		v.set(name, protocol.StatusLeft)
	} else {
		v.set(name, protocol.StatusDead)
	}
}

// leave notes a dead message a node sent about itself: a graceful leave.
func (v *memberView) leave(name string) {
	v.mu.Lock()
	v.leaving[name] = true
	v.mu.Unlock()
}

func (v *memberView) set(name string, st protocol.Status) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.st[name] == st {
		return
	}
	v.st[name] = st
	v.emit(protocol.Event{Type: protocol.TypeNode, T: v.t(), Node: name, Status: st, From: v.self})
}

// gossiped notes a suspect or alive message this node sends about name.
func (v *memberView) gossiped(kind, name string, inc int64) {
	if name == v.self {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	cur, known := v.st[name]
	last := v.inc[name]
	var to protocol.Status
	switch {
	case kind == wire.KindSuspect && known && cur == protocol.StatusAlive && inc >= last:
		to = protocol.StatusSuspect
	case kind == wire.KindAlive && known && cur == protocol.StatusSuspect && inc > last:
		to = protocol.StatusAlive
	}
	v.inc[name] = max(last, inc)
	if to != "" {
		v.st[name] = to
		v.emit(protocol.Event{Type: protocol.TypeNode, T: v.t(), Node: name, Status: to, From: v.self})
	}
}

func (v *memberView) status(name string) (protocol.Status, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.st[name]
	return s, ok
}

func (v *memberView) snapshot() map[string]protocol.Status {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]protocol.Status, len(v.st))
	for k, s := range v.st {
		out[k] = s
	}
	return out
}
