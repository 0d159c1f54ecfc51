package wire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/hashicorp/go-msgpack/v2/codec"
)

// userStream is an oversized user message as memberlist streams it: header, then the part.
func userStream(t *testing.T, id string) (header, part []byte) {
	part = wiretest.SilencePart(t, id, "over TCP", time.Now())[1:]
	var h bytes.Buffer
	h.WriteByte(MsgUser)
	if err := codec.NewEncoder(&h, &codec.MsgpackHandle{}).Encode(struct{ UserMsgLen int }{len(part)}); err != nil {
		t.Fatal(err)
	}
	return h.Bytes(), part
}

// closeCounter counts the Closes that reach the stream under a tap.
type closeCounter struct {
	net.Conn
	n atomic.Int32
}

var errClosedTwice = errors.New("closed twice")

func (c *closeCounter) Close() error {
	if c.n.Add(1) > 1 {
		return errClosedTwice
	}
	return c.Conn.Close()
}

func TestStreamTapKeepsBothWaysWithinLimitAndReportsOnClose(t *testing.T) {
	header, part := userStream(t, "big")
	request := append(append([]byte(nil), header...), part...)
	answer := bytes.Repeat([]byte("answer-"), 100)
	if len(answer) <= len(request) {
		t.Fatalf("the answer (%d bytes) must be over the limit (%d)", len(answer), len(request))
	}

	mine, theirs := net.Pipe()
	var clock float64
	var reports [][2]Captured
	tap := &StreamTap{Conn: mine, Limit: len(request),
		Clock:   func() float64 { clock++; return clock },
		OnClose: func(out, in Captured) { reports = append(reports, [2]Captured{out, in}) },
	}

	// The other end reads the whole request (and the bytes past the limit), then answers.
	extra := []byte("past the limit")
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, len(request)+len(extra))
		_, _ = io.ReadFull(theirs, b)
		got <- b
		_, _ = theirs.Write(answer)
		_ = theirs.Close()
	}()
	for _, w := range [][]byte{header, part, extra} {
		if n, err := tap.Write(w); n != len(w) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if b := <-got; !bytes.Equal(b, append(append([]byte(nil), request...), extra...)) {
		t.Fatalf("the other end read %q", b)
	}
	read, err := io.ReadAll(tap)
	if err != nil || !bytes.Equal(read, answer) {
		t.Fatalf("ReadAll: %d bytes, %v", len(read), err)
	}
	if len(reports) != 0 {
		t.Fatalf("reported before Close: %+v", reports)
	}
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tap.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	out, in := reports[0][0], reports[0][1]
	if !bytes.Equal(out.Bytes, request) || out.Size != len(request)+len(extra) || out.First != 1 {
		t.Errorf("out: %d bytes kept, size %d, first %v; want the %d request bytes, size %d, first 1",
			len(out.Bytes), out.Size, out.First, len(request), len(request)+len(extra))
	}
	if !bytes.Equal(in.Bytes, answer[:len(request)]) || in.Size != len(answer) || in.First != 2 {
		t.Errorf("in: %d bytes kept, size %d, first %v; want %d, size %d, first 2",
			len(in.Bytes), in.Size, in.First, len(request), len(answer))
	}
	if clock != 2 {
		t.Errorf("clock read %v times, want once each way", clock)
	}
	if m := out.Describe(); m.Kind != KindUser || m.Key != "sil/big" || m.Bytes != out.Size {
		t.Errorf("request described as %+v", m)
	}
}

func TestStreamTapWroteKeepsPlainBytesAndCountsTheWire(t *testing.T) {
	mine, theirs := net.Pipe()
	defer theirs.Close()
	go func() { _, _ = io.Copy(io.Discard, theirs) }()
	var out Captured
	tap := &StreamTap{Conn: mine, Limit: 1 << 10, OnClose: func(o, _ Captured) { out = o }}

	header, part := userStream(t, "compressed")
	plain := append(header, part...)
	encoded := AppendStreamMsg(nil, plain)
	n, err := tap.Conn.Write(encoded)
	if err != nil {
		t.Fatal(err)
	}
	tap.Wrote(plain, n)
	tap.Wrote([]byte("never sent"), 0)
	_ = tap.Close()
	if !bytes.Equal(out.Bytes, plain) || out.Size != len(encoded) {
		t.Fatalf("kept %d bytes, size %d; want the %d plain bytes, size %d", len(out.Bytes), out.Size, len(plain), len(encoded))
	}
	if m := out.Describe(); m.Kind != KindUser || m.Key != "sil/compressed" {
		t.Errorf("described as %+v", m)
	}
}

func TestStreamTapFirstReadDecidesOnce(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		mine, theirs := net.Pipe()
		errNo := errors.New("partitioned")
		calls := 0
		var in Captured
		tap := &StreamTap{Conn: mine, Limit: 64,
			FirstRead: func() error {
				calls++
				if refuse {
					return errNo
				}
				return nil
			},
			OnClose: func(_, i Captured) { in = i },
		}
		wrote := make(chan error, 1)
		go func() {
			var err error
			for _, s := range []string{"one", "two", "three"} {
				if _, err = theirs.Write([]byte(s)); err != nil {
					break
				}
			}
			wrote <- err
			_ = theirs.Close()
		}()
		b, err := io.ReadAll(tap)
		_ = tap.Close()
		if refuse {
			if !errors.Is(err, errNo) || len(b) != 0 || in.Size != 0 {
				t.Errorf("refused: read %q, %v, kept size %d; want nothing and the hook's error", b, err, in.Size)
			}
		} else if err != nil || string(b) != "onetwothree" || string(in.Bytes) != "onetwothree" || in.Size != 11 {
			t.Errorf("read %q, %v, kept %q size %d", b, err, in.Bytes, in.Size)
		}
		if calls != 1 {
			t.Errorf("refuse=%v: FirstRead ran %d times, want 1", refuse, calls)
		}
		select {
		case err := <-wrote:
			if refuse != (err != nil) {
				t.Errorf("refuse=%v: the other end's writes ended with %v", refuse, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("refuse=%v: the other end's write still blocked: the stream was left open", refuse)
		}
	}
}

// Closes from many goroutines, while the stream is read and written,
// close it once and report it once; what is kept is what crossed before.
func TestStreamTapConcurrentClose(t *testing.T) {
	mine, theirs := net.Pipe()
	cc := &closeCounter{Conn: mine}
	var reports atomic.Int32
	var out Captured
	tap := &StreamTap{Conn: cc, Limit: 8, OnClose: func(o, _ Captured) { reports.Add(1); out = o }}

	flowing := make(chan struct{})
	go func() { // the other end: some bytes, then the rest
		_, _ = io.ReadFull(theirs, make([]byte, 100))
		close(flowing)
		_, _ = io.Copy(io.Discard, theirs)
	}()
	sent := make(chan int)
	go func() {
		n := 0
		for {
			w, err := tap.Write([]byte{'x'})
			n += w
			if err != nil {
				sent <- n
				return
			}
		}
	}()
	go func() { _, _ = io.Copy(io.Discard, tap) }() // a reader blocked until Close
	<-flowing

	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = tap.Close() }()
	}
	wg.Wait()
	n := <-sent
	_ = theirs.Close()

	if got := cc.n.Load(); got != 1 {
		t.Errorf("the stream was closed %d times, want 1", got)
	}
	if got := reports.Load(); got != 1 {
		t.Errorf("reported %d times, want 1", got)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("Close %d: %v", i, err)
		}
	}
	// A write that crossed while Close ran may be left out, nothing more.
	if n < 100 || out.Size > n || out.Size < n-1 || len(out.Bytes) != min(out.Size, 8) {
		t.Errorf("%d bytes written; kept %d, size %d", n, len(out.Bytes), out.Size)
	}
}
