package e2e

import (
	"fmt"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStillPlaneLooksLikeTheCanvas: on a software renderer the page shows
// the still part of the frame (the nodes not glowing, the texts, the
// panel) on a 2D canvas of its own above ebiten's, drawn in Go only where
// it changed (wasm/stillplane.go), and the rest on ebiten's canvas. After
// 30 frames of a playing run the page must look as the whole frame drawn
// on ebiten's canvas by WebGL (setPlane(false)) at 100 and 1,000 nodes,
// let the pointer through to the canvas, and come back when allowed
// again.
func TestStillPlaneLooksLikeTheCanvas(t *testing.T) {
	for _, n := range []int{100, 1000} {
		t.Run(fmt.Sprintf("nodes=%d", n), func(t *testing.T) { stillPlaneLooksLikeCanvas(t, n) })
	}
}

func stillPlaneLooksLikeCanvas(t *testing.T, nodes int) {
	ctx := newTab(t, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, pageURL(fmt.Sprintf("nodes=%d&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000&do=update@500:0&do=update@3500:77", nodes)))
	waitFor(t, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	if !eval[bool](t, ctx, `gossipscope.state().software`) {
		t.Skip("WebGL draws on a GPU here: the panel stays on the canvas")
	}
	api(t, ctx, "pause()")
	then := func(what, call string) { t.Helper(); frameAfterCall(t, ctx, what, call) }
	for k := 0; k <= 30; k++ {
		then(fmt.Sprintf("frame %d", k), fmt.Sprintf("seek(%g)", 4000+float64(k)*16.7))
	}
	if !eval[bool](t, ctx, `gossipscope.state().plane`) {
		t.Fatal("under a software renderer the still part of the frame is not on its plane")
	}
	// The plane holds the panel and the still nodes, the canvas the rest.
	tri := eval[map[string]float64](t, ctx, `gossipscope.state().triangles`)
	if tri["still"] < tri["panel"]+float64(nodes)/2 {
		t.Errorf("%v triangles on the plane; want the panel's %v and most of the %d nodes", tri["still"], tri["panel"], nodes)
	}
	geo := eval[geometry](t, ctx, `gossipscope.state().geometry || {}`)
	if len(geo.Panel) != 4 || geo.Panel[2] < 100 {
		t.Fatalf("no panel in the page's geometry: %+v", geo)
	}
	r := image.Rect(int(geo.Panel[0]), int(geo.Panel[1]), int(geo.Panel[0]+geo.Panel[2]), int(geo.Panel[1]+geo.Panel[3]))
	mid := r.Min.Add(r.Max).Div(2)
	if tag := eval[string](t, ctx, fmt.Sprintf(`(e => e.tagName + (e.parentNode === document.body ? " in body" : ""))(document.elementFromPoint(%d, %d))`, mid.X, mid.Y)); tag != "CANVAS in body" {
		t.Errorf("the element under the panel's middle is %q, want ebiten's canvas (the plane lets the pointer through)", tag)
	}
	plane := screenshot(t, ctx, fmt.Sprintf("still-plane-%d.png", nodes))
	then("the whole frame on the canvas", "setPlane(false)")
	if eval[bool](t, ctx, `gossipscope.state().plane`) {
		t.Fatal("setPlane(false) left the plane shown")
	}
	canvas := screenshot(t, ctx, fmt.Sprintf("still-canvas-%d.png", nodes))
	const tol = 1 // 8-bit rounding, the plane's straight alpha
	differ, worst, at := 0, 0, image.Point{}
	r = plane.img.Bounds() // the whole window: nodes, texts, panel
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a, b := rgba(plane.img.At(x, y)), rgba(canvas.img.At(x, y))
			if !near(a, b, tol) {
				differ++
				if d := maxDiff(a, b); d > worst {
					worst, at = d, image.Pt(x, y)
				}
			}
		}
	}
	// scene.RasterBatch gives SwiftShader's pixels but for rounding: a
	// few may differ by more than one step (its doc comment says where).
	if limit := r.Dx() * r.Dy() / 1000; differ > limit {
		t.Errorf("%d of the window's %d pixels differ by more than %d between the plane and the canvas (at most %d allowed); the worst by %d at %v: %v vs %v",
			differ, r.Dx()*r.Dy(), tol, limit, worst, at, plane.img.At(at.X, at.Y), canvas.img.At(at.X, at.Y))
	}
	t.Logf("%d of %d pixels differ by more than %d; the worst by %d", differ, r.Dx()*r.Dy(), tol, worst)
	then("the still part on its plane again", "setPlane(true)")
	if !eval[bool](t, ctx, `gossipscope.state().plane`) {
		t.Error("setPlane(true) did not bring the plane back")
	}
}

func rgba(c color.Color) color.RGBA {
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
}

func maxDiff(a, b color.RGBA) int {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return max(d(a.R, b.R), d(a.G, b.G), d(a.B, b.B))
}
