package live_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

// memberSource is a small source with real state for hub tests: members
// that crash and restart, and a loss setting. It emits what it changes.
type memberSource struct {
	emit func(protocol.Event)
	mu   sync.Mutex
	live map[string]bool
	loss float64
	cmds []protocol.Command
	// healTakes makes heal slow, holding the source's lock as a lab
	// restarting a node does.
	healTakes time.Duration
}

func newMemberSource(emit func(protocol.Event), names ...string) *memberSource {
	s := &memberSource{emit: emit, live: map[string]bool{}}
	for _, n := range names {
		s.live[n] = true
	}
	return s
}

func (s *memberSource) Header() protocol.Event {
	return protocol.Header("test", map[string]any{"nodes": len(s.live)})
}

func (s *memberSource) Snapshot() []protocol.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []protocol.Event
	for _, n := range sortedKeys(s.live) {
		st := protocol.StatusAlive
		if !s.live[n] {
			st = protocol.StatusDead
		}
		out = append(out, protocol.Event{Type: protocol.TypeNode, Node: n, Status: st})
	}
	return out
}

func (s *memberSource) Command(c protocol.Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmds = append(s.cmds, c)
	switch c.Cmd {
	case protocol.CmdCrash, protocol.CmdRestart:
		alive, ok := s.live[c.Node]
		if !ok {
			return fmt.Errorf("%s: unknown node %q", c.Cmd, c.Node)
		}
		if alive == (c.Cmd == protocol.CmdRestart) {
			return fmt.Errorf("%s: node %q is already %v", c.Cmd, c.Node, map[bool]string{true: "up", false: "down"}[alive])
		}
		s.live[c.Node] = !alive
		st := protocol.StatusDead
		if !alive {
			st = protocol.StatusAlive
		}
		s.emit(protocol.Event{Type: protocol.TypeNode, Node: c.Node, Status: st})
	case protocol.CmdHeal:
		time.Sleep(s.healTakes)
		s.emit(protocol.Event{Type: protocol.TypeHeal})
	case protocol.CmdLoss:
		s.loss = c.Loss
		s.emit(protocol.Event{Type: protocol.TypeParam, Params: map[string]any{"loss": c.Loss}})
	default:
		return fmt.Errorf("%s: not supported here", c.Cmd)
	}
	return nil
}

func (s *memberSource) commands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cmds)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// quiet keeps the hub's connection reports out of test output.
var quiet = slog.New(slog.DiscardHandler)

// newServer serves h at /ws and /api/live on a loopback httptest server.
func newServer(t *testing.T, h *live.Hub) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/ws", h)
	mux.Handle("/api/live", h.StatsHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws" }

func dial(t *testing.T, ctx context.Context, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, wsURL(srv), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(64 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// readMsg reads one message and decodes its events; every line must be a
// valid event.
func readMsg(ctx context.Context, c *websocket.Conn) ([]protocol.Event, error) {
	typ, data, err := c.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, fmt.Errorf("got a %v message", typ)
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("message does not end in a newline: %q", tail(data))
	}
	d := protocol.NewDecoder(bytes.NewReader(data))
	var evs []protocol.Event
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return evs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("bad event in message: %v", err)
		}
		evs = append(evs, ev)
	}
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

// leftover holds events read from a connection but not yet looked at:
// a message may carry more than readUntil wanted.
var leftover = struct {
	sync.Mutex
	m map[*websocket.Conn][]protocol.Event
}{m: map[*websocket.Conn][]protocol.Event{}}

// readUntil reads events until pred says stop and returns them all,
// failing the test on a read error or when ctx ends.
func readUntil(t *testing.T, ctx context.Context, c *websocket.Conn, pred func(ev protocol.Event) bool) []protocol.Event {
	t.Helper()
	leftover.Lock()
	evs := leftover.m[c]
	delete(leftover.m, c)
	leftover.Unlock()
	var all []protocol.Event
	for {
		for i, ev := range evs {
			all = append(all, ev)
			if pred(ev) {
				leftover.Lock()
				leftover.m[c] = evs[i+1:]
				leftover.Unlock()
				return all
			}
		}
		var err error
		if evs, err = readMsg(ctx, c); err != nil {
			t.Fatalf("read after %d events: %v", len(all), err)
		}
	}
}

func sendCmd(t *testing.T, ctx context.Context, c *websocket.Conn, raw string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, []byte(raw)); err != nil {
		t.Fatalf("write command: %v", err)
	}
}

func isReply(id string) func(protocol.Event) bool {
	return func(ev protocol.Event) bool { return ev.Type == protocol.TypeReply && ev.ID == id }
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
