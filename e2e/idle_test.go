package e2e

import (
	"context"
	"encoding/json"
	"image"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPausedPageDrawsNothing: paused, the page draws no new frames (the
// frame counter of state() stands still for 2 s) yet keeps its picture on
// screen; played again, frames come again.
func TestPausedPageDrawsNothing(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=200&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=3&maxtime=20000&panel=0&do=update@3000:5&do=update@6000:50&do=update@9000:100&do=update@12000:150"))
	api(t, ctx, "setSpeed(1)")
	api(t, ctx, "seek(2000)")
	api(t, ctx, "play()")
	waitFor(t, ctx, 20*time.Second, "frames", `gossipscope.state().frames > 10`)
	playing := state(t, ctx)
	api(t, ctx, "pause()")
	waitFor(t, ctx, 10*time.Second, "the page to go idle", `gossipscope.state().idle`)
	f0 := state(t, ctx).Frames
	time.Sleep(2 * time.Second)
	st := state(t, ctx)
	if st.Frames != f0 {
		t.Errorf("paused, the page drew %v frames in 2 s", st.Frames-f0)
	}
	if !st.Idle {
		t.Error("paused for 2 s, yet state().idle is false")
	}
	// The last picture stays on the canvas.
	barH := int(eval[float64](t, ctx, `document.getElementById("bar").getBoundingClientRect().bottom`))
	s := screenshot(t, ctx, "page-idle.png").stats(image.Rect(0, barH+4, windowW, windowH-90), rgb(0x0a0e17), nil, 40)
	if s.nonBg < s.total/100 {
		t.Errorf("paused, only %d of %d pixels differ from the background: the picture is gone", s.nonBg, s.total)
	}

	// Played again, frames come: a count of them, not frames per wall
	// second, which a loaded machine's software renderer does not promise.
	api(t, ctx, "play()")
	waitFor(t, ctx, 20*time.Second, "frames after play", `gossipscope.state().frames > `+strconv.FormatFloat(st.Frames+5, 'f', -1, 64))
	st2 := state(t, ctx)
	if st2.Idle || !st2.Playing {
		t.Errorf("played again, yet idle=%v playing=%v: %+v", st2.Idle, st2.Playing, st2)
	}
	if playing.Frames <= 0 {
		t.Errorf("frames while playing: %v", playing.Frames)
	}

	// A change while paused (a seek) draws the new picture, then idles.
	api(t, ctx, "pause()")
	waitFor(t, ctx, 10*time.Second, "the page to go idle", `gossipscope.state().idle`)
	f3 := state(t, ctx).Frames
	api(t, ctx, "seek(500)")
	waitFor(t, ctx, 5*time.Second, "a frame for the seek", `gossipscope.state().frames > `+strconv.FormatFloat(f3, 'f', -1, 64))
}

// pageActivity counts in the page, from before its scripts run, the
// callbacks of its timers and animation frames (its own and the Go
// runtime's, which schedules its timers with setTimeout) and, once
// watchCalls() has wrapped the JS API, its calls into the wasm; last is
// when the latest of them ran, what says which they were. The test's own
// reads go through raw, the API unwrapped.
const pageActivity = `(() => {
  const a = window.__activity = { last: 0, what: {}, calls: 0, raw: null };
  const note = (what) => { a.last = performance.now(); a.what[what] = (a.what[what] || 0) + 1; };
  for (const name of ["setTimeout", "setInterval", "requestAnimationFrame"]) {
    const orig = window[name];
    window[name] = function (f, ...rest) {
      const where = name + " from " + ((new Error().stack || "").split("\n")[2] || "").trim();
      const g = typeof f === "function" ? function (...args) { note(where); return f.apply(this, args); } : f;
      return orig.call(this, g, ...rest);
    };
  }
  a.watchCalls = () => {
    a.raw = {};
    for (const k of Object.keys(gossipscope)) {
      const f = gossipscope[k];
      if (typeof f !== "function" || k.startsWith("on")) continue; // the page's callbacks
      a.raw[k] = f;
      gossipscope[k] = function (...args) { a.calls++; note("gossipscope." + k + "()"); return f.apply(this, args); };
    }
    a.last = performance.now();
    a.what = {};
    return true;
  };
})();`

// TestPausedPageRunsNothing: paused, once the wasm's loop sleeps, the page
// runs no timer and no animation frame (neither its own nor the Go
// runtime's) and makes no call into the wasm, for as long as nothing
// happens; yet it follows at once what changes the picture without the
// page's own controls: a call of the JS API made straight to the wasm (the
// time shown follows it), the pointer over a node (its card is drawn and
// the page looks again), a resize, and an event that comes to a quiet live
// stream (the time shown follows it), and is quiet again after each.
func TestPausedPageRunsNothing(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageActivity})
		return err
	}))
	if err != nil {
		t.Fatalf("adding the activity counter: %v", err)
	}
	openPage(t, ctx, pageURL("nodes=200&fanout=3&mode=push&seed=3&panel=0"))
	api(t, ctx, "setSpeed(1)")
	api(t, ctx, "seek(2000)")
	api(t, ctx, "play()")
	waitFor(t, ctx, 20*time.Second, "frames", `gossipscope.state().frames > 5`)
	api(t, ctx, "pause()")
	waitFor(t, ctx, 20*time.Second, "the wasm's loop to sleep", `gossipscope.state().asleep`)
	eval[bool](t, ctx, `__activity.watchCalls()`)

	// quiet waits until the page has run nothing for 2.5 s; a page that
	// polls, even once a second, never gets there.
	quiet := func(after string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !eval[bool](t, ctx, `performance.now() - __activity.last > 2500`) {
			if time.Now().After(deadline) {
				t.Fatalf("%s, the page kept running for 30 s: %s", after, eval[json.RawMessage](t, ctx, `__activity.what`))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	quiet("paused")
	if !eval[bool](t, ctx, `__activity.raw.state().asleep`) {
		t.Error("the page is quiet, yet the wasm's loop does not sleep")
	}

	// A call straight to the wasm (a script using the API, not the page's
	// controls): the page hears of the new frame and shows the new time.
	eval[json.RawMessage](t, ctx, `gossipscope.seek(1000)`)
	waitFor(t, ctx, 10*time.Second, "the page to show the seek", `document.getElementById("time-out").textContent.startsWith("1.0 s") && document.getElementById("timeline").value === "1000"`)
	quiet("after a seek")

	// The pointer over a node: the wasm wakes, draws its card, and the
	// page follows the frames again (its calls into the wasm).
	p := eval[struct {
		OK   bool
		X, Y float64
	}](t, ctx, `__activity.raw.nodePos("n37")`)
	if !p.OK {
		t.Fatal("no position for n37")
	}
	eval[bool](t, ctx, `(__activity.calls = 0, true)`)
	moveMouse(t, ctx, p.X+1, p.Y)
	waitFor(t, ctx, 10*time.Second, "n37's card", `(__activity.raw.state().hover || {}).name === "n37"`)
	waitFor(t, ctx, 10*time.Second, "the page to look again", `__activity.calls > 0`)
	quiet("after a hover")

	// A resize: the canvas is laid out and drawn again at once.
	f0 := eval[float64](t, ctx, `__activity.raw.frames()`)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(windowW-200, windowH)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, 10*time.Second, "a frame at the new size", `__activity.raw.frames() > `+strconv.FormatFloat(f0, 'f', -1, 64))
	quiet("after a resize")

	// Live with nothing arriving: quiet too; an event that comes is drawn
	// and the page follows it (the time shown moves to it).
	eval[json.RawMessage](t, ctx, `(gossipscope.live(true), gossipscope.feed('{"type":"header","version":1,"source":"lab"}\n{"type":"node","t":1,"node":"am-1","status":"alive"}\n{"type":"node","t":1,"node":"am-2","status":"alive"}\n'))`)
	waitFor(t, ctx, 20*time.Second, "the live stream played out", `__activity.raw.state().asleep && __activity.raw.state().nodes === 2`)
	quiet("live with nothing arriving")
	eval[json.RawMessage](t, ctx, `gossipscope.feed('{"type":"node","t":4000,"node":"am-3","status":"alive"}\n')`)
	waitFor(t, ctx, 10*time.Second, "the page to show the new event's time", `__activity.raw.state().nodes === 3 && parseFloat(document.getElementById("time-out").textContent) >= 4`)
	quiet("after the event")
}

// TestPausedPageFinishesTheNodeLayer: a big cluster's nodes are drawn by
// the node layer once its map is built, a slice per frame; a page paused
// when a resize starts a new map goes on composing until the map is done,
// and only then sleeps (it used to sleep at once, the nodes left as
// quads until the next change).
func TestPausedPageFinishesTheNodeLayer(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=3000&fanout=3&mode=pushpull&seed=5"))
	api(t, ctx, "seek(3000)")
	api(t, ctx, "pause()")
	waitFor(t, ctx, 30*time.Second, "the paused page to sleep with its node layer", `gossipscope.state().asleep && gossipscope.state().nodeLayer`)
	for i, w := range []int64{windowW - 240, windowW} {
		f0 := eval[float64](t, ctx, `gossipscope.frames()`)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, windowH)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, 10*time.Second, "a frame at the new size", `gossipscope.frames() > `+strconv.FormatFloat(f0, 'f', -1, 64))
		waitFor(t, ctx, 30*time.Second, "the loop to sleep", `gossipscope.state().asleep`)
		if st := eval[map[string]any](t, ctx, `gossipscope.state()`); st["nodeLayer"] != true {
			t.Errorf("resize %d: the paused page sleeps with its nodes as quads, the node layer's map unfinished (playing=%v)", i, st["playing"])
		}
	}
}

// TestSoftwareRenderingBadge: the tests' Chromium draws WebGL with
// SwiftShader, which the page detects and says so in a badge.
func TestSoftwareRenderingBadge(t *testing.T) {
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=50&seed=1"))
	waitFor(t, ctx, 10*time.Second, "the software rendering badge", `!document.getElementById("gl-badge").hidden`)
	st := state(t, ctx)
	if !st.Software {
		t.Error("state().software is false under SwiftShader")
	}
	r := eval[string](t, ctx, `gossipscope.state().renderer`)
	if !strings.Contains(strings.ToLower(r), "swiftshader") {
		t.Errorf("renderer %q: expected SwiftShader", r)
	}
	if txt := eval[string](t, ctx, `document.getElementById("gl-badge").textContent`); !strings.Contains(txt, "software") {
		t.Errorf("badge says %q", txt)
	}
}

// TestSoftwareRenderingDrawsAtCSSResolution: on a screen of 2 device
// pixels per CSS pixel, a software renderer draws the canvas at CSS
// resolution (a quarter of the pixels), and the page says why.
func TestSoftwareRenderingDrawsAtCSSResolution(t *testing.T) {
	ctx := newTab(t, time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(windowW, windowH, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, pageURL("nodes=50&seed=1"))
	waitFor(t, ctx, 10*time.Second, "the software rendering badge", `!document.getElementById("gl-badge").hidden`)
	waitFor(t, ctx, 10*time.Second, "a frame", `gossipscope.state().frames > 0`)
	if dpr := eval[float64](t, ctx, `gossipscopeGL.devicePixelRatio`); dpr != 2 {
		t.Fatalf("the screen's devicePixelRatio was %v, want 2 (emulated)", dpr)
	}
	w := eval[float64](t, ctx, `document.querySelector("body > canvas").width`)
	css := eval[float64](t, ctx, `document.querySelector("body > canvas").getBoundingClientRect().width`)
	if w != css {
		t.Errorf("canvas %v px wide for %v CSS px: want one pixel per CSS pixel under software rendering", w, css)
	}
	if !eval[bool](t, ctx, `gossipscopeGL.cappedResolution`) {
		t.Error("gossipscopeGL.cappedResolution is false")
	}
}
