package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gossipscope/gossipscope/protocol"
)

// TestServedContentTypes asks the real server binary for the page's files:
// browsers refuse wasm and scripts served with the wrong type.
func TestServedContentTypes(t *testing.T) {
	needServer(t)
	for _, c := range []struct{ path, ctype, prefix string }{
		{"", "text/html; charset=utf-8", "<!doctype html>"},
		{"web/app.js", "text/javascript; charset=utf-8", "//"},
		{"web/wasm_exec.js", "text/javascript; charset=utf-8", ""},
		{"web/style.css", "text/css; charset=utf-8", "/*"},
		{"web/gossipscope.wasm", "application/wasm", "\x00asm"},
	} {
		req, _ := http.NewRequest("GET", server.url+c.path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("/%s: status %d", c.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("/%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("/%s: not gzip-compressed", c.path)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Errorf("/%s: bad gzip: %v", c.path, err)
			continue
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.HasPrefix(plain, []byte(c.prefix)) {
			t.Errorf("/%s: body starts %q, want %q", c.path, plain[:min(len(plain), 16)], c.prefix)
		}
	}
}

// canvasBoxJS says what is wrong with ebiten's canvas's box ("" if
// nothing): it is the page's own, not inside our markup, and covers only
// the scene's part of the window, below the bar and left of a docked
// panel (the browser presents no pixels the HTML hides), at whole CSS px
// and one canvas pixel per device pixel (not stretched).
const canvasBoxJS = `(() => {
	const c = document.querySelector("canvas");
	if (!c || c.parentElement !== document.body) return "missing or moved";
	const r = c.getBoundingClientRect(), bar = document.getElementById("bar").getBoundingClientRect();
	const docked = !document.body.classList.contains("panel-hidden") && innerWidth > 900;
	const panel = docked ? Math.ceil(document.getElementById("panel").getBoundingClientRect().width) : 0;
	const want = {left: 0, top: Math.ceil(bar.bottom), right: innerWidth - panel, bottom: innerHeight};
	const got = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
	if (JSON.stringify(got) !== JSON.stringify(want)) return "box " + JSON.stringify(got) + ", want " + JSON.stringify(want);
	const k = devicePixelRatio || 1;
	if (c.width !== Math.round(r.width * k) || c.height !== Math.round(r.height * k)) return "canvas " + c.width + "x" + c.height + " for a box of " + r.width + "x" + r.height;
	return "";
})()`

// TestPageBootsAndRunsToFullCoverage: the page loads, the wasm starts, and a
// scenario from the URL spreads the news to every node.
func TestPageBootsAndRunsToFullCoverage(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=64&fanout=3&mode=push&peers=seed&stop=all&seed=11"))
	if errs := eval[[]string](t, ctx, `gossipscopePage.errors`); len(errs) > 0 {
		t.Fatalf("the page reported errors on start: %q", errs)
	}
	if vis := eval[bool](t, ctx, `getComputedStyle(document.getElementById("bar")).visibility === "visible"`); !vis {
		t.Error("the control bar is not visible after boot")
	}
	// ebiten's canvas is the page's own, not inside our markup, and covers
	// only the scene's part of the window: below the bar, left of the
	// docked panel (the browser presents no pixels the HTML hides), at
	// whole CSS px and one canvas pixel per device pixel (not stretched).
	for _, open := range []bool{false, true, false} {
		if msg := eval[string](t, ctx, fmt.Sprintf(`gossipscopePage.setPanel(%v), %s`, open, canvasBoxJS)); msg != "" {
			t.Errorf("panel open %v: ebiten's canvas: %s", open, msg)
		}
	}
	st := state(t, ctx)
	if st.Nodes != 64 {
		t.Fatalf("state().nodes = %d, want the URL's 64", st.Nodes)
	}
	if st.Informed < 1 || st.Informed >= 64 && st.T == 0 {
		t.Fatalf("at start %d of 64 informed", st.Informed)
	}
	api(t, ctx, "setSpeed(50)")
	waitFor(t, ctx, 90*time.Second, "every node to be informed",
		`(() => { const s = gossipscope.state(); return s.informed === s.nodes; })()`)
	st = state(t, ctx)
	if st.Informed != 64 || st.Round < 2 || st.Messages < 63 {
		t.Errorf("at full coverage: informed %d, round %d, messages %d", st.Informed, st.Round, st.Messages)
	}
	if st.Narration == "" {
		t.Error("no narration")
	}
	waitFor(t, ctx, 10*time.Second, "the narration line on the page",
		`document.getElementById("narration").textContent.length > 10`)
	// The page keeps the scenario in the URL (it syncs twice a second).
	waitFor(t, ctx, 5*time.Second, "the speed in the URL", `location.search.includes("speed=50")`)
	q := eval[string](t, ctx, `location.search`)
	vals, _ := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if vals.Get("nodes") != "64" || vals.Get("seed") != "11" || vals.Get("speed") != "50" {
		t.Errorf("URL %q does not hold the scenario and speed", q)
	}
}

// TestCanvasDrawsNodes checks the pixels: the canvas holds many colours,
// and the informed-node colour grows from one node to all of them.
func TestCanvasDrawsNodes(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=150&fanout=3&mode=push&peers=seed&stop=never&seed=2&panel=0"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(0)")
	time.Sleep(500 * time.Millisecond) // a few frames at t=0
	before := screenshot(t, ctx, "")

	api(t, ctx, "setSpeed(50)")
	api(t, ctx, "play()")
	waitFor(t, ctx, 90*time.Second, "every node to be informed",
		`(() => { const s = gossipscope.state(); return s.informed === s.nodes; })()`)
	api(t, ctx, "pause()")
	time.Sleep(500 * time.Millisecond)
	after := screenshot(t, ctx, "page.png")

	bg := rgb(0x0a0e17)
	informed := rgb(0xffaa1d)
	uninformed := rgb(0x4d5d82)
	probes := []color.RGBA{informed, uninformed}
	// The scene, between the top bar and the narration line.
	barH := int(eval[float64](t, ctx, `document.getElementById("bar").getBoundingClientRect().bottom`))
	area := image.Rect(0, barH+4, windowW, windowH-90)
	b := before.stats(area, bg, probes, 40)
	a := after.stats(area, bg, probes, 40)
	t.Logf("t=0: %d colours, %d/%d drawn, informed-colour %d, uninformed %d", b.colours, b.nonBg, b.total, b.near[0], b.near[1])
	t.Logf("end: %d colours, %d/%d drawn, informed-colour %d, uninformed %d", a.colours, a.nonBg, a.total, a.near[0], a.near[1])
	if a.colours < 40 {
		t.Errorf("only %d distinct colours on the canvas: it is not really drawn", a.colours)
	}
	if a.nonBg < a.total/100 {
		t.Errorf("only %d of %d pixels differ from the background", a.nonBg, a.total)
	}
	if b.near[1] < 150*10 {
		t.Errorf("at t=0, %d uninformed-coloured pixels for 149 uninformed nodes", b.near[1])
	}
	if a.near[0] < b.near[0]+150*10 {
		t.Errorf("informed-coloured pixels went from %d to %d: the nodes did not light up", b.near[0], a.near[0])
	}
	if a.near[1] > b.near[1]/2 {
		t.Errorf("uninformed-coloured pixels went from %d to only %d", b.near[1], a.near[1])
	}
}

func screenshot(tb testing.TB, ctx context.Context, keep string) shot {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	return decodeShot(tb, png, keep)
}

// TestPauseStopsTime: paused, the playhead does not move; playing, it does.
func TestPauseStopsTime(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=300&fanout=2&mode=pushpull&stop=never&seed=4&maxtime=600000"))
	api(t, ctx, "setSpeed(1)")
	api(t, ctx, "play()")
	time.Sleep(400 * time.Millisecond)
	api(t, ctx, "pause()")
	t1 := state(t, ctx)
	if t1.Playing {
		t.Fatal("state().playing after pause()")
	}
	time.Sleep(800 * time.Millisecond)
	t2 := state(t, ctx)
	if t2.T != t1.T || t2.Messages != t1.Messages {
		t.Fatalf("paused, yet t went %v -> %v and messages %d -> %d", t1.T, t2.T, t1.Messages, t2.Messages)
	}
	// The play button (a person's way) starts it again.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("play"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(800 * time.Millisecond)
	t3 := state(t, ctx)
	if !t3.Playing || t3.T <= t2.T+300 {
		t.Fatalf("after clicking play: playing %v, t %v -> %v (want about 800 ms more)", t3.Playing, t2.T, t3.T)
	}
	if label := eval[string](t, ctx, `document.getElementById("play").getAttribute("aria-label")`); label != "Pause" {
		t.Errorf("play button says %q while playing", label)
	}
}

// TestURLReproducesScenario: the URL the page writes, faults included,
// gives the same state at the same time in a fresh tab; another seed does
// not.
// TestStateWithoutGeometry: state({geometry: false}), the page's own
// refresh, is state() but for the geometry (every node's place up to 128
// nodes).
func TestStateWithoutGeometry(t *testing.T) {
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=100&fanout=3&mode=push&seed=2"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(1500)")
	got := eval[string](t, ctx, `(() => {
		const full = gossipscope.state(), lean = gossipscope.state({geometry: false});
		if (!full.geometry || full.geometry.nodes.length !== 100) return "state() has no geometry of 100 nodes: " + JSON.stringify(full.geometry);
		if ("geometry" in lean) return "state({geometry: false}) has a geometry";
		const keys = (o) => Object.keys(o).filter((k) => k !== "geometry").sort().join(",");
		if (keys(full) !== keys(lean)) return "the fields differ: " + keys(full) + " vs " + keys(lean);
		const tri = lean.triangles || {};
		if (!(tri.under >= 100) || !(tri.panel > 0) || !(tri.over >= 0)) return "triangles do not count 100 nodes and a panel: " + JSON.stringify(tri);
		return full.t === lean.t && full.informed === lean.informed && lean.nodes === 100 ? "" : "the values differ";
	})()`)
	if got != "" {
		t.Error(got)
	}
}

func TestURLReproducesScenario(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=400&fanout=3&mode=pushpull&stop=never&seed=42&latency=10,90&loss=0.05&maxtime=60000"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(1500)")
	if r := api(t, ctx, `crash("n5")`); !r.OK {
		t.Fatalf("crash: %s", r.Error)
	}
	if r := api(t, ctx, "partition()"); !r.OK {
		t.Fatalf("partition: %s", r.Error)
	}
	api(t, ctx, "seek(4200)")
	want := state(t, ctx)
	// The page syncs the URL soon after each change: wait for both faults.
	waitFor(t, ctx, 5*time.Second, "the URL to hold the faults", `location.search.includes("crash") && location.search.includes("partition")`)
	link := eval[string](t, ctx, `location.href`)

	ctx2 := newTab(t, 3*time.Minute)
	openPage(t, ctx2, link)
	api(t, ctx2, "pause()")
	api(t, ctx2, "seek(4200)")
	got := state(t, ctx2)
	same := func(a, b pageState) bool {
		return a.T == b.T && a.Informed == b.Informed && a.Alive == b.Alive && a.Messages == b.Messages &&
			a.Redundant == b.Redundant && a.Lost == b.Lost && a.Round == b.Round && a.Nodes == b.Nodes
	}
	if !same(want, got) {
		t.Fatalf("%s\nreproduced %+v\nwant       %+v", link, got, want)
	}
	if want.Alive != want.Nodes-1 {
		t.Errorf("the crash did not take: %d of %d alive", want.Alive, want.Nodes)
	}

	// The comparison can fail: a different seed gives a different history.
	other := strings.Replace(link, "seed=42", "seed=43", 1)
	if other == link {
		t.Fatalf("link %s has no seed=42", link)
	}
	ctx3 := newTab(t, 3*time.Minute)
	openPage(t, ctx3, other)
	api(t, ctx3, "pause()")
	api(t, ctx3, "seek(4200)")
	if diff := state(t, ctx3); same(want, diff) {
		t.Errorf("seed 43 gave the same state as seed 42: %+v", diff)
	}
}

// TestBadLinkShowsErrorAndRuns: a scenario link with bad values says what is
// wrong and the page still runs a simulation.
func TestBadLinkShowsErrorAndRuns(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=many&fanout=lots"))
	waitFor(t, ctx, 5*time.Second, "an error message", `!document.getElementById("error").hidden`)
	msg := eval[string](t, ctx, `document.getElementById("error-text").textContent`)
	if !strings.Contains(msg, "nodes") || !strings.Contains(msg, "fanout") {
		t.Errorf("the message does not name the bad fields: %q", msg)
	}
	assertStillRuns(t, ctx)
}

// assertStillRuns checks that the page answers and time advances.
func assertStillRuns(t *testing.T, ctx context.Context) {
	t.Helper()
	api(t, ctx, "play()")
	s1 := state(t, ctx)
	time.Sleep(600 * time.Millisecond)
	s2 := state(t, ctx)
	if s2.T <= s1.T && !s2.Done {
		t.Fatalf("the page does not run: t %v -> %v, %+v", s1.T, s2.T, s2)
	}
}

func writeRecording(t *testing.T, events []protocol.Event) []byte {
	var b bytes.Buffer
	enc := protocol.NewEncoder(&b)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	enc.Flush()
	return b.Bytes()
}

// recording is a small valid stream: 6 nodes, n0 tells n1 and n2, they
// tell the rest.
func recording() []protocol.Event {
	ev := []protocol.Event{protocol.Header("lab", map[string]any{"nodes": 6})}
	for i := 0; i < 6; i++ {
		ev = append(ev, protocol.Event{Type: protocol.TypeNode, Node: fmt.Sprintf("n%d", i), Status: protocol.StatusAlive})
	}
	ev = append(ev, protocol.Event{Type: protocol.TypeState, Node: "n0", Key: "sil", Version: 1})
	send := func(t float64, from, to string, redundant bool) {
		ev = append(ev,
			protocol.Event{Type: protocol.TypeMsg, T: t, From: from, To: to, Kind: "push", Key: "sil", Version: 1, Arrive: t + 200, Redundant: redundant})
		if !redundant {
			ev = append(ev, protocol.Event{Type: protocol.TypeState, T: t + 200, Node: to, Key: "sil", Version: 1})
		}
	}
	send(1000, "n0", "n1", false)
	send(1000, "n0", "n2", false)
	send(2000, "n1", "n3", false)
	send(2000, "n2", "n4", false)
	send(2000, "n2", "n0", true)
	send(3000, "n3", "n5", false)
	return ev
}

func uploadFile(t *testing.T, ctx context.Context, name string, data []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("replay-file"), []string{p})); err != nil {
		t.Fatalf("choosing %s: %v", name, err)
	}
}

// TestReplayRecordings: a good recording plays with the same controls; a
// bad or truncated one gives a clear message and the page keeps working.
func TestReplayRecordings(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=30&seed=1"))
	good := writeRecording(t, recording())

	uploadFile(t, ctx, "good.jsonl", good)
	waitFor(t, ctx, 10*time.Second, "the recording to load", `document.getElementById("replay-result").textContent !== ""`)
	if cls := eval[string](t, ctx, `document.getElementById("replay-result").className`); !strings.Contains(cls, "good") {
		t.Fatalf("good recording: %q (%s)", eval[string](t, ctx, `document.getElementById("replay-result").textContent`), cls)
	}
	st := state(t, ctx)
	if st.Nodes != 6 {
		t.Fatalf("replay shows %d nodes, want 6", st.Nodes)
	}
	api(t, ctx, "pause()")
	api(t, ctx, "seek(10000)")
	if st = state(t, ctx); st.Informed != 6 || st.Messages != 6 || st.Redundant != 1 {
		t.Errorf("replay at the end: informed %d, messages %d, redundant %d; want 6, 6, 1", st.Informed, st.Messages, st.Redundant)
	}
	api(t, ctx, "seek(1500)")
	if st = state(t, ctx); st.Informed != 3 {
		t.Errorf("replay at 1.5 s: %d informed, want 3", st.Informed)
	}

	// Garbage: nothing usable.
	uploadFile(t, ctx, "garbage.jsonl", []byte("this is not a recording\n{\"half\": \n\x00\x01\x02"))
	waitFor(t, ctx, 10*time.Second, "an error for the garbage file",
		`document.getElementById("replay-result").textContent.startsWith("garbage.jsonl") && !document.getElementById("error").hidden`)
	if cls := eval[string](t, ctx, `document.getElementById("replay-result").className`); !strings.Contains(cls, "bad") {
		t.Errorf("garbage file not reported as bad: %s", cls)
	}
	if msg := eval[string](t, ctx, `document.getElementById("error-text").textContent`); len(msg) < 20 {
		t.Errorf("unclear message for a garbage file: %q", msg)
	}
	if st := state(t, ctx); st.Nodes != 6 {
		t.Errorf("after a bad file the page shows %d nodes; the previous recording (6) should stay", st.Nodes)
	}

	// Truncated: the last line cut in half.
	uploadFile(t, ctx, "cut.jsonl", good[:len(good)-25])
	waitFor(t, ctx, 10*time.Second, "the truncated file's result",
		`document.getElementById("replay-result").textContent.startsWith("cut.jsonl")`)
	res := eval[string](t, ctx, `document.getElementById("replay-result").textContent`)
	errText := eval[string](t, ctx, `document.getElementById("error").hidden ? "" : document.getElementById("error-text").textContent`)
	if !strings.Contains(res+errText, "line") {
		t.Errorf("truncated file: no message naming the bad line: result %q, error %q", res, errText)
	}

	// The page still works: a simulation loads and runs.
	if r := api(t, ctx, `load("nodes=40&seed=3")`); !r.OK {
		t.Fatalf("load after bad files: %s", r.Error)
	}
	assertStillRuns(t, ctx)
}

// TestReplayFromURL: ?replay=URL plays a recording the server serves; a
// missing one is reported and a simulation runs instead.
func TestReplayFromURL(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("replay=web/no-such-recording.jsonl"))
	waitFor(t, ctx, 10*time.Second, "an error for the missing recording", `!document.getElementById("error").hidden`)
	if msg := eval[string](t, ctx, `document.getElementById("error-text").textContent`); !strings.Contains(msg, "404") {
		t.Errorf("message for a missing recording: %q", msg)
	}
	assertStillRuns(t, ctx)
}

// TestKeyboardAndControls drives the page as a person would: keys, the
// step button, the speed slider and the scenario form.
func TestKeyboardAndControls(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=100&fanout=3&seed=9"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(0)")

	// Space toggles playing.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	if !state(t, ctx).Playing {
		t.Error("space did not start playing")
	}
	chromedp.Do(ctx, chromedp.KeyEvent(" "))
	if state(t, ctx).Playing {
		t.Error("space did not pause")
	}
	// Arrow right steps one round.
	r0 := state(t, ctx).Round
	chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight))
	chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight))
	if r := state(t, ctx).Round; r != r0+2 {
		t.Errorf("two → presses: round %d -> %d", r0, r)
	}
	// The step button does the same.
	chromedp.Do(ctx, chromedp.Click(chromedp.ID("step-round")))
	if r := state(t, ctx).Round; r != r0+3 {
		t.Errorf("step button: round %d, want %d", r, r0+3)
	}
	// p: projector mode; ?: help.
	chromedp.Do(ctx, chromedp.KeyEvent("p"))
	if !eval[bool](t, ctx, `document.body.classList.contains("projector")`) {
		t.Error("p did not turn on projector mode")
	}
	chromedp.Do(ctx, chromedp.KeyEvent("?"))
	if !eval[bool](t, ctx, `document.getElementById("help").open`) {
		t.Error("? did not open the help")
	}
	screenshot(t, ctx, "page-help.png")
	chromedp.Do(ctx, chromedp.KeyEvent("?"))
	if eval[bool](t, ctx, `document.getElementById("help").open`) {
		t.Error("? did not close the help")
	}
	// Arrow left scrubs back one period (shift: a tenth of one).
	before := state(t, ctx).T
	chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft))
	if after := state(t, ctx).T; after > before-999 && before >= 1000 {
		t.Errorf("← moved t from %v to %v, want one period back", before, after)
	}
	// r restarts.
	chromedp.Do(ctx, chromedp.KeyEvent("r"))
	if st := state(t, ctx); st.T > 500 {
		t.Errorf("after r, t = %v", st.T)
	}

	// Speed slider: the end is fast forward.
	chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("speed"), "1000"))
	eval[bool](t, ctx, `document.getElementById("speed").dispatchEvent(new Event("input")), true`)
	if s := state(t, ctx).Speed; s < 49 || s > 51 {
		t.Errorf("speed slider at its end: speed %v, want 50", s)
	}

	// The panel opens from its button (at 1024 px it starts hidden).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("panel-toggle"))); err != nil {
		t.Fatal(err)
	}
	if !eval[bool](t, ctx, `!document.body.classList.contains("panel-hidden") && document.getElementById("panel-toggle").getAttribute("aria-expanded") === "true"`) {
		t.Fatal("the panel button did not open the panel")
	}
	// The panel slides in: click its form once it stands still, as a
	// person would (a click mid-slide lands beside the button).
	waitFor(t, ctx, 5*time.Second, "the panel to finish sliding in", `document.getAnimations().every((a) => a.playState !== "running")`)
	if w := eval[float64](t, ctx, `gossipscopePage.insets.right`); w < 200 {
		t.Errorf("with the panel open the scene's right inset is %v px", w)
	}
	// The scenario form: 77 nodes, PULL.
	eval[bool](t, ctx, `(() => {
		document.getElementById("p-nodes").value = "77";
		document.getElementById("p-mode").value = "pull";
		document.getElementById("p-mode").dispatchEvent(new Event("change"));
		return true; })()`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#params button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 10*time.Second, "the form's scenario", `gossipscope.state().nodes === 77`)
	q := eval[string](t, ctx, `gossipscope.scenario()`)
	if !strings.Contains(q, "mode=pull") || !strings.Contains(q, "stop=never") {
		t.Errorf("scenario after the form: %q", q)
	}
	waitFor(t, ctx, 5*time.Second, "the URL to follow", `location.search.includes("nodes=77")`)

	// Presets: 1,000 nodes.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#presets button[data-preset="n1000"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 20*time.Second, "the 1,000-node preset", `gossipscope.state().nodes === 1000`)
}
