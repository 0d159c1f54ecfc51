package node

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Filter is a lab's shared view of its loopback network: which addresses
// belong to which of its nodes, and the faults it injects (packet loss and
// partitions). Every node's transport consults it for traffic in both
// directions, so faults act on real sockets. The zero value is not usable;
// call NewFilter. A nil *Filter lets everything through.
type Filter struct {
	mu     sync.RWMutex
	loss   float64
	group  map[string]int // node name -> partition group; nil = healed
	groups [][]string
	addrs  map[string]string    // "ip:port" gossip address -> lab node name
	nodes  map[string]*Node     // running lab nodes by name
	gone   map[string]bool      // lab nodes leaving gracefully
	dials  map[string]dialEntry // ephemeral TCP address of a lab node's dial
	rng    *rand.Rand
	rngMu  sync.Mutex
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
	return &Filter{
		addrs: map[string]string{},
		nodes: map[string]*Node{},
		gone:  map[string]bool{},
		dials: map[string]dialEntry{},
		rng:   rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15)),
	}
}

// SetLoss sets the probability in [0, 1] that a packet is dropped.
// Streams (TCP) are not subject to loss: TCP retransmits.
func (f *Filter) SetLoss(p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("loss %v is not in [0, 1]", p)
	}
	f.mu.Lock()
	f.loss = p
	f.mu.Unlock()
	return nil
}

// Loss returns the packet loss probability.
func (f *Filter) Loss() float64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.loss
}

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
	f.mu.Lock()
	f.group, f.groups = g, cp
	f.mu.Unlock()
	return nil
}

// Heal removes every partition.
func (f *Filter) Heal() {
	f.mu.Lock()
	f.group, f.groups = nil, nil
	f.mu.Unlock()
}

// Groups returns the current partition groups (nil when healed).
func (f *Filter) Groups() [][]string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([][]string, len(f.groups))
	for i, g := range f.groups {
		out[i] = append([]string(nil), g...)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Connected reports whether a partition lets from and to talk.
func (f *Filter) Connected(from, to string) bool {
	if f == nil {
		return true
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.connected(from, to)
}

func (f *Filter) connected(from, to string) bool {
	if f.group == nil {
		return true
	}
	gf, okf := f.group[from]
	gt, okt := f.group[to]
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
	f.mu.RLock()
	loss := f.loss
	cut := !f.connected(from, to)
	f.mu.RUnlock()
	if cut {
		return true
	}
	if loss <= 0 {
		return false
	}
	f.rngMu.Lock()
	x := f.rng.Float64()
	f.rngMu.Unlock()
	return x < loss
}

// register records that name listens on addr.
func (f *Filter) register(addr, name string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.addrs[addr] = name
	f.mu.Unlock()
}

func (f *Filter) unregister(addr string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	delete(f.addrs, addr)
	f.mu.Unlock()
}

// attach makes n's state visible to the others, to tell redundant
// messages; detach undoes it (if n is still the node of that name).
func (f *Filter) attach(n *Node) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.nodes[n.cfg.Name] = n
	delete(f.gone, n.cfg.Name)
	f.mu.Unlock()
}

// leaving records that a lab node is about to leave gracefully, so the
// others report it left rather than dead without decoding its packets.
func (f *Filter) leaving(name string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.gone[name] = true
	f.mu.Unlock()
}

func (f *Filter) hasLeft(name string) bool {
	if f == nil {
		return false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.gone[name]
}

func (f *Filter) detach(n *Node) {
	if f == nil {
		return
	}
	f.mu.Lock()
	if f.nodes[n.cfg.Name] == n {
		delete(f.nodes, n.cfg.Name)
	}
	f.mu.Unlock()
}

// holds reports whether the lab node called name already holds key at
// version or newer (so a message bringing it is redundant).
func (f *Filter) holds(name, key string, version int64) bool {
	if f == nil {
		return false
	}
	f.mu.RLock()
	n := f.nodes[name]
	f.mu.RUnlock()
	return n != nil && n.holds(key, version)
}

// local returns the lab node listening on addr, if any.
func (f *Filter) local(addr string) (string, bool) {
	if f == nil {
		return "", false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, ok := f.addrs[addr]
	return n, ok
}

// dialed records that a lab node opened a TCP connection from addr.
func (f *Filter) dialed(addr, name string) {
	if f == nil {
		return
	}
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.mu.Lock()
	if e, ok := f.dials[addr]; ok {
		e.closed = time.Now()
		f.dials[addr] = e
	}
	f.mu.Unlock()
}

// dialer returns the lab node that dialed from addr, if any.
func (f *Filter) dialer(addr string) (string, bool) {
	if f == nil {
		return "", false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	e, ok := f.dials[addr]
	return e.name, ok
}
