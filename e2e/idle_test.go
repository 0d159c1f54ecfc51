package e2e

import (
	"image"
	"strconv"
	"strings"
	"testing"
	"time"

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
