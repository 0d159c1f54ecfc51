package node

import (
	"encoding/json"
	"github.com/gossipscope/gossipscope/notify"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// hookServer is a real HTTP webhook receiver that keeps what it got.
type hookServer struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []notify.Message
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m notify.Message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body %q: %v", b, err)
		}
		h.mu.Lock()
		h.msgs = append(h.msgs, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) got() []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Message(nil), h.msgs...)
}

// HA test 2 of docs/gossip-rules.md: the same alert posted to every node produces
// exactly one webhook, sent by the node at position 0, and the others skip
// it after finding the gossiped notification log entry.
func TestHADedupOneWebhook(t *testing.T) {
	t.Parallel()
	hook := newHookServer(t)
	rec := &recorder{}
	l := startLab(t, 3, rec, func(c *LabConfig) { c.Webhook = hook.URL + "/hook" })
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 3) })
	for _, nm := range l.Names() { // as the walkthrough: post to each node's API
		alerts := []map[string]any{{"labels": map[string]string{"alertname": "NodeDown", "instance": "db1"}}}
		if code := call(t, "POST", l.Node(nm).APIURL()+"/api/v2/alerts", alerts, nil); code != 200 {
			t.Fatalf("post alert to %s: %d", nm, code)
		}
	}
	eventually(t, 5*time.Second, "one webhook", func() bool { return len(hook.got()) >= 1 })
	// Position 2 waits 2 x peer timeout (1 s): give everyone time to decide.
	eventually(t, 10*time.Second, "n2 and n3 skip", func() bool {
		return len(rec.filter(func(e protocol.Event) bool {
			return e.Type == protocol.TypeNote && strings.Contains(e.Text, "skipped notification")
		})) == 2
	})
	got := hook.got()
	if len(got) != 1 {
		t.Fatalf("%d webhooks, want exactly 1: %+v", len(got), got)
	}
	m := got[0]
	if m.ExternalURL != l.Node("n1").APIURL() {
		t.Fatalf("webhook from %s, want n1 (position 0) %s", m.ExternalURL, l.Node("n1").APIURL())
	}
	if m.GroupKey != `{}:{alertname="NodeDown"}` || len(m.Alerts) != 1 || m.Alerts[0].Labels["instance"] != "db1" || m.Version != "4" {
		t.Fatalf("webhook payload %+v", m)
	}
	for _, nm := range l.Names() {
		if len(l.Node(nm).NotificationLog()) != 1 {
			t.Fatalf("%s holds %d nflog entries, want 1", nm, len(l.Node(nm).NotificationLog()))
		}
	}
	nfl := rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeState && strings.HasPrefix(e.Key, "nfl/") })
	if len(nfl) != 3 || nfl[0].Node != "n1" {
		t.Fatalf("nfl state events %+v, want n1 first then the other two", nfl)
	}
}

// A silenced alert is not notified by anyone.
func TestSilencedAlertNotNotified(t *testing.T) {
	t.Parallel()
	hook := newHookServer(t)
	rec := &recorder{}
	l := startLab(t, 2, rec, func(c *LabConfig) { c.Webhook = hook.URL })
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 2) })
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n2", Text: "Muted"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "silence on n1", func() bool { return len(l.Node("n1").Silences()) == 1 })
	if err := l.Command(protocol.Command{Cmd: protocol.CmdAlert, Text: "Muted"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdAlert, Node: "n1", Text: "Loud"}); err != nil {
		t.Fatal(err)
	}
	// The unsilenced alert is notified: by then the silenced one's group
	// (same group_wait, position 0) has been flushed too.
	eventually(t, 5*time.Second, "the Loud webhook", func() bool { return len(hook.got()) >= 1 })
	time.Sleep(1500 * time.Millisecond) // n2's position wait (1 x 1 s) for Muted
	for _, m := range hook.got() {
		if m.GroupLabels["alertname"] != "Loud" {
			t.Fatalf("notified %+v despite the silence", m.GroupLabels)
		}
	}
	// The API reports the muted alert as suppressed by the silence.
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State      string   `json:"state"`
			SilencedBy []string `json:"silencedBy"`
		} `json:"status"`
	}
	call(t, "GET", l.Node("n1").APIURL()+"/api/v2/alerts", nil, &alerts)
	found := false
	for _, a := range alerts {
		if a.Labels["alertname"] == "Muted" {
			found = true
			if a.Status.State != "suppressed" || len(a.Status.SilencedBy) != 1 {
				t.Fatalf("muted alert status %+v", a.Status)
			}
		}
	}
	if !found {
		t.Fatal("n1's API does not list the Muted alert")
	}
}
