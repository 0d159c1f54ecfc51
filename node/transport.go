package node

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
)

// streamCapture bounds what we keep of one direction of a TCP stream to
// describe it; the byte count is always exact.
const streamCapture = 4 << 20

// transport is the node's memberlist Transport over its own sockets: it
// reports every packet and stream as msg events and applies the lab's
// network (LabNet: loss, partitions) in both directions.
//
// Each message is reported once. A lab node reports what it sends (lost or
// not). What arrives from outside the lab (a real Alertmanager, say) is
// reported by the receiver, since nobody else can. A TCP stream between two
// lab nodes is reported by the side that dialed it, both directions.
//
// Memberlist runs with compression off and the transport compresses
// instead, exactly as memberlist would (compress.go): so a sender describes
// its packets from the plain bytes it is handed, and LZW state is reused.
// Received compressed packets are inflated here for memberlist, with a
// pooled reader, and described from that when they need describing; or,
// from a lab node, taken in plain form from the sender (see handoff).
type transport struct {
	sock    *sockets
	self    string
	net     *LabNet                // nil outside a lab
	members *cluster.Membership    // told of every message sent, and of leaves from outside the lab
	emit    func([]protocol.Event) // nil: no events
	t       func() float64
	box     *handoff // plain forms of packets lab nodes send us (nil outside a lab)

	packetCh chan *memberlist.Packet
	streamCh chan net.Conn
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

var _ memberlist.NodeAwareTransport = (*transport)(nil)

func newTransport(sock *sockets, addr, self string, ln *LabNet, members *cluster.Membership, emit func([]protocol.Event), t func() float64) *transport {
	tr := &transport{
		sock: sock, self: self, net: ln, members: members, emit: emit, t: t,
		packetCh: make(chan *memberlist.Packet),
		streamCh: make(chan net.Conn),
		stop:     make(chan struct{}),
	}
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		tr.box = ln.inbox(unmapped(ap))
	}
	tr.wg.Add(2)
	go tr.packets()
	go tr.streams()
	return tr
}

func (t *transport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	return t.sock.advertise(ip, port)
}

func (t *transport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

// Buffers for packets on their way out (and stream writes being
// compressed); larger ones are left to the GC.
var outBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2*wire.MaxGossipPacket); return &b }}

const maxPooledBuf = 64 << 10

func (t *transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	ap, err := resolveUDP(a.Addr)
	if err != nil {
		return time.Time{}, err
	}
	to := a.Name
	if to == "" {
		to = t.nameOf(ap)
	}
	bp := outBufs.Get().(*[]byte)
	pkt, payload, compressed := wire.AppendPacket((*bp)[:0], b)
	lost := t.net.dropPacket(t.self, to)
	t.observe(payload, len(pkt), t.self, to, lost)
	if !lost { // UDP: a lost packet's sender never knows
		if box := t.net.inbox(ap); box != nil && compressed {
			label := b[:len(b)-len(wire.StripLabel(b))]
			plain := make([]byte, len(label)+len(payload))
			copy(plain[copy(plain, label):], payload)
			box.put(pkt, plain)
		}
		err = t.sock.write(pkt, ap)
	}
	if cap(pkt) <= maxPooledBuf {
		*bp = pkt[:0]
		outBufs.Put(bp)
	}
	return time.Now(), err
}

// resolveUDP parses memberlist's "ip:port" (or resolves a host name).
func resolveUDP(addr string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return unmapped(ap), nil
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return unmapped(ua.AddrPort()), nil
}

// nameOf names the member at a gossip address: a lab node, a member
// memberlist told us about, or else the address itself.
func (t *transport) nameOf(ap netip.AddrPort) string {
	if n, ok := t.net.localAt(ap); ok {
		return n
	}
	return t.members.NameAt(ap.String())
}

func (t *transport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

// packets reads packets, reporting and filtering those from outside the
// lab (lab senders reported and filtered them already), and hands them to
// memberlist.
func (t *transport) packets() {
	defer t.wg.Done()
	buf := make([]byte, maxPacket) // reused: memberlist gets a copy
	for {
		n, from, ts, ok := t.sock.read(buf)
		if !ok {
			return
		}
		_, lab := t.net.localAt(from)
		var deliver []byte
		if lab && t.box != nil {
			deliver, _ = t.box.take(buf[:n])
		}
		if deliver == nil {
			deliver = wire.ReadPacket(buf[:n])
		}
		if !lab {
			name := t.nameOf(from)
			lost := t.net.dropPacket(name, t.self)
			left := t.observe(wire.StripLabel(deliver), n, name, t.self, lost)
			if lost {
				continue
			}
			if left != "" {
				t.members.Leaving(left)
			}
		}
		select {
		case t.packetCh <- &memberlist.Packet{Buf: deliver, From: net.UDPAddrFromAddrPort(from), Timestamp: ts}:
		case <-t.stop:
			return
		}
	}
}

var msgBufs = sync.Pool{New: func() any { b := make([]wire.Message, 0, 16); return &b }}

// observe describes and reports one packet's messages from its payload
// (label and CRC removed), size bytes on the wire. It returns the node a
// dead message announces the graceful leave of, if any.
func (t *transport) observe(payload []byte, size int, from, to string, lost bool) (left string) {
	mp := msgBufs.Get().(*[]wire.Message)
	msgs := wire.AppendMessages((*mp)[:0], payload, size)
	t.report(msgs, from, to, lost)
	for _, m := range msgs {
		if m.Kind == wire.KindDead && m.Key != "" && m.Key == m.Origin {
			left = m.Key
		}
	}
	clear(msgs)
	*mp = msgs[:0]
	msgBufs.Put(mp)
	return left
}

var eventBufs = sync.Pool{New: func() any { b := make([]protocol.Event, 0, 16); return &b }}

func (t *transport) report(msgs []wire.Message, from, to string, lost bool) {
	if from == t.self {
		for _, m := range msgs {
			t.members.Sent(m.Kind, m.Key, m.Version)
		}
	}
	if t.emit == nil {
		return
	}
	now := t.t()
	ep := eventBufs.Get().(*[]protocol.Event)
	evs := (*ep)[:0]
	for _, m := range msgs {
		// Redundant: the receiver, a lab node, holds this version already
		// (gossip's cost in redundancy, docs/gossip-rules.md); only a lab can tell.
		redundant := m.Kind == wire.KindUser && m.Version != 0 && t.net.holds(to, m.Key, m.Version)
		evs = append(evs, protocol.Event{
			Type: protocol.TypeMsg, T: now, From: from, To: to,
			Kind: m.Kind, Key: m.Key, Version: m.Version, Value: m.Value,
			Bytes: m.Bytes, Lost: lost, Redundant: redundant,
		})
	}
	t.emit(evs)
	clear(evs)
	*ep = evs[:0]
	eventBufs.Put(ep)
}

var errPartitioned = errors.New("network partitioned (gossipscope lab)")

func (t *transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (t *transport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	to := a.Name
	if to == "" {
		if ap, err := resolveUDP(a.Addr); err == nil {
			to = t.nameOf(ap)
		} else {
			to = a.Addr
		}
	}
	if !t.net.Connected(t.self, to) {
		return nil, errPartitioned
	}
	c, err := t.sock.dial(a.Addr, timeout)
	if err != nil {
		return nil, err
	}
	t.net.dialed(c.LocalAddr().String(), t.self)
	return t.observedConn(c, true, to), nil
}

func (t *transport) StreamCh() <-chan net.Conn { return t.streamCh }

func (t *transport) streams() {
	defer t.wg.Done()
	for {
		c, ok := t.sock.accept()
		if !ok {
			return
		}
		select {
		case t.streamCh <- t.observedConn(c, false, ""):
		case <-t.stop:
			_ = c.Close()
			return
		}
	}
}

func (t *transport) Shutdown() error {
	t.stopOnce.Do(func() {
		t.sock.close()
		close(t.stop)
	})
	t.wg.Wait()
	return nil
}

// observedConn records what crosses one TCP stream and reports it on
// Close. It compresses what memberlist writes, as memberlist's
// rawSendMsgStream does with compression on; the tap keeps the plain bytes.
type observedConn struct {
	wire.StreamTap
	t      *transport
	dialed bool

	// Set on the first read of an accepted stream (decide), under the
	// tap's lock, and read once it is closed.
	peer   string // the other side's name (or address)
	report bool   // this side reports the stream
}

func (t *transport) observedConn(c net.Conn, dialed bool, peer string) *observedConn {
	oc := &observedConn{t: t, dialed: dialed, peer: peer, report: dialed}
	oc.StreamTap = wire.StreamTap{Conn: c, Limit: streamCapture, OnClose: oc.closed}
	if !dialed {
		oc.FirstRead = oc.decide
	}
	return oc
}

// decide identifies the dialer of an accepted stream once data arrives
// (the dialer registered its address before writing).
func (c *observedConn) decide() error {
	remote := c.Conn.RemoteAddr().String()
	if name, ok := c.t.net.dialer(remote); ok {
		c.peer = name // a lab node: it reports, and checked the partition
		return nil
	}
	c.peer, c.report = c.t.members.NameByIP(remote, func(addr, name string) bool {
		_, lab := c.t.net.local(addr)
		return lab || name == c.t.self
	}), true
	if !c.t.net.Connected(c.peer, c.t.self) {
		return errPartitioned
	}
	return nil
}

// Write writes one whole memberlist message (memberlist writes each with
// one call), compressed, or the label header as it is.
func (c *observedConn) Write(b []byte) (int, error) {
	bp := outBufs.Get().(*[]byte)
	out := wire.AppendStreamMsg((*bp)[:0], b)
	n, err := c.Conn.Write(out)
	if cap(out) <= maxPooledBuf {
		*bp = out[:0]
		outBufs.Put(bp)
	}
	c.Wrote(b, n)
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// closed reports the stream, if this side does: a dialer its request, then
// the answer; an acceptor what came in, then its answer.
func (c *observedConn) closed(out, in wire.Captured) {
	if c.dialed {
		c.t.net.dialClosed(c.Conn.LocalAddr().String())
	}
	if !c.report || c.t.emit == nil {
		return
	}
	self, peer := c.t.self, c.peer
	send := func(d wire.Captured, from, to string) {
		if d.Size > 0 {
			c.t.report([]wire.Message{d.Describe()}, from, to, false)
		}
	}
	if c.dialed {
		send(out, self, peer)
		send(in, peer, self)
	} else {
		send(in, peer, self)
		send(out, self, peer)
	}
}
