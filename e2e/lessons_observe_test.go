package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
)

// TestLessonObserveExplainsARealClustersNotification: lesson 2's observe
// view on two real Alertmanagers watched by `gossipscope observe`. The
// alert goes to the position-1 node only (as when position 0 is not given
// the alert): it waits one peer timeout and notifies; the lesson reads it
// out of the cluster's own metrics and says which rule explains it.
func TestLessonObserveExplainsARealClustersNotification(t *testing.T) {
	needBrowser(t)
	var hooks atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hooks.Add(1) }))
	t.Cleanup(hook.Close)
	am1 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Webhook: hook.URL})
	am2 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Peer: am1.Gossip, Webhook: hook.URL})
	obs, err := startCommand(serverBin, "observe",
		"--alertmanager.url", am1.API, "--alertmanager.url", am2.API, "--interval", "200ms")
	if err != nil {
		t.Fatalf("starting gossipscope observe: %v", err)
	}
	t.Cleanup(obs.stop)
	ctx := newTab(t, 90*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("page errors: %q", eval[[]string](t, ctx, `gossipscopePage.errors`))
			t.Logf("observed: %s", eval[string](t, ctx, `JSON.stringify(gossipscopeLessons.observed())`))
			t.Logf("observer: %s", obs.log())
		}
	})
	openPage(t, ctx, obs.url+"?live=1&panel=1&lesson=ha-notify&variant=observe")
	waitFor(t, ctx, 30*time.Second, "both positions in the cluster's metrics",
		`gossipscopeLessons.ready && Object.values(gossipscopeLessons.observed()).filter(o => o.position !== null).length === 2`)

	// The node at position 1, by its own /metrics.
	second := am2
	if position(t, am1.API) == 1 {
		second = am1
	}
	body, _ := json.Marshal([]map[string]any{{"labels": map[string]string{"alertname": "E2ELessonObserve"}}})
	resp, err := http.Post(second.API+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(20 * time.Second)
	for hooks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if hooks.Load() == 0 {
		t.Fatal("the webhook got nothing within 20 s")
	}
	waitFor(t, ctx, 10*time.Second, "the notification in the cluster's metrics",
		`Object.values(gossipscopeLessons.observed()).some(o => o.notifications > 0)`)
	eval[bool](t, ctx, `document.getElementById("lesson-next").click(); true`)
	waitFor(t, ctx, 5*time.Second, "the summary", `gossipscopeLessons.done`)
	summary := eval[string](t, ctx, `gossipscopeLessons.summary.join(" | ")`)
	t.Logf("observe summary: %s", summary)
	if !strings.Contains(summary, "notified, at position 1") || eval[bool](t, ctx, `gossipscopeLessons.result.duplicates`) {
		t.Errorf("summary %q: want one notification, explained by position 1's wait", summary)
	}
}

// position reads alertmanager_peer_position from an Alertmanager's /metrics.
func position(t *testing.T, api string) int {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "alertmanager_peer_position "); ok {
			return int(v[0] - '0')
		}
	}
	t.Fatalf("%s/metrics has no alertmanager_peer_position", api)
	return 0
}
