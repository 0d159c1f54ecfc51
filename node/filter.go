package node

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Filter is a lab's shared view of its loopback network: which addresses
// belong to which of its nodes, and the faults it injects (packet loss and
// partitions). Every node's transport consults it for traffic in both
// directions, so faults act on real sockets. The zero value is not usable;
// call NewFilter. A nil *Filter lets everything through.
//
// Transports read it for every packet, so what they read is an immutable
// view behind an atomic pointer: no lock on the packet path. The rare
// changes (a node starts or stops, a fault command) copy the view under mu.
type Filter struct {
	view atomic.Pointer[filterView]
	mu   sync.Mutex // serialises writers of view

	dialMu sync.Mutex
	dials  map[string]dialEntry // ephemeral TCP address of a lab node's dial
}

// filterView is one immutable state of a Filter.
type filterView struct {
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

// NewFilter returns a filter that lets everything through.
func NewFilter() *Filter {
	f := &Filter{dials: map[string]dialEntry{}}
	f.view.Store(&filterView{addrs: map[netip.AddrPort]string{}, held: map[string]*heldVersions{},
		gone: map[string]bool{}, boxes: map[netip.AddrPort]*handoff{}})
	return f
}

// update applies change to a copy of the view and publishes it. The copy
// shares the maps: change must clone a map before writing to it.
func (f *Filter) update(change func(v *filterView)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := *f.view.Load()
	change(&v)
	f.view.Store(&v)
}

// SetLoss sets the probability in [0, 1] that a packet is dropped.
// Streams (TCP) are not subject to loss: TCP retransmits.
func (f *Filter) SetLoss(p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("loss %v is not in [0, 1]", p)
	}
	f.update(func(v *filterView) { v.loss = p })
	return nil
}

// Loss returns the packet loss probability.
func (f *Filter) Loss() float64 { return f.view.Load().loss }

// Partition cuts the network: nodes talk only within their group. Nodes in
// no group form one more group together. A node may not be in two groups.
func (f *Filter) Partition(groups [][]string) error {
	if len(groups) < 1 {
		return fmt.Errorf("partition: no groups")
	}
	g := map[string]int{}
	cp := make([][]string, len(groups))
	for i, grp := range groups {
		if len(grp) == 0 {
			return fmt.Errorf("partition: group %d is empty", i)
		}
		for _, n := range grp {
			if _, dup := g[n]; dup {
				return fmt.Errorf("partition: node %q in two groups", n)
			}
			g[n] = i
		}
		cp[i] = append([]string(nil), grp...)
	}
	f.update(func(v *filterView) { v.group, v.groups = g, cp })
	return nil
}

// Heal removes every partition.
func (f *Filter) Heal() {
	f.update(func(v *filterView) { v.group, v.groups = nil, nil })
}

// Groups returns the current partition groups (nil when healed).
func (f *Filter) Groups() [][]string {
	v := f.view.Load()
	if len(v.groups) == 0 {
		return nil
	}
	out := make([][]string, len(v.groups))
	for i, g := range v.groups {
		out[i] = append([]string(nil), g...)
	}
	return out
}

// Connected reports whether a partition lets from and to talk.
func (f *Filter) Connected(from, to string) bool {
	if f == nil {
		return true
	}
	return f.view.Load().connected(from, to)
}

func (v *filterView) connected(from, to string) bool {
	if v.group == nil {
		return true
	}
	gf, okf := v.group[from]
	gt, okt := v.group[to]
	if !okf {
		gf = -1
	}
	if !okt {
		gt = -1
	}
	return gf == gt
}

// dropPacket decides the fate of one packet from -> to: cut by a partition
// or lost at random.
func (f *Filter) dropPacket(from, to string) bool {
	if f == nil {
		return false
	}
	v := f.view.Load()
	if !v.connected(from, to) {
		return true
	}
	return v.loss > 0 && rand.Float64() < v.loss // math/rand/v2's global source takes no lock
}

// register records that name listens on addr ("ip:port").
func (f *Filter) register(addr, name string) {
	ap, err := netip.ParseAddrPort(addr)
	if f == nil || err != nil {
		return
	}
	f.update(func(v *filterView) {
		v.addrs = maps.Clone(v.addrs)
		v.addrs[unmapped(ap)] = name
		v.boxes = maps.Clone(v.boxes)
		v.boxes[unmapped(ap)] = newHandoff()
	})
}

func (f *Filter) unregister(addr string) {
	ap, err := netip.ParseAddrPort(addr)
	if f == nil || err != nil {
		return
	}
	f.update(func(v *filterView) {
		v.addrs = maps.Clone(v.addrs)
		delete(v.addrs, unmapped(ap))
		v.boxes = maps.Clone(v.boxes)
		delete(v.boxes, unmapped(ap))
	})
}

// inbox returns the handoff of the lab node listening on ap, if any.
func (f *Filter) inbox(ap netip.AddrPort) *handoff {
	if f == nil {
		return nil
	}
	return f.view.Load().boxes[ap]
}

// attach makes n's state visible to the others, to tell redundant
// messages; detach undoes it (if n is still the node of that name).
func (f *Filter) attach(n *Node) {
	if f == nil {
		return
	}
	f.update(func(v *filterView) {
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
func (f *Filter) leaving(names ...string) {
	if f == nil {
		return
	}
	f.update(func(v *filterView) {
		v.gone = maps.Clone(v.gone)
		for _, name := range names {
			v.gone[name] = true
		}
	})
}

func (f *Filter) hasLeft(name string) bool {
	if f == nil {
		return false
	}
	return f.view.Load().gone[name]
}

func (f *Filter) detach(n *Node) {
	if f == nil {
		return
	}
	f.update(func(v *filterView) {
		if v.held[n.cfg.Name] == n.held {
			v.held = maps.Clone(v.held)
			delete(v.held, n.cfg.Name)
		}
	})
}

// holds reports whether the lab node called name already holds key at
// version or newer (so a message bringing it is redundant).
func (f *Filter) holds(name, key string, version int64) bool {
	if f == nil {
		return false
	}
	return f.view.Load().held[name].holds(key, version)
}

// local returns the lab node listening on addr ("ip:port"), if any.
func (f *Filter) local(addr string) (string, bool) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return "", false
	}
	return f.localAt(ap)
}

// localAt is local for a parsed address.
func (f *Filter) localAt(ap netip.AddrPort) (string, bool) {
	if f == nil {
		return "", false
	}
	n, ok := f.view.Load().addrs[unmapped(ap)]
	return n, ok
}

// dialed records that a lab node opened a TCP connection from addr.
func (f *Filter) dialed(addr, name string) {
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

func (f *Filter) dialClosed(addr string) {
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
func (f *Filter) dialer(addr string) (string, bool) {
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
