package e2e

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// coverJS lists what the selected node's card covers on the canvas (the
// canvas panel, a node, a node's name) or on the page (the settings panel,
// the header), from state().geometry (device px) and the page's boxes
// (CSS px).
const coverJS = `(() => {
	const g = gossipscope.state().geometry, k = devicePixelRatio || 1;
	const box = (r) => ({l: r[0], t: r[1], r: r[0] + r[2], b: r[1] + r[3]});
	const over = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
	const c = box(g.caption), out = [];
	if (g.caption[2] === 0) return ["no card drawn"];
	if (over(c, box(g.panel))) out.push("the canvas panel " + JSON.stringify(g.panel));
	g.names.forEach((n, i) => { if (over(c, box(n))) out.push("name " + i + " " + JSON.stringify(n)); });
	g.nodes.forEach((p, i) => { if (over(c, box([p[0] - g.nodeR, p[1] - g.nodeR, 2 * g.nodeR, 2 * g.nodeR]))) out.push("node " + i + " at " + JSON.stringify(p)); });
	const css = {l: c.l / k, t: c.t / k, r: c.r / k, b: c.b / k};
	for (const id of ["panel", "bar"]) {
		const e = document.getElementById(id);
		if (!e) continue;
		const r = e.getBoundingClientRect();
		if (r.width > 0 && over(css, {l: r.left, t: r.top, r: r.right, b: r.bottom})) out.push("#" + id + " " + JSON.stringify(r));
	}
	return out.length ? out.map((s) => "card " + JSON.stringify(g.caption) + " covers " + s) : [];
})()`

// TestCanvasCardAndChart: at 1280x720 and 1920x1080, with the settings
// panel open, the selected node's card covers neither the canvas's panel,
// the settings panel, the nodes nor their names, for a named ring (30
// nodes) and a crash on an unnamed one (60); the chart has tick labels on
// both axes; the legend tells every entry apart, the white glow of a node
// that just learnt the news from the news dots.
func TestCanvasCardAndChart(t *testing.T) {
	for _, sz := range [][2]int64{{1280, 720}, {1920, 1080}} {
		for _, q := range []string{"nodes=30&fanout=3&mode=push&seed=2&panel=1", "nodes=60&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=3&do=crash@1500:1&panel=1"} {
			ctx := newTab(t, 2*time.Minute)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(sz[0], sz[1])); err != nil {
				t.Fatal(err)
			}
			openPage(t, ctx, pageURL(q))
			api(t, ctx, "pause()")
			api(t, ctx, "seek(3200)")
			if r := api(t, ctx, `select("n7")`); !r.OK {
				t.Fatalf("select: %s", r.Error)
			}
			waitFor(t, ctx, 20*time.Second, "the card drawn", `gossipscope.state().geometry.caption[2] > 0 && gossipscope.state().idle`)
			for _, b := range eval[[]string](t, ctx, coverJS) {
				t.Errorf("%dx%d %s: %s", sz[0], sz[1], q, b)
			}
			ticks := eval[[]int](t, ctx, `gossipscope.state().geometry.ticks`)
			if len(ticks) != 2 || ticks[0] < 3 || ticks[1] < 3 {
				t.Errorf("%dx%d %s: chart tick labels (x, y) %v", sz[0], sz[1], q, ticks)
			}
		}
	}
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=30&seed=2"))
	same := eval[[]string](t, ctx, `(() => {
		const l = gossipscope.legend(), out = [], seen = {};
		for (const e of l) {
			const k = e.color + " " + e.shape;
			if (seen[k]) out.push(seen[k] + " / " + e.label + ": " + k);
			seen[k] = e.label;
		}
		const glow = l.find((e) => e.shape === "glow"), news = l.find((e) => e.label === "message: news");
		if (!glow || !news) out.push("no glow or news entry");
		else if (glow.color === news.color) out.push("glow and news dots both " + glow.color);
		return out; })()`)
	for _, s := range same {
		t.Errorf("legend: %s", s)
	}
}

// TestLiveChartFollowsNews: on a live lab that has run for a while, the
// chart's time axis covers the newest silence's spread (a few ms to a few
// hundred), not the lab's whole life, and is labelled. The window is judged
// against the silence's own times (when it appeared, when the last node
// came to hold it), never against the playhead: a lab spreads a silence in
// ~5-40 ms, so the chart takes its narrowest window (60 ms), which ends
// past the playhead for as long as the playhead is within 60 ms of the
// news; a read at that moment is right, not a failure.
func TestLiveChartFollowsNews(t *testing.T) {
	lab := startLabServer(t, "3")
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, lab.url+"?live=1&panel=1")
	waitFor(t, ctx, 30*time.Second, "the live stream", `gossipscope.state().source === "live" && gossipscope.state().nodes === 3`)
	waitFor(t, ctx, 30*time.Second, "the live controls", `!document.getElementById("live-controls").hidden`)
	waitFor(t, ctx, 10*time.Second, "node names from the stream", `document.getElementById("live-node").options.length === 3`)
	// Long enough that the lab's life dwarfs a spread.
	waitFor(t, ctx, 30*time.Second, "8 s of the lab", `gossipscope.state().t > 8000`)
	before := eval[int](t, ctx, `gossipscope.keys().length`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-silence"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 60*time.Second, "the silence everywhere", `gossipscope.state().informed === 3`)
	// The window is read from a frame drawn after the last node learnt it.
	f0 := eval[float64](t, ctx, `gossipscope.frames()`)
	waitFor(t, ctx, 10*time.Second, "a frame of it", fmt.Sprintf(`gossipscope.frames() > %v`, f0))
	type chartRead struct {
		Win   []float64 `json:"win"`
		T     float64   `json:"t"`
		Focus string    `json:"focus"`
		Key   string    `json:"key"`   // the key the click created
		First float64   `json:"first"` // when it appeared
		Last  float64   `json:"last"`  // when the last node came to hold it
		Holds int       `json:"holds"`
		Ticks []int     `json:"ticks"`
		Texts []string  `json:"texts"` // what the frame drew
	}
	// One evaluation: the window, the playhead and the silence's times are of
	// the same moment (select draws nothing until the next frame).
	r := eval[chartRead](t, ctx, `(() => {
		const s = gossipscope.state(), ks = gossipscope.keys(), k = ks[ks.length - 1];
		const out = {win: s.geometry.chartT, t: s.t, focus: s.key, key: k.key, first: k.first, last: -1, holds: 0, ticks: s.geometry.ticks, texts: gossipscope.texts().map((t) => t.s)};
		for (const o of document.getElementById("live-node").options) {
			gossipscope.select(o.value);
			for (const h of gossipscope.state().selected.holds) {
				if (h.key === k.key) { out.holds++; out.last = Math.max(out.last, h.since); }
			}
		}
		gossipscope.select("");
		return out; })()`)
	if n := eval[int](t, ctx, `gossipscope.keys().length`); n != before+1 || r.Focus != r.Key || r.Holds != 3 || r.First < 8000 || r.Last < r.First {
		t.Fatalf("keys %d -> %d; the chart follows %q, the newest key is %q, held by %d nodes from %v to %v ms", before, n, r.Focus, r.Key, r.Holds, r.First, r.Last)
	}
	spread := r.Last - r.First
	t.Logf("silence appeared at %.1f ms, all 3 held it at %.1f ms (%.1f ms); chart window %.1f..%.1f ms (%.1f ms) at playhead %.1f ms",
		r.First, r.Last, spread, r.Win[0], r.Win[1], r.Win[1]-r.Win[0], r.T)
	// From a little before the silence appeared to (at least) the last node
	// that learnt it; the spread fills most of it, or the window is the
	// narrowest one (60 ms): nothing like the lab's 8 s and more.
	width := r.Win[1] - r.Win[0]
	if len(r.Win) != 2 || r.Win[0] > r.First || r.First-r.Win[0] > 0.1*width || r.Win[1] < r.Last ||
		width < 50 || width > math.Max(60, 1.3*spread)+1 {
		t.Errorf("chart window %v ms: want the silence's spread %.1f..%.1f ms, not the lab's life", r.Win, r.First, r.Last)
	}
	// A finished spread's window stays put: it does not creep with the clock.
	waitFor(t, ctx, 10*time.Second, "the playhead 300 ms on", fmt.Sprintf(`gossipscope.state().t > %v`, math.Max(r.T, r.Win[1])+300))
	if later := eval[[]float64](t, ctx, `gossipscope.state().geometry.chartT`); len(later) != 2 || math.Abs(later[0]-r.Win[0]) > 1e-6 || math.Abs(later[1]-r.Win[1]) > 1e-6 {
		t.Errorf("chart window %v ms 300 ms later, was %v", later, r.Win)
	}
	if len(r.Ticks) != 2 || r.Ticks[0] < 2 || r.Ticks[1] < 2 {
		t.Errorf("live chart tick labels (x, y) %v", r.Ticks)
	}
	// The caption says how long the spread took, in long or short words,
	// to the ms (at this 1024x768 window "all 3 had it after 19 ms" did not
	// fit beside "ms since the news" and was dropped).
	caption := regexp.MustCompile(`^all 3 (?:had it after|in) (\d+) ms$|^all 3 (?:had it )?within 1 ms$`)
	found := false
	for _, tx := range r.Texts {
		m := caption.FindStringSubmatch(tx)
		if m == nil {
			continue
		}
		ms := 0.0
		if m[1] != "" {
			ms, _ = strconv.ParseFloat(m[1], 64)
		}
		if math.Abs(ms-spread) > 1 {
			t.Errorf("the caption %q, the spread %.1f ms", tx, spread)
		}
		found = true
	}
	if !found {
		t.Errorf("no caption saying the spread took %.1f ms among the canvas's texts %q", spread, r.Texts)
	}
}
