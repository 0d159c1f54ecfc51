package memlab

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/memnet"
	"github.com/gossipscope/gossipscope/protocol"
)

// MaxNodes bounds a lab: each node is a memberlist with its goroutines and
// timers, in a browser tab that also draws them.
const MaxNodes = 50

// Source is the header's source for a memlab stream.
const Source = protocol.SourceMemberlist

// Config sets up a Lab.
type Config struct {
	Nodes int // 1..MaxNodes; default 20
	// Speedup divides Alertmanager's cluster intervals (memberlist's LAN
	// timings, push-pull every 60 s); default 5: probe every 200 ms
	// (timeout 100 ms), gossip every 40 ms, push-pull every 12 s.
	Speedup int
	// PushPullInterval, if set, replaces the scaled push-pull interval.
	PushPullInterval time.Duration
	// NoAwareness turns Lifeguard's local health awareness off
	// (AwarenessMaxMultiplier 1), to show what it is for.
	NoAwareness bool
	// PeerTimeout, if set, replaces the scaled --cluster.peer-timeout
	// (15 s / Speedup): set below gossip's delay, it shows duplicates.
	PeerTimeout time.Duration
	// Latency is every link's one-way delay.
	Latency time.Duration
	Seed    uint64
	// Emit receives the stream (after the header, which Header returns).
	// Called from many goroutines, never concurrently; it must not call
	// back into the Lab.
	Emit func([]protocol.Event)
	// ViewEvery is how often the nodes' member tables are read for node
	// events and counters; default 50 ms.
	ViewEvery time.Duration
}

// Lab is a running cluster. Its methods are safe for concurrent use.
type Lab struct {
	cfg    Config
	net    *memnet.Network
	start  time.Time
	names  []string // n1..nN, in order
	held   held
	emitMu sync.Mutex
	// receiver is the webhook every node notifies (notify.go).
	receiver receiver

	mu       sync.Mutex
	peers    map[string]*peer // running nodes
	closed   bool
	watching bool // run started
	watch    *watcher
	stop     chan struct{}
	stopped  chan struct{}
}

// New starts cfg.Nodes nodes, n1 ... nN, each joining n1, and returns once
// they are all started (not converged: that is what the page shows).
func New(cfg Config) (*Lab, error) {
	if cfg.Nodes == 0 {
		cfg.Nodes = 20
	}
	if cfg.Nodes < 1 || cfg.Nodes > MaxNodes {
		return nil, fmt.Errorf("memlab: %d nodes; 1 to %d", cfg.Nodes, MaxNodes)
	}
	if cfg.Speedup == 0 {
		cfg.Speedup = 5
	}
	if cfg.Speedup < 1 || cfg.Speedup > 100 {
		return nil, fmt.Errorf("memlab: speedup %d; 1 to 100", cfg.Speedup)
	}
	if cfg.ViewEvery <= 0 {
		cfg.ViewEvery = 50 * time.Millisecond
	}
	l := &Lab{cfg: cfg, start: time.Now(), peers: map[string]*peer{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	for i := 1; i <= cfg.Nodes; i++ {
		l.names = append(l.names, fmt.Sprintf("n%d", i))
	}
	l.watch = newWatcher(l.names)
	l.receiver.now = l.now
	l.net = memnet.New(memnet.Config{Emit: l.fromNet, Holds: l.held.holds, Latency: cfg.Latency, Seed: cfg.Seed, Start: l.start})
	for _, name := range l.names {
		if err := l.boot(name); err != nil {
			l.Close()
			return nil, err
		}
	}
	// Now that every node has an address, each keeps rejoining all.
	for _, pr := range l.running() {
		pr.p.SetPeers(l.othersOf(pr.name))
	}
	l.watching = true
	go l.run()
	return l, nil
}

// boot starts node name and joins it to the first other running node; it
// keeps rejoining all the others while they are not members, as
// Alertmanager rejoins its --cluster.peer list.
func (l *Lab) boot(name string) error {
	pr, err := l.startPeer(name)
	if err != nil {
		return err
	}
	others := l.othersOf(name)
	l.mu.Lock()
	var seed string
	for _, other := range l.names {
		if _, ok := l.peers[other]; ok && other != name {
			seed, _ = l.net.Addr(other)
			break
		}
	}
	l.peers[name] = pr
	l.mu.Unlock()
	l.watch.started(name)
	if seed != "" {
		// A failed join leaves a lone node that the rejoin loop repairs;
		// the page sees it as one.
		_ = pr.p.Join([]string{seed})
	}
	pr.p.SetPeers(others) // while New starts the nodes, the later ones have no address yet
	return nil
}

// othersOf returns the gossip addresses of every node but name that has
// one.
func (l *Lab) othersOf(name string) []string {
	var out []string
	for _, other := range l.names {
		if addr, ok := l.net.Addr(other); ok && other != name {
			out = append(out, addr)
		}
	}
	return out
}

// Header is the stream's first event: what runs, with memberlist's numbers.
func (l *Lab) Header() protocol.Event {
	c := l.peerConfig()
	lo, hi, k := l.formula()
	msf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return protocol.Header(Source, map[string]any{
		"nodes": len(l.names), "names": append([]string(nil), l.names...),
		"speedup": l.cfg.Speedup, "awareness": !l.cfg.NoAwareness,
		"probeMs": msf(c.ProbeInterval), "probeTimeoutMs": msf(c.ProbeTimeout),
		"gossipMs": msf(c.GossipInterval), "gossipNodes": c.RetransmitMult,
		"pushPullMs":    msf(c.PushPullInterval),
		"suspicionMult": c.SuspicionMult, "suspicionMaxTimeoutMult": maxTimeoutMult(),
		"suspicionMinMs": msf(lo), "suspicionMaxMs": msf(hi), "confirmations": k,
		"latencyMs": msf(l.cfg.Latency),
		// HA notification: the scaled timings and the real defaults.
		"peerTimeoutMs": msf(l.peerTimeout()), "groupWaitMs": msf(realGroupWait / time.Duration(l.cfg.Speedup)),
		"realPeerTimeoutMs": msf(realPeerTimeout), "realGossipMs": 200, "realPushPullMs": 60000,
	})
}

// Names returns the nodes' names, n1 ... nN.
func (l *Lab) Names() []string { return append([]string(nil), l.names...) }

// Network is the lab's network, for faults a Command does not name.
func (l *Lab) Network() *memnet.Network { return l.net }

func (l *Lab) now() float64 { return l.net.Now() }

// fromNet takes memnet's events: counted, then passed on.
func (l *Lab) fromNet(evs []protocol.Event) {
	l.watch.messages(evs)
	l.emit(evs)
}

func (l *Lab) emitOne(e protocol.Event) { l.emit([]protocol.Event{e}) }

func (l *Lab) emit(evs []protocol.Event) {
	if l.cfg.Emit == nil || len(evs) == 0 {
		return
	}
	l.emitMu.Lock()
	defer l.emitMu.Unlock()
	l.cfg.Emit(evs)
}

// running returns the running nodes by name.
func (l *Lab) running() map[string]*peer {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]*peer, len(l.peers))
	for k, v := range l.peers {
		out[k] = v
	}
	return out
}

// run reads the member tables every ViewEvery until Close.
func (l *Lab) run() {
	defer close(l.stopped)
	tick := time.NewTicker(l.cfg.ViewEvery)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			l.emit(l.watch.look(l.now(), tables(l.running())))
		}
	}
}

// tables reads each running node's member list (the alive and the
// suspect: memberlist's Members does not tell them apart).
func tables(running map[string]*peer) map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(running))
	for name, pr := range running {
		t := map[string]bool{}
		for _, m := range pr.p.Members() {
			t[m] = true
		}
		out[name] = t
	}
	return out
}

// Close stops every node (without a leave) and the watcher.
func (l *Lab) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	peers := l.peers
	l.peers = map[string]*peer{}
	l.mu.Unlock()
	close(l.stop)
	if l.watching {
		<-l.stopped
	}
	names := make([]string, 0, len(peers))
	for n := range peers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		peers[n].disp.Stop()
		_ = peers[n].p.Shutdown()
	}
}
