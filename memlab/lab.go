package memlab

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/memnet"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/hashicorp/memberlist"
)

// MaxNodes bounds a lab: each node is a memberlist with its goroutines and
// timers, in a browser tab that also draws them.
const MaxNodes = 50

// Source is the header's source for a memlab stream.
const Source = "memberlist"

// Config sets up a Lab.
type Config struct {
	Nodes int // 1..MaxNodes; default 20
	// Speedup divides memberlist's LAN intervals (memnet.LANConfig);
	// default 5: probe every 200 ms, gossip every 40 ms, push-pull 6 s.
	Speedup int
	// NoAwareness turns Lifeguard's local health awareness off
	// (AwarenessMaxMultiplier 1), to show what it is for.
	NoAwareness bool
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
	emitMu sync.Mutex

	mu       sync.Mutex
	peers    map[string]*memberlist.Memberlist // running nodes
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
	l := &Lab{cfg: cfg, start: time.Now(), peers: map[string]*memberlist.Memberlist{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	for i := 1; i <= cfg.Nodes; i++ {
		l.names = append(l.names, fmt.Sprintf("n%d", i))
	}
	l.watch = newWatcher(l.names)
	l.net = memnet.New(memnet.Config{Emit: l.fromNet, Latency: cfg.Latency, Seed: cfg.Seed, Start: l.start})
	for _, name := range l.names {
		if err := l.boot(name); err != nil {
			l.Close()
			return nil, err
		}
	}
	l.watching = true
	go l.run()
	return l, nil
}

// config is the memberlist config every node runs.
func (l *Lab) config(name string, t *memnet.Transport) *memberlist.Config {
	c := memnet.LANConfig(name, t, l.cfg.Speedup)
	if l.cfg.NoAwareness {
		c.AwarenessMaxMultiplier = 1
	}
	return c
}

// boot starts node name and joins it to the first other running node.
func (l *Lab) boot(name string) error {
	tr, err := l.net.NewTransport(name)
	if err != nil {
		return err
	}
	m, err := memberlist.Create(l.config(name, tr))
	if err != nil {
		_ = tr.Shutdown()
		return fmt.Errorf("memlab: start %s: %w", name, err)
	}
	l.mu.Lock()
	var seed string
	for _, other := range l.names {
		if _, ok := l.peers[other]; ok && other != name {
			seed = other
			break
		}
	}
	l.peers[name] = m
	l.mu.Unlock()
	l.watch.started(name)
	if seed != "" {
		addr, _ := l.net.Addr(seed)
		// A failed join leaves a lone node that push-pull or a later
		// join repairs; the page sees it as one.
		_, _ = m.Join([]string{addr})
	}
	return nil
}

// Header is the stream's first event: what runs, with memberlist's numbers.
func (l *Lab) Header() protocol.Event {
	c := l.config("", nil)
	lo, hi, k := memnet.SuspicionTimeouts(c, len(l.names))
	msf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return protocol.Header(Source, map[string]any{
		"nodes": len(l.names), "names": append([]string(nil), l.names...),
		"speedup": l.cfg.Speedup, "awareness": !l.cfg.NoAwareness,
		"probeMs": msf(c.ProbeInterval), "probeTimeoutMs": msf(c.ProbeTimeout),
		"gossipMs": msf(c.GossipInterval), "gossipNodes": c.GossipNodes,
		"pushPullMs": msf(c.PushPullInterval), "indirectChecks": c.IndirectChecks,
		"suspicionMult": c.SuspicionMult, "suspicionMaxTimeoutMult": c.SuspicionMaxTimeoutMult,
		"suspicionMinMs": msf(lo), "suspicionMaxMs": msf(hi), "confirmations": k,
		"latencyMs": msf(l.cfg.Latency),
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

func (l *Lab) emit(evs []protocol.Event) {
	if l.cfg.Emit == nil || len(evs) == 0 {
		return
	}
	l.emitMu.Lock()
	defer l.emitMu.Unlock()
	l.cfg.Emit(evs)
}

// running returns the running nodes' memberlists by name.
func (l *Lab) running() map[string]*memberlist.Memberlist {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]*memberlist.Memberlist, len(l.peers))
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
	c := l.config("", nil)
	every := 10 * c.ProbeInterval
	rejoined := time.Now()
	var joins sync.WaitGroup
	defer joins.Wait()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			l.emit(l.watch.look(l.now(), l.running()))
		}
		if time.Since(rejoined) >= every {
			rejoined = time.Now()
			l.rejoin(&joins)
		}
	}
}

// rejoin has every running node join the lab's nodes missing from its
// member table, as Alertmanager's reconnect loop retries its peers (every
// 10 s, here every 10 probe intervals): memberlist alone never contacts a
// node it holds dead, so without it the two sides of a healed partition
// would never merge.
func (l *Lab) rejoin(joins *sync.WaitGroup) {
	for name, m := range l.running() {
		have := map[string]bool{}
		for _, n := range m.Members() {
			have[n.Name] = true
		}
		var missing []string
		for _, other := range l.names {
			if addr, ok := l.net.Addr(other); ok && !have[other] && other != name {
				missing = append(missing, addr)
			}
		}
		if len(missing) == 0 {
			continue
		}
		joins.Add(1)
		go func() {
			defer joins.Done()
			_, _ = m.Join(missing) // refused for nodes that are down: retried next time
		}()
	}
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
	l.peers = map[string]*memberlist.Memberlist{}
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
		_ = peers[n].Shutdown()
	}
}
