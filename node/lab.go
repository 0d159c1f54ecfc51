package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/nflog"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
)

// MaxLabNodes bounds a lab: every node is two sockets and a few goroutines
// on a machine that also draws the page.
const MaxLabNodes = 500

// LabConfig configures a lab cluster: N nodes in one process on loopback.
//
// Ports: node i (0-based) gossips on BaseGossipPort+2i and serves its API on
// BaseAPIPort+2i. With the defaults (LabGossipPort 19094, LabAPIPort 19093)
// node 0 has 19093/19094, node 1 has 19095/19096, and so on: each node's
// API and gossip ports are adjacent, like one Alertmanager's, and the two
// ranges interleave without colliding. The defaults keep clear of
// Alertmanager's own 9093/9094, so a lab runs beside a real Alertmanager
// (and beside a 'gossipscope node', which takes those). RandomPorts lets
// the OS pick every port.
type LabConfig struct {
	Nodes          int    // default 5
	Host           string // default 127.0.0.1; must be a loopback address
	BaseGossipPort int    // default LabGossipPort (19094)
	BaseAPIPort    int    // default LabAPIPort (19093)
	RandomPorts    bool   // listen on port 0 everywhere (tests, several labs)
	NoAPI          bool   // no HTTP servers (handlers still available)
	NamePrefix     string // node names are prefix+1..N; default "n"
	// Template holds the node settings (timings, routing, Webhook, Logger);
	// its Name, addresses, Peers, Emit, Start and LabNet are the lab's.
	// Zero: DefaultConfig with group_wait 1 s, group_interval 10 s and
	// repeat_interval 1 h, the config docs/gossip-rules.md measured with.
	Template    *Config
	PeerTimeout time.Duration        // overrides Template.PeerTimeout when set
	Webhook     string               // overrides Template.Webhook when set
	Emit        func(protocol.Event) // every event of every node, plus the lab's
	Start       time.Time            // t=0; default now
	Logger      *slog.Logger
	// AllowedHosts are the host names every node's API answers besides IP
	// literals and localhost (the server's --web.allowed-hosts, so that a
	// user who reaches the page by a name reaches the nodes by it too);
	// overrides Template.AllowedHosts when set.
	AllowedHosts []string
}

// Lab is a cluster of real nodes on loopback sharing one LabNet, driven
// by protocol Commands.
type Lab struct {
	cfg   LabConfig
	net   *LabNet
	start time.Time
	tmpl  Config

	mu     sync.Mutex
	nodes  []*labNode
	byName map[string]*labNode
	closed bool

	stMu    sync.Mutex                 // serialises emit
	status  map[string]protocol.Status // last node status forwarded
	lastT   float64                    // T of the last event forwarded
	closing bool                       // Close has begun: nodes only leave
	closeT  float64                    // T at which closing began
}

type labNode struct {
	name    string
	gossip  string // listen address, reused on restart
	apiAddr string
	n       *Node // nil while crashed
}

// NewLab starts cfg.Nodes nodes; each joins the ones started before it and
// then keeps every other node as a peer to rejoin, as Alertmanagers
// started with the full --cluster.peer list do.
func NewLab(cfg LabConfig) (*Lab, error) {
	cfg = cfg.withDefaults()
	if cfg.Nodes < 1 || cfg.Nodes > MaxLabNodes {
		return nil, fmt.Errorf("lab: %d nodes is not in [1, %d]", cfg.Nodes, MaxLabNodes)
	}
	if ip := net.ParseIP(cfg.Host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("lab: host %q is not a loopback address; labs inject faults and stay on loopback", cfg.Host)
	}
	if !cfg.RandomPorts {
		if err := checkPorts(cfg); err != nil {
			return nil, err
		}
	}
	var tmpl Config
	if cfg.Template != nil {
		tmpl = *cfg.Template
	} else {
		tmpl = DefaultConfig()
		tmpl.GroupWait, tmpl.GroupInterval, tmpl.RepeatInterval = time.Second, 10*time.Second, time.Hour
	}
	if cfg.PeerTimeout != 0 {
		tmpl.PeerTimeout = cfg.PeerTimeout
	}
	if cfg.Webhook != "" {
		tmpl.Webhook = cfg.Webhook
	}
	if cfg.AllowedHosts != nil {
		tmpl.AllowedHosts = cfg.AllowedHosts
	}
	if tmpl.RetransmitMult == 0 { // Alertmanager's rule for the full peer list
		tmpl.RetransmitMult = max(3, (cfg.Nodes-1)/2)
	}
	tmpl.Logger = cfg.Logger
	l := &Lab{
		cfg: cfg, net: NewLabNet(), start: cfg.Start, tmpl: tmpl,
		byName: map[string]*labNode{}, status: map[string]protocol.Status{},
	}
	var joined []string
	for i := 0; i < cfg.Nodes; i++ {
		ln := &labNode{name: cfg.NamePrefix + strconv.Itoa(i+1)}
		ln.gossip = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.BaseGossipPort+2*i))
		ln.apiAddr = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.BaseAPIPort+2*i))
		if cfg.RandomPorts {
			ln.gossip = net.JoinHostPort(cfg.Host, "0")
			ln.apiAddr = net.JoinHostPort(cfg.Host, "0")
		}
		if cfg.NoAPI {
			ln.apiAddr = ""
		}
		if err := l.startNode(ln, joined); err != nil {
			_ = l.Close()
			return nil, fmt.Errorf("lab: %w", err)
		}
		joined = append(joined, ln.n.Addr())
		l.nodes = append(l.nodes, ln)
		l.byName[ln.name] = ln
	}
	for _, ln := range l.nodes {
		ln.n.peer.SetPeers(l.peersOf(ln))
	}
	return l, nil
}

// withDefaults fills zero fields: 5 nodes on 127.0.0.1 from Alertmanager's
// ports, named n1, n2, ..., t=0 now, no logs.
func (c LabConfig) withDefaults() LabConfig {
	if c.Nodes == 0 {
		c.Nodes = 5
	}
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	if c.BaseGossipPort == 0 {
		c.BaseGossipPort = LabGossipPort
	}
	if c.BaseAPIPort == 0 {
		c.BaseAPIPort = LabAPIPort
	}
	if c.NamePrefix == "" {
		c.NamePrefix = "n"
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func checkPorts(cfg LabConfig) error {
	used := map[int]string{}
	for i := 0; i < cfg.Nodes; i++ {
		for _, p := range []struct {
			port int
			what string
		}{{cfg.BaseGossipPort + 2*i, "gossip"}, {cfg.BaseAPIPort + 2*i, "API"}} {
			if p.port < 1 || p.port > 65535 {
				return fmt.Errorf("lab: %s port %d of node %d is out of range", p.what, p.port, i+1)
			}
			if cfg.NoAPI && p.what == "API" {
				continue
			}
			if other, dup := used[p.port]; dup {
				return fmt.Errorf("lab: port %d would serve both %s and %s; pick base ports of different parity", p.port, other, p.what)
			}
			used[p.port] = p.what
		}
	}
	return nil
}

// startNode starts (or restarts) ln on its addresses.
func (l *Lab) startNode(ln *labNode, peers []string) error {
	c := l.tmpl
	c.Name, c.ClusterAddr, c.APIAddr = ln.name, ln.gossip, ln.apiAddr
	c.Peers, c.Emit, c.Start, c.LabNet = peers, l.emit, l.start, l.net
	c.emitAll = l.emitAll
	n, err := New(c)
	if err != nil {
		return fmt.Errorf("node %s: %w", ln.name, err)
	}
	ln.n = n
	ln.gossip = n.Addr() // the port the OS picked, kept for restarts
	if ln.apiAddr != "" {
		ln.apiAddr = n.APIURL()[len("http://"):]
	}
	return nil
}

// peersOf returns every other node's gossip address.
func (l *Lab) peersOf(ln *labNode) []string {
	var out []string
	for _, o := range l.nodes {
		if o != ln {
			out = append(out, o.gossip)
		}
	}
	return out
}

// emit forwards events one at a time in time order: T never decreases
// along the stream (events stamped on different goroutines can arrive a
// few microseconds out of order; they are clamped). Node events are
// forwarded only when a node's status changes in the lab's eyes, since
// several observers report each change.
func (l *Lab) emit(e protocol.Event) {
	if l.cfg.Emit == nil {
		return
	}
	l.stMu.Lock()
	defer l.stMu.Unlock()
	l.forward(e)
}

// emitAll is emit for a packet's events, under one lock.
func (l *Lab) emitAll(evs []protocol.Event) {
	if l.cfg.Emit == nil {
		return
	}
	l.stMu.Lock()
	defer l.stMu.Unlock()
	for _, e := range evs {
		l.forward(e)
	}
}

// forward is emit with stMu held.
func (l *Lab) forward(e protocol.Event) {
	if l.cfg.Emit == nil {
		return
	}
	if e.Type == protocol.TypeNode {
		was := l.status[e.Node]
		if was == e.Status {
			return
		}
		if e.Status == protocol.StatusSuspect && (was == protocol.StatusDead || was == protocol.StatusLeft) {
			// An observer slower than the others only now suspects a node
			// another already declared gone: a step back in the lab's
			// view, not news. (Only alive comes after dead: a restart. A
			// crash command forgets the status first, see crash.)
			return
		}
		if l.closing && e.Status != protocol.StatusLeft && l.byName[e.Node] != nil {
			// While the lab closes its nodes stop answering one another:
			// they are leaving, not failing.
			return
		}
		l.status[e.Node] = e.Status
	}
	if e.T < l.lastT {
		e.T = l.lastT
	}
	l.lastT = e.T
	l.cfg.Emit(e)
}

func (l *Lab) t() float64 { return float64(time.Since(l.start).Microseconds()) / 1000 }

// Net returns the lab's network: its faults in force.
func (l *Lab) Net() *LabNet { return l.net }

// Names returns the node names in order.
func (l *Lab) Names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.nodes))
	for i, ln := range l.nodes {
		out[i] = ln.name
	}
	return out
}

// Node returns the running node called name (nil if crashed or unknown).
func (l *Lab) Node(name string) *Node {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ln, ok := l.byName[name]; ok {
		return ln.n
	}
	return nil
}

// Header describes the lab: source "lab" and its parameters.
func (l *Lab) Header() protocol.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var names, gossip, apis []string
	for _, ln := range l.nodes {
		names = append(names, ln.name)
		gossip = append(gossip, ln.gossip)
		if ln.apiAddr != "" {
			apis = append(apis, "http://"+ln.apiAddr)
		}
	}
	c := l.tmpl
	h := protocol.Header(protocol.SourceLab, map[string]any{
		"nodes":                len(l.nodes),
		"names":                names,
		"gossip_addrs":         gossip,
		"api_urls":             apis,
		"peer_timeout_ms":      c.PeerTimeout.Milliseconds(),
		"gossip_interval_ms":   c.GossipInterval.Milliseconds(),
		"probe_interval_ms":    c.ProbeInterval.Milliseconds(),
		"pushpull_interval_ms": c.PushPullInterval.Milliseconds(),
		"retransmit_mult":      c.RetransmitMult,
		"loss":                 l.net.Loss(),
	})
	return h
}

// Snapshot returns the lab's present as events at the current t: every
// node's status, every piece of state each running node holds, and the
// faults in force. A client joining late plays it after the header.
func (l *Lab) Snapshot() []protocol.Event {
	now := l.t()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []protocol.Event
	l.stMu.Lock()
	for _, ln := range l.nodes {
		st, ok := l.status[ln.name]
		if !ok {
			st = protocol.StatusAlive
			if ln.n == nil {
				st = protocol.StatusDead
			}
		}
		out = append(out, protocol.Event{Type: protocol.TypeNode, T: now, Node: ln.name, Status: st})
	}
	l.stMu.Unlock()
	for _, ln := range l.nodes {
		if ln.n == nil {
			continue
		}
		for _, s := range ln.n.sil.List() {
			out = append(out, silence.Event(s, ln.name, now))
		}
		for _, e := range ln.n.nfl.Entries() {
			out = append(out, nflog.Event(e, ln.name, now))
		}
	}
	if g := l.net.Groups(); len(g) > 0 {
		out = append(out, protocol.Event{Type: protocol.TypePartition, T: now, Groups: g})
	}
	if p := l.net.Loss(); p > 0 {
		out = append(out, protocol.Event{Type: protocol.TypeParam, T: now, Params: map[string]any{"loss": p}})
	}
	return out
}

// Command applies one command. A bad command returns an error and changes
// nothing.
func (l *Lab) Command(c protocol.Command) error {
	if err := c.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lab is closed")
	}
	switch c.Cmd {
	case protocol.CmdSilence:
		return l.silence(c)
	case protocol.CmdAlert:
		return l.alert(c)
	case protocol.CmdCrash:
		return l.crash(c)
	case protocol.CmdRestart:
		return l.restart(c)
	case protocol.CmdPartition:
		return l.partition(c)
	case protocol.CmdHeal:
		l.net.Heal()
		l.emit(protocol.Event{Type: protocol.TypeHeal, T: l.t()})
		return nil
	case protocol.CmdLoss:
		if err := l.net.SetLoss(c.Loss); err != nil {
			return err
		}
		l.emit(protocol.Event{Type: protocol.TypeParam, T: l.t(), Params: map[string]any{"loss": c.Loss}})
		return nil
	}
	return fmt.Errorf("unknown cmd %q", c.Cmd)
}

// target is the node a command names; running, when it must be up (else
// it must be crashed). l.mu is held.
func (l *Lab) target(c protocol.Command, running bool) (*labNode, error) {
	ln, ok := l.byName[c.Node]
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: no node %q", c.Cmd, c.Node)
	case running && ln.n == nil:
		return nil, fmt.Errorf("%s: node %s is crashed", c.Cmd, ln.name)
	case !running && ln.n != nil:
		return nil, fmt.Errorf("%s: node %s is running", c.Cmd, ln.name)
	}
	return ln, nil
}

// alertName is a silence's or alert's alertname: the command's text.
func alertName(c protocol.Command) string {
	if c.Text == "" {
		return "GossipscopeTest"
	}
	return c.Text
}

// silence silences alerts named c.Text for an hour on node c.Node.
func (l *Lab) silence(c protocol.Command) error {
	ln, err := l.target(c, true)
	if err != nil {
		return err
	}
	_, err = ln.n.sil.Set(silence.ForAlert(alertName(c), time.Now().UTC()))
	return err
}

// alert fires alert c.Text on node c.Node, or on every running node.
func (l *Lab) alert(c protocol.Command) error {
	name := alertName(c)
	if !utf8.ValidString(name) {
		return fmt.Errorf("alert: name %q is not valid UTF-8", name)
	}
	var to []*labNode
	if c.Node != "" {
		ln, err := l.target(c, true)
		if err != nil {
			return err
		}
		to = []*labNode{ln}
	} else {
		for _, ln := range l.nodes {
			if ln.n != nil {
				to = append(to, ln)
			}
		}
	}
	for _, ln := range to {
		now := time.Now()
		ln.n.disp.Put([]*notify.Alert{{Labels: map[string]string{"alertname": name}, StartsAt: now,
			EndsAt: now.Add(ln.n.cfg.ResolveTimeout)}})
	}
	return nil
}

func (l *Lab) crash(c protocol.Command) error {
	if ln, ok := l.byName[c.Node]; ok && ln.n == nil {
		return fmt.Errorf("crash: node %s is already crashed", ln.name)
	}
	ln, err := l.target(c, true)
	if err != nil {
		return err
	}
	// Whatever the lab said of it before (dead, say, during a partition)
	// is not what follows: the others will suspect it, then find it dead.
	l.stMu.Lock()
	delete(l.status, ln.name)
	l.stMu.Unlock()
	ln.n.Crash()
	ln.n = nil
	l.emitNote(ln.name + " crashed")
	return nil
}

func (l *Lab) restart(c protocol.Command) error {
	ln, err := l.target(c, false)
	if err != nil {
		return err
	}
	if err := l.startNode(ln, l.peersOf(ln)); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	l.emitNote(ln.name + " restarted")
	return nil
}

// partition cuts the network into c.Groups, all of them lab nodes.
func (l *Lab) partition(c protocol.Command) error {
	for _, g := range c.Groups {
		for _, nm := range g {
			if _, ok := l.byName[nm]; !ok {
				return fmt.Errorf("partition: no node %q", nm)
			}
		}
	}
	if err := l.net.Partition(c.Groups); err != nil {
		return err
	}
	l.emit(protocol.Event{Type: protocol.TypePartition, T: l.t(), Groups: l.net.Groups()})
	return nil
}

func (l *Lab) emitNote(text string) {
	l.emit(protocol.Event{Type: protocol.TypeNote, T: l.t(), Text: text})
}

// Close stops every node, leaving the cluster gracefully, and returns once
// all are down (within about a second with Alertmanager's timings).
//
// The nodes leave together. Each first tells the lab's LabNet, so that
// from then on every node reports the others left, never suspect or dead,
// and the lab forwards no other status for them. Each then waits a few
// gossip rounds (leaveRounds x GossipInterval) for its leave to go out,
// not until memberlist has gossiped it to its full retransmit limit: with
// every peer leaving at once, memberlist runs out of peers to gossip to
// before the limit, and only members outside the lab (a real Alertmanager
// joined to it) still need to hear, which they do in the first rounds. A
// node whose leave no peer reported in time is reported left by the lab.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	nodes := append([]*labNode(nil), l.nodes...)
	l.mu.Unlock()
	// From here the lab forwards only left for its nodes, before anyone
	// is told to leave (their silence could otherwise read as failure).
	l.stMu.Lock()
	l.closing = true
	l.closeT = l.t()
	l.stMu.Unlock()

	var running []string
	for _, ln := range nodes {
		if ln.n != nil {
			running = append(running, ln.name)
		}
	}
	l.net.leaving(running...)

	wait := min(leaveRounds*l.tmpl.GossipInterval, 2*time.Second)
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, ln := range nodes {
		if ln.n == nil {
			continue
		}
		wg.Add(1)
		go func(i int, n *Node) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), wait+2*time.Second)
			defer cancel()
			err := n.shutdown(ctx, wait)
			if errors.Is(err, cluster.ErrLeaveTimeout) {
				err = nil // expected: see above
			}
			errs[i] = err
		}(i, ln.n)
	}
	wg.Wait()

	l.stMu.Lock()
	for _, name := range running {
		if l.status[name] != protocol.StatusLeft {
			l.forward(protocol.Event{Type: protocol.TypeNode, T: l.t(), Node: name, Status: protocol.StatusLeft})
		}
	}
	l.stMu.Unlock()
	return errors.Join(errs...)
}

// leaveRounds is how many gossip rounds a closing lab's nodes wait for
// their leave to go out.
const leaveRounds = 4
