package node

import (
	"maps"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// LabNet is a lab's loopback network as its nodes' transports see it:
//   - an address book: which gossip address is which lab node (localAt),
//     and which ephemeral TCP address a lab node dialed from (dialer);
//   - what each running node holds (holds), to tell a redundant message;
//   - each node's handoff inbox (inbox), for plain packets sent to it;
//   - who is leaving gracefully (hasLeft), to report left, not dead;
//   - the faults it injects (labfaults.go): packet loss and partitions.
//
// Every node's transport consults it for traffic in both directions, so
// faults act on real sockets. The zero value is not usable; call
// NewLabNet. A nil *LabNet is a node outside any lab: everything passes.
//
// Transports read it for every packet, so what they read is an immutable
// view behind an atomic pointer: no lock on the packet path. The rare
// changes (a node starts or stops, a fault command) copy the view under mu.
type LabNet struct {
	view atomic.Pointer[netView]
	mu   sync.Mutex // serialises writers of view

	dialMu sync.Mutex
	dials  map[string]dialEntry // ephemeral TCP address of a lab node's dial
}

// netView is one immutable state of a LabNet.
type netView struct {
	loss   float64
	group  map[string]int // node name -> partition group; nil = healed
	groups [][]string
	addrs  map[netip.AddrPort]string // gossip address -> lab node name
	held   map[string]*heldVersions  // running lab nodes' state, by name
	gone   map[string]bool           // lab nodes leaving gracefully
	boxes  map[netip.AddrPort]*handoff
}

type dialEntry struct {
	name   string
	closed time.Time // zero while open
}

// dialLinger is how long a closed dial's address stays known, so that the
// accepting side, which may read after the dialer closed, still recognises
// a lab node.
const dialLinger = 30 * time.Second

// NewLabNet returns a network with no nodes and no faults.
func NewLabNet() *LabNet {
	f := &LabNet{dials: map[string]dialEntry{}}
	f.view.Store(&netView{addrs: map[netip.AddrPort]string{}, held: map[string]*heldVersions{},
		gone: map[string]bool{}, boxes: map[netip.AddrPort]*handoff{}})
	return f
}

// update applies change to a copy of the view and publishes it. The copy
// shares the maps: change must clone a map before writing to it.
func (f *LabNet) update(change func(v *netView)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := *f.view.Load()
	change(&v)
	f.view.Store(&v)
}

// register records that name listens on addr ("ip:port").
func (f *LabNet) register(addr, name string) {
	ap, err := netip.ParseAddrPort(addr)
	if f == nil || err != nil {
		return
	}
	f.update(func(v *netView) {
		v.addrs = maps.Clone(v.addrs)
		v.addrs[unmapped(ap)] = name
		v.boxes = maps.Clone(v.boxes)
		v.boxes[unmapped(ap)] = newHandoff()
	})
}

func (f *LabNet) unregister(addr string) {
	ap, err := netip.ParseAddrPort(addr)
	if f == nil || err != nil {
		return
	}
	f.update(func(v *netView) {
		v.addrs = maps.Clone(v.addrs)
		delete(v.addrs, unmapped(ap))
		v.boxes = maps.Clone(v.boxes)
		delete(v.boxes, unmapped(ap))
	})
}

// inbox returns the handoff of the lab node listening on ap, if any.
func (f *LabNet) inbox(ap netip.AddrPort) *handoff {
	if f == nil {
		return nil
	}
	return f.view.Load().boxes[ap]
}

// attach makes n's state visible to the others, to tell redundant
// messages; detach undoes it (if n is still the node of that name).
func (f *LabNet) attach(n *Node) {
	if f == nil {
		return
	}
	f.update(func(v *netView) {
		v.held = maps.Clone(v.held)
		v.held[n.cfg.Name] = n.held
		if v.gone[n.cfg.Name] {
			v.gone = maps.Clone(v.gone)
			delete(v.gone, n.cfg.Name)
		}
	})
}

// leaving records that lab nodes are about to leave gracefully, so the
// others report them left rather than dead without decoding their packets.
func (f *LabNet) leaving(names ...string) {
	if f == nil {
		return
	}
	f.update(func(v *netView) {
		v.gone = maps.Clone(v.gone)
		for _, name := range names {
			v.gone[name] = true
		}
	})
}

func (f *LabNet) hasLeft(name string) bool {
	if f == nil {
		return false
	}
	return f.view.Load().gone[name]
}

func (f *LabNet) detach(n *Node) {
	if f == nil {
		return
	}
	f.update(func(v *netView) {
		if v.held[n.cfg.Name] == n.held {
			v.held = maps.Clone(v.held)
			delete(v.held, n.cfg.Name)
		}
	})
}

// holds reports whether the lab node called name already holds key at
// version or newer (so a message bringing it is redundant).
func (f *LabNet) holds(name, key string, version int64) bool {
	if f == nil {
		return false
	}
	return f.view.Load().held[name].holds(key, version)
}

// local returns the lab node listening on addr ("ip:port"), if any.
func (f *LabNet) local(addr string) (string, bool) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return "", false
	}
	return f.localAt(ap)
}

// localAt is local for a parsed address.
func (f *LabNet) localAt(ap netip.AddrPort) (string, bool) {
	if f == nil {
		return "", false
	}
	n, ok := f.view.Load().addrs[unmapped(ap)]
	return n, ok
}

// dialed records that a lab node opened a TCP connection from addr.
func (f *LabNet) dialed(addr, name string) {
	if f == nil {
		return
	}
	now := time.Now()
	f.dialMu.Lock()
	defer f.dialMu.Unlock()
	for a, e := range f.dials { // bounded: entries linger 30 s
		if !e.closed.IsZero() && now.Sub(e.closed) > dialLinger {
			delete(f.dials, a)
		}
	}
	f.dials[addr] = dialEntry{name: name}
}

func (f *LabNet) dialClosed(addr string) {
	if f == nil {
		return
	}
	f.dialMu.Lock()
	if e, ok := f.dials[addr]; ok {
		e.closed = time.Now()
		f.dials[addr] = e
	}
	f.dialMu.Unlock()
}

// dialer returns the lab node that dialed from addr, if any.
func (f *LabNet) dialer(addr string) (string, bool) {
	if f == nil {
		return "", false
	}
	f.dialMu.Lock()
	defer f.dialMu.Unlock()
	e, ok := f.dials[addr]
	return e.name, ok
}

// unmapped returns ap with an IPv4-mapped IPv6 address as plain IPv4, as
// a dual-stack socket may report it.
func unmapped(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
