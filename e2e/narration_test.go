package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// narrationSizes are the windows a classroom meets.
var narrationSizes = [][2]int64{{1024, 768}, {1280, 720}, {1280, 800}, {1920, 1080}}

// narrationFitJS reads how the narration sits: its text, its box, the
// header's bottom, the canvas panel's bottom (CSS px), and what of it is
// clipped (any of its boxes whose content is taller than the box).
const narrationFitJS = `(() => {
	const n = document.getElementById("narration");
	const r = n.getBoundingClientRect();
	const clipped = [n, ...n.querySelectorAll("*")].filter((e) => e.scrollHeight > e.clientHeight + 0.5 || e.scrollWidth > e.clientWidth + 0.5)
		.map((e) => (e.id || e.tagName) + " shows " + e.clientWidth + "x" + e.clientHeight + " of " + e.scrollWidth + "x" + e.scrollHeight);
	const g = gossipscope.state().geometry, k = devicePixelRatio || 1;
	const s = n.firstElementChild, cs = s && getComputedStyle(s);
	return {text: n.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
		lines: s ? Math.round((s.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)) / parseFloat(cs.lineHeight)) : 0,
		size: s ? parseFloat(cs.fontSize) : 0, body: parseFloat(getComputedStyle(document.body).fontSize),
		visible: getComputedStyle(n).visibility === "visible" && r.height > 0,
		bar: document.getElementById("bar").getBoundingClientRect().bottom,
		panel: g ? (g.panel[1] + g.panel[3]) / k : 0, chart: g ? g.chart[3] / k : 0,
		w: innerWidth, h: innerHeight, clipped};
})()`

type narrationFit struct {
	Text    string   `json:"text"`
	Top     float64  `json:"top"`
	Bottom  float64  `json:"bottom"`
	Left    float64  `json:"left"`
	Right   float64  `json:"right"`
	Lines   int      `json:"lines"`
	Size    float64  `json:"size"`
	Body    float64  `json:"body"`
	Chart   float64  `json:"chart"`
	Visible bool     `json:"visible"`
	Bar     float64  `json:"bar"`
	Panel   float64  `json:"panel"`
	W       float64  `json:"w"`
	H       float64  `json:"h"`
	Clipped []string `json:"clipped"`
}

// narrationScenes opens the page in view "sim" or "live" (on a lab of its
// own: the crash below stays), in
// normal or larger type, settings panel open, at a moment with a long
// narration, paused there; then, for each classroom size, resizes the
// window and calls at with the narration laid out anew.
//
// The simulation's moment: a crash and a newer version of the news in a
// lossy run of 1,000 nodes (the crash, the round, both versions and the
// lost messages are all told). The live one: the lab's five nodes hold a
// silence made from the page and a node was just crashed (the death, the
// silence's name and the messages are all told).
func narrationScenes(t *testing.T, view string, large bool, at func(t *testing.T, ctx context.Context, name string)) {
	url := pageURL("nodes=1000&fanout=3&period=1000&mode=push&seed=3&loss=0.1&do=update@2500:5&do=crash@3600:7&panel=1")
	if view == "live" {
		url = startLabServer(t, "5").url + "?live=1&panel=1"
	}
	if large {
		url += "&projector=1"
	}
	ctx := newTab(t, 3*time.Minute)
	viewport(t, ctx, narrationSizes[0][0], narrationSizes[0][1])
	openPage(t, ctx, url)
	if got := eval[bool](t, ctx, `document.body.classList.contains("projector")`); got != large {
		t.Fatalf("larger type is %v, want %v", got, large)
	}
	if view == "sim" {
		api(t, ctx, "pause()")
		api(t, ctx, "seek(4400)")
		waitFor(t, ctx, 20*time.Second, "the crash told", `gossipscope.state().narration.startsWith("n7 crashed.")`)
	} else {
		waitFor(t, ctx, 30*time.Second, "the live stream", `gossipscope.state().source === "live" && gossipscope.state().nodes === 5`)
		waitFor(t, ctx, 30*time.Second, "the live controls", `!document.getElementById("live-controls").hidden`)
		waitFor(t, ctx, 10*time.Second, "node names from the stream", `document.getElementById("live-node").options.length === 5`)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-silence"))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, 60*time.Second, "the silence everywhere", `gossipscope.state().informed === 5`)
		eval[bool](t, ctx, `(document.getElementById("live-node").value = document.getElementById("live-node").options[3].value, true)`)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("live-crash"))); err != nil {
			t.Fatal(err)
		}
		// Held where the death is told (it is for four gossip periods).
		waitFor(t, ctx, 30*time.Second, "the death told", `gossipscope.state().narration.includes(" is dead") && (gossipscope.pause(), true)`)
		waitFor(t, ctx, 5*time.Second, "the death told, paused", `!gossipscope.state().playing && gossipscope.state().narration.includes(" is dead")`)
	}
	for i, sz := range narrationSizes {
		name := fmt.Sprintf("%s-%dx%d-large=%v", view, sz[0], sz[1], large)
		if i > 0 {
			// Laid out anew: the window's size seen by the page, then a
			// frame of the scene drawn since (a call wakes a paused page's
			// drawing), then the drawing at rest.
			f0 := eval[float64](t, ctx, `gossipscope.frames()`)
			viewport(t, ctx, sz[0], sz[1])
			waitFor(t, ctx, 10*time.Second, "the new size", fmt.Sprintf(`innerWidth === %d && innerHeight === %d`, sz[0], sz[1]))
			api(t, ctx, "pause()")
			waitFor(t, ctx, 10*time.Second, "a frame at the new size", fmt.Sprintf(`gossipscope.frames() > %v`, f0))
		}
		waitFor(t, ctx, 10*time.Second, "the drawing at rest", `gossipscope.state().idle`)
		at(t, ctx, name)
	}
}

// TestNarrationFitsEverySize: a teacher reads the whole narration at
// 1024x768, 1280x720, 1280x800 and 1920x1080, in normal and larger type,
// in the simulation and the live view: nothing of it is clipped, its box
// lies inside the window below the header, and the canvas panel ends above
// it. In larger type at 1280x720 the live lab's narration took four lines
// of which the page showed three.
func TestNarrationFitsEverySize(t *testing.T) {
	for _, view := range []string{"sim", "live"} {
		for _, large := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s-large=%v", view, large), func(t *testing.T) {
				narrationScenes(t, view, large, func(t *testing.T, ctx context.Context, name string) {
					f := eval[narrationFit](t, ctx, narrationFitJS)
					t.Logf("%s: %d lines of %.1f px type (body %.1f), %.0f..%.0f of %.0f, panel ends %.0f, chart %.0f px high: %q",
						name, f.Lines, f.Size, f.Body, f.Top, f.Bottom, f.H, f.Panel, f.Chart, f.Text)
					if !f.Visible || f.Text == "" {
						t.Errorf("%s: no narration shown", name)
						return
					}
					for _, c := range f.Clipped {
						t.Errorf("%s: narration clipped: %s (%q)", name, c, f.Text)
					}
					if f.Top < f.Bar || f.Bottom > f.H || f.Left < 0 || f.Right > f.W {
						t.Errorf("%s: narration box %.0f,%.0f..%.0f,%.0f not inside the window %.0fx%.0f below the header (ends %.0f)",
							name, f.Left, f.Top, f.Right, f.Bottom, f.W, f.H, f.Bar)
					}
					if f.Panel > f.Top+0.5 {
						t.Errorf("%s: the canvas panel ends at %.0f, under the narration from %.0f", name, f.Panel, f.Top)
					}
					// Kept to three lines, it leaves the canvas panel its chart,
					// in type no smaller than the page's text.
					if f.Size < f.Body-0.01 {
						t.Errorf("%s: narration in %.1f px type, smaller than the page's %.1f px", name, f.Size, f.Body)
					}
					if f.Chart <= 0 {
						t.Errorf("%s: the canvas panel has no chart beside a %d-line narration", name, f.Lines)
					}
					if name == "sim-1280x720-large=true" {
						// The long sentence took smaller type; a short one
						// (the first round's) has its own again.
						api(t, ctx, "seek(0)")
						waitFor(t, ctx, 10*time.Second, "a short sentence", `document.getElementById("narration").textContent.startsWith("Round 1:")`)
						short := eval[narrationFit](t, ctx, narrationFitJS)
						if short.Size <= f.Size {
							t.Errorf("%s: %.1f px type for %q after %.1f px for the long sentence", name, short.Size, short.Text, f.Size)
						}
						api(t, ctx, "seek(4400)")
						waitFor(t, ctx, 10*time.Second, "the crash told again", `document.getElementById("narration").textContent.startsWith("n7 crashed.")`)
					}
				})
			})
		}
	}
}
