package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startLabServer runs a second server with a live lab of n real gossip
// nodes, stopped when the test ends. A server without /ws is reported like
// a missing browser: skipped here, failed under CI.
func startLabServer(t *testing.T, n string, flags ...string) *serverProc {
	t.Helper()
	needBrowser(t)
	s, err := startServer(serverBin, append([]string{"--lab", n, "--lab.random-ports", "--lab.fast"}, flags...)...)
	if err != nil {
		t.Fatalf("starting a lab server: %v", err)
	}
	t.Cleanup(s.stop)
	resp, err := http.Get(s.url + "ws") // a plain GET: a websocket endpoint refuses it, but not with 404
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Fatalf("the server serves no /ws with --lab %s", n)
	}
	return s
}

// TestLiveLab: with a live server the page connects, plays the lab's
// stream, and its buttons send commands that real nodes carry out: a
// silence created on one node reaches every node by gossip.
func TestLiveLab(t *testing.T) {
	lab := startLabServer(t, "3")
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, lab.url+"?live=1&panel=1")
	waitFor(t, ctx, 30*time.Second, "the live stream",
		`document.getElementById("live-status").textContent === "open" && gossipscope.state().source === "live" && gossipscope.state().nodes === 3`)
	// The controls show once the page's probe of api/live answers; a click
	// on a hidden control below would wait out the tab's whole deadline.
	waitFor(t, ctx, 30*time.Second, "the live controls (api/live answered)",
		`!document.getElementById("live-controls").hidden`)
	if q := eval[string](t, ctx, `location.search`); !strings.Contains(q, "live=1") {
		t.Errorf("URL %q does not say live", q)
	}
	waitFor(t, ctx, 10*time.Second, "node names from the stream", `document.getElementById("live-node").options.length === 3`)

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("live log: %q", eval[string](t, ctx, `document.getElementById("live-log").textContent`))
			t.Logf("page errors: %q", eval[[]string](t, ctx, `gossipscopePage.errors`))
			t.Logf("server: %s", lab.log())
		}
	})
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-silence"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 20*time.Second, "the silence's reply",
		`[...document.querySelectorAll("#live-log li.good")].some(li => li.textContent.includes("silence"))`)
	waitFor(t, ctx, 60*time.Second, "the silence to reach every node",
		`gossipscope.state().informed === 3`)
	screenshot(t, ctx, "page-live.png")

	// The silence is named by its comment and where it was made, in the
	// narration and in the key select; never as a raw "sil/<uuid>" key.
	if b := eval[string](t, ctx, `document.getElementById("source-badge").textContent`); b != "live lab" {
		t.Errorf("badge %q, want \"live lab\"", b)
	}
	waitFor(t, ctx, 10*time.Second, "the silence named in the narration",
		`gossipscope.state().narration.includes('the silence "created from gossipscope" (created on ')`)
	if n := eval[string](t, ctx, `gossipscope.state().narration`); strings.Contains(n, "sil/") {
		t.Errorf("narration shows a raw key: %q", n)
	}
	waitFor(t, ctx, 10*time.Second, "the key select listing the silence",
		`[...document.getElementById("live-key").options].some(o => o.value.startsWith("sil/") && o.textContent.includes('silence "created from gossipscope"'))`)
	// Choosing a key in the select colours by it (setKey), "" follows the newest again.
	key := eval[string](t, ctx, `(() => { const s = document.getElementById("live-key"); const o = [...s.options].find(o => o.value.startsWith("sil/")); s.value = o.value; s.dispatchEvent(new Event("change")); return o.value; })()`)
	if got := state(t, ctx).Key; got != key {
		t.Errorf("after choosing %q in the select, state().key = %q", key, got)
	}
	if !eval[bool](t, ctx, `gossipscope.state().keyChosen !== ""`) {
		t.Error("the choice did not stick")
	}
	eval[bool](t, ctx, `(() => { const s = document.getElementById("live-key"); s.value = ""; s.dispatchEvent(new Event("change")); return true; })()`)
	if !eval[bool](t, ctx, `gossipscope.state().keyChosen === ""`) {
		t.Error("choosing the newest again did not clear the choice")
	}

	// Crash mode: clicking a live node crashes the real node, and a second
	// click restarts it; the commands go out through onCommand.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="click"][value="crash"]`))); err != nil {
		t.Fatal(err)
	}
	x, y := nodeXY(t, ctx, "n2")
	click(t, ctx, x, y)
	waitFor(t, ctx, 20*time.Second, "the crash's reply",
		`[...document.querySelectorAll("#live-log li.good")].some(li => li.textContent.includes("crash on n2"))`)
	waitFor(t, ctx, 30*time.Second, "n2 down", `gossipscope.state().alive === 2`)
	click(t, ctx, x, y)
	waitFor(t, ctx, 20*time.Second, "the restart's reply",
		`[...document.querySelectorAll("#live-log li.good")].some(li => li.textContent.includes("restart on n2"))`)
	waitFor(t, ctx, 30*time.Second, "n2 back", `gossipscope.state().alive === 3`)
	chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="click"][value="select"]`)))
	api(t, ctx, "select(null)") // the buttons target the selected node first

	// The classroom preset: the same alert to every node.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#presets button[data-preset="am-dedup"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 20*time.Second, "the alert's reply",
		`[...document.querySelectorAll("#live-log li.good")].some(li => li.textContent.includes("alert to every node"))`)

	// A bad command (a node that does not exist) gets an error reply, shown.
	eval[bool](t, ctx, `(() => { const o = document.createElement("option"); o.value = o.textContent = "nope"; const s = document.getElementById("live-node"); s.appendChild(o); s.value = "nope"; return true; })()`)
	chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-crash")))
	waitFor(t, ctx, 20*time.Second, "the error reply",
		`[...document.querySelectorAll("#live-log li.bad")].some(li => li.textContent.includes("nope"))`)
	if st := state(t, ctx); st.Alive != 3 {
		t.Errorf("a refused command changed the cluster: %d alive", st.Alive)
	}

	// The server goes away: the page says so and keeps working.
	lab.stop()
	waitFor(t, ctx, 20*time.Second, "the lost connection reported",
		`!document.getElementById("error").hidden && document.getElementById("error-text").textContent.includes("Live lab")`)
	if r := api(t, ctx, `load("nodes=25")`); !r.OK {
		t.Fatalf("load after the server left: %s", r.Error)
	}
	assertStillRuns(t, ctx)
}
