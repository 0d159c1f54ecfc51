package live_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/live"
)

// dialFrom opens a client of srv's /ws from a local address (loopback has
// all of 127/8, so tests can be several machines).
func dialFrom(t *testing.T, ctx context.Context, srv *httptest.Server, local string) *websocket.Conn {
	t.Helper()
	c, resp, err := tryDialFrom(ctx, srv, local)
	if err != nil {
		t.Fatalf("dial from %s: %v (%v)", local, err, resp)
	}
	return c
}

func tryDialFrom(ctx context.Context, srv *httptest.Server, local string) (*websocket.Conn, *http.Response, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPClient: client})
	if err == nil {
		c.SetReadLimit(64 << 20)
	}
	return c, resp, err
}

// 64 connections from one address used to lock every page out for good.
// Now one address gets MaxClientsPerAddr, the others still get in, and a
// newcomer takes the place of a client that has sent nothing for
// ClientIdleTimeout (which is told why it was closed).
func TestClientLimitsPerAddressEvictIdle(t *testing.T) {
	h := live.NewHub(live.Config{Logger: quiet, MaxClients: 3, MaxClientsPerAddr: 2, ClientIdleTimeout: 300 * time.Millisecond})
	h.SetSource(newMemberSource(h.Emit, "n1"))
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	busy := dialFrom(t, ctx, srv, "127.0.0.1")
	idle := dialFrom(t, ctx, srv, "127.0.0.1")
	waitFor(t, 5*time.Second, "two clients", func() bool { return h.Stats().Clients == 2 })
	if _, resp, err := tryDialFrom(ctx, srv, "127.0.0.1"); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a third client from 127.0.0.1: %v, want HTTP 503", err)
	}
	other := dialFrom(t, ctx, srv, "127.0.0.2")
	waitFor(t, 5*time.Second, "three clients", func() bool { return h.Stats().Clients == 3 })
	if _, resp, err := tryDialFrom(ctx, srv, "127.0.0.3"); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a fourth client: %v, want HTTP 503", err)
	}

	time.Sleep(400 * time.Millisecond)
	sendCmd(t, ctx, busy, `{"id":"b","cmd":"heal"}`) // busy is no longer idle
	readUntil(t, ctx, busy, isReply("b"))
	sendCmd(t, ctx, other, `{"id":"o","cmd":"heal"}`)
	readUntil(t, ctx, other, isReply("o"))
	// The newcomer from 127.0.0.1 takes idle's place, not busy's.
	newcomer := dialFrom(t, ctx, srv, "127.0.0.1")
	for {
		_, err := readMsg(ctx, idle)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "evicted: no command for") {
			t.Fatalf("the idle client ended with %v, want 1008 evicted", err)
		}
		break
	}
	sendCmd(t, ctx, busy, `{"id":"b2","cmd":"heal"}`)
	readUntil(t, ctx, busy, isReply("b2"))
	sendCmd(t, ctx, newcomer, `{"id":"n","cmd":"heal"}`)
	readUntil(t, ctx, newcomer, isReply("n"))
	if st := h.Stats(); st.Clients != 3 || st.Evicted != 1 {
		t.Fatalf("clients %d evicted %d, want 3 and 1", st.Clients, st.Evicted)
	}
}

// 600 crash/restart commands went through in 0.93 s over 30 connections:
// the rate was per connection. It is per address now.
func TestCommandRateIsPerAddress(t *testing.T) {
	h := live.NewHub(live.Config{FlushInterval: 5 * time.Millisecond, Logger: quiet, CommandRate: 5, MaxClientsPerAddr: 30})
	src := newMemberSource(h.Emit, "n1")
	h.SetSource(src)
	srv := newServer(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for range 10 {
		conns = append(conns, dialFrom(t, ctx, srv, "127.0.0.1"))
	}
	start := time.Now()
	ok := 0
	for i, c := range conns {
		for j := range 3 {
			id := fmt.Sprint(i, "-", j)
			sendCmd(t, ctx, c, `{"id":"`+id+`","cmd":"loss","loss":0.1}`)
			if r := readUntil(t, ctx, c, isReply(id)); r[len(r)-1].Error == "" {
				ok++
			}
		}
	}
	// A burst of 5, then 5 a second for as long as this took.
	if limit := 5 + int(time.Since(start).Seconds()*5) + 1; ok > limit || src.commands() != ok {
		t.Fatalf("%d of 30 commands over 10 connections from one address ran (source saw %d); want at most %d", ok, src.commands(), limit)
	}
}
