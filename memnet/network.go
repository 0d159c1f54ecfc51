package memnet

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/hashicorp/memberlist"
)

// Config sets up a Network. The zero value is usable: no events, no
// latency, a fixed seed.
type Config struct {
	// Emit receives every message as msg events, and the network's own
	// changes as partition, heal and param events. It is called from the
	// goroutine that sent the message, never with the Network's lock held;
	// it must be safe for concurrent use and must not block for long. nil:
	// no events.
	Emit func([]protocol.Event)
	// Holds, if set, reports whether node already holds key at version: a
	// user message (Alertmanager's gossip) carrying it is then marked
	// redundant, the cost of gossip the page shows.
	Holds func(node, key string, version int64) bool
	// Latency is every link's one-way delay.
	Latency time.Duration
	// Seed seeds the generator that decides which packets are lost.
	Seed uint64
	// QueueLen bounds the packets waiting for one node's memberlist to read
	// them; more are dropped, as a full UDP receive buffer drops them.
	// Default 1024.
	QueueLen int
	// Start is time zero of the events' T (milliseconds since Start).
	// Default: when New is called.
	Start time.Time
}

// Network connects the transports it makes. All methods are safe for
// concurrent use.
type Network struct {
	emit     func([]protocol.Event)
	holds    func(node, key string, version int64) bool
	start    time.Time
	queueLen int

	mu       sync.Mutex
	rng      *rand.Rand
	running  map[string]*Transport // by node name
	addrs    map[string]*net.UDPAddr
	names    map[string]string // "ip:port" -> node name
	latency  time.Duration
	loss     float64
	linkLoss map[link]float64
	group    map[string]int // node -> partition group; nil when healed
	groups   [][]string
	slow     map[string]time.Duration
	stats    Stats
}

type link struct{ from, to string }

// Stats counts what the network did with the traffic it was given.
type Stats struct {
	Packets  int // packets sent
	Lost     int // of which lost to a fault or a node that is down
	Overflow int // of which dropped because the receiver's queue was full
	Streams  int // streams opened
	Refused  int // dials refused (partition, node down)
}

// New returns an empty network.
func New(cfg Config) *Network {
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 1024
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now()
	}
	return &Network{
		emit: cfg.Emit, holds: cfg.Holds, start: cfg.Start, queueLen: cfg.QueueLen,
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)),
		running: map[string]*Transport{}, addrs: map[string]*net.UDPAddr{},
		names: map[string]string{}, latency: cfg.Latency,
		linkLoss: map[link]float64{}, slow: map[string]time.Duration{},
	}
}

// Now is the time of an event happening now: milliseconds since Start.
func (n *Network) Now() float64 {
	return float64(time.Since(n.start).Microseconds()) / 1000
}

// NewTransport returns the transport of node name, to put in its
// memberlist.Config.Transport. A node keeps its address across restarts
// (a new transport for a name whose last one was shut down), as a
// restarted process on the same host does. Only one transport per name
// runs at a time.
func (n *Network) NewTransport(name string) (*Transport, error) {
	if name == "" {
		return nil, fmt.Errorf("memnet: a node needs a name")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.running[name]; ok {
		return nil, fmt.Errorf("memnet: node %q is already running", name)
	}
	addr, ok := n.addrs[name]
	if !ok {
		k := len(n.addrs) + 1 // 10.0.0.1, ... 10.0.1.0, ...: readable and never 127/8
		addr = &net.UDPAddr{IP: net.IPv4(10, byte(k>>16), byte(k>>8), byte(k)), Port: 7946}
		n.addrs[name] = addr
		n.names[addr.String()] = name
	}
	t := &Transport{
		net: n, name: name, addr: addr,
		packetCh: make(chan *memberlist.Packet, n.queueLen),
		streamCh: make(chan net.Conn),
		done:     make(chan struct{}),
		conns:    map[*conn]io.Closer{},
	}
	n.running[name] = t
	return t, nil
}

// Addr returns node name's gossip address ("ip:port"), to join it by.
func (n *Network) Addr(name string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	a, ok := n.addrs[name]
	if !ok {
		return "", false
	}
	return a.String(), true
}

// Running reports whether node name has a transport that is not shut down.
func (n *Network) Running(name string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.running[name]
	return ok
}

// Stats returns the counts so far.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

func checkProbability(what string, p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("memnet: %s %v is not in [0, 1]", what, p)
	}
	return nil
}

// SetLoss sets the probability that any packet is lost. Streams are not
// subject to loss (TCP retransmits).
func (n *Network) SetLoss(p float64) error {
	if err := checkProbability("loss", p); err != nil {
		return err
	}
	n.mu.Lock()
	n.loss = p
	n.mu.Unlock()
	n.tell(protocol.Event{Type: protocol.TypeParam, Params: map[string]any{"loss": p}})
	return nil
}

// SetLinkLoss sets the loss of packets from -> to (one direction), on top
// of the global loss. 0 removes it.
func (n *Network) SetLinkLoss(from, to string, p float64) error {
	if err := checkProbability("link loss", p); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if p == 0 {
		delete(n.linkLoss, link{from, to})
	} else {
		n.linkLoss[link{from, to}] = p
	}
	return nil
}

// SetLatency sets every link's one-way delay.
func (n *Network) SetLatency(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("memnet: negative latency %v", d)
	}
	n.mu.Lock()
	n.latency = d
	n.mu.Unlock()
	n.tell(protocol.Event{Type: protocol.TypeParam, Params: map[string]any{"latencyMs": float64(d.Microseconds()) / 1000}})
	return nil
}

// SetSlow makes node name slow: everything it sends or receives is late by
// d more (so a probe of it and its answer come back 2d late). 0 makes it
// normal again.
func (n *Network) SetSlow(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("memnet: negative delay %v", d)
	}
	n.mu.Lock()
	if d == 0 {
		delete(n.slow, name)
	} else {
		n.slow[name] = d
	}
	n.mu.Unlock()
	n.tell(protocol.Event{Type: protocol.TypeParam, Params: map[string]any{"slow": name, "slowMs": float64(d.Microseconds()) / 1000}})
	return nil
}

// Slow returns node name's extra delay (0: not slow).
func (n *Network) Slow(name string) time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.slow[name]
}

// Partition cuts the network: nodes talk only within their group; nodes in
// no group form one more group together. A node may not be in two groups.
func (n *Network) Partition(groups [][]string) error {
	if len(groups) < 1 {
		return fmt.Errorf("memnet: partition: no groups")
	}
	g := map[string]int{}
	cp := make([][]string, len(groups))
	for i, grp := range groups {
		if len(grp) == 0 {
			return fmt.Errorf("memnet: partition: group %d is empty", i)
		}
		for _, name := range grp {
			if _, dup := g[name]; dup {
				return fmt.Errorf("memnet: partition: node %q in two groups", name)
			}
			g[name] = i
		}
		cp[i] = append([]string(nil), grp...)
	}
	n.mu.Lock()
	n.group, n.groups = g, cp
	n.mu.Unlock()
	n.tell(protocol.Event{Type: protocol.TypePartition, Groups: cp})
	return nil
}

// Heal removes the partition.
func (n *Network) Heal() {
	n.mu.Lock()
	n.group, n.groups = nil, nil
	n.mu.Unlock()
	n.tell(protocol.Event{Type: protocol.TypeHeal})
}

// Groups returns the partition's groups, nil when healed.
func (n *Network) Groups() [][]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([][]string, len(n.groups))
	for i, g := range n.groups {
		out[i] = append([]string(nil), g...)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// connected reports whether the partition lets from and to talk; n.mu held.
func (n *Network) connected(from, to string) bool {
	if n.group == nil {
		return true
	}
	gf, okf := n.group[from]
	gt, okt := n.group[to]
	if !okf {
		gf = -1
	}
	if !okt {
		gt = -1
	}
	return gf == gt
}

// nameAt names the node at a gossip address, or returns the address.
func (n *Network) nameAt(addr string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := n.names[addr]; ok {
		return name
	}
	return addr
}

// route decides one packet's fate: the running receiver (nil if none),
// whether it is lost, and its delay.
func (n *Network) route(from, to string) (dest *Transport, lost bool, delay time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stats.Packets++
	dest = n.running[to]
	delay = n.latency + n.slow[from] + n.slow[to]
	lost = dest == nil || !n.connected(from, to)
	if !lost && n.loss > 0 {
		lost = n.rng.Float64() < n.loss
	}
	if p := n.linkLoss[link{from, to}]; !lost && p > 0 {
		lost = n.rng.Float64() < p
	}
	if lost {
		n.stats.Lost++
		dest = nil
	}
	return dest, lost, delay
}

// dial decides whether a stream from -> to opens: the running receiver
// (nil: refused) and the delay before it does.
func (n *Network) dial(from, to string) (*Transport, time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	dest := n.running[to]
	if dest == nil || !n.connected(from, to) {
		n.stats.Refused++
		return nil, 0
	}
	n.stats.Streams++
	return dest, n.latency + n.slow[from] + n.slow[to]
}

func (n *Network) overflowed() {
	n.mu.Lock()
	n.stats.Overflow++
	n.mu.Unlock()
}

// stopped forgets t as its node's running transport.
func (n *Network) stopped(t *Transport) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running[t.name] == t {
		delete(n.running, t.name)
	}
}

// tell emits one of the network's own events, stamped now.
func (n *Network) tell(e protocol.Event) {
	if n.emit == nil {
		return
	}
	e.T = n.Now()
	n.emit([]protocol.Event{e})
}
