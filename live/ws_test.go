package live_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

// Bad commands get an error reply with their ID and never reach the
// source; good ones are carried out, their effects streamed before the
// reply.
func TestCommandsAreValidatedAndAnswered(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	src := newMemberSource(h.Emit, "n1", "n2")
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	other := dial(t, ctx, srv)

	bad := []struct{ raw, id, want string }{
		{`{"id":"1","cmd":"crash"`, "", "not valid JSON"},
		{`{"id":"2"}`, "2", "missing cmd"},
		{`{"id":"3","cmd":"explode","node":"n1"}`, "3", `unknown cmd "explode"`},
		{`{"id":"4","cmd":"crash"}`, "4", "missing node"},
		{`{"id":"5","cmd":"loss","loss":1.5}`, "5", "not in [0, 1]"},
		{`{"id":"6","cmd":"partition","groups":[["n1"]]}`, "6", "at least two groups"},
		{`{"id":"7","cmd":"partition","groups":[["n1"],["n1","n2"]]}`, "7", "in two groups"},
		{`{"id":"8","cmd":"loss","loss":"lots"}`, "8", "bad command"},
		{`[1,2,3]`, "", "bad command"},
		{`"crash"`, "", "bad command"},
		{`{"id":"9","cmd":"crash","node":"n1"} {"cmd":"crash","node":"n2"}`, "", "not valid JSON"},
		{`{"id":"10","cmd":"heal","node":"n1","cmd":"crash"}`, "10", `key "cmd" given twice`}, // a heal became a crash
		{`{"id":"` + strings.Repeat("x", protocol.MaxIDBytes+1) + `","cmd":"heal"}`, "", "id longer than 128 bytes"},
	}
	for _, b := range bad {
		sendCmd(t, ctx, c, b.raw)
		evs := readUntil(t, ctx, c, func(ev protocol.Event) bool { return ev.Type == protocol.TypeReply })
		r := evs[len(evs)-1]
		if r.ID != b.id || !strings.Contains(r.Error, b.want) {
			t.Errorf("%s: reply id %q error %q, want id %q and %q", b.raw, r.ID, r.Error, b.id, b.want)
		}
	}
	if err := c.Write(ctx, websocket.MessageBinary, []byte(`{"cmd":"heal"}`)); err != nil {
		t.Fatal(err)
	}
	evs := readUntil(t, ctx, c, func(ev protocol.Event) bool { return ev.Type == protocol.TypeReply })
	if r := evs[len(evs)-1]; !strings.Contains(r.Error, "not binary") {
		t.Errorf("binary message: reply %+v", r)
	}
	if n := src.commands(); n != 0 {
		t.Fatalf("%d invalid commands reached the source", n)
	}

	// The source refuses a valid command: error, nothing changes.
	sendCmd(t, ctx, c, `{"id":"10","cmd":"restart","node":"n1"}`)
	evs = readUntil(t, ctx, c, isReply("10"))
	if r := evs[len(evs)-1]; !strings.Contains(r.Error, "already up") {
		t.Errorf("restart of a live node: %+v", r)
	}
	for _, ev := range evs {
		if ev.Type == protocol.TypeNode || ev.Type == protocol.TypeParam {
			t.Errorf("a refused command emitted %+v", ev)
		}
	}

	// A good command: its effect comes first, then the reply, to the
	// sender only; every client sees the effect.
	sendCmd(t, ctx, c, `{"id":"11","cmd":"crash","node":"n2"}`)
	evs = readUntil(t, ctx, c, isReply("11"))
	r := evs[len(evs)-1]
	if r.Error != "" {
		t.Fatalf("crash n2: %s", r.Error)
	}
	if prev := evs[len(evs)-2]; prev.Type != protocol.TypeNode || prev.Node != "n2" || prev.Status != protocol.StatusDead {
		t.Fatalf("before the reply: %+v, want n2 dead", prev)
	}
	evs = readUntil(t, ctx, other, func(ev protocol.Event) bool { return ev.Type == protocol.TypeNode && ev.Status == protocol.StatusDead })
	for _, ev := range evs {
		if ev.Type == protocol.TypeReply {
			t.Fatalf("another client's reply reached this one: %+v", ev)
		}
	}
	st := h.Stats()
	if st.Commands != uint64(len(bad)+3) || st.CommandErrors != uint64(len(bad)+2) {
		t.Fatalf("stats %+v: want %d commands, %d errors", st, len(bad)+3, len(bad)+2)
	}
}

func TestOversizeCommandClosesOnlyThatClient(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	src := newMemberSource(h.Emit, "n1")
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	big := dial(t, ctx, srv)
	other := dial(t, ctx, srv)

	huge := `{"cmd":"crash","node":"n1","text":"` + strings.Repeat("z", protocol.MaxCommandBytes) + `"}`
	big.Write(ctx, websocket.MessageText, []byte(huge)) // may fail once the server closes
	for {
		_, _, err := big.Read(ctx)
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
			t.Fatalf("oversize command: close status %v (%v), want %v", got, err, websocket.StatusMessageTooBig)
		}
		break
	}
	if src.commands() != 0 {
		t.Fatal("the oversize command reached the source")
	}
	// The server is up: the other client still works, and new ones join.
	sendCmd(t, ctx, other, `{"id":"a","cmd":"crash","node":"n1"}`)
	evs := readUntil(t, ctx, other, isReply("a"))
	if r := evs[len(evs)-1]; r.Error != "" {
		t.Fatalf("other client's command failed: %s", r.Error)
	}
	fresh := dial(t, ctx, srv)
	readUntil(t, ctx, fresh, func(ev protocol.Event) bool { return ev.Type == protocol.TypeHeader })
}

func TestOriginCheck(t *testing.T) {
	h := live.NewHub(live.Config{Logger: quiet, OriginPatterns: []string{"localhost:3000", "https://*.example.org"}})
	h.SetSource(newMemberSource(h.Emit, "n1"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},                       // not a browser
		{srv.URL, true},                  // same origin
		{"http://localhost:3000", true},  // allowed by pattern
		{"https://ui.example.org", true}, // allowed, scheme and host
		{"http://ui.example.org", false}, // wrong scheme
		{"http://evil.example", false},
		{"null", false},
	} {
		hdr := http.Header{}
		if tc.origin != "" {
			hdr.Set("Origin", tc.origin)
		}
		c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPHeader: hdr})
		if tc.ok {
			if err != nil {
				t.Errorf("origin %q refused: %v", tc.origin, err)
				continue
			}
			if _, err := readMsg(ctx, c); err != nil {
				t.Errorf("origin %q: %v", tc.origin, err)
			}
			c.Close(websocket.StatusNormalClosure, "")
			continue
		}
		if err == nil {
			c.CloseNow()
			t.Errorf("origin %q accepted", tc.origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %q: %v, want HTTP 403", tc.origin, err)
		}
	}
}

func TestNoSourceAndTooManyClients(t *testing.T) {
	h := live.NewHub(live.Config{Logger: quiet, MaxClients: 1})
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, wsURL(srv), nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("without a source: %v, want HTTP 503", err)
	}
	h.SetSource(newMemberSource(h.Emit, "n1"))
	dial(t, ctx, srv)
	waitFor(t, 5*time.Second, "the first client", func() bool { return h.Stats().Clients == 1 })
	if _, resp, err := websocket.Dial(ctx, wsURL(srv), nil); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("past MaxClients: %v, want HTTP 503", err)
	}
}

// A source busy with a slow command (and so slow to give a snapshot) holds
// up only the client that is joining: the others keep streaming.
func TestSlowSourceDelaysOnlyTheJoiningClient(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet})
	src := newMemberSource(h.Emit, "n1")
	src.healTakes = 2 * time.Second
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := dial(t, ctx, srv), dial(t, ctx, srv)
	readUntil(t, ctx, b, func(ev protocol.Event) bool { return ev.Type == protocol.TypeNode })
	sendCmd(t, ctx, a, `{"id":"slow","cmd":"heal"}`)
	time.Sleep(100 * time.Millisecond) // the source is now busy
	joined := make(chan *websocket.Conn, 1)
	go func() {
		c, _, err := websocket.Dial(ctx, wsURL(srv), nil)
		if err == nil {
			joined <- c
		}
	}()
	waitFor(t, 5*time.Second, "the new client to wait for its snapshot", func() bool { return h.Stats().Clients == 3 })
	for i := range 5 {
		sent := time.Now()
		h.Emit(protocol.Event{Type: protocol.TypeMsg, From: "n1", To: "n2", Kind: "ping", Version: int64(i + 1)})
		readUntil(t, ctx, b, func(ev protocol.Event) bool { return ev.Kind == "ping" && ev.Version == int64(i+1) })
		if d := time.Since(sent); d > 500*time.Millisecond {
			t.Fatalf("event %d took %v to reach a client while the source was busy", i, d)
		}
	}
	// The new client gets the header, its snapshot, then what was emitted
	// while it waited, in order.
	c := <-joined
	defer c.CloseNow()
	evs := readUntil(t, ctx, c, func(ev protocol.Event) bool { return ev.Kind == "ping" && ev.Version == 5 })
	if evs[0].Type != protocol.TypeHeader || evs[1].Type != protocol.TypeNode {
		t.Fatalf("new client began with %+v", evs[:2])
	}
	pings := 0
	for _, ev := range evs {
		if ev.Kind == "ping" {
			pings++
		}
	}
	if pings != 5 {
		t.Fatalf("new client got %d of the 5 events emitted while it joined", pings)
	}
}

func TestCommandRateLimit(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet, CommandRate: 5})
	src := newMemberSource(h.Emit, "n1")
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dial(t, ctx, srv)
	limited := 0
	for i := range 20 {
		id := fmt.Sprint(i)
		sendCmd(t, ctx, c, `{"id":"`+id+`","cmd":"loss","loss":0.1}`)
		evs := readUntil(t, ctx, c, isReply(id))
		if r := evs[len(evs)-1]; strings.Contains(r.Error, "too many commands") {
			limited++
		} else if r.Error != "" {
			t.Fatalf("command %d: %s", i, r.Error)
		}
	}
	// 20 commands in far less than a second at 5/s with bursts of 5.
	if limited < 10 || src.commands() != 20-limited {
		t.Fatalf("%d of 20 commands limited, %d reached the source", limited, src.commands())
	}
	// Other addresses are not limited by this one's spending.
	o := dialFrom(t, ctx, srv, "127.0.0.2")
	sendCmd(t, ctx, o, `{"id":"o","cmd":"loss","loss":0.2}`)
	if evs := readUntil(t, ctx, o, isReply("o")); evs[len(evs)-1].Error != "" {
		t.Fatalf("another client was limited: %s", evs[len(evs)-1].Error)
	}
}

// Closing the hub tells reading clients it is going away, and does not
// wait for clients that do not read.
func TestCloseSaysGoingAway(t *testing.T) {
	h := live.NewHub(live.Config{Logger: quiet})
	h.SetSource(newMemberSource(h.Emit, "n1"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reader, idle := dial(t, ctx, srv), dial(t, ctx, srv)
	readUntil(t, ctx, reader, func(ev protocol.Event) bool { return ev.Type == protocol.TypeNode })
	_ = idle // never reads
	start := time.Now()
	h.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	for {
		_, _, err := reader.Read(ctx)
		if err == nil {
			continue
		}
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Fatalf("client got %v, want status going away", err)
		}
		break
	}
	h.Emit(protocol.Event{Type: protocol.TypeNote, Text: "after close"}) // harmless
	if h.Pending() != 0 {
		t.Fatal("Emit after Close kept an event")
	}
}

// A client that sends commands and reads none of the replies is read no
// further once its backlog is full: its writes block on its own socket,
// and what the server holds for it stays near ClientBuffer.
func TestUnreadRepliesStopReading(t *testing.T) {
	// Long write and slow-client timeouts: the client must still be there
	// when its backlog is looked at, however loaded the machine.
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet, ClientBuffer: 16 << 10, CommandRate: 1e9,
		WriteTimeout: 5 * time.Minute, SlowClientTimeout: 5 * time.Minute})
	h.SetSource(newMemberSource(h.Emit, "n1"))
	// Sockets that take little, on both sides: the replies the client
	// does not read then fill the kernel's buffers (several MB on
	// loopback otherwise) after a few commands, not thousands.
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = smallSendBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(func() { h.Close(); srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	cmd := []byte(`{"id":"` + strings.Repeat("i", protocol.MaxIDBytes) + `","cmd":"` + strings.Repeat("c", 2000) + `"}`)
	wctx, stopWriting := context.WithCancel(ctx)
	defer stopWriting()
	go func() {
		for i := 0; i < 100000 && c.Write(wctx, websocket.MessageText, cmd) == nil; i++ {
		}
	}()
	// Wait until the hub stops taking commands: the client's writes then
	// block on its own socket.
	var sent uint64
	for last, still := uint64(0), 0; still < 5; time.Sleep(100 * time.Millisecond) {
		if sent = h.Stats().Commands; sent == last {
			still++
		} else {
			last, still = sent, 0
		}
	}
	if sent >= 100000 {
		t.Fatal("the hub read 100000 commands from a client that reads no replies")
	}
	st := h.Stats()
	if len(st.Sinks) != 1 || st.Sinks[0].Queued > 16<<10+2*1024 {
		t.Fatalf("after %d commands the client's backlog is %+v, want about ClientBuffer (16 KiB)", sent, st.Sinks)
	}
	t.Logf("stopped reading after %d commands; backlog %d bytes", sent, st.Sinks[0].Queued)
}

// smallSendBuffers gives every accepted connection a 4 KiB send buffer.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}
