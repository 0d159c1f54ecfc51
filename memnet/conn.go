package memnet

import (
	"net"
	"sync"

	"github.com/gossipscope/gossipscope/protocol"
)

// streamCapture bounds what is kept of one direction of a stream to
// describe it; the byte count is always exact.
const streamCapture = 1 << 20

// conn is one end of a stream: an in-memory pipe with the nodes' addresses.
// The dialing end records what crosses it and reports it when closed: its
// request, then the answer, as msg events.
type conn struct {
	net.Conn
	t             *Transport
	local, remote net.Addr
	peer          string // the other end's node
	report        bool   // the dialing end

	mu        sync.Mutex
	out, in   []byte
	nOut, nIn int
	tOut, tIn float64 // when the first byte went out, came in
	closed    bool
	closeErr  error
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.report {
		c.mu.Lock()
		if c.nIn == 0 {
			c.tIn = c.t.net.Now()
		}
		c.nIn += n
		if len(c.in) < streamCapture {
			c.in = append(c.in, b[:min(n, streamCapture-len(c.in))]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *conn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 && c.report {
		c.mu.Lock()
		if c.nOut == 0 {
			c.tOut = c.t.net.Now()
		}
		c.nOut += n
		if len(c.out) < streamCapture {
			c.out = append(c.out, b[:min(n, streamCapture-len(c.out))]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.closeErr
	}
	c.closed = true
	c.closeErr = c.Conn.Close()
	out, in, nOut, nIn, tOut, tIn := c.out, c.in, c.nOut, c.nIn, c.tOut, c.tIn
	c.out, c.in = nil, nil
	c.mu.Unlock()
	c.t.untrack(c)

	emit := c.t.net.emit
	if !c.report || emit == nil {
		return c.closeErr
	}
	var evs []protocol.Event
	add := func(buf []byte, n int, at float64, from, to string) {
		if n == 0 {
			return
		}
		e := describeStream(buf, n)
		e.Type, e.T, e.From, e.To = protocol.TypeMsg, at, from, to
		evs = append(evs, e)
	}
	add(out, nOut, tOut, c.t.name, c.peer)
	add(in, nIn, tIn, c.peer, c.t.name)
	if len(evs) > 0 {
		emit(evs)
	}
	return c.closeErr
}
