package node

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"
)

// Node is one gossip peer: memberlist, Alertmanager's silences and
// notification log, alert dispatch with HA dedup, and an HTTP API.
type Node struct {
	cfg     Config
	ml      *memberlist.Memberlist
	tr      *transport
	queue   *broadcastQueue
	book    *addrBook
	sil     *silences
	nfl     *nflog
	disp    *dispatcher
	view    *memberView
	held    *heldVersions // what sil and nfl hold, for other nodes' transports
	addr    string        // gossip address, "ip:port"
	started time.Time

	peersMu sync.Mutex
	peers   []string // rejoined when not members, as Alertmanager's reconnect

	oversize chan []byte
	srv      *http.Server
	apiURL   string
	handler  http.Handler

	lifeMu sync.Mutex // serialises Crash and Shutdown: memberlist panics on Leave after Shutdown
	down   bool
	stop   chan struct{}
	wg     sync.WaitGroup
}

// New starts a node: it listens for gossip, joins Peers (retrying in the
// background, as Alertmanager does, if none answers) and serves the API.
func New(cfg Config) (*Node, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(cfg.ClusterAddr)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", cfg.ClusterAddr, err)
	}
	n := &Node{
		cfg:      cfg,
		book:     newAddrBook(),
		started:  time.Now(),
		oversize: make(chan []byte, 200),
		peers:    append([]string(nil), cfg.Peers...),
		stop:     make(chan struct{}),
	}
	n.view = newMemberView(cfg.Name, n.emit, n.t)
	n.view.hasLeft = cfg.Filter.hasLeft
	n.sil = newSilences(cfg.Retention, n.broadcaster(wire.KeySilences), n.learnedSilence)
	n.nfl = newNflog(cfg.Retention, n.broadcaster(wire.KeyNflog), n.learnedEntry)
	n.held = newHeldVersions()
	n.sil.held, n.nfl.held = n.held, n.held
	n.disp = newDispatcher(n)

	sock, err := listen(host, port, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("gossip listen on %s: %w", cfg.ClusterAddr, err)
	}
	port = sock.port
	n.addr = net.JoinHostPort(host, strconv.Itoa(port))
	cfg.Filter.register(n.addr, cfg.Name)
	n.tr = newTransport(sock, n.addr, cfg.Name, cfg.Filter, n.book, n.emitAllFunc(), n.t, n.view)

	// memberlist settings as Alertmanager's cluster.Create.
	mc := memberlist.DefaultLANConfig()
	mc.Name = cfg.Name
	mc.BindAddr, mc.BindPort = host, port
	mc.AdvertisePort = port
	if host == "0.0.0.0" || host == "::" {
		mc.AdvertiseAddr = "" // the transport picks a private IP
	} else {
		mc.AdvertiseAddr = host
	}
	d := &delegate{n}
	mc.Delegate, mc.Events = d, d
	mc.Transport = n.tr
	mc.GossipInterval = cfg.GossipInterval
	mc.PushPullInterval = cfg.PushPullInterval
	mc.TCPTimeout = cfg.TCPTimeout
	mc.ProbeTimeout = cfg.ProbeTimeout
	mc.ProbeInterval = cfg.ProbeInterval
	mc.SuspicionMult = cfg.SuspicionMult
	mc.GossipNodes = cfg.RetransmitMult
	mc.RetransmitMult = cfg.RetransmitMult
	mc.UDPBufferSize = wire.MaxGossipPacket
	mc.Label = cfg.Label
	// The transport compresses, as memberlist would (see transport).
	mc.EnableCompression = false
	mc.Logger = log.New(slogWriter{cfg.Logger}, "", 0)
	n.queue = &broadcastQueue{numNodes: n.numMembers, mult: cfg.RetransmitMult}

	ml, err := memberlist.Create(mc)
	if err != nil {
		_ = n.tr.Shutdown()
		cfg.Filter.unregister(n.addr)
		return nil, fmt.Errorf("start memberlist: %w", err)
	}
	n.ml = ml
	cfg.Filter.attach(n)

	n.handler = newAPI(n)
	if cfg.APIAddr != "" {
		ln, err := net.Listen("tcp", cfg.APIAddr)
		if err != nil {
			_ = ml.Shutdown()
			cfg.Filter.unregister(n.addr)
			cfg.Filter.detach(n)
			return nil, fmt.Errorf("API listen on %s: %w", cfg.APIAddr, err)
		}
		n.apiURL = "http://" + ln.Addr().String()
		n.srv = &http.Server{Handler: n.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cfg.Logger.Error("API server", "err", err)
			}
		}()
	}

	n.wg.Add(2)
	go n.sendOversized()
	go n.rejoin()
	if len(cfg.Peers) > 0 {
		if _, err := ml.Join(cfg.Peers); err != nil {
			cfg.Logger.Warn("failed to join cluster; will retry", "peers", cfg.Peers, "err", err)
		}
	}
	return n, nil
}

// Name returns the node's memberlist name.
func (n *Node) Name() string { return n.cfg.Name }

// Addr returns the gossip address ("ip:port") others join.
func (n *Node) Addr() string { return n.addr }

// APIURL returns the HTTP API's base URL ("" without an HTTP server).
func (n *Node) APIURL() string { return n.apiURL }

// Handler returns the Alertmanager v2 API subset.
func (n *Node) Handler() http.Handler { return n.handler }

// Members returns the names of the members this node sees alive or suspect
// (memberlist's view, which includes the node itself), sorted. Only Name is
// read from memberlist's Node structs: the rest changes under its lock.
func (n *Node) Members() []string {
	var out []string
	for _, m := range n.ml.Members() {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// MemberStatus returns the status this node sees for name.
func (n *Node) MemberStatus(name string) (protocol.Status, bool) { return n.view.status(name) }

// Position is Alertmanager's Peer.Position: this node's index among the
// members sorted by name. It decides how long the node waits to notify.
func (n *Node) Position() int {
	names := n.Members()
	for i, nm := range names {
		if nm == n.cfg.Name {
			return i
		}
	}
	return 0
}

// Silences returns the silences this node holds.
func (n *Node) Silences() []*silencepb.Silence { return n.sil.List() }

// NotificationLog returns the notification log entries this node holds.
func (n *Node) NotificationLog() []*nflogpb.Entry { return n.nfl.Entries() }

// holds reports whether the node has state key ("sil/<id>" or
// "nfl/<entry key>") at version (unix ms) or newer, without locking its
// stores.
func (n *Node) holds(key string, version int64) bool { return n.held.holds(key, version) }

// Crash stops the node abruptly: no leave message, sockets closed, so the
// others must detect the failure (suspect, then dead). Stopping a stopped
// node does nothing.
func (n *Node) Crash() {
	n.lifeMu.Lock()
	defer n.lifeMu.Unlock()
	if n.down {
		return
	}
	n.halt()
	if n.srv != nil {
		_ = n.srv.Close()
	}
	_ = n.ml.Shutdown()
	n.wg.Wait()
}

// Shutdown leaves the cluster gracefully and stops the node: it waits,
// until ctx's deadline (5 s without one), for the leave to be fully
// gossiped. Stopping a stopped node does nothing.
func (n *Node) Shutdown(ctx context.Context) error {
	timeout := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	return n.shutdown(ctx, timeout)
}

// errLeaveTimeout is memberlist's Leave error when its dead message was not
// gossiped to the full retransmit limit in time.
var errLeaveTimeout = errors.New("timeout waiting for leave broadcast")

// shutdown leaves, waiting at most leaveWait for the leave to be gossiped,
// and stops.
func (n *Node) shutdown(ctx context.Context, leaveWait time.Duration) error {
	n.lifeMu.Lock()
	defer n.lifeMu.Unlock()
	if n.down {
		return nil
	}
	n.cfg.Filter.leaving(n.cfg.Name)
	lerr := n.ml.Leave(leaveWait)
	if lerr != nil && lerr.Error() == errLeaveTimeout.Error() {
		lerr = errLeaveTimeout
	}
	n.halt()
	var serr error
	if n.srv != nil {
		serr = n.srv.Shutdown(ctx)
	}
	if err := n.ml.Shutdown(); err != nil && lerr == nil {
		lerr = err
	}
	n.wg.Wait()
	return errors.Join(lerr, serr)
}

// halt stops the node's own goroutines; lifeMu is held.
func (n *Node) halt() {
	n.down = true
	close(n.stop)
	n.disp.stop()
	n.cfg.Filter.unregister(n.addr)
	n.cfg.Filter.detach(n)
}

func (n *Node) numMembers() int {
	if n.ml == nil {
		return 1
	}
	return n.ml.NumMembers()
}

// t returns milliseconds since the stream's start.
func (n *Node) t() float64 {
	return float64(time.Since(n.cfg.Start).Microseconds()) / 1000
}

// emitAllFunc returns how the transport emits a packet's events: in one
// call when a lab takes batches, else one by one; nil without Emit.
func (n *Node) emitAllFunc() func([]protocol.Event) {
	if n.cfg.emitAll != nil {
		return n.cfg.emitAll
	}
	emit := n.cfg.Emit
	if emit == nil {
		return nil
	}
	return func(evs []protocol.Event) {
		for _, e := range evs {
			emit(e)
		}
	}
}

func (n *Node) emit(e protocol.Event) {
	if n.cfg.Emit != nil {
		n.cfg.Emit(e)
	}
}

// learnedSilence reports that this node now holds a silence version.
// Key "sil/<id>", Version = UpdatedAt in unix ms, Value = the comment.
func (n *Node) learnedSilence(s *silencepb.Silence, _ string) {
	n.emit(protocol.Event{Type: protocol.TypeState, T: n.t(), Node: n.cfg.Name,
		Key: silenceKey(s), Version: s.UpdatedAt.UnixMilli(), Value: s.Comment})
}

// learnedEntry reports a notification log entry: Key "nfl/<group key>:<receiver>",
// Version = Timestamp in unix ms.
func (n *Node) learnedEntry(e *nflogpb.Entry, _ string) {
	n.emit(protocol.Event{Type: protocol.TypeState, T: n.t(), Node: n.cfg.Name,
		Key: entryKey(e), Version: e.Timestamp.UnixMilli()})
}

// broadcaster returns Alertmanager's Channel.Broadcast for one state key:
// wrap in a Part; small ones go to memberlist's gossip queue, oversized ones
// to every member over TCP.
func (n *Node) broadcaster(key string) func([]byte) {
	return func(data []byte) {
		p := partBytes(key, data)
		if p == nil {
			return
		}
		if oversized(p) {
			select {
			case n.oversize <- p:
			default:
				n.cfg.Logger.Debug("oversized gossip channel full", "key", key)
			}
			return
		}
		n.queue.QueueBroadcast(p)
	}
}

func (n *Node) sendOversized() {
	defer n.wg.Done()
	for {
		select {
		case b := <-n.oversize:
			var wg sync.WaitGroup
			for _, name := range n.Members() {
				m := n.memberNode(name)
				if name == n.cfg.Name || m == nil {
					continue
				}
				wg.Add(1)
				go func(m *memberlist.Node) {
					defer wg.Done()
					if err := n.ml.SendReliable(m, b); err != nil {
						n.cfg.Logger.Debug("send oversized", "to", m.Name, "err", err)
					}
				}(m)
			}
			wg.Wait()
		case <-n.stop:
			return
		}
	}
}

// rejoin retries the configured peers that are not members, like
// Alertmanager's reconnect loop (every 10 s; faster when probing is fast).
func (n *Node) rejoin() {
	defer n.wg.Done()
	every := min(10*time.Second, 10*n.cfg.ProbeInterval)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-n.stop:
			return
		}
		have := map[string]bool{}
		for _, name := range n.Members() {
			if a, ok := n.book.addr(name); ok {
				have[a] = true
			}
		}
		var missing []string
		n.peersMu.Lock()
		peers := n.peers
		n.peersMu.Unlock()
		for _, p := range peers {
			if !have[p] && p != n.addr {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			if _, err := n.ml.Join(missing); err != nil {
				n.cfg.Logger.Debug("rejoin", "peers", missing, "err", err)
			}
		}
	}
}

// memberNode returns a private memberlist.Node for name, to send to
// without reading memberlist's own (see addrBook).
func (n *Node) memberNode(name string) *memberlist.Node {
	a, ok := n.book.addr(name)
	if !ok {
		return nil
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return nil
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil
	}
	return &memberlist.Node{Name: name, Addr: net.ParseIP(host), Port: uint16(p)}
}

// setPeers replaces the addresses the node keeps rejoining.
func (n *Node) setPeers(peers []string) {
	n.peersMu.Lock()
	n.peers = append([]string(nil), peers...)
	n.peersMu.Unlock()
}

// slogWriter turns memberlist's log lines into debug records.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(b []byte) (int, error) {
	w.l.Debug(string(trimNL(b)), "src", "memberlist")
	return len(b), nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
