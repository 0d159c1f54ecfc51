package node

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/hashicorp/memberlist"
)

// streamCapture bounds what we keep of one direction of a TCP stream to
// describe it; the byte count is always exact.
const streamCapture = 4 << 20

// transport wraps memberlist's NetTransport: it reports every packet and
// stream as msg events and applies the lab's Filter in both directions.
//
// Each message is reported once. A lab node reports what it sends (lost or
// not). What arrives from outside the lab (a real Alertmanager, say) is
// reported by the receiver, since nobody else can. A TCP stream between two
// lab nodes is reported by the side that dialed it, both directions.
type transport struct {
	inner  *memberlist.NetTransport
	self   string
	filter *Filter
	book   *addrBook
	emit   func(protocol.Event)
	t      func() float64
	// gossiped is told of every suspect and alive message sent.
	gossiped func(kind, subject string, incarnation int64)
	// leaving is told of every dead message a node outside the lab sends
	// about itself (lab nodes announce it in the Filter).
	leaving func(name string)

	packetCh chan *memberlist.Packet
	streamCh chan net.Conn
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

var _ memberlist.NodeAwareTransport = (*transport)(nil)

func newTransport(inner *memberlist.NetTransport, self string, f *Filter, book *addrBook, emit func(protocol.Event), t func() float64, view *memberView) *transport {
	tr := &transport{
		inner: inner, self: self, filter: f, book: book, emit: emit, t: t,
		gossiped: view.gossiped, leaving: view.leave,
		packetCh: make(chan *memberlist.Packet),
		streamCh: make(chan net.Conn),
		stop:     make(chan struct{}),
	}
	tr.wg.Add(2)
	go tr.packets()
	go tr.streams()
	return tr
}

func (t *transport) FinalAdvertiseAddr(ip string, port int) (net.IP, int, error) {
	return t.inner.FinalAdvertiseAddr(ip, port)
}

func (t *transport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (t *transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	to := a.Name
	if to == "" {
		to = t.nameOf(a.Addr)
	}
	lost := t.filter.dropPacket(t.self, to)
	t.report(decodePacket(b), t.self, to, lost)
	if lost {
		return time.Now(), nil // UDP: the sender never knows
	}
	return t.inner.WriteToAddress(b, a)
}

// nameOf names the member at a gossip address: a lab node, a member
// memberlist told us about, or else the address itself.
func (t *transport) nameOf(addr string) string {
	if n, ok := t.filter.local(addr); ok {
		return n
	}
	return t.book.name(addr)
}

func (t *transport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

// packets forwards incoming packets, reporting and filtering those from
// outside the lab (lab senders reported and filtered them already).
func (t *transport) packets() {
	defer t.wg.Done()
	in := t.inner.PacketCh()
	for {
		var p *memberlist.Packet
		select {
		case p = <-in:
		case <-t.stop:
			return
		}
		from := p.From.String()
		if _, ok := t.filter.local(from); !ok {
			msgs := decodePacket(p.Buf)
			name := t.nameOf(from)
			lost := t.filter.dropPacket(name, t.self)
			t.report(msgs, name, t.self, lost)
			if lost {
				continue
			}
			for _, m := range msgs {
				if m.Kind == KindDead && m.Key != "" && m.Key == m.Origin && t.leaving != nil {
					t.leaving(m.Key)
				}
			}
		}
		select {
		case t.packetCh <- p:
		case <-t.stop:
			return
		}
	}
}

func (t *transport) report(msgs []wireMsg, from, to string, lost bool) {
	if from == t.self && t.gossiped != nil {
		for _, m := range msgs {
			if m.Kind == KindSuspect || m.Kind == KindAlive {
				t.gossiped(m.Kind, m.Key, m.Version)
			}
		}
	}
	if t.emit == nil {
		return
	}
	now := t.t()
	for _, m := range msgs {
		// Redundant: the receiver, a lab node, holds this version already
		// (the seed's cost of gossip); only a lab can tell.
		redundant := m.Kind == KindUser && m.Version != 0 && t.filter.holds(to, m.Key, m.Version)
		t.emit(protocol.Event{
			Type: protocol.TypeMsg, T: now, From: from, To: to,
			Kind: m.Kind, Key: m.Key, Version: m.Version, Value: m.Value,
			Bytes: m.Bytes, Lost: lost, Redundant: redundant,
		})
	}
}

var errPartitioned = errors.New("network partitioned (gossipscope lab)")

func (t *transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (t *transport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	to := a.Name
	if to == "" {
		to = t.nameOf(a.Addr)
	}
	if !t.filter.Connected(t.self, to) {
		return nil, errPartitioned
	}
	c, err := t.inner.DialAddressTimeout(a, timeout)
	if err != nil {
		return nil, err
	}
	t.filter.dialed(c.LocalAddr().String(), t.self)
	return &observedConn{Conn: c, t: t, dialed: true, peer: to, report: true, decided: true}, nil
}

func (t *transport) StreamCh() <-chan net.Conn { return t.streamCh }

func (t *transport) streams() {
	defer t.wg.Done()
	in := t.inner.StreamCh()
	for {
		var c net.Conn
		select {
		case c = <-in:
		case <-t.stop:
			return
		}
		select {
		case t.streamCh <- &observedConn{Conn: c, t: t}:
		case <-t.stop:
			_ = c.Close()
			return
		}
	}
}

func (t *transport) Shutdown() error {
	err := t.inner.Shutdown()
	t.stopOnce.Do(func() { close(t.stop) })
	t.wg.Wait()
	return err
}

// observedConn records what crosses one TCP stream and reports it on Close.
type observedConn struct {
	net.Conn
	t      *transport
	dialed bool

	mu       sync.Mutex
	decided  bool   // peer and report are known
	peer     string // the other side's name (or address)
	report   bool   // this side reports the stream
	out, in  []byte
	nOut     int
	nIn      int
	closeErr error
	closed   bool
}

// decide identifies the dialer of an accepted stream once data arrives
// (the dialer registered its address before writing).
func (c *observedConn) decide() error {
	if c.decided {
		return nil
	}
	c.decided = true
	remote := c.Conn.RemoteAddr().String()
	if name, ok := c.t.filter.dialer(remote); ok {
		c.peer = name // a lab node: it reports, and checked the partition
		return nil
	}
	c.peer, c.report = c.t.book.nameByIP(remote, func(addr, name string) bool {
		_, lab := c.t.filter.local(addr)
		return lab || name == c.t.self
	}), true
	if !c.t.filter.Connected(c.peer, c.t.self) {
		return errPartitioned
	}
	return nil
}

func (c *observedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > 0 {
		if derr := c.decide(); derr != nil {
			_ = c.Conn.Close()
			return 0, derr
		}
		c.nIn += n
		if len(c.in) < streamCapture {
			c.in = append(c.in, b[:min(n, streamCapture-len(c.in))]...)
		}
	}
	return n, err
}

func (c *observedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > 0 {
		c.nOut += n
		if len(c.out) < streamCapture {
			c.out = append(c.out, b[:min(n, streamCapture-len(c.out))]...)
		}
	}
	return n, err
}

func (c *observedConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.closeErr
	}
	c.closed = true
	c.closeErr = c.Conn.Close()
	report, peer := c.report, c.peer
	out, in, nOut, nIn := c.out, c.in, c.nOut, c.nIn
	c.out, c.in = nil, nil
	c.mu.Unlock()

	if c.dialed {
		c.t.filter.dialClosed(c.Conn.LocalAddr().String())
	}
	if report && c.t.emit != nil {
		self := c.t.self
		send := func(buf []byte, n int, from, to string) {
			if n > 0 {
				c.t.report([]wireMsg{decodeStream(buf, n)}, from, to, false)
			}
		}
		if c.dialed { // our request, then the answer
			send(out, nOut, self, peer)
			send(in, nIn, peer, self)
		} else {
			send(in, nIn, peer, self)
			send(out, nOut, self, peer)
		}
	}
	return c.closeErr
}

// addrBook maps gossip addresses to member names, fed by memberlist's
// event delegate (which must not call back into memberlist).
//
// It is also where the rest of the node reads members' addresses: the Node
// structs memberlist's Members returns are rewritten under its lock by
// every alive message, so only their Name may be read outside it.
type addrBook struct {
	mu    sync.RWMutex
	names map[string]string // "ip:port" -> name
	addrs map[string]string // name -> "ip:port"
}

func newAddrBook() *addrBook {
	return &addrBook{names: map[string]string{}, addrs: map[string]string{}}
}

func (b *addrBook) set(addr, name string) {
	b.mu.Lock()
	b.names[addr] = name
	b.addrs[name] = addr
	b.mu.Unlock()
}

// addr returns the gossip address of the member called name.
func (b *addrBook) addr(name string) (string, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	a, ok := b.addrs[name]
	return a, ok
}

// name returns the member at addr, or addr itself when unknown.
func (b *addrBook) name(addr string) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if n, ok := b.names[addr]; ok {
		return n
	}
	return addr
}

// nameByIP guesses the member behind a TCP connection's ephemeral address:
// the only known member on that IP (not counting those skip rules out),
// else the address itself.
func (b *addrBook) nameByIP(addr string, skip func(addr, name string) bool) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	found := ""
	for a, n := range b.names {
		if h, _, err := net.SplitHostPort(a); err == nil && h == host && !skip(a, n) {
			if found != "" && found != n {
				return addr
			}
			found = n
		}
	}
	if found == "" {
		return addr
	}
	return found
}
