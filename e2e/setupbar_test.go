package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// viewport sets the tab's window size.
func viewport(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
}

// atClassroomSizes runs test on the page opened with query in a window of
// 1280x720 (a laptop) and one of 1920x1080 (a projector).
func atClassroomSizes(t *testing.T, query string, test func(t *testing.T, ctx context.Context)) {
	for _, sz := range [][2]int64{{1280, 720}, {1920, 1080}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			ctx := newTab(t, 2*time.Minute)
			viewport(t, ctx, sz[0], sz[1])
			openPage(t, ctx, pageURL(query))
			test(t, ctx)
		})
	}
}

// scenarioParam reads one key of the running scenario (state of the wasm,
// not of the page's fields).
func scenarioParam(t *testing.T, ctx context.Context, key string) string {
	t.Helper()
	q, err := url.ParseQuery(eval[string](t, ctx, `gossipscope.scenario()`))
	if err != nil {
		t.Fatal(err)
	}
	return q.Get(key)
}

// TestSetupBar: nodes, mode and fan-out sit in the header at 1280x720 and
// 1920x1080, on screen and uncovered, labelled and reachable by keyboard;
// a change there runs the new scenario at once (the wasm's own state says
// so), the URL and the Scenario form follow, and an invalid value changes
// nothing. In the live view they give way to a note saying why.
func TestSetupBar(t *testing.T) {
	atClassroomSizes(t, "nodes=100&fanout=3&mode=push&seed=1", func(t *testing.T, ctx context.Context) {
		// On screen without scrolling, uncovered, labelled, focusable.
		bad := eval[[]string](t, ctx, `(() => {
				const out = [];
				for (const id of ["s-nodes", "s-mode", "s-fanout"]) {
					const el = document.getElementById(id), r = el.getBoundingClientRect();
					if (!(r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth)) out.push(id + " off screen " + JSON.stringify(r));
					else if (document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) !== el) out.push(id + " covered");
					if (!el.labels || el.labels.length === 0 || !el.labels[0].textContent.trim()) out.push(id + " has no label");
					if (el.tabIndex < 0 || el.disabled) out.push(id + " not reachable by keyboard");
				}
				return out; })()`)
		for _, b := range bad {
			t.Error(b)
		}
		if got := eval[[]string](t, ctx, `["s-nodes", "s-mode", "s-fanout"].map((id) => document.getElementById(id).value)`); strings.Join(got, " ") != "100 push 3" {
			t.Errorf("the bar shows %q, want the scenario's 100 push 3", got)
		}

		// Nodes, typed: the scenario runs again with 60.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("s-nodes")), chromedp.KeyEvent("\b\b\b60"+kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, 10*time.Second, "60 nodes", `gossipscope.state().nodes === 60 && gossipscope.state().playing`)
		waitFor(t, ctx, 5*time.Second, "the URL to say 60 nodes", `new URLSearchParams(location.search).get("nodes") === "60"`)
		if v := eval[string](t, ctx, `document.getElementById("p-nodes").value`); v != "60" {
			t.Errorf("the Scenario form says %s nodes, the bar 60", v)
		}
		if s := scenarioParam(t, ctx, "seed"); s != "1" {
			t.Errorf("the seed became %q: the bar must change only what it shows", s)
		}

		// Mode, chosen in the list: PULL, and the form's stop rule follows
		// (PULL never stops), as when the form runs it.
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("s-mode"), "pull")); err != nil {
			t.Fatal(err)
		}
		eval[bool](t, ctx, `document.getElementById("s-mode").dispatchEvent(new Event("change", {bubbles: true}))`)
		waitFor(t, ctx, 10*time.Second, "PULL", `new URLSearchParams(gossipscope.scenario()).get("mode") === "pull"`)
		if s := scenarioParam(t, ctx, "stop"); s != "never" {
			t.Errorf("PULL runs with stop=%q, want never", s)
		}
		waitFor(t, ctx, 5*time.Second, "the URL to say pull", `new URLSearchParams(location.search).get("mode") === "pull"`)

		// Fan-out, typed.
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("s-fanout")), chromedp.KeyEvent("\b\b5"+kb.Enter)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, 10*time.Second, "fan-out 5", `new URLSearchParams(gossipscope.scenario()).get("fanout") === "5"`)
		if n := state(t, ctx).Nodes; n != 60 {
			t.Errorf("after the fan-out, %d nodes, want 60 still", n)
		}

		// The node fields take the engine's limits (one source), and a value
		// below them runs nothing.
		{
			lim := eval[[]string](t, ctx, `(() => { const l = gossipscope.limits().nodes; return [String(l.min), String(l.max)]; })()`)
			for _, id := range []string{"s-nodes", "p-nodes"} {
				if got := eval[[]string](t, ctx, fmt.Sprintf(`[document.getElementById(%q).min, document.getElementById(%q).max]`, id, id)); got[0] != lim[0] || got[1] != lim[1] {
					t.Errorf("#%s allows %v..%v, the engine %v..%v", id, got[0], got[1], lim[0], lim[1])
				}
			}
		}
		before := eval[string](t, ctx, `gossipscope.scenario()`)
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("s-nodes")), chromedp.KeyEvent("\b\b\b0"+kb.Enter)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if after := eval[string](t, ctx, `gossipscope.scenario()`); after != before {
			t.Errorf("0 nodes were run: %s", after)
		}
		if n := state(t, ctx).Nodes; n != 60 {
			t.Errorf("after an invalid value, %d nodes, want 60", n)
		}
	})
}

// nodeAt is where the canvas draws a node, CSS px.
func nodeAt(t *testing.T, ctx context.Context, name string) (x, y float64) {
	t.Helper()
	p := eval[struct {
		OK   bool
		X, Y float64
	}](t, ctx, fmt.Sprintf(`gossipscope.nodePos(%q)`, name))
	if !p.OK {
		t.Fatalf("no position for %s", name)
	}
	return p.X, p.Y
}

func moveMouse(t *testing.T, ctx context.Context, x, y float64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
}

// TestHoverName: at 100 nodes (no names on the ring) the node under the
// pointer gets a card with its name and its state in words, drawn in one
// new frame; a still pointer, or one moving within the node, draws nothing
// more on a paused page; leaving the node takes the card away. At 50 nodes,
// whose names are drawn, there is no card.
func TestHoverName(t *testing.T) {
	atClassroomSizes(t, "nodes=100&fanout=3&mode=push&seed=1", func(t *testing.T, ctx context.Context) {
		api(t, ctx, "pause()")
		api(t, ctx, "seek(2500)")
		waitFor(t, ctx, 20*time.Second, "the page to go idle", `gossipscope.state().idle && gossipscope.state().frames > 0`)
		x, y := nodeAt(t, ctx, "n37")
		f0 := state(t, ctx).Frames
		moveMouse(t, ctx, x+1, y)
		waitFor(t, ctx, 10*time.Second, "n37's card", `(gossipscope.state().hover || {}).name === "n37"`)
		h := eval[struct {
			Name  string
			Lines []string
			Box   [4]float64
		}](t, ctx, `gossipscope.state().hover`)
		words := map[string]bool{"has not heard yet": true, "has the news": true, "has the news, quiet now": true, "crashed": true}
		if len(h.Lines) != 2 || h.Lines[0] != "n37" || !words[h.Lines[1]] {
			t.Errorf("card says %q, want n37 and its state in words", h.Lines)
		}
		// Near the pointer, and on the canvas's texts (drawn, not only said).
		if b := h.Box; b[0] > x+60 || b[0]+b[2] < x-60 || b[1] > y+60 || b[1]+b[3] < y-60 {
			t.Errorf("card at %v, pointer at %v,%v", b, x, y)
		}
		if !eval[bool](t, ctx, `gossipscope.texts().some((t) => t.s === "n37")`) {
			t.Error("the frame draws no n37")
		}
		waitFor(t, ctx, 10*time.Second, "the page to go idle again", `gossipscope.state().idle`)
		f1 := state(t, ctx).Frames
		if f1 <= f0 {
			t.Errorf("the card was drawn in no new frame (%v, then %v)", f0, f1)
		}
		// Still, then moving within the node: no frames.
		time.Sleep(1500 * time.Millisecond)
		moveMouse(t, ctx, x-1, y+1)
		moveMouse(t, ctx, x, y-1)
		time.Sleep(1500 * time.Millisecond)
		if f := state(t, ctx).Frames; f != f1 {
			t.Errorf("paused with the pointer on one node, %v frames drawn in 3 s", f-f1)
		}
		// Off the node (the ring's centre is empty): the card goes.
		geo := eval[[]float64](t, ctx, `gossipscope.state().geometry.disc`)
		moveMouse(t, ctx, geo[0]+geo[2]/2, geo[1]+geo[3]/2)
		waitFor(t, ctx, 10*time.Second, "the card to go", `gossipscope.state().hover === null && !gossipscope.texts().some((t) => t.s === "n37")`)
		waitFor(t, ctx, 10*time.Second, "the page to go idle again", `gossipscope.state().idle`)
		f2 := state(t, ctx).Frames
		time.Sleep(1500 * time.Millisecond)
		if f := state(t, ctx).Frames; f != f2 {
			t.Errorf("paused with the pointer still off the nodes, %v frames drawn", f-f2)
		}
	})

	// 50 nodes: their names are on the ring, no card.
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=50&fanout=3&mode=push&seed=1"))
	api(t, ctx, "pause()")
	waitFor(t, ctx, 20*time.Second, "a frame", `gossipscope.state().frames > 0`)
	x, y := nodeAt(t, ctx, "n7")
	moveMouse(t, ctx, x, y)
	time.Sleep(time.Second)
	if eval[bool](t, ctx, `gossipscope.state().hover !== null`) {
		t.Error("a card at 50 nodes, whose names are drawn")
	}
}

// overlapsJS lists, as sentences, every DOM overlay laid over the canvas
// (the header with its badges and setup bar, the status line, the
// narration, the error, the lesson card, the side panel) whose box meets
// the canvas's counters-and-chart panel or one of its texts (the ring's
// names among them), from the canvas's own geometry and texts.
const overlapsJS = `(() => {
	const st = gossipscope.state(), k = 1 / (window.devicePixelRatio || 1);
	const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
	const g = st.geometry.panel;
	const targets = [];
	if (g[2] > 0) targets.push({what: "the canvas panel", r: {left: g[0] * k, top: g[1] * k, right: (g[0] + g[2]) * k, bottom: (g[1] + g[3]) * k}});
	const c = st.geometry.caption || [0, 0, 0, 0];
	if (c[2] > 0) targets.push({what: "the selected node's card", r: {left: c[0] * k, top: c[1] * k, right: (c[0] + c[2]) * k, bottom: (c[1] + c[3]) * k}});
	for (const t of gossipscope.texts()) targets.push({what: "canvas text " + JSON.stringify(t.s), r: {left: t.x, top: t.y, right: t.x + t.w, bottom: t.y + t.h}});
	const out = [];
	for (const id of ["bar", "status", "narration", "error", "lesson", "panel"]) {
		const el = document.getElementById(id);
		if (!el || el.hidden || getComputedStyle(el).visibility === "hidden") continue;
		const boxes = id === "narration" ? [...el.children] : [el];
		for (const b of boxes) {
			const r = b.getBoundingClientRect();
			if (r.width === 0 || r.height === 0) continue;
			if (id === "panel" && document.body.classList.contains("panel-hidden")) continue;
			for (const t of targets) if (meet(r, t.r)) out.push("#" + id + " " + JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round)) + " covers " + t.what + " " + JSON.stringify([t.r.left, t.r.top, t.r.right, t.r.bottom].map(Math.round)));
		}
	}
	return out; })()`

// TestOverlaysClearOfCanvas: at 1280x720, 1280x657 and 1920x1080, with
// the panel open or closed, a long status line showing and a node
// selected, no piece of the page's HTML covers the canvas's panel or any
// text the canvas draws (the 50 names on the ring among them).
func TestOverlaysClearOfCanvas(t *testing.T) {
	for _, sz := range [][2]int64{{1280, 720}, {1280, 657}, {1920, 1080}} {
		for _, panel := range []string{"1", "0"} {
			t.Run(fmt.Sprintf("%dx%d-panel%s", sz[0], sz[1], panel), func(t *testing.T) {
				ctx := newTab(t, time.Minute)
				viewport(t, ctx, sz[0], sz[1])
				openPage(t, ctx, pageURL("nodes=50&fanout=3&mode=push&seed=2&panel="+panel))
				api(t, ctx, "pause()")
				api(t, ctx, "seek(2500)")
				api(t, ctx, `select("n7")`)
				eval[bool](t, ctx, `(gossipscopePage.showStatus("The same 200 nodes, three ways to exchange news, one after another. Watch the table.", 30000), true)`)
				waitFor(t, ctx, 5*time.Second, "the narration", `document.getElementById("narration").textContent !== ""`)
				waitFor(t, ctx, 20*time.Second, "the page to settle", `gossipscope.state().idle && gossipscope.texts().some((t) => t.s === "n0") && gossipscope.state().geometry.caption[2] > 0`)
				for _, b := range eval[[]string](t, ctx, overlapsJS) {
					t.Error(b)
				}
				// An error stands in for the narration, the scene making room
				// for all of it.
				eval[bool](t, ctx, `(gossipscopePage.showError("This link's scenario does not work: nodes: 0 is not allowed: a scenario has 1 to 5000000 nodes (nodes=0). Showing the default instead."), true)`)
				waitFor(t, ctx, 20*time.Second, "the page to settle", `gossipscope.state().idle && gossipscope.state().geometry.disc[3] > 0`)
				time.Sleep(300 * time.Millisecond)
				waitFor(t, ctx, 20*time.Second, "the page to settle", `gossipscope.state().idle`)
				for _, b := range eval[[]string](t, ctx, overlapsJS) {
					t.Error("with an error: " + b)
				}
			})
		}
	}
	// A guided lesson's card: in the open panel, or beside the scene.
	for _, panel := range []string{"1", "0"} {
		t.Run("lesson-1280x720-panel"+panel, func(t *testing.T) {
			ctx := newTab(t, 2*time.Minute)
			viewport(t, ctx, 1280, 720)
			openPage(t, ctx, pageURL("lesson=ha-notify&variant=healthy&panel="+panel))
			waitFor(t, ctx, 90*time.Second, "the lesson's nodes and card",
				`document.getElementById("lesson") && !document.getElementById("lesson").hidden && gossipscope.texts().some((t) => t.s === "n5")`)
			waitFor(t, ctx, 10*time.Second, "the scene to settle", `gossipscope.texts().some((t) => t.s === "n5")`)
			time.Sleep(500 * time.Millisecond) // the panel's slide, the insets
			for _, b := range eval[[]string](t, ctx, overlapsJS) {
				t.Error(b)
			}
			if !eval[bool](t, ctx, `(() => { const r = document.getElementById("lesson-next").getBoundingClientRect();
				return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; })()`) {
				t.Error("the lesson card's Next button is not on screen")
			}
		})
	}
}

// barRowsJS lists the header's rows: each the labels of the visible
// children laid out on it (a child starts a new row when its top is below
// the bottom of every child of the row so far), and whether a child runs
// past the window's right edge.
const barRowsJS = `(() => {
	const kids = [...document.getElementById("bar").children].map((e) => ({e, r: e.getBoundingClientRect()}))
		.filter((k) => k.r.width > 0 && k.r.height > 0).sort((a, b) => a.r.top - b.r.top);
	const rows = [], out = [];
	let bottom = -Infinity;
	for (const k of kids) {
		if (k.r.top >= bottom - 1) { rows.push([]); bottom = -Infinity; }
		rows[rows.length - 1].push(k.e.id || k.e.className);
		bottom = Math.max(bottom, k.r.bottom);
		if (k.r.right > innerWidth + 0.5) out.push((k.e.id || k.e.className) + " runs past the window's edge: " + JSON.stringify(k.r));
	}
	return {rows: rows.map((r) => r.join(" ")), height: document.getElementById("bar").getBoundingClientRect().height, out}; })()`

// TestHeaderRowsLargeType: the header (playback buttons, the live lab's
// button, badges; then nodes, mode, fan-out and the timeline) takes at most
// two rows at 1280x720, 1280x800 and 1920x1080, in normal and in larger
// type, in the simulation and in the live view, with the widest labels it
// can show (a lab's "Live lab" or an observer's "Live cluster", the
// software-rendering badge): a third row took ~55 px of a 720 px window
// from the canvas. Larger type keeps its type size doing so.
func TestHeaderRowsLargeType(t *testing.T) {
	lab := startLabServer(t, "3")
	type barRows struct {
		Rows   []string `json:"rows"`
		Height float64  `json:"height"`
		Out    []string `json:"out"`
	}
	for _, view := range []string{"sim", "live"} {
		for _, large := range []bool{true, false} {
			sizes := [][2]int64{{1280, 720}, {1280, 800}, {1920, 1080}}
			if !large {
				// The bar's layout depends on the window's width alone.
				sizes = [][2]int64{{1280, 720}, {1920, 1080}}
			}
			for _, sz := range sizes {
				name := fmt.Sprintf("%s-%dx%d-large=%v", view, sz[0], sz[1], large)
				t.Run(name, func(t *testing.T) {
					ctx := newTab(t, time.Minute)
					viewport(t, ctx, sz[0], sz[1])
					q := "?nodes=30&seed=2&panel=1"
					if view == "live" {
						q = "?live=1&panel=1"
					}
					if large {
						q += "&projector=1"
					}
					openPage(t, ctx, lab.url+q)
					waitFor(t, ctx, 20*time.Second, "the live lab's button", `!document.getElementById("live-jump").hidden`)
					if view == "live" {
						waitFor(t, ctx, 20*time.Second, "the live view", `gossipscope.state().source === "live" && document.body.classList.contains("live-view")`)
					}
					if got := eval[bool](t, ctx, `document.body.classList.contains("projector")`); got != large {
						t.Fatalf("larger type is %v, want %v", got, large)
					}
					// Whatever this machine's GPU, the badge shows (as it does
					// on one without).
					eval[bool](t, ctx, `(document.getElementById("gl-badge").hidden = false, true)`)
					labels := []string{eval[string](t, ctx, `document.getElementById("live-jump").textContent`)}
					if view == "sim" {
						labels = append(labels, "Live cluster")
					}
					for _, label := range labels {
						eval[bool](t, ctx, fmt.Sprintf(`(document.getElementById("live-jump").textContent = %q, true)`, label))
						r := eval[barRows](t, ctx, barRowsJS)
						if len(r.Rows) > 2 {
							t.Errorf("with %q the header takes %d rows (%.0f px): %q", label, len(r.Rows), r.Height, r.Rows)
						}
						for _, o := range r.Out {
							t.Error(o)
						}
						if large {
							// The type is the large type's, not shrunk to fit.
							fs := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.getElementById("restart")).fontSize)`)
							body := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.body).fontSize)`)
							if want := math.Min(30, math.Max(20, 0.008*float64(sz[0])+12)); math.Abs(body-want) > 0.5 || fs < body-0.01 {
								t.Errorf("large type: body %.1f px (want %.1f), the bar's buttons %.1f px", body, want, fs)
							}
						}
						t.Logf("%s with %q: %.0f px, rows %q", name, label, r.Height, r.Rows)
					}
				})
			}
		}
	}
}
