package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/internal/webguard"
	"github.com/gossipscope/gossipscope/nflog"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
	"github.com/gossipscope/gossipscope/wire"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"
)

// Node is one Alertmanager-like process: a cluster.Peer on the node's own
// UDP and TCP sockets (transport.go) carrying its silences and
// notification log, the HA notification pipeline, and an HTTP API.
type Node struct {
	cfg      Config
	peer     *cluster.Peer
	tr       *transport
	sil      *silence.Silences
	nfl      *nflog.Log
	disp     *notify.Dispatcher
	held     *heldVersions // what sil and nfl hold, for other nodes' transports
	counters nodeCounters  // for /metrics, beside the peer's
	addr     string        // gossip address, "ip:port"
	started  time.Time

	srv     *http.Server
	apiURL  string
	handler http.Handler

	lifeMu sync.Mutex // serialises Crash and Shutdown: memberlist panics on Leave after Shutdown
	down   bool
	wg     sync.WaitGroup
}

// New starts a node: it listens for gossip, joins Peers (retrying in the
// background, as Alertmanager does, if none answers) and serves the API.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, port, err := splitHostPort(cfg.ClusterAddr)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", cfg.ClusterAddr, err)
	}
	n := &Node{cfg: cfg, started: time.Now(), held: newHeldVersions()}
	members := cluster.NewMembership(cfg.Name, cfg.Start, n.emit, cfg.LabNet.hasLeft)
	n.sil = silence.New(silence.Options{Retention: cfg.Retention, Versions: n.held,
		Learned: func(s *silencepb.Silence, o silence.Origin) {
			if o == silence.Gossip {
				n.counters.silPropagated.Add(1)
			}
			n.emit(silence.Event(s, cfg.Name, n.t()))
		}})
	n.nfl = nflog.New(nflog.Options{Retention: cfg.Retention, Versions: n.held,
		Learned: func(e *nflogpb.Entry, o nflog.Origin) {
			if o == nflog.Gossip {
				n.counters.nflPropagated.Add(1)
			}
			n.emit(nflog.Event(e, cfg.Name, n.t()))
		}})

	sock, err := listen(host, port, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("gossip listen on %s: %w", cfg.ClusterAddr, err)
	}
	port = sock.port
	n.addr = net.JoinHostPort(host, strconv.Itoa(port))
	cfg.LabNet.register(n.addr, cfg.Name)
	n.tr = newTransport(sock, n.addr, cfg.Name, cfg.LabNet, members, n.emitAllFunc(), n.t)

	pc := cluster.Config{
		Name: cfg.Name, BindAddr: host, BindPort: port, AdvertisePort: port, Label: cfg.Label,
		GossipInterval: cfg.GossipInterval, PushPullInterval: cfg.PushPullInterval,
		ProbeInterval: cfg.ProbeInterval, ProbeTimeout: cfg.ProbeTimeout, TCPTimeout: cfg.TCPTimeout,
		SuspicionMult: cfg.SuspicionMult, RetransmitMult: cfg.RetransmitMult,
		Membership: members, Start: cfg.Start, Logger: cfg.Logger,
	}
	if host != "0.0.0.0" && host != "::" {
		pc.AdvertiseAddr = host // else the transport picks a private IP
	}
	peer, err := cluster.New(pc, n.tr)
	if err != nil {
		_ = n.tr.Shutdown()
		cfg.LabNet.unregister(n.addr)
		return nil, err
	}
	n.peer = peer
	n.sil.SetBroadcast(peer.AddState(wire.KeySilences, n.sil).Broadcast)
	n.nfl.SetBroadcast(peer.AddState(wire.KeyNflog, n.nfl).Broadcast)
	cfg.LabNet.attach(n)

	var ln net.Listener
	if cfg.APIAddr != "" {
		ln, err = net.Listen("tcp", cfg.APIAddr)
		if err != nil {
			_ = peer.Shutdown()
			cfg.LabNet.unregister(n.addr)
			cfg.LabNet.detach(n)
			return nil, fmt.Errorf("API listen on %s: %w", cfg.APIAddr, err)
		}
		n.apiURL = "http://" + ln.Addr().String()
	}
	nc := notify.Config{
		Name: cfg.Name, Receiver: cfg.Receiver, GroupBy: cfg.GroupBy,
		GroupWait: cfg.GroupWait, GroupInterval: cfg.GroupInterval, RepeatInterval: cfg.RepeatInterval,
		ResolveTimeout: cfg.ResolveTimeout, PeerTimeout: cfg.PeerTimeout,
		Position: peer.Position, Silences: n.sil, Log: n.nfl, ExternalURL: n.apiURL,
		Emit: n.emit, Start: cfg.Start, Logger: cfg.Logger,
	}
	if cfg.Webhook != "" {
		nc.Sender = countingSender{&notify.Webhook{URL: cfg.Webhook}, &n.counters}
	}
	n.disp = notify.New(nc)
	n.handler = newAPI(n)
	if ln != nil {
		n.srv = webguard.NewServer(n.handler, nil)
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.srv.Serve(webguard.LimitListener(ln, 0, 0)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cfg.Logger.Error("API server", "err", err)
			}
		}()
	}
	if err := peer.Join(cfg.Peers); err != nil {
		cfg.Logger.Warn("failed to join cluster; will retry", "peers", cfg.Peers, "err", err)
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
// (memberlist's view, which includes the node itself), sorted.
func (n *Node) Members() []string { return n.peer.Members() }

// MemberStatus returns the status this node sees for name.
func (n *Node) MemberStatus(name string) (protocol.Status, bool) {
	return n.peer.Membership().Status(name)
}

// Position is Alertmanager's Peer.Position: this node's index among the
// members sorted by name. It decides how long the node waits to notify.
func (n *Node) Position() int { return n.peer.Position() }

// Silences returns the silences this node holds.
func (n *Node) Silences() []*silencepb.Silence { return n.sil.List() }

// NotificationLog returns the notification log entries this node holds.
func (n *Node) NotificationLog() []*nflogpb.Entry { return n.nfl.Entries() }

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
	_ = n.peer.Shutdown()
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

// shutdown leaves, waiting at most leaveWait for the leave to be gossiped,
// and stops.
func (n *Node) shutdown(ctx context.Context, leaveWait time.Duration) error {
	n.lifeMu.Lock()
	defer n.lifeMu.Unlock()
	if n.down {
		return nil
	}
	n.cfg.LabNet.leaving(n.cfg.Name)
	lerr := n.peer.Leave(leaveWait)
	n.halt()
	var serr error
	if n.srv != nil {
		serr = n.srv.Shutdown(ctx)
	}
	if err := n.peer.Shutdown(); err != nil && lerr == nil {
		lerr = err
	}
	n.wg.Wait()
	return errors.Join(lerr, serr)
}

// halt stops the node's own goroutines; lifeMu is held.
func (n *Node) halt() {
	n.down = true
	n.disp.Stop()
	n.cfg.LabNet.unregister(n.addr)
	n.cfg.LabNet.detach(n)
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
