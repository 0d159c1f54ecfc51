package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLiveLabAnnounced: on a server with --lab (what `make run` starts) the
// page opens on the simulation but says at once, in the header, that a
// live lab runs, and one click shows it; a second goes back. On the static
// server (no live source) the button stays away and the Alertmanager
// presets say what they need.
func TestLiveLabAnnounced(t *testing.T) {
	lab := startLabServer(t, "3")
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, lab.url)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("live card: %q; page errors: %q", eval[string](t, ctx, `document.getElementById("live-availability").textContent`),
				eval[[]string](t, ctx, `gossipscopePage.errors`))
		}
	})
	waitFor(t, ctx, 30*time.Second, "the live lab button", `!document.getElementById("live-jump").hidden`)
	if got := eval[string](t, ctx, `document.getElementById("live-jump").textContent`); got != "Live lab" {
		t.Errorf("button says %q", got)
	}
	// Visible in the header without scrolling: inside the window.
	if !eval[bool](t, ctx, `(() => { const r = document.getElementById("live-jump").getBoundingClientRect();
		return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; })()`) {
		t.Error("the live lab button is not on screen")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-jump"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 30*time.Second, "the live stream", `gossipscope.state().source === "live" && gossipscope.state().nodes === 3`)
	if q := eval[string](t, ctx, `location.search`); !strings.Contains(q, "live=1") {
		t.Errorf("URL %q does not say live", q)
	}
	waitFor(t, ctx, 5*time.Second, "the way back", `document.getElementById("live-jump").textContent === "Simulation"`)
	// Live words and controls: no round stepping, the live explanation.
	waitFor(t, ctx, 5*time.Second, "the live view's own words",
		`document.getElementById("step-round").offsetParent === null && document.getElementById("step-msg").offsetParent === null &&
		 [...document.querySelectorAll("#sec-explain .live-only")].every((e) => e.offsetParent !== null) &&
		 [...document.querySelectorAll("#sec-explain .sim-only")].every((e) => e.offsetParent === null)`)
	// The setup bar's simulation fields give way to a note saying why.
	waitFor(t, ctx, 5*time.Second, "the setup bar's live note",
		`document.getElementById("s-nodes").offsetParent === null && document.querySelector("#setup .setup-note").offsetParent !== null &&
		 document.querySelector("#setup .setup-note").title.includes("real processes")`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-jump"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 10*time.Second, "the simulation again", `gossipscope.state().source === "sim" && gossipscope.state().playing`)
	waitFor(t, ctx, 5*time.Second, "the simulation's controls again", `document.getElementById("step-round").offsetParent !== null && document.getElementById("s-nodes").offsetParent !== null`)

	// The shared server has no live source.
	ctx2 := newTab(t, time.Minute)
	openPage(t, ctx2, pageURL("panel=1"))
	waitFor(t, ctx2, 10*time.Second, "the presets' note", `!document.getElementById("presets-live-note").hidden`)
	if !eval[bool](t, ctx2, `document.getElementById("live-jump").hidden`) {
		t.Error("a live lab button on a server without a live source")
	}
	if title := eval[string](t, ctx2, `document.querySelector('#presets button[data-preset="am-silence"]').title`); !strings.Contains(title, "make run") {
		t.Errorf("the Alertmanager preset's title %q does not say what it needs", title)
	}
}

// TestPredictThenPlay: the class's guess, then the run: the card sets the
// guess, the run's rounds and the theory's side by side.
func TestPredictThenPlay(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=100&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=1&panel=1"))
	api(t, ctx, `setSpeed(2)`)
	eval[bool](t, ctx, `(document.getElementById("pr-guess").value = "4", true)`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pr-play"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 60*time.Second, "the comparison", `gossipscopePredict.result().includes("theory")`)
	got := eval[string](t, ctx, `gossipscopePredict.result()`)
	// The round during which the last node learnt it, from the figures.
	full := eval[int](t, ctx, `gossipscopeExport.rounds().find((r) => r.informed === r.alive).round`)
	want := "Guess 4 · run " + strconv.Itoa(full) + " rounds"
	if !strings.HasPrefix(got, want) {
		t.Errorf("result %q, want it to start %q", got, want)
	}
	if !strings.Contains(got, "too few") && !strings.Contains(got, "too many") && !strings.Contains(got, "exactly") {
		t.Errorf("result %q gives no verdict", got)
	}
}

// TestCanvasTextLegible: the canvas's type grows with the window: at
// 1920x1080 (a projector) its smallest text is 18 CSS px or more without
// projector mode, and at 1280x720 it keeps its size (the same picture;
// 50 names on a 1280x720 ring are the smallest, about 12 px).
func TestCanvasTextLegible(t *testing.T) {
	for _, sz := range []struct {
		w, h    int64
		minText float64
	}{{1280, 720, 10}, {1920, 1080, 18}} {
		ctx := newTab(t, 2*time.Minute)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(sz.w, sz.h)); err != nil {
			t.Fatal(err)
		}
		openPage(t, ctx, pageURL("nodes=50&fanout=3&mode=push&seed=2"))
		api(t, ctx, `seek(2500)`)
		waitFor(t, ctx, 20*time.Second, "a frame of the new size", `gossipscope.state().textMin > 0 && gossipscope.state().idle`)
		got := eval[float64](t, ctx, `gossipscope.state().textMin`)
		if got < sz.minText {
			t.Errorf("%dx%d: smallest canvas text %v px, want at least %v", sz.w, sz.h, got, sz.minText)
		}
		if eval[bool](t, ctx, `gossipscope.state().projector`) {
			t.Errorf("%dx%d: projector mode switched on; the type should grow by itself", sz.w, sz.h)
		}
		t.Logf("%dx%d: smallest canvas text %v px", sz.w, sz.h, got)
	}
}

// TestOverlaysClearOfPanel: the page's messages (the status line, the
// narration) never cover the settings panel's cards, at 1280x720 and
// 1920x1080, with a long status message showing: the narration lies beside
// the panel, the status line at the panel's top, above its cards.
func TestOverlaysClearOfPanel(t *testing.T) {
	for _, sz := range [][2]int64{{1280, 720}, {1920, 1080}} {
		ctx := newTab(t, time.Minute)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(sz[0], sz[1])); err != nil {
			t.Fatal(err)
		}
		openPage(t, ctx, pageURL("nodes=30&seed=2&panel=1"))
		eval[bool](t, ctx, `(gossipscopePage.showStatus("The same 200 nodes, three ways to exchange news, one after another. Watch the table.", 20000), true)`)
		waitFor(t, ctx, 5*time.Second, "the narration", `document.getElementById("narration").textContent !== ""`)
		bad := eval[[]string](t, ctx, `(() => {
			const meet = (r, p) => r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom;
			const p = document.getElementById("panel").getBoundingClientRect();
			const out = [];
			const n = document.getElementById("narration").getBoundingClientRect();
			if (n.width === 0) out.push("narration not shown");
			else if (meet(n, p)) out.push("narration " + JSON.stringify(n) + " covers the panel " + JSON.stringify(p));
			const s = document.getElementById("status").getBoundingClientRect();
			if (s.width === 0) out.push("status not shown");
			if (s.left < p.left || s.right > p.right || s.top < p.top || s.bottom > p.bottom) out.push("status " + JSON.stringify(s) + " is not inside the panel " + JSON.stringify(p));
			for (const c of document.querySelectorAll("#panel .card")) {
				const r = c.getBoundingClientRect();
				if (r.height > 0 && meet(s, r)) out.push("status " + JSON.stringify(s) + " covers the card " + c.id);
			}
			return out; })()`)
		for _, b := range bad {
			t.Errorf("%dx%d: %s", sz[0], sz[1], b)
		}
	}
}
