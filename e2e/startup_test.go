package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// startupWatch runs before the page's own scripts: it records the
// playhead's state at two start-up marks, in the same call that sets
// each mark. When the page notices its first frame (gs:first-frame, in
// the animation frame that will show it), it seeks, as a user or a script
// may before anything shows; when that frame is on screen (gs:shown), it
// reads the state again.
const startupWatch = `(() => {
	const mark = performance.mark.bind(performance);
	window.__startup = {};
	performance.mark = (name, ...rest) => {
		const m = mark(name, ...rest);
		if (name === "gs:first-frame") {
			__startup.seek = gossipscope.seek(1500) ?? { ok: true };
			__startup.firstFrame = gossipscope.state();
		} else if (name === "gs:shown") {
			__startup.shown = gossipscope.state();
		}
		return m;
	};
})();`

// TestClockStartsOnceFirstFrameShown: until the first frame is on screen
// the playhead's clock stands still and nothing is simulated ahead (that
// work would delay the frame; wasm/startup.go), yet a call made meanwhile
// acts at once; once the frame is on screen, time runs.
func TestClockStartsOnceFirstFrameShown(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: startupWatch})
		return err
	}))
	if err != nil {
		t.Fatalf("adding the start-up watch: %v", err)
	}
	openPage(t, ctx, pageURL("nodes=300&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000"))
	waitFor(t, ctx, time.Minute, "the first frame on screen", `__startup.shown`)
	type snap struct {
		T       float64 `json:"t"`
		Horizon float64 `json:"horizon"`
		Playing bool    `json:"playing"`
	}
	got := eval[struct {
		Seek       apiResult `json:"seek"`
		FirstFrame *snap     `json:"firstFrame"`
		Shown      snap      `json:"shown"`
	}](t, ctx, `__startup`)
	if got.FirstFrame == nil {
		t.Fatal("the page marked gs:shown before gs:first-frame")
	}
	// The seek acted at once: the playhead is there, simulated that far.
	if !got.Seek.OK || got.FirstFrame.T != 1500 || got.FirstFrame.Horizon < 1000 || !got.FirstFrame.Playing {
		t.Fatalf("seek(1500) before the first frame showed: %+v, then %+v", got.Seek, *got.FirstFrame)
	}
	// Between it and the frame on screen, neither the clock nor the
	// simulator moved.
	if got.Shown != *got.FirstFrame {
		t.Errorf("the playhead moved before the first frame was on screen: %+v at gs:first-frame, %+v at gs:shown", *got.FirstFrame, got.Shown)
	}
	// Then time runs, and the simulator runs ahead of it.
	waitFor(t, ctx, 20*time.Second, "the clock to run", `gossipscope.state().t > 1500 && gossipscope.state().horizon > __startup.shown.horizon`)
}
