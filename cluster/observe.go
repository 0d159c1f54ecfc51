package cluster

import (
	"net"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	"github.com/hashicorp/memberlist"
)

// Observe wraps a transport so that what its peer sends is reported: each
// message of each packet as a msg event (protocol.TypeMsg, from the peer
// to the member addressed), each stream the peer dials as two (its request
// and the answer) when it is closed, and every message to m.Sent, which
// is how the peer's Membership learns of suspicion. Every message is
// reported once, by its sender, as long as every peer's transport is
// observed; packets the transport loses are reported sent all the same.
//
// Packets are described from the plain bytes memberlist hands over (the
// peer runs with memberlist's compression off); the wrapped transport
// sends them as they are. Node's socket transport does the same and more
// (compression, a lab's faults, traffic from outside the lab); Observe is
// for any other transport, such as peers inside one process.
func Observe(tr memberlist.NodeAwareTransport, m *Membership, emit func([]protocol.Event)) memberlist.NodeAwareTransport {
	return &observed{NodeAwareTransport: tr, m: m, emit: emit}
}

type observed struct {
	memberlist.NodeAwareTransport
	m    *Membership
	emit func([]protocol.Event)
}

func (o *observed) WriteTo(b []byte, addr string) (time.Time, error) {
	return o.WriteToAddress(b, memberlist.Address{Addr: addr})
}

func (o *observed) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	to := a.Name
	if to == "" {
		to = o.m.NameAt(a.Addr)
	}
	o.report(wire.DescribePacket(b), to)
	return o.NodeAwareTransport.WriteToAddress(b, a)
}

func (o *observed) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return o.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

func (o *observed) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	c, err := o.NodeAwareTransport.DialAddressTimeout(a, timeout)
	if err != nil {
		return nil, err
	}
	to := a.Name
	if to == "" {
		to = o.m.NameAt(a.Addr)
	}
	return o.tap(c, to), nil
}

func (o *observed) report(msgs []wire.Message, to string) {
	self := o.m.view.self
	for _, w := range msgs {
		o.m.Sent(w.Kind, w.Key, w.Version)
	}
	if o.emit == nil {
		return
	}
	now := o.m.view.t()
	evs := make([]protocol.Event, len(msgs))
	for i, w := range msgs {
		evs[i] = protocol.Event{Type: protocol.TypeMsg, T: now, From: self, To: to,
			Kind: w.Kind, Key: w.Key, Version: w.Version, Value: w.Value, Bytes: w.Bytes}
	}
	o.emit(evs)
}

// streamCapture bounds what is kept of one direction of a stream to
// describe it; the byte count is always exact.
const streamCapture = 4 << 20

// tap records a dialed stream both ways and reports it when it is closed:
// the request, then the answer, stamped with the time of the close.
func (o *observed) tap(c net.Conn, peer string) net.Conn {
	if o.emit == nil {
		return c
	}
	return &wire.StreamTap{Conn: c, Limit: streamCapture, OnClose: func(out, in wire.Captured) {
		self, now := o.m.view.self, o.m.view.t()
		var evs []protocol.Event
		for _, s := range []struct {
			c        wire.Captured
			from, to string
		}{{out, self, peer}, {in, peer, self}} {
			if s.c.Size > 0 {
				w := s.c.Describe()
				evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: now, From: s.from, To: s.to,
					Kind: w.Kind, Key: w.Key, Version: w.Version, Value: w.Value, Bytes: w.Bytes})
			}
		}
		if len(evs) > 0 {
			o.emit(evs)
		}
	}}
}
