package memnet

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
)

// Transport is one node's memberlist Transport on a Network. Make it with
// Network.NewTransport; memberlist shuts it down (Memberlist.Shutdown),
// after which the node is down: packets to it are lost and dials refused.
type Transport struct {
	net  *Network
	name string
	addr *net.UDPAddr

	packetCh chan *memberlist.Packet
	streamCh chan net.Conn
	done     chan struct{}
	once     sync.Once

	mu    sync.Mutex
	conns map[*conn]io.Closer // open streams' ends here, and what Shutdown closes: the end, or the tap over it
}

var _ memberlist.NodeAwareTransport = (*Transport)(nil)

// Name is the node's name.
func (t *Transport) Name() string { return t.name }

// FinalAdvertiseAddr returns the node's address on the Network, whatever
// memberlist's config asks for: the network assigns addresses.
func (t *Transport) FinalAdvertiseAddr(string, int) (net.IP, int, error) {
	return t.addr.IP, t.addr.Port, nil
}

func (t *Transport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

// WriteToAddress sends one packet: reported as msg events (one per message
// in it), then delivered after the link's delay unless a fault loses it.
// Like UDP it never blocks and never fails for a lost packet.
func (t *Transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	now := time.Now()
	if t.isDown() {
		return now, errShutdown
	}
	to := a.Name
	if to == "" {
		to = t.net.nameAt(a.Addr)
	}
	dest, lost, delay := t.net.route(t.name, to)
	if emit := t.net.emit; emit != nil {
		evs := describePacket(b)
		sent := t.net.Now()
		for i := range evs {
			e := &evs[i]
			e.Type, e.T, e.From, e.To, e.Lost = protocol.TypeMsg, sent, t.name, to, lost
			if e.Kind == wire.KindUser && e.Version != 0 && t.net.holds != nil {
				e.Redundant = t.net.holds(to, e.Key, e.Version)
			}
			if !lost && delay > 0 {
				e.Arrive = sent + float64(delay.Microseconds())/1000
			}
		}
		emit(evs)
	}
	if dest == nil {
		return now, nil
	}
	p := &memberlist.Packet{Buf: append([]byte(nil), b...), From: t.addr}
	if delay <= 0 {
		dest.deliver(p)
	} else {
		time.AfterFunc(delay, func() { dest.deliver(p) })
	}
	return now, nil
}

// deliver queues a packet for memberlist, stamped with its arrival, or
// drops it if the node is down or its queue is full.
func (t *Transport) deliver(p *memberlist.Packet) {
	if t.isDown() {
		return
	}
	p.Timestamp = time.Now()
	select {
	case t.packetCh <- p:
	default:
		t.net.overflowed()
	}
}

func (t *Transport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

var (
	errShutdown = errors.New("memnet: transport is shut down")
	errRefused  = errors.New("memnet: connection refused (node down or partitioned away)")
)

func (t *Transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

// DialAddressTimeout opens a stream to a node: refused at once across a
// partition or to a node that is down, else open after the link's delay
// (or timed out if that is longer than timeout). The dialing side reports
// the stream, both directions, when it is closed.
func (t *Transport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	if t.isDown() {
		return nil, errShutdown
	}
	to := a.Name
	if to == "" {
		to = t.net.nameAt(a.Addr)
	}
	dest, delay := t.net.dial(t.name, to)
	if dest == nil {
		return nil, fmt.Errorf("dial %s: %w", to, errRefused)
	}
	if timeout > 0 && delay > timeout {
		time.Sleep(timeout)
		return nil, fmt.Errorf("dial %s: i/o timeout after %v", to, timeout)
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	mine, theirs := net.Pipe()
	end := &conn{Conn: mine, t: t, local: tcpAddr(t.addr), remote: tcpAddr(dest.addr)}
	client := end.tap(to)
	server := &conn{Conn: theirs, t: dest, local: tcpAddr(dest.addr), remote: tcpAddr(t.addr)}
	if !t.track(end, client) || !dest.track(server, server) {
		_ = client.Close()
		_ = server.Close()
		return nil, fmt.Errorf("dial %s: %w", to, errRefused)
	}
	var expire <-chan time.Time
	if timeout > 0 {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	select {
	case dest.streamCh <- server:
		return client, nil
	case <-dest.done:
	case <-t.done:
	case <-expire:
	}
	_ = client.Close()
	_ = server.Close()
	return nil, fmt.Errorf("dial %s: %w", to, errRefused)
}

func (t *Transport) StreamCh() <-chan net.Conn { return t.streamCh }

// Shutdown takes the node off the network: queued packets are dropped and
// its open streams closed. memberlist calls it from its own Shutdown.
func (t *Transport) Shutdown() error {
	t.once.Do(func() {
		close(t.done)
		t.net.stopped(t)
		t.mu.Lock()
		open := make([]io.Closer, 0, len(t.conns))
		for _, c := range t.conns {
			open = append(open, c)
		}
		t.mu.Unlock()
		for _, c := range open {
			_ = c.Close()
		}
	})
	return nil
}

func (t *Transport) isDown() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// track registers an open stream's end, and what closes it at Shutdown,
// unless the transport is down.
func (t *Transport) track(c *conn, closer io.Closer) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.isDown() {
		return false
	}
	t.conns[c] = closer
	return true
}

func (t *Transport) untrack(c *conn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

func tcpAddr(a *net.UDPAddr) *net.TCPAddr { return &net.TCPAddr{IP: a.IP, Port: a.Port} }
