package wire

import (
	"net"
	"sync"
)

// StreamTap is one end of a memberlist stream (push-pull, or a user message
// too large for a packet) that keeps what crosses it, both ways, so that the
// stream can be described when it closes (DescribeStream): memberlist
// writes a stream's request and reads its answer, then closes it. Only the
// first Limit bytes of each direction are kept; the sizes are always exact.
//
// The transports differ in what they do with a stream, and the tap leaves
// that to them through its hooks: when a stream is reported (OnClose), what
// time its messages carry (Clock stamps the first byte each way), and what
// the first bytes read decide (FirstRead). Set the fields before the tap is
// used; Read, Write and Close may then be called from any goroutines.
type StreamTap struct {
	net.Conn // the stream

	// Limit is how many bytes of each direction are kept.
	Limit int
	// Clock, if set, stamps each direction's first byte (Captured.First).
	Clock func() float64
	// FirstRead, if set, runs once when the first bytes are read, before
	// they are kept, with the tap's lock held. An error closes the stream
	// and is what that Read returns.
	FirstRead func() error
	// OnClose, if set, runs once, on the first Close, after the stream is
	// closed and without the lock: out is what was written, in what was
	// read. Nothing crossing the tap after that is kept.
	OnClose func(out, in Captured)

	mu        sync.Mutex
	out, in   Captured
	readBegun bool
	closed    bool
	closeErr  error
}

// Captured is what a StreamTap kept of one direction of its stream.
type Captured struct {
	Bytes []byte  // the first bytes, as handed to Write or returned by Read, at most Limit
	Size  int     // every byte that crossed the stream this way
	First float64 // Clock when the first byte crossed (0 without a Clock)
}

// Describe labels the direction's first message (DescribeStream).
func (c Captured) Describe() Message { return DescribeStream(c.Bytes, c.Size) }

func (t *StreamTap) Read(b []byte) (int, error) {
	n, err := t.Conn.Read(b)
	if n <= 0 {
		return n, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return n, err
	}
	if !t.readBegun {
		t.readBegun = true
		if t.FirstRead != nil {
			if ferr := t.FirstRead(); ferr != nil {
				_ = t.Conn.Close()
				return 0, ferr
			}
		}
	}
	t.keep(&t.in, b[:n], n)
	return n, err
}

func (t *StreamTap) Write(b []byte) (int, error) {
	n, err := t.Conn.Write(b)
	t.Wrote(b[:n], n)
	return n, err
}

// Wrote keeps a write of b of which n bytes went onto the stream. A caller
// that encodes what it is handed (a transport that compresses in
// memberlist's place) writes the encoded bytes to Conn itself and tells the
// tap of the plain ones here, so that what is kept can be described. A
// write that sent nothing keeps nothing.
func (t *StreamTap) Wrote(b []byte, n int) {
	if n <= 0 {
		return
	}
	t.mu.Lock()
	if !t.closed {
		t.keep(&t.out, b, n)
	}
	t.mu.Unlock()
}

func (t *StreamTap) keep(c *Captured, b []byte, n int) {
	if c.Size == 0 && t.Clock != nil {
		c.First = t.Clock()
	}
	c.Size += n
	if room := t.Limit - len(c.Bytes); room > 0 {
		c.Bytes = append(c.Bytes, b[:min(len(b), room)]...)
	}
}

// Close closes the stream and reports it (OnClose) once; a later Close
// returns the first one's error.
func (t *StreamTap) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return t.closeErr
	}
	t.closed = true
	err := t.Conn.Close()
	t.closeErr = err
	out, in := t.out, t.in
	t.out, t.in = Captured{}, Captured{}
	t.mu.Unlock()
	if t.OnClose != nil {
		t.OnClose(out, in)
	}
	return err
}
