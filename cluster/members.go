package cluster

import (
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// Membership is a peer's view of the cluster for the rest of its process:
// the address book (memberlist's members by name and gossip address) and
// each member's status, reported as node events when it changes. Its
// transport, made before the peer, shares it: the peer feeds it joins and
// departures, the transport the suspect and alive messages it sends.
type Membership struct {
	book *addrBook
	view *memberView
}

// NewMembership returns the view of the peer called self. Node events go
// to emit (nil: none) with T in ms since start; left, if set, names the
// members known to be leaving gracefully (a lab's nodes announce it before
// they leave), so that their departure is reported as left, not dead.
func NewMembership(self string, start time.Time, emit func(protocol.Event), left func(name string) bool) *Membership {
	if emit == nil {
		emit = func(protocol.Event) {}
	}
	t := func() float64 { return float64(time.Since(start).Microseconds()) / 1000 }
	v := newMemberView(self, emit, t)
	v.hasLeft = left
	return &Membership{book: newAddrBook(), view: v}
}

// AddrOf returns the gossip address ("ip:port") of the member called name.
func (m *Membership) AddrOf(name string) (string, bool) { return m.book.addr(name) }

// NameAt returns the member at a gossip address, or the address itself.
func (m *Membership) NameAt(addr string) string { return m.book.name(addr) }

// NameByIP guesses the member behind a TCP connection's ephemeral address:
// the only known member on that IP (not counting those skip rules out),
// else the address itself.
func (m *Membership) NameByIP(addr string, skip func(addr, name string) bool) string {
	return m.book.nameByIP(addr, skip)
}

// Status returns the status this peer sees for name.
func (m *Membership) Status(name string) (protocol.Status, bool) { return m.view.status(name) }

// Sent tells the view of a message this peer sends: a suspect or alive
// message about a member marks a change memberlist accepted (see
// memberView); a transport calls it for every message it sends.
func (m *Membership) Sent(kind, subject string, incarnation int64) {
	if kind == wire.KindSuspect || kind == wire.KindAlive {
		m.view.gossiped(kind, subject, incarnation)
	}
}

// Leaving notes a dead message a member sent about itself: a graceful
// leave, reported as left when memberlist removes it.
func (m *Membership) Leaving(name string) { m.view.leave(name) }

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
