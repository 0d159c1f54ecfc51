package observer

import (
	"crypto/rand"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/hashicorp/memberlist"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// Memberlist settings of the observer as a member. It sends no state and
// no broadcasts of its own; it does gossip (memberlist relays membership
// news, and its leave message must go out) and never starts a push-pull
// or, in practice, a probe.
const (
	joinGossipInterval = 200 * time.Millisecond // Alertmanager's
	// joinProbeInterval is very long rather than 0: memberlist derives the
	// suspicion timeout from it, and 0 would have the observer declare
	// members dead within milliseconds.
	joinProbeInterval = 24 * time.Hour
)

// member is the observer as a memberlist member of the cluster.
type member struct {
	o    *Observer
	name string
	addr string
	ml   atomic.Pointer[memberlist.Memberlist]

	mu      sync.Mutex
	byAddr  map[string]string // "ip:port" -> member name
	viaUDP  map[uint64]int    // user payloads seen in UDP packets, by hash
	left    map[string]bool   // members whose own dead message ("I leave") came by
	unnamed map[string]bool   // addresses not in the member list packets came from
}

// newObserverName returns "~observer-" and 6 random characters: '~' sorts
// after digits and letters, so after every ULID.
func newObserverName() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "~observer-" + string(b)
}

// join makes the observer a member of the cluster at cfg.Join.
func (o *Observer) join() (*member, error) {
	name := o.cfg.Name
	if name == "" {
		name = newObserverName()
	}
	// Check the real names first: a member sorting before a real peer
	// would shift that peer's HA position, and so its notifications.
	o.mu.Lock()
	for real := range o.names.alias {
		if real >= name {
			o.mu.Unlock()
			return nil, fmt.Errorf("join: peer %q does not sort before the observer's name %q; joining would shift HA positions", real, name)
		}
	}
	o.names.setSelf(name)
	o.mu.Unlock()

	bind := o.cfg.Bind
	if bind == "" {
		bind = "127.0.0.1:0"
	}
	host, portStr, _ := net.SplitHostPort(bind)
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("bind address %q: bad port", bind)
	}
	mlLog := log.New(levelWriter{o.log}, "", 0)
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{host}, BindPort: port, Logger: mlLog})
	if err != nil {
		return nil, fmt.Errorf("join: %v", err)
	}
	m := &member{o: o, name: name, byAddr: map[string]string{}, viaUDP: map[uint64]int{}, left: map[string]bool{}, unnamed: map[string]bool{}}
	tr := newWatchTransport(nt, m)

	c := memberlist.DefaultLANConfig()
	c.Name = name
	c.Transport = tr
	c.BindAddr = host
	c.BindPort = nt.GetAutoBindPort()
	c.AdvertisePort = c.BindPort
	c.Label = o.cfg.Label
	c.Delegate = m
	c.Events = m
	c.GossipInterval = joinGossipInterval
	c.PushPullInterval = 0
	c.ProbeInterval = joinProbeInterval
	c.Logger = mlLog
	m.addr = net.JoinHostPort(host, strconv.Itoa(c.BindPort))

	ml, err := memberlist.Create(c)
	if err != nil {
		tr.Shutdown()
		return nil, fmt.Errorf("join: %v", err)
	}
	m.ml.Store(ml)
	if _, err := ml.Join([]string{o.cfg.Join}); err != nil {
		ml.Shutdown()
		return nil, fmt.Errorf("join %s: %v", o.cfg.Join, err)
	}
	for _, n := range ml.Members() {
		if n.Name != name && n.Name >= name {
			err := fmt.Errorf("join: member %q sorts after the observer's name %q; left again so as not to shift HA positions", n.Name, name)
			m.leave(o.cfg.LeaveTimeout)
			return nil, err
		}
	}
	o.mu.Lock()
	o.noteLocked(ObserverAlias, fmt.Sprintf("joined the cluster through %s as %s (gossip on %s); it is a member now and receives a share of the gossip", o.cfg.Join, name, m.addr),
		map[string]any{"observer_name": name, "gossip_addr": m.addr})
	o.mu.Unlock()
	return m, nil
}

// levelWriter passes memberlist's log lines on at their level: errors and
// warnings as warnings, the rest as debug.
type levelWriter struct{ log *slog.Logger }

func (w levelWriter) Write(b []byte) (int, error) {
	line := strings.TrimSpace(string(b))
	// Sends racing the shutdown of the sockets are memberlist's own
	// shutdown order (transport first), not a problem.
	closing := strings.Contains(line, "use of closed network connection")
	if !closing && (strings.Contains(line, "[ERR]") || strings.Contains(line, "[WARN]")) {
		w.log.Warn(line)
	} else {
		w.log.Debug(line)
	}
	return len(b), nil
}

// leave says goodbye and shuts the member down.
func (m *member) leave(timeout time.Duration) error {
	ml := m.ml.Load()
	if ml == nil {
		return nil
	}
	err := ml.Leave(timeout)
	if serr := ml.Shutdown(); err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("leaving the cluster: %v", err)
	}
	return nil
}

// memberlist.Delegate: the observer has no metadata, no state and nothing
// to broadcast. Alertmanager's delegate never sees an empty state: memberlist
// skips MergeRemoteState when the user state is empty.

func (m *member) NodeMeta(limit int) []byte                  { return nil }
func (m *member) GetBroadcasts(overhead, limit int) [][]byte { return nil }
func (m *member) LocalState(join bool) []byte                { return nil }

// NotifyMsg sees every user message. Those that came in UDP packets were
// reported by the transport with their sender; the rest came over TCP (an
// oversized message sent to every member), where the sender's name is not
// known, so they are a note rather than a msg.
func (m *member) NotifyMsg(b []byte) {
	h := xxhash.Sum64(b)
	m.mu.Lock()
	if m.viaUDP[h] > 0 {
		if m.viaUDP[h]--; m.viaUDP[h] == 0 {
			delete(m.viaUDP, h)
		}
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	w := wire.DescribeUserMsg(b)
	o := m.o
	o.mu.Lock()
	defer o.mu.Unlock()
	o.noteLocked(ObserverAlias, fmt.Sprintf("received %s over TCP (%d bytes, oversized: sent to every member); TCP does not say which peer sent it", w.Key, len(b)),
		map[string]any{"key": w.Key, "version": w.Version, "bytes": len(b)})
}

// MergeRemoteState sees a peer's full state in a push-pull over TCP; the
// observer keeps none of it.
func (m *member) MergeRemoteState(buf []byte, join bool) {
	parts, err := wire.DescribeFullState(buf)
	if err != nil {
		return
	}
	counts := map[string]any{}
	text := "push-pull over TCP from a peer: full state with"
	for i, p := range parts {
		counts[p.Key] = p.Entries
		if i > 0 {
			text += ","
		}
		text += fmt.Sprintf(" %d %s", p.Entries, p.Key)
	}
	o := m.o
	o.mu.Lock()
	defer o.mu.Unlock()
	o.noteLocked(ObserverAlias, text, map[string]any{"full_state": counts, "bytes": len(buf), "join": join})
}

// memberlist.EventDelegate: in join mode membership comes from the
// observer's own member list. memberlist calls these holding its node
// lock, so they take the observer's lock and nothing of memberlist's.

func (m *member) NotifyJoin(n *memberlist.Node) {
	m.remember(n)
	m.mu.Lock()
	delete(m.left, n.Name)
	m.mu.Unlock()
	o := m.o
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.names.add(n.Name) {
		o.noteLocked(a, fmt.Sprintf("%s is Alertmanager peer %s", a, n.Name), map[string]any{"alias": a, "peer_name": n.Name})
	}
	o.setStatusLocked(o.names.of(n.Name), protocol.StatusAlive)
}

// NotifyLeave reports left for the observer itself and for members whose
// own dead message the observer saw (memberlist's Node.State here does not
// say), dead otherwise.
func (m *member) NotifyLeave(n *memberlist.Node) {
	st := protocol.StatusDead
	m.mu.Lock()
	if n.Name == m.name || m.left[n.Name] {
		st = protocol.StatusLeft
	}
	m.mu.Unlock()
	o := m.o
	o.mu.Lock()
	defer o.mu.Unlock()
	o.setStatusLocked(o.names.of(n.Name), st)
}

func (m *member) NotifyUpdate(n *memberlist.Node) { m.remember(n) }

func (m *member) remember(n *memberlist.Node) {
	m.mu.Lock()
	m.byAddr[net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port)))] = n.Name
	m.mu.Unlock()
}

// nameOf returns the member name at a UDP address ("" if none).
func (m *member) nameOf(addr string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byAddr[addr]
}

// received reports the messages of a packet that arrived from addr.
func (m *member) received(buf []byte, addr string) {
	msgs := wire.DescribePacket(buf)
	from := m.nameOf(addr)
	m.mu.Lock()
	for _, w := range msgs {
		if w.Payload != nil {
			if len(m.viaUDP) > 1<<14 { // lost to a full handoff queue: forget
				clear(m.viaUDP)
			}
			m.viaUDP[xxhash.Sum64(w.Payload)]++
		}
		if w.Kind == wire.KindDead && w.Key != "" && w.Origin == w.Key {
			m.left[w.Key] = true
		}
	}
	first := from == "" && !m.unnamed[addr]
	if first {
		m.unnamed[addr] = true
	}
	m.mu.Unlock()
	if from == "" { // not (yet) in the member list: no node to draw it from
		if first {
			o := m.o
			o.mu.Lock()
			o.noteLocked(ObserverAlias, fmt.Sprintf("packets from %s, which is not in the member list, are not shown as messages", addr), map[string]any{"addr": addr})
			o.mu.Unlock()
		}
		return
	}
	m.report(msgs, from, m.name)
}

// sent reports the messages of a packet the observer sends to a.
func (m *member) sent(buf []byte, a memberlist.Address) {
	to := a.Name
	if to == "" {
		to = m.nameOf(a.Addr)
	}
	if to == "" {
		return
	}
	m.report(wire.DescribePacket(buf), m.name, to)
}

func (m *member) report(msgs []wire.Message, from, to string) {
	o := m.o
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names.add(from, to)
	fa, ta := o.names.of(from), o.names.of(to)
	for _, w := range msgs {
		key := w.Key
		if w.Kind == wire.KindAlive || w.Kind == wire.KindSuspect || w.Kind == wire.KindDead {
			if a := o.names.of(key); a != "" {
				key = a
			}
		}
		o.emitLocked(protocol.Event{Type: protocol.TypeMsg, From: fa, To: ta, Kind: w.Kind,
			Key: key, Version: w.Version, Value: w.Value, Bytes: w.Bytes})
	}
}
