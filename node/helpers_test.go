package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// recorder collects events from any goroutine.
type recorder struct {
	mu     sync.Mutex
	events []protocol.Event
}

func (r *recorder) emit(e protocol.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) all() []protocol.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]protocol.Event(nil), r.events...)
}

func (r *recorder) filter(f func(protocol.Event) bool) []protocol.Event {
	var out []protocol.Event
	for _, e := range r.all() {
		if f(e) {
			out = append(out, e)
		}
	}
	return out
}

// startNode starts a fast node on loopback with OS-chosen ports.
func startNode(t *testing.T, name string, peers []string, mod func(*Config)) *Node {
	t.Helper()
	cfg := FastConfig()
	cfg.Name = name
	cfg.Peers = peers
	if mod != nil {
		mod(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = n.Shutdown(ctx)
	})
	return n
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

// call sends a JSON request and decodes a JSON answer into out (if non-nil).
func call(t *testing.T, method, url string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		if method == "GET" {
			return 0 // polling a server that is not up yet
		}
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, b, err)
		}
	}
	return resp.StatusCode
}

// postSilence creates a silence through a node's API and returns its ID.
func postSilence(t *testing.T, apiURL, alertname, comment string) string {
	t.Helper()
	now := time.Now().UTC()
	in := map[string]any{
		"matchers":  []map[string]any{{"name": "alertname", "value": alertname, "isRegex": false, "isEqual": true}},
		"startsAt":  now.Format(time.RFC3339Nano),
		"endsAt":    now.Add(time.Hour).Format(time.RFC3339Nano),
		"createdBy": "test",
		"comment":   comment,
	}
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if code := call(t, "POST", apiURL+"/api/v2/silences", in, &out); code != 200 || out.SilenceID == "" {
		t.Fatalf("POST silence to %s: status %d, id %q", apiURL, code, out.SilenceID)
	}
	return out.SilenceID
}

// silenceIDs lists the silence IDs a node's API reports.
func silenceIDs(t *testing.T, apiURL string) map[string]string {
	t.Helper()
	var out []struct {
		ID      string `json:"id"`
		Comment string `json:"comment"`
	}
	if code := call(t, "GET", apiURL+"/api/v2/silences", nil, &out); code != 200 {
		t.Fatalf("GET silences from %s: status %d", apiURL, code)
	}
	ids := map[string]string{}
	for _, s := range out {
		ids[s.ID] = s.Comment
	}
	return ids
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}
