package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gossipscope/gossipscope/internal/testnet"
)

// TestObserveAlertmanager: `gossipscope observe` watching a real two-node
// Alertmanager v0.27 cluster. The page connects live, says it observes and
// is read-only (no commands, a click only selects), and a silence created
// straight on am1's API reaches both nodes on screen, named by its comment.
func TestObserveAlertmanager(t *testing.T) {
	needBrowser(t)
	am1 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{})
	am2 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Peer: am1.Gossip})
	obs, err := startCommand(serverBin, "observe",
		"--alertmanager.url", am1.API, "--alertmanager.url", am2.API, "--interval", "200ms")
	if err != nil {
		t.Fatalf("starting gossipscope observe: %v", err)
	}
	t.Cleanup(obs.stop)

	start := time.Now()
	ctx := newTab(t, 60*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("narration: %q", eval[string](t, ctx, `gossipscope.state().narration`))
			t.Logf("live log: %q", eval[string](t, ctx, `document.getElementById("live-log").textContent`))
			t.Logf("page errors: %q", eval[[]string](t, ctx, `gossipscopePage.errors`))
			t.Logf("observer: %s", obs.log())
		}
	})
	openPage(t, ctx, obs.url+"?live=1&panel=1")
	waitFor(t, ctx, 20*time.Second, "the observer's stream with both Alertmanagers",
		`document.getElementById("live-status").textContent === "open" && gossipscope.state().source === "live" && gossipscope.state().stream === "alertmanager" && gossipscope.state().nodes === 2`)

	// Read-only: the badge says so, the commands and the crash click are gone.
	waitFor(t, ctx, 5*time.Second, "the read-only controls",
		`gossipscope.state().readOnly === true && document.getElementById("live-commands").hidden && !document.getElementById("live-readonly").hidden && document.querySelector("#sec-faults .click-mode").hidden`)
	if b := eval[string](t, ctx, `document.getElementById("source-badge").textContent`); b != "observe" {
		t.Errorf("badge %q, want \"observe\"", b)
	}
	if eval[bool](t, ctx, `document.querySelector('input[name="click"][value="crash"]').checked || !document.getElementById("f-crash").disabled`) {
		t.Error("crashing is still offered while observing")
	}

	// A shift-click (which crashes a node elsewhere) only selects.
	eval[bool](t, ctx, `(() => { window.sentCommands = 0; const f = gossipscope.onCommand; gossipscope.onCommand = (j) => { window.sentCommands++; return f(j); }; return true; })()`)
	names := eval[[]string](t, ctx, `[...document.getElementById("live-node").options].map(o => o.value)`)
	if len(names) != 2 {
		t.Fatalf("live nodes %q, want the two Alertmanagers", names)
	}
	x, y := nodeXY(t, ctx, names[0])
	click(t, ctx, x, y, chromedp.ButtonModifiers(chromedp.ModifierShift))
	waitFor(t, ctx, 5*time.Second, "the shift-click to select "+names[0],
		`(gossipscope.state().selected || {}).name === "`+names[0]+`"`)
	if n := eval[int](t, ctx, `window.sentCommands`); n != 0 {
		t.Errorf("a shift-click sent %d command(s) to a read-only observer", n)
	}
	api(t, ctx, "select(null)")

	// A silence made on am1 directly, as an operator would.
	now := time.Now().UTC()
	body, _ := json.Marshal(map[string]any{
		"matchers":  []map[string]any{{"name": "alertname", "value": "E2EObserve", "isRegex": false, "isEqual": true}},
		"startsAt":  now.Format(time.RFC3339),
		"endsAt":    now.Add(time.Hour).Format(time.RFC3339),
		"createdBy": "e2e",
		"comment":   "e2e maintenance window",
	})
	resp, err := http.Post(am1.API+"/api/v2/silences", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/silences on am1: %s", resp.Status)
	}
	waitFor(t, ctx, 20*time.Second, "the silence on both Alertmanagers",
		`gossipscope.state().informed === 2 && gossipscope.state().nodes === 2 && gossipscope.state().alive === 2 && gossipscope.state().version >= 1`)
	if o := eval[string](t, ctx, `gossipscope.state().observer`); o != "" {
		t.Errorf("a passive observer is a member named %q", o)
	}
	waitFor(t, ctx, 10*time.Second, "the silence named by its comment",
		`gossipscope.state().narration.includes('the silence "e2e maintenance window"') && gossipscope.state().keyLabel.includes("e2e maintenance window")`)
	if n := eval[string](t, ctx, `gossipscope.state().narration + " " + document.getElementById("narration").textContent`); strings.Contains(n, "sil/") {
		t.Errorf("narration shows a raw key: %q", n)
	}
	if n := eval[int](t, ctx, `window.sentCommands`); n != 0 {
		t.Errorf("the page sent %d command(s) to a read-only observer", n)
	}
	screenshot(t, ctx, "page-observe.png")
	t.Logf("observed in %v", time.Since(start).Round(time.Millisecond))
}
