package e2e

import (
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPanelRedrawnInPlaceLooksWhole: the page keeps the panel in an image
// and, frame by frame, redraws only the boxes where it changed (cleared,
// then the shapes reaching into them cut to them). After 40 such frames
// at 100 and 1,000 nodes the panel must look exactly as when drawn whole:
// a resize makes a new image, drawn whole, at the same time.
func TestPanelRedrawnInPlaceLooksWhole(t *testing.T) {
	for _, n := range []int{100, 1000} {
		t.Run(fmt.Sprintf("nodes=%d", n), func(t *testing.T) { panelRedrawnInPlace(t, n) })
	}
}

func panelRedrawnInPlace(t *testing.T, nodes int) {
	ctx := newTab(t, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, pageURL(fmt.Sprintf("nodes=%d&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000&do=update@500:0&do=update@3500:77", nodes)))
	waitFor(t, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	api(t, ctx, "pause()")
	then := func(what string, do func()) { t.Helper(); frameAfter(t, ctx, what, do) }
	then("a frame at 4 s", func() { api(t, ctx, "seek(4000)") })
	// Frames as while playing: a few values and chart columns change each.
	for k := 1; k <= 40; k++ {
		then(fmt.Sprintf("frame %d", k), func() { api(t, ctx, fmt.Sprintf("seek(%g)", 4000+float64(k)*16.7)) })
	}
	geo := eval[geometry](t, ctx, `gossipscope.state().geometry || {}`)
	if len(geo.Panel) != 4 || geo.Panel[2] < 100 {
		t.Fatalf("no panel in the page's geometry: %+v", geo)
	}
	r := image.Rect(int(geo.Panel[0]), int(geo.Panel[1]), int(geo.Panel[0]+geo.Panel[2]), int(geo.Panel[1]+geo.Panel[3]))
	inPlace := screenshot(t, ctx, fmt.Sprintf("panel-in-place-%d.png", nodes))

	// Another size, then this one again: the panel's image is new, drawn
	// whole.
	for _, w := range []int64{1200, 1280} {
		then(fmt.Sprintf("a frame at %dx800", w), func() {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)); err != nil {
				t.Fatal(err)
			}
		})
	}
	whole := screenshot(t, ctx, fmt.Sprintf("panel-whole-%d.png", nodes))
	if g := eval[geometry](t, ctx, `gossipscope.state().geometry || {}`); fmt.Sprint(g.Panel) != fmt.Sprint(geo.Panel) {
		t.Fatalf("the panel moved from %v to %v", geo.Panel, g.Panel)
	}
	differ, first := 0, image.Point{-1, -1}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if inPlace.img.At(x, y) != whole.img.At(x, y) {
				if differ == 0 {
					first = image.Pt(x, y)
				}
				differ++
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of the panel's %d pixels differ between the image redrawn in place and drawn whole (the first at %v: %v, whole %v)",
			differ, r.Dx()*r.Dy(), first, inPlace.img.At(first.X, first.Y), whole.img.At(first.X, first.Y))
	}
}

// TestLeaveOutDropsAndRestoresParts: the leaveOut diagnostic (what
// BenchmarkPageParts measures with) leaves the panel or the Under batch
// undrawn and nothing else, and leaveOut({}) brings back the very same
// picture.
func TestLeaveOutDropsAndRestoresParts(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, pageURL("nodes=100&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000&do=update@500:0"))
	waitFor(t, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	api(t, ctx, "pause()")
	then := func(what, call string) shot {
		t.Helper()
		frameAfterCall(t, ctx, what, call)
		return screenshot(t, ctx, "")
	}
	then("a frame at 2 s", "seek(2000)")
	// The page settles first (its overlays placed, the loop asleep).
	waitFor(t, ctx, 20*time.Second, "the page to settle", `gossipscope.state().asleep`)
	whole := then("the whole frame", "leaveOut({})")
	geo := eval[geometry](t, ctx, `gossipscope.state().geometry || {}`)
	if len(geo.Panel) != 4 || len(geo.Disc) != 4 {
		t.Fatalf("no panel or disc in the page's geometry: %+v", geo)
	}
	box := func(r []float64) image.Rectangle {
		return image.Rect(int(r[0]), int(r[1]), int(r[0]+r[2]), int(r[1]+r[3]))
	}
	panel, disc := box(geo.Panel), box(geo.Disc)
	differ := func(a, b shot, r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if a.img.At(x, y) != b.img.At(x, y) {
					n++
				}
			}
		}
		return n
	}
	noPanel := then("a frame without the panel", "leaveOut({panel: true})")
	if d := differ(whole, noPanel, panel); d < panel.Dx()*panel.Dy()/2 {
		t.Errorf("without the panel only %d of its %d pixels changed", d, panel.Dx()*panel.Dy())
	}
	if d := differ(whole, noPanel, disc); d != 0 {
		t.Errorf("leaving out the panel changed %d pixels of the nodes' disc", d)
	}
	noUnder := then("a frame without the Under batch", "leaveOut({under: true})")
	if d := differ(whole, noUnder, disc); d < 100*20 {
		t.Errorf("without the Under batch only %d pixels of the disc changed (100 nodes)", d)
	}
	if d := differ(whole, noUnder, panel); d != 0 {
		t.Errorf("leaving out the Under batch changed %d pixels of the panel", d)
	}
	back := then("the whole frame again", "leaveOut({})")
	if d := differ(whole, back, image.Rect(0, 0, 1280, 800)); d != 0 {
		t.Errorf("after leaveOut({}) %d pixels differ from the frame before", d)
	}
}

// TestDrawCallsTakeAnyArgument: leaveOut and setPlane given what is
// not an object or a boolean (a string, a number, null, nothing) answer
// ok, report no error, and leave the page drawing everything.
func TestDrawCallsTakeAnyArgument(t *testing.T) {
	ctx := newTab(t, time.Minute)
	openPage(t, ctx, pageURL("nodes=100&fanout=3&mode=push&seed=2"))
	api(t, ctx, "pause()")
	for _, call := range []string{`leaveOut("panel")`, `leaveOut(42)`, `leaveOut(null)`, `leaveOut()`, `leaveOut({panel: "yes", under: 0})`,
		`setPlane("no")`, `setPlane(null)`, `setPlane()`, `setPlane({})`} {
		if r := api(t, ctx, call); !r.OK {
			t.Errorf("%s: %s", call, r.Error)
		}
		if st := state(t, ctx); st.Error != "" {
			t.Fatalf("after %s the page reports: %s", call, st.Error)
		}
	}
	// {panel: "yes"} is truthy: left out; leaveOut() draws everything.
	parts := func(call string) string {
		return eval[string](t, ctx, `(r => [r.ok, r.under, r.nodeLayer, r.panel, r.over].join(","))(gossipscope.`+call+`)`)
	}
	if got := parts(`leaveOut({panel: "yes"})`); got != "true,false,false,true,false" {
		t.Errorf(`leaveOut({panel: "yes"}) gives ok, under, nodeLayer, panel, over = %s`, got)
	}
	if got := parts(`leaveOut("panel")`); got != "true,false,false,false,false" {
		t.Errorf(`leaveOut("panel") gives ok, under, nodeLayer, panel, over = %s, want nothing left out`, got)
	}
	frameAfterCall(t, ctx, "the plane allowed again", "setPlane(true)")
	if eval[bool](t, ctx, `gossipscope.state().software`) && !eval[bool](t, ctx, `gossipscope.state().plane`) {
		t.Error("after setPlane(true) the panel is not on its plane")
	}
}
