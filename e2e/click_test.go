package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// fastClick presses and releases the left button at (x, y) with no pause
// between, as a quick tap does: on a slow software renderer (8-20 frames
// a second) both fall between two frames.
func fastClick(t *testing.T, ctx context.Context, x, y float64, opts ...chromedp.MouseOption) {
	t.Helper()
	opts = append([]chromedp.MouseOption{chromedp.ButtonType(input.MouseButtonLeft), chromedp.ClickCount(1)}, opts...)
	err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MousePressed, x, y, opts...),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, opts...),
	)
	if err != nil {
		t.Fatalf("click at %v,%v: %v", x, y, err)
	}
}

// waitFrames waits until cond holds, failing if the page drew n frames
// after the call without it: a click is taken in the next frame's
// Update, so a bound in frames holds however slow a loaded machine makes
// them (a 3,000-node disc at 2x on a software renderer under load drew
// under one frame a second), where a bound in seconds did not.
func waitFrames(t *testing.T, ctx context.Context, n int, what, cond string) {
	t.Helper()
	f0 := state(t, ctx).Frames
	waitFor(t, ctx, 2*time.Minute, what+fmt.Sprintf(" (or %d frames drawn without it)", n),
		fmt.Sprintf(`(%s) || gossipscope.state().frames > %v`, cond, f0+float64(n)))
	if !eval[bool](t, ctx, "!!("+cond+")") {
		t.Fatalf("%d frames drawn after the click without %s (%s)", n, what, cond)
	}
}

// sameFrameClick presses and releases at (x, y) within one JS task, so
// both surely fall between two frames: the browser's own event order
// (pointerdown, mousedown, pointerup, mouseup, click) dispatched on the
// canvas.
func sameFrameClick(t *testing.T, ctx context.Context, x, y float64) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`((x, y) => {
		const c = document.querySelector("body > canvas");
		const o = {clientX: x, clientY: y, button: 0, buttons: 1, bubbles: true, cancelable: true, pointerId: 1, isPrimary: true, pointerType: "mouse"};
		const up = Object.assign({}, o, {buttons: 0});
		c.dispatchEvent(new PointerEvent("pointerdown", o));
		c.dispatchEvent(new MouseEvent("mousedown", o));
		c.dispatchEvent(new PointerEvent("pointerup", up));
		c.dispatchEvent(new MouseEvent("mouseup", up));
		c.dispatchEvent(new MouseEvent("click", up));
		return true; })(%v, %v)`, x, y))
}

// TestFastClickSelects: a press and release with no delay selects the node
// under it, on a plain screen and on a HiDPI one (device pixel ratio 2:
// the click's CSS px become the canvas's device px), in a busy 3,000-node
// disc whose frames are slow, both through the browser's input (quick
// clicks) and within one frame (a press and release in one task: ebiten's
// once-per-frame mouse state never sees those); a quick click on empty
// space clears the selection.
func TestFastClickSelects(t *testing.T) {
	for _, dpr := range []float64{1, 2} {
		t.Run(fmt.Sprintf("dpr=%v", dpr), func(t *testing.T) {
			ctx := newTab(t, 3*time.Minute)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(windowW, windowH, chromedp.EmulateScale(dpr))); err != nil {
				t.Fatal(err)
			}
			// resolution=device: a 2x canvas even on the tests' software
			// renderer, which otherwise draws at CSS resolution.
			openPage(t, ctx, pageURL("nodes=3000&fanout=3&mode=pushpull&stop=never&seed=4&maxtime=20000&panel=0&resolution=device"))
			if got := eval[float64](t, ctx, `window.devicePixelRatio`); got != dpr {
				t.Fatalf("devicePixelRatio %v, want %v", got, dpr)
			}
			api(t, ctx, "seek(3000)")
			api(t, ctx, "play()") // frames stay busy while clicking
			for _, name := range []string{"n0", "n1234", "n2999"} {
				x, y := nodeXY(t, ctx, name)
				fastClick(t, ctx, x, y)
				waitFrames(t, ctx, 5, name+" selected by a quick click",
					fmt.Sprintf(`(gossipscope.state().selected || {}).name === %q`, name))
			}
			for _, name := range []string{"n7", "n2500"} {
				x, y := nodeXY(t, ctx, name)
				sameFrameClick(t, ctx, x, y)
				waitFrames(t, ctx, 5, name+" selected by a press and release within a frame",
					fmt.Sprintf(`(gossipscope.state().selected || {}).name === %q`, name))
			}
			fastClick(t, ctx, 3, windowH/2) // the left edge: no node there
			waitFrames(t, ctx, 5, "the selection cleared", `gossipscope.state().selected === null`)
		})
	}
}

// TestHandlersMayCallTheAPI: the page's onSelect and onCommand are called
// after the wasm let go of its lock, so a handler calling the API straight
// away (no setTimeout) works: onSelect crashes the clicked node and reads
// the state, and onCommand reads the state inside the call that sent it.
func TestHandlersMayCallTheAPI(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=40&fanout=2&mode=push&seed=3&panel=0"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(1500)")
	x, y := nodeXY(t, ctx, "n5")
	eval[bool](t, ctx, `(() => {
		window.__sel = null;
		gossipscope.onSelect = (name, click) => {
			const crashed = gossipscope.crash(name);
			const st = gossipscope.state();
			window.__sel = {name, shift: click.shiftKey, crashed: crashed.ok, alive: st.alive, selected: st.selected && st.selected.name};
		};
		return true; })()`)
	fastClick(t, ctx, x, y, chromedp.ButtonModifiers(chromedp.ModifierShift))
	waitFor(t, ctx, 5*time.Second, "onSelect to run", `window.__sel !== null`)
	type sel struct {
		Name     string `json:"name"`
		Shift    bool   `json:"shift"`
		Crashed  bool   `json:"crashed"`
		Alive    int    `json:"alive"`
		Selected string `json:"selected"`
	}
	got := eval[sel](t, ctx, `window.__sel`)
	if got != (sel{Name: "n5", Shift: true, Crashed: true, Alive: 39, Selected: "n5"}) {
		t.Fatalf("onSelect saw %+v", got)
	}

	// Live: crash() sends a command through onCommand, which reads state().
	type seen struct {
		OK     bool   `json:"ok"`
		Cmd    string `json:"cmd"`
		Source string `json:"source"`
	}
	res := eval[seen](t, ctx, `(() => {
		gossipscope.live(true);
		gossipscope.feed('{"type":"header","version":1,"source":"lab"}\n{"type":"node","t":1,"node":"am-1","status":"alive"}\n{"type":"node","t":1,"node":"am-2","status":"alive"}\n');
		let cmd = "", source = "";
		gossipscope.onCommand = (json) => { cmd = JSON.parse(json).cmd; source = gossipscope.state().source; };
		const r = gossipscope.crash("am-2");
		return {ok: r.ok, cmd, source}; })()`)
	if res != (seen{OK: true, Cmd: "crash", Source: "live"}) {
		t.Fatalf("live crash: %+v", res)
	}
	if st := state(t, ctx); st.Error != "" {
		t.Errorf("the page reported: %s", st.Error)
	}
}
