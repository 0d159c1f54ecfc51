package cluster

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
	"github.com/prometheus/alertmanager/cluster/clusterpb"
)

// State is state a peer gossips, as Alertmanager's cluster.State: its full
// form for a push-pull, and merging what a peer sent (a user message's
// Part, or a push-pull's part, of this state's key).
type State interface {
	MarshalBinary() ([]byte, error)
	Merge(b []byte) error
}

// Peer is one memberlist member with Alertmanager's cluster behaviour:
// states plugged in by key, gossiped as clusterpb parts, oversized ones
// sent to every member over TCP, push-pulls carrying a clusterpb.FullState,
// the configured peers rejoined while they are not members, and
// Alertmanager's settings for memberlist. It runs over whatever memberlist
// Transport it is given; it opens no socket itself.
type Peer struct {
	cfg   Config
	ml    *memberlist.Memberlist
	queue *broadcastQueue
	mem   *Membership

	statesMu sync.RWMutex
	states   map[string]State
	keys     []string // in the order added, the order of a push-pull's parts

	peersMu sync.Mutex
	peers   []string // rejoined when not members, as Alertmanager's reconnect

	counters Counters

	oversize chan []byte
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// ErrLeaveTimeout is memberlist's Leave error when its dead message was not
// gossiped to the full retransmit limit in time.
var ErrLeaveTimeout = errors.New("timeout waiting for leave broadcast")

// New starts a peer on tr. It is alone until Join; add its states before.
func New(cfg Config, tr memberlist.Transport) (*Peer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Peer{
		cfg: cfg, mem: cfg.Membership,
		states:   map[string]State{},
		oversize: make(chan []byte, 200),
		stop:     make(chan struct{}),
	}
	p.queue = &broadcastQueue{numNodes: p.NumMembers, mult: cfg.RetransmitMult}

	// memberlist settings as Alertmanager's cluster.Create.
	mc := memberlist.DefaultLANConfig()
	mc.Name = cfg.Name
	mc.BindAddr, mc.BindPort = cfg.BindAddr, cfg.BindPort
	mc.AdvertiseAddr, mc.AdvertisePort = cfg.AdvertiseAddr, cfg.AdvertisePort
	d := &delegate{p}
	mc.Delegate, mc.Events = d, d
	mc.Transport = tr
	mc.GossipInterval = cfg.GossipInterval
	mc.PushPullInterval = cfg.PushPullInterval
	mc.TCPTimeout = cfg.TCPTimeout
	mc.ProbeTimeout = cfg.ProbeTimeout
	mc.ProbeInterval = cfg.ProbeInterval
	mc.SuspicionMult = cfg.SuspicionMult
	mc.GossipNodes = cfg.RetransmitMult
	mc.RetransmitMult = cfg.RetransmitMult
	if cfg.AwarenessMaxMultiplier > 0 {
		mc.AwarenessMaxMultiplier = cfg.AwarenessMaxMultiplier
	}
	mc.UDPBufferSize = wire.MaxGossipPacket
	mc.Label = cfg.Label
	// A transport that compresses does it as memberlist would (wire's
	// AppendPacket); one that does not sends plain packets, which every
	// memberlist reads.
	mc.EnableCompression = false
	mc.Logger = log.New(slogWriter{cfg.Logger}, "", 0)

	ml, err := memberlist.Create(mc)
	if err != nil {
		return nil, fmt.Errorf("start memberlist: %w", err)
	}
	p.ml = ml
	p.wg.Add(2)
	go p.sendOversized()
	go p.rejoin()
	return p, nil
}

// Channel gossips one state's changes (Alertmanager's cluster.Channel).
type Channel struct {
	p   *Peer
	key string
}

// AddState plugs s in under key: parts of that key that peers gossip are
// merged into it, and push-pulls carry its MarshalBinary. The returned
// channel's Broadcast gossips what s changed (give it to s's SetBroadcast).
// Unknown keys are ignored, as Alertmanager does.
func (p *Peer) AddState(key string, s State) *Channel {
	p.statesMu.Lock()
	if _, ok := p.states[key]; !ok {
		p.keys = append(p.keys, key)
	}
	p.states[key] = s
	p.statesMu.Unlock()
	return &Channel{p: p, key: key}
}

// Broadcast is Alertmanager's Channel.Broadcast: wrap data in a Part of the
// channel's key; small ones go to memberlist's gossip queue, oversized ones
// to every member over TCP.
func (c *Channel) Broadcast(data []byte) {
	b, err := (&clusterpb.Part{Key: c.key, Data: data}).Marshal()
	if err != nil {
		return
	}
	if wire.Oversized(b) {
		select {
		case c.p.oversize <- b:
		default:
			c.p.cfg.Logger.Debug("oversized gossip channel full", "key", c.key)
		}
		return
	}
	c.p.queue.QueueBroadcast(b)
}

// Join joins the cluster through peers ("host:port") and keeps rejoining
// those that are not members, as Alertmanager does. An error says none
// answered now; the peer keeps trying in the background.
func (p *Peer) Join(peers []string) error {
	p.SetPeers(peers)
	if len(peers) == 0 {
		return nil
	}
	_, err := p.ml.Join(peers)
	return err
}

// SetPeers replaces the addresses the peer keeps rejoining.
func (p *Peer) SetPeers(peers []string) {
	p.peersMu.Lock()
	p.peers = append([]string(nil), peers...)
	p.peersMu.Unlock()
}

// Name returns the peer's memberlist name.
func (p *Peer) Name() string { return p.cfg.Name }

// Membership returns the peer's view of the cluster.
func (p *Peer) Membership() *Membership { return p.mem }

// Members returns the names of the members this peer sees alive or suspect
// (memberlist's view, which includes itself), sorted. Only Name is read
// from memberlist's Node structs: the rest changes under its lock.
func (p *Peer) Members() []string {
	var out []string
	for _, m := range p.ml.Members() {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// NumMembers is how many members the peer sees alive or suspect.
func (p *Peer) NumMembers() int {
	if p.ml == nil {
		return 1
	}
	return p.ml.NumMembers()
}

// Position is Alertmanager's Peer.Position: this peer's index among the
// members sorted by name. It decides how long an HA peer waits to notify.
func (p *Peer) Position() int {
	for i, nm := range p.Members() {
		if nm == p.cfg.Name {
			return i
		}
	}
	return 0
}

// Leave gossips that the peer leaves and waits up to timeout for it to
// go out (ErrLeaveTimeout if it did not reach the retransmit limit).
func (p *Peer) Leave(timeout time.Duration) error {
	err := p.ml.Leave(timeout)
	if err != nil && err.Error() == ErrLeaveTimeout.Error() {
		return ErrLeaveTimeout
	}
	return err
}

// Shutdown stops the peer without a word to the others (after Leave, a
// graceful exit; without, a crash they must detect) and its transport.
func (p *Peer) Shutdown() error {
	p.stopOnce.Do(func() { close(p.stop) })
	err := p.ml.Shutdown()
	p.wg.Wait()
	return err
}

func (p *Peer) state(key string) State {
	p.statesMu.RLock()
	defer p.statesMu.RUnlock()
	return p.states[key]
}

// fullState is the push-pull's user state: every state's MarshalBinary, in
// the order the states were added.
func (p *Peer) fullState() ([]byte, error) {
	p.statesMu.RLock()
	keys := p.keys
	p.statesMu.RUnlock()
	fs := clusterpb.FullState{}
	for _, k := range keys {
		b, err := p.state(k).MarshalBinary()
		if err != nil {
			return nil, err
		}
		fs.Parts = append(fs.Parts, clusterpb.Part{Key: k, Data: b})
	}
	return fs.Marshal()
}

func (p *Peer) sendOversized() {
	defer p.wg.Done()
	for {
		select {
		case b := <-p.oversize:
			var wg sync.WaitGroup
			for _, name := range p.Members() {
				m := p.memberNode(name)
				if name == p.cfg.Name || m == nil {
					continue
				}
				wg.Add(1)
				go func(m *memberlist.Node) {
					defer wg.Done()
					if err := p.ml.SendReliable(m, b); err != nil {
						p.cfg.Logger.Debug("send oversized", "to", m.Name, "err", err)
					}
				}(m)
			}
			wg.Wait()
		case <-p.stop:
			return
		}
	}
}

// missingPeers returns the configured peers that are not members.
func (p *Peer) missingPeers() []string {
	have := map[string]bool{}
	for _, name := range p.Members() {
		if a, ok := p.mem.AddrOf(name); ok {
			have[a] = true
		}
	}
	self, _ := p.mem.AddrOf(p.cfg.Name)
	var missing []string
	p.peersMu.Lock()
	peers := p.peers
	p.peersMu.Unlock()
	for _, a := range peers {
		if !have[a] && a != self {
			missing = append(missing, a)
		}
	}
	return missing
}

// rejoin retries the configured peers that are not members, like
// Alertmanager's reconnect loop (every 10 s; faster when probing is fast).
func (p *Peer) rejoin() {
	defer p.wg.Done()
	every := min(10*time.Second, 10*p.cfg.ProbeInterval)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-p.stop:
			return
		}
		missing := p.missingPeers()
		if len(missing) > 0 {
			p.counters.Reconnections.Add(uint64(len(missing)))
			joined, err := p.ml.Join(missing)
			if err != nil {
				p.counters.ReconnectionsFailed.Add(uint64(len(missing) - min(joined, len(missing))))
				p.cfg.Logger.Debug("rejoin", "peers", missing, "err", err)
			}
		}
	}
}

// memberNode returns a private memberlist.Node for name, to send to
// without reading memberlist's own (see addrBook).
func (p *Peer) memberNode(name string) *memberlist.Node {
	a, ok := p.mem.AddrOf(name)
	if !ok {
		return nil
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return nil
	}
	return &memberlist.Node{Name: name, Addr: net.ParseIP(host), Port: uint16(n)}
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
