package memnet

import (
	"net"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// streamCapture bounds what is kept of one direction of a stream to
// describe it; the byte count is always exact.
const streamCapture = 1 << 20

// conn is one end of a stream: an in-memory pipe with the nodes'
// addresses, on its transport's list of open streams until closed.
type conn struct {
	net.Conn
	t             *Transport
	local, remote net.Addr
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.t.untrack(c)
	return err
}

// tap is the dialing end: it records what crosses the stream and reports
// it when closed, its request, then the answer, as msg events stamped with
// the time each direction's first byte crossed. Without events, the end as
// it is.
func (c *conn) tap(peer string) net.Conn {
	emit := c.t.net.emit
	if emit == nil {
		return c
	}
	self := c.t.name
	return &wire.StreamTap{Conn: c, Limit: streamCapture, Clock: c.t.net.Now, OnClose: func(out, in wire.Captured) {
		var evs []protocol.Event
		add := func(d wire.Captured, from, to string) {
			if d.Size == 0 {
				return
			}
			e := labelled(d.Describe())
			e.Type, e.T, e.From, e.To = protocol.TypeMsg, d.First, from, to
			evs = append(evs, e)
		}
		add(out, self, peer)
		add(in, peer, self)
		if len(evs) > 0 {
			emit(evs)
		}
	}}
}
