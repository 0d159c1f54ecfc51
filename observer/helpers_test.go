package observer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/protocol"
)

// startCluster runs n real Alertmanagers joined to the first and waits
// until every one lists n members.
func startCluster(t *testing.T, n int) []*testnet.Alertmanager {
	t.Helper()
	ams := []*testnet.Alertmanager{testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{})}
	for i := 1; i < n; i++ {
		ams = append(ams, testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Peer: ams[0].Gossip}))
	}
	eventually(t, 30*time.Second, fmt.Sprintf("%d members everywhere", n), func() bool {
		for _, am := range ams {
			if _, peers := statusOf(t, am.API); len(peers) != n {
				return false
			}
		}
		return true
	})
	return ams
}

func httpGet(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	if v == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// statusOf returns an Alertmanager's peer name and its members' names.
func statusOf(t *testing.T, api string) (string, []string) {
	var st amStatus
	if httpGet(api+"/api/v2/status", &st) != nil {
		return "", nil
	}
	var peers []string
	for _, p := range st.Cluster.Peers {
		peers = append(peers, p.Name)
	}
	return st.Cluster.Name, peers
}

// metricOf reads one unlabelled sample from an Alertmanager's /metrics.
func metricOf(t *testing.T, api, name string) float64 {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if n, _, v, ok := parseSample(line); ok && n == name {
			return v
		}
	}
	t.Fatalf("%s: no %s", api, name)
	return 0
}

// postSilence creates a silence through an Alertmanager's API (the test
// does that, never the observer) and returns its id and updatedAt.
func postSilence(t *testing.T, api, comment string) (string, int64) {
	t.Helper()
	body := fmt.Sprintf(`{"matchers":[{"name":"alertname","value":"Observed","isRegex":false}],"startsAt":%q,"endsAt":%q,"createdBy":"observer test","comment":%q}`,
		time.Now().UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339), comment)
	resp, err := http.Post(api+"/api/v2/silences", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		SilenceID string `json:"silenceID"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		t.Fatalf("post silence: %s", resp.Status)
	}
	var s amSilence
	if err := httpGet(api+"/api/v2/silence/"+r.SilenceID, &s); err != nil {
		t.Fatal(err)
	}
	return r.SilenceID, s.UpdatedAt.UnixMilli()
}

// methodCounter is a reverse proxy in front of an Alertmanager that counts
// the requests passing through it by method.
type methodCounter struct {
	URL string
	mu  sync.Mutex
	n   map[string]int
}

func countMethods(t *testing.T, target string) *methodCounter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	mc := &methodCounter{n: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // a crashed Alertmanager is expected
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mc.mu.Lock()
		mc.n[r.Method]++
		mc.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	mc.URL = srv.URL
	return mc
}

func (mc *methodCounter) counts() map[string]int {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	out := map[string]int{}
	for k, v := range mc.n {
		out[k] = v
	}
	return out
}

// recorder keeps the events an observer emits.
type recorder struct {
	mu  sync.Mutex
	evs []protocol.Event
	bad []string // events that fail protocol validation
}

func (r *recorder) emit(ev protocol.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ev.Validate(); err != nil {
		r.bad = append(r.bad, fmt.Sprintf("%+v: %v", ev, err))
	}
	r.evs = append(r.evs, ev)
}

// check fails the test if an invalid event was emitted.
func (r *recorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		t.Fatalf("invalid events: %v", r.bad)
	}
}

func (r *recorder) filter(f func(protocol.Event) bool) []protocol.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []protocol.Event
	for _, e := range r.evs {
		if f(e) {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range r.evs {
		enc.Encode(e)
	}
	return b.String()
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", within, what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
