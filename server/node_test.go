package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/protocol"
)

// syncBuffer is a bytes.Buffer safe for the node's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type runningNode struct {
	api    string
	gossip string
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

// startNodeCommand runs 'gossipscope node' in-process until the test ends.
func startNodeCommand(t *testing.T, extra ...string) *runningNode {
	t.Helper()
	api := testnet.FreeAddr(t)
	gossip := testnet.FreeAddr(t)
	args := append([]string{
		"--web.listen-address", api, "--cluster.listen-address", gossip,
		"--cluster.gossip-interval", "50ms", "--cluster.probe-interval", "200ms",
		"--cluster.probe-timeout", "100ms", "--cluster.pushpull-interval", "2s",
	}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningNode{api: "http://" + api, cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	go func() { r.done <- runNodeContext(ctx, args, io.Discard, r.stderr) }()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(r.api + "/-/ready")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case code := <-r.done:
			t.Fatalf("node exited with %d: %s", code, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("node API %s not up: %v\n%s", r.api, err, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.gossip = gossip
	return r
}

func (r *runningNode) stop(t *testing.T) {
	r.cancel()
	select {
	case code, ok := <-r.done:
		if ok && code != 0 {
			t.Errorf("node exited with %d: %s", code, r.stderr.String())
		}
		close(r.done)
	case <-time.After(10 * time.Second):
		t.Errorf("node did not stop within 10s")
	}
}

// The walkthrough of docs/gossip-rules.md, word for word but for addresses: start one node,
// start a second with --cluster.peer, create a silence on the first, see
// it on the second; both report the other in /api/v2/status.
func TestNodeCommandSeedWalkthrough(t *testing.T) {
	n1 := startNodeCommand(t)
	events := filepath.Join(t.TempDir(), "n2.jsonl")
	n2 := startNodeCommand(t, "--cluster.peer", n1.gossip, "--events", events)

	waitFor(t, 10*time.Second, "both nodes list two peers", func() bool {
		return len(statusPeers(t, n1.api)) == 2 && len(statusPeers(t, n2.api)) == 2
	})

	now := time.Now().UTC()
	body := fmt.Sprintf(`{"matchers":[{"name":"alertname","value":"InstanceDown","isRegex":false}],
		"startsAt":%q,"endsAt":%q,"createdBy":"seed","comment":"HA test 1"}`,
		now.Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))
	resp, err := http.Post(n1.api+"/api/v2/silences", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		SilenceID string `json:"silenceID"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 200 || created.SilenceID == "" {
		t.Fatalf("create silence: %s, id %q", resp.Status, created.SilenceID)
	}
	waitFor(t, 10*time.Second, "the silence on node 2", func() bool {
		var sils []struct {
			ID      string `json:"id"`
			Comment string `json:"comment"`
			Status  struct {
				State string `json:"state"`
			} `json:"status"`
		}
		getJSON(t, n2.api+"/api/v2/silences", &sils)
		for _, s := range sils {
			if s.ID == created.SilenceID && s.Comment == "HA test 1" && s.Status.State == "active" {
				return true
			}
		}
		return false
	})
	// Node 2's --events stream: a header, then among the rest the silence
	// arriving by gossip as a user message and a state event.
	waitFor(t, 5*time.Second, "the silence in node 2's event stream", func() bool {
		f, err := os.Open(events)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		evs, problems, _ := protocol.ReadAll(f, 5)
		if len(problems) > 0 { // a line being written; look again
			t.Logf("event stream: %v", problems)
			return false
		}
		var gotMsg, gotState bool
		for _, e := range evs {
			gotMsg = gotMsg || (e.Type == protocol.TypeMsg && e.Kind == "user" && e.Key == "sil/"+created.SilenceID)
			gotState = gotState || (e.Type == protocol.TypeState && e.Key == "sil/"+created.SilenceID && e.Value == "HA test 1")
		}
		return len(evs) > 0 && evs[0].Type == protocol.TypeHeader && gotMsg && gotState
	})
}

func TestNodeCommandBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"--cluster.peer", "no-port"}, "peer"},
		{[]string{"--webhook", "ftp://example.org/x"}, "webhook"},
		{[]string{"--cluster.listen-address", "nonsense"}, "cluster address"},
		{[]string{"--log.level", "loud"}, "log.level"},
		{[]string{"--cluster.peer-timeout", "-1s"}, "negative"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var stderr bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a node that did start would stop at once
		code := runNodeContext(ctx, tc.args, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("node %v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

func TestNodeCommandBusyPortFails(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := runNodeContext(ctx, []string{"--cluster.listen-address", l.LocalAddr().String(), "--web.listen-address", ""}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "gossip listen") {
		t.Fatalf("busy port: exit %d, stderr %q", code, stderr.String())
	}
}

func statusPeers(t *testing.T, api string) []string {
	var st struct {
		Cluster struct {
			Peers []struct {
				Name string `json:"name"`
			} `json:"peers"`
		} `json:"cluster"`
	}
	getJSON(t, api+"/api/v2/status", &st)
	var out []string
	for _, p := range st.Cluster.Peers {
		out = append(out, p.Name)
	}
	return out
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
