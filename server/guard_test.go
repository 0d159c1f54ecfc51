package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/protocol"
)

// get sends a GET with the given Host header and returns the status.
func getWithHost(t *testing.T, url, host string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// DNS rebinding: a page on evil.example whose name now resolves to
// 127.0.0.1 sends Host and Origin both evil.example, so the Origin check
// alone lets it in. Every endpoint refuses such a Host; loopback names,
// IP literals and --web.allowed-hosts names are answered.
func TestHostileHostRefused(t *testing.T) {
	s := startTestServer(t, labOpts(1))
	port := s.ln.Addr().String()[strings.LastIndex(s.ln.Addr().String(), ":")+1:]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	evil := "evil.example:" + port
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL(), "http")+"/ws", &websocket.DialOptions{
		Host: evil, HTTPHeader: http.Header{"Origin": {"http://" + evil}}})
	if err == nil {
		// It got in: show that its commands run, which is the hole.
		c.Write(ctx, websocket.MessageText, []byte(`{"id":"1","cmd":"crash","node":"n1"}`))
		c.CloseNow()
		t.Fatalf("websocket with Host %s was accepted (HTTP %d)", evil, resp.StatusCode)
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("websocket with Host %s: %v (%v), want HTTP 403", evil, resp, err)
	}
	for _, path := range []string{"/", "/index.html", "/api/live", "/ws"} {
		if code := getWithHost(t, s.URL()+path, evil); code != http.StatusForbidden {
			t.Errorf("GET %s with Host %s: %d, want 403", path, evil, code)
		}
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "localhost"} {
		if code := getWithHost(t, s.URL()+"/api/live", host); code != http.StatusOK {
			t.Errorf("GET /api/live with Host %s: %d, want 200", host, code)
		}
	}
	// The page at http://localhost:PORT opens its websocket.
	local := "localhost:" + port
	c, _, err = websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL(), "http")+"/ws", &websocket.DialOptions{
		Host: local, HTTPHeader: http.Header{"Origin": {"http://" + local}}})
	if err != nil {
		t.Fatalf("websocket from http://%s: %v", local, err)
	}
	defer c.CloseNow()
	c.SetReadLimit(64 << 20)
	lc := &liveClient{t: t, c: c}
	lc.until(ctx, "header", func(ev protocol.Event) bool { return ev.Type == protocol.TypeHeader })

	// Named explicitly, the name is answered.
	o := labOpts(1)
	o.allowedHosts = []string{"evil.example"}
	s2 := startTestServer(t, o)
	port2 := s2.ln.Addr().String()[strings.LastIndex(s2.ln.Addr().String(), ":")+1:]
	if code := getWithHost(t, s2.URL()+"/api/live", "evil.example:"+port2); code != http.StatusOK {
		t.Errorf("GET /api/live with an allowed Host: %d, want 200", code)
	}
}

// A user who serves on a name (--web.allowed-hosts) reaches the lab's node
// APIs by that name too; any other name still gets 403 there.
func TestLabNodeAPIsAnswerTheAllowedHosts(t *testing.T) {
	var o serveOptions
	fs := newFlagSet("serve", &strings.Builder{}, &strings.Builder{})
	addWebFlags(fs.FlagSet, &o)
	if err := fs.Parse([]string{"--web.listen-address", "127.0.0.1:0", "--web.allowed-hosts", "gossip.example"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o.withLab(labOptions{nodes: 2, randomPorts: true, fast: true}, &out)
	startTestServer(t, o)
	apis := regexp.MustCompile(`(?m)^gossipscope: lab node n\d api (http://127\.0\.0\.1:(\d+))`).FindAllStringSubmatch(out.String(), -1)
	if len(apis) != 2 {
		t.Fatalf("start output %q: want each node's API address", out.String())
	}
	for _, m := range apis {
		url, port := m[1], m[2]
		for host, want := range map[string]int{
			"gossip.example:" + port: http.StatusOK,
			"evil.example:" + port:   http.StatusForbidden,
			"127.0.0.1:" + port:      http.StatusOK,
		} {
			for _, path := range []string{"/api/v2/status", "/-/ready"} {
				if code := getWithHost(t, url+path, host); code != want {
					t.Errorf("GET %s%s with Host %s: %d, want %d", url, path, host, code, want)
				}
			}
		}
	}
}

func TestAllowedHostsFlag(t *testing.T) {
	var o serveOptions
	fs := newFlagSet("serve", &strings.Builder{}, &strings.Builder{})
	addWebFlags(fs.FlagSet, &o)
	if err := fs.Parse([]string{"--web.allowed-hosts", "a.example, .b.example", "--web.allowed-hosts=c.example"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(o.allowedHosts, " "); got != "a.example .b.example c.example" {
		t.Errorf("allowed hosts %q", got)
	}
	o.listen = "127.0.0.1:0"
	o.allowedHosts = []string{"*"}
	if _, err := startServer(o, &strings.Builder{}, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "DNS-rebinding") {
		t.Errorf("--web.allowed-hosts '*': %v, want a refusal", err)
	}
}

// rawConn opens a TCP connection to the server from a local address.
func rawConn(t *testing.T, s *server, local string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports whether the server closes c (EOF) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	return err == nil // EOF: closed; a timeout is an error
}

// Many connections from one address: past the per-address limit the server
// closes new ones at once while other addresses are still served; an idle
// keep-alive connection is closed after the idle timeout (it was kept for
// ever).
func TestConnectionLimitsAndIdleKeepAlive(t *testing.T) {
	o := serveOptions{listen: "127.0.0.1:0", connsPerAddr: 4, conns: 6, idleTimeout: 300 * time.Millisecond}
	s := startTestServer(t, o)
	for range 4 {
		rawConn(t, s, "127.0.0.1") // held, saying nothing
	}
	if c := rawConn(t, s, "127.0.0.1"); !closedWithin(c, 2*time.Second) {
		t.Fatal("a fifth connection from 127.0.0.1 was kept open")
	}
	// Another address is served, and its idle keep-alive connection is
	// closed after the idle timeout.
	c := rawConn(t, s, "127.0.0.2")
	fmt.Fprintf(c, "GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET from 127.0.0.2: %v %v", resp, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, resp.ContentLength))
	start := time.Now()
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("an idle keep-alive connection was kept for 3 s")
	}
	t.Logf("idle keep-alive connection closed after %v", time.Since(start).Round(10*time.Millisecond))
	// In total: 4 + 2 more fill it, the next from anywhere is closed.
	rawConn(t, s, "127.0.0.3")
	rawConn(t, s, "127.0.0.3")
	time.Sleep(100 * time.Millisecond) // accepted
	if c := rawConn(t, s, "127.0.0.4"); !closedWithin(c, 2*time.Second) {
		t.Fatal("a connection past the total limit was kept open")
	}
}
