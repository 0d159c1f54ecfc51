package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// BenchmarkMemlab measures what memberlist mode costs a person, side by
// side with the page's own start in the same run: with an empty browser
// cache, the page's first frame (web/gossipscope.wasm alone), then from
// pressing Start in memberlist mode to web/memlab.wasm loaded, to the first
// memberlist events fed to the player, and to 20 nodes alive in the
// majority's view; and the frame rate and Go draw time for 3 s of the
// page's default simulation, then of the 20 nodes gossiping. Run it with
// -benchtime 1x (scripts/bench-memlab.sh).
func BenchmarkMemlab(b *testing.B) {
	needBrowser(b)
	ctx := newTab(b, 5*time.Minute)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
		return err
	}))
	if err != nil {
		b.Fatalf("clearing the cache: %v", err)
	}
	openPage(b, ctx, pageURL("panel=1"))
	waitFor(b, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	firstFrame := eval[float64](b, ctx, `gossipscopePage.timings.firstFrame`)

	// The same window of the page's own simulation first, as the baseline.
	eval[bool](b, ctx, `window.__benchFrames = 0; (function f() { window.__benchFrames++; requestAnimationFrame(f); })(); true`)
	api(b, ctx, "play()")
	simFPS, simDraw := frameRate(b, ctx)

	eval[bool](b, ctx, `document.getElementById("ml-nodes").value = "20"; document.getElementById("ml-start").click(); true`)
	waitFor(b, ctx, 2*time.Minute, "20 memberlist nodes alive", `gossipscopePage.live.timings && gossipscopePage.live.timings.converged > 0`)
	type marks struct{ Loaded, FirstEvents, Converged float64 }
	m := eval[marks](b, ctx, `(() => { const t = gossipscopePage.live.timings; return {Loaded: t.loaded, FirstEvents: t.firstEvents, Converged: t.converged}; })()`)
	time.Sleep(time.Second)
	b.ResetTimer()
	fps, draw := frameRate(b, ctx)
	b.StopTimer()
	screenshot(b, ctx, "memlab-bench.png")
	if st := state(b, ctx); st.Error != "" || st.Nodes != 20 {
		b.Fatalf("memberlist mode was not showing 20 nodes: %+v", st)
	}
	b.ReportMetric(firstFrame, "ms-to-first-frame")
	b.ReportMetric(m.Loaded, "ms-to-memlab-loaded")
	b.ReportMetric(m.FirstEvents, "ms-to-first-memberlist-events")
	b.ReportMetric(m.Converged, "ms-to-20-alive")
	b.ReportMetric(simFPS, "sim-fps")
	b.ReportMetric(simDraw, "sim-draw-ms/frame")
	b.ReportMetric(fps, "fps")
	b.ReportMetric(draw, "draw-ms/frame")
}

// frameRate measures browser frames per second (window.__benchFrames,
// counted by requestAnimationFrame) and the Go time in Draw over b.N
// windows of 3 s.
func frameRate(b *testing.B, ctx context.Context) (fps, drawMs float64) {
	const span = 3 * time.Second
	var frames, seconds float64
	var samples int
	for i := 0; i < b.N; i++ {
		f0 := eval[float64](b, ctx, `window.__benchFrames`)
		t0 := time.Now()
		for time.Since(t0) < span {
			time.Sleep(250 * time.Millisecond)
			drawMs += state(b, ctx).DrawMs
			samples++
		}
		frames += eval[float64](b, ctx, `window.__benchFrames`) - f0
		seconds += time.Since(t0).Seconds()
	}
	return frames / seconds, drawMs / float64(samples)
}
