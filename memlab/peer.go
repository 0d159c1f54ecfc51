package memlab

import (
	"fmt"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/memnet"
	"github.com/gossipscope/gossipscope/nflog"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/silence"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
	silencepb "github.com/prometheus/alertmanager/silence/silencepb"
)

// peer is one running node: an Alertmanager-compatible cluster peer (the
// lab's peer code) with its silences and notification log, on its memnet
// transport.
type peer struct {
	name string
	p    *cluster.Peer
	sil  *silence.Silences
	nfl  *nflog.Log
	disp *notify.Dispatcher // its notification pipeline (notify.go)
}

// peerConfig is Alertmanager's cluster settings (cluster.DefaultConfig:
// memberlist's LAN timings, push-pull every 60 s) with every interval
// divided by Speedup.
func (l *Lab) peerConfig() cluster.Config {
	c := cluster.DefaultConfig()
	s := time.Duration(l.cfg.Speedup)
	c.GossipInterval /= s
	c.PushPullInterval /= s
	c.ProbeInterval /= s
	c.ProbeTimeout /= s
	c.TCPTimeout /= s
	if l.cfg.PushPullInterval > 0 {
		c.PushPullInterval = l.cfg.PushPullInterval
	}
	if l.cfg.NoAwareness {
		c.AwarenessMaxMultiplier = 1
	}
	return c
}

// maxTimeoutMult is memberlist's SuspicionMaxTimeoutMult, which the peers
// leave as it is.
func maxTimeoutMult() int { return memberlist.DefaultLANConfig().SuspicionMaxTimeoutMult }

// formula is memberlist's suspicion timeout for this lab (memnet's
// SuspicionTimeouts on the settings the peers give memberlist).
func (l *Lab) formula() (lo, hi time.Duration, k int) {
	c := l.peerConfig()
	mc := memberlist.DefaultLANConfig()
	mc.ProbeInterval, mc.SuspicionMult = c.ProbeInterval, c.SuspicionMult
	return memnet.SuspicionTimeouts(mc, len(l.names))
}

// startPeer starts node name on the network with empty stores (a process
// that starts afresh: what it held comes back by push-pull when it joins).
func (l *Lab) startPeer(name string) (*peer, error) {
	tr, err := l.net.NewTransport(name)
	if err != nil {
		return nil, err
	}
	cfg := l.peerConfig()
	cfg.Name, cfg.Start = name, l.start
	// The transport reports every message; the peer's own view (node
	// events from its point of view) is not streamed: the lab reports
	// the majority's (views.go).
	cfg.Membership = cluster.NewMembership(name, l.start, nil, nil)
	p, err := cluster.New(cfg, tr)
	if err != nil {
		_ = tr.Shutdown()
		return nil, fmt.Errorf("memlab: start %s: %w", name, err)
	}
	held := l.held.of(name)
	pr := &peer{name: name, p: p}
	pr.sil = silence.New(silence.Options{Versions: held,
		Learned: func(s *silencepb.Silence, _ silence.Origin) { l.emitOne(silence.Event(s, name, l.now())) }})
	pr.sil.SetBroadcast(p.AddState(wire.KeySilences, pr.sil).Broadcast)
	pr.nfl = nflog.New(nflog.Options{Versions: held,
		Learned: func(e *nflogpb.Entry, _ nflog.Origin) { l.emitOne(nflog.Event(e, name, l.now())) }})
	pr.nfl.SetBroadcast(p.AddState(wire.KeyNflog, pr.nfl).Broadcast)
	pr.disp = notify.New(l.notifyConfig(pr))
	return pr, nil
}

// held indexes the versions each node holds, for memnet to mark gossip a
// node already had as redundant.
type held struct {
	mu sync.Mutex
	by map[string]map[string]int64
}

func (h *held) of(node string) nodeHeld {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[string]map[string]int64{}
	}
	h.by[node] = map[string]int64{} // a fresh start holds nothing
	return nodeHeld{h, node}
}

func (h *held) holds(node, key string, version int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.by[node][key]
	return ok && v == version
}

// nodeHeld is one node's index: the stores' Versions.
type nodeHeld struct {
	h    *held
	node string
}

func (n nodeHeld) Set(key string, version int64) {
	n.h.mu.Lock()
	n.h.by[n.node][key] = version
	n.h.mu.Unlock()
}

func (n nodeHeld) Drop(key string) {
	n.h.mu.Lock()
	delete(n.h.by[n.node], key)
	n.h.mu.Unlock()
}
