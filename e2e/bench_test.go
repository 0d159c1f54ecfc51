package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// BenchmarkPage measures the page in headless Chromium at 1024x768 while
// it animates a PUSH-PULL cluster that keeps messages in flight (a new
// version of the news starts every second somewhere else): browser
// frames per second (requestAnimationFrame callbacks), ebiten's own frame
// rate, the Go time spent in Draw per frame (the wasm's moving average) and
// the time from navigation to the first drawn frame with an empty browser
// cache (download over loopback, compile, start). One iteration is a
// 3-second window; run it with -benchtime 1x (scripts/bench-page.sh).
//
// Headless Chromium draws WebGL on the CPU (SwiftShader), so the frame
// rates are a floor; the Go time per frame is the page's own cost.
func BenchmarkPage(b *testing.B) {
	needBrowser(b)
	// A running server has compressed the page already; do not time that.
	req, _ := http.NewRequest("GET", server.url+"web/gossipscope.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchPage(b, n) })
	}
}

func benchPage(b *testing.B, nodes int) {
	ctx := newTab(b, 10*time.Minute)
	// 15 s of virtual time: the window ends near t = 9 s; at 10,000 nodes
	// that is about a million events, well inside the page's store.
	q := fmt.Sprintf("nodes=%d&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000&panel=0", nodes)
	for i := 0; i < 14; i++ {
		q += fmt.Sprintf("&do=update@%d:%d", 500+1000*i, (i*7919)%nodes)
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
		return err
	}))
	if err != nil {
		b.Fatalf("clearing the cache: %v", err)
	}
	openPage(b, ctx, pageURL(q))
	waitFor(b, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	firstFrame := eval[float64](b, ctx, `gossipscopePage.timings.firstFrame`)
	ready := eval[float64](b, ctx, `gossipscopePage.timings.ready`)

	// Start where every node is busy, then play in real time.
	api(b, ctx, "pause()")
	api(b, ctx, "seek(4000)")
	api(b, ctx, "setSpeed(1)")
	api(b, ctx, "play()")
	eval[bool](b, ctx, `(() => {
		if (!window.__benchFrames) {
			window.__benchFrames = 0;
			const f = () => { window.__benchFrames++; requestAnimationFrame(f); };
			requestAnimationFrame(f);
		}
		return true; })()`)
	time.Sleep(time.Second) // warm up: JIT, GC, vertex buffers at full size

	const span = 3 * time.Second
	var frames, seconds, ebitenFPS, drawMs, drawMax float64
	var samples int
	var slowest json.RawMessage // what the slowest frame did
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f0 := eval[float64](b, ctx, `window.__benchFrames`)
		t0 := time.Now()
		for time.Since(t0) < span {
			time.Sleep(250 * time.Millisecond)
			st := state(b, ctx)
			ebitenFPS += st.FPS
			drawMs += st.DrawMs
			if st.DrawMaxMs > drawMax {
				drawMax, slowest = st.DrawMaxMs, st.DrawSlowest
			}
			samples++
		}
		frames += eval[float64](b, ctx, `window.__benchFrames`) - f0
		seconds += time.Since(t0).Seconds()
	}
	b.StopTimer()
	screenshot(b, ctx, fmt.Sprintf("page-bench-%d.png", nodes))
	st := state(b, ctx)
	if st.Error != "" {
		b.Errorf("the page reported: %s", st.Error)
	}
	if st.Nodes != nodes || !st.Playing {
		b.Fatalf("the page was not animating %d nodes: %+v", nodes, st)
	}
	b.Logf("%d nodes: the slowest frame: %s", nodes, slowest)
	b.ReportMetric(frames/seconds, "fps")
	b.ReportMetric(ebitenFPS/float64(samples), "ebiten-fps")
	b.ReportMetric(drawMs/float64(samples), "draw-ms/frame")
	b.ReportMetric(drawMax, "draw-max-ms")
	b.ReportMetric(firstFrame, "ms-to-first-frame")
	b.ReportMetric(ready, "ms-to-ready")
}
