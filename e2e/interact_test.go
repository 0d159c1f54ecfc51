package e2e

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// nodeXY is where the page draws a node, in CSS px, from the wasm's own
// layout (selecting it reports its position).
func nodeXY(t *testing.T, ctx context.Context, name string) (float64, float64) {
	t.Helper()
	// state() gives where the last drawn frame put the node, and a click
	// is judged against the frame on screen too; after a seek the last
	// frame may still show nodes moving into place, so the position is
	// read from a frame drawn after the select. Selecting draws one when
	// nothing was selected in the frame on screen (a frame counts only
	// when its picture differs from the last), so a selection is first
	// cleared and that drawn.
	selectDrawn := func(arg string) {
		f0 := state(t, ctx).Frames
		if r := api(t, ctx, "select("+arg+")"); !r.OK {
			t.Fatalf("select %s: %s", arg, r.Error)
		}
		waitFor(t, ctx, 2*time.Minute, "a frame drawn after select("+arg+")",
			fmt.Sprintf("gossipscope.state().frames > %v", f0))
	}
	if eval[bool](t, ctx, "gossipscope.state().selected !== null") {
		selectDrawn("null")
	}
	selectDrawn(fmt.Sprintf("%q", name))
	xy := eval[[]float64](t, ctx, `(() => { const s = gossipscope.state().selected; return s ? [s.x, s.y] : []; })()`)
	api(t, ctx, "select(null)")
	if len(xy) != 2 {
		t.Fatalf("no position for %s", name)
	}
	return xy[0], xy[1]
}

// click presses the left button at (x, y) and releases it 300 ms later, as
// a person does (quick clicks: click_test.go).
func click(t *testing.T, ctx context.Context, x, y float64, opts ...chromedp.MouseOption) {
	t.Helper()
	opts = append([]chromedp.MouseOption{chromedp.ButtonType(input.MouseButtonLeft), chromedp.ClickCount(1)}, opts...)
	err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, opts...),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, opts...),
	)
	if err != nil {
		t.Fatalf("click at %v,%v: %v", x, y, err)
	}
}

// TestClickCrashesAndRestartsNode: in "crash" mode a click on a node
// crashes it, a second click restarts it, and both land in the URL; in
// "select" mode a click only selects, unless shift is held.
func TestClickCrashesAndRestartsNode(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=20&fanout=2&mode=push&seed=5&panel=1"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(1500)")
	x, y := nodeXY(t, ctx, "n7")

	// Select mode: the click selects n7 and crashes nothing.
	click(t, ctx, x, y)
	waitFor(t, ctx, 5*time.Second, "n7 selected", `(gossipscope.state().selected || {}).name === "n7"`)
	time.Sleep(200 * time.Millisecond)
	if st := state(t, ctx); st.Alive != 20 {
		t.Fatalf("a plain click crashed a node: %d alive", st.Alive)
	}

	// Crash mode.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="click"][value="crash"]`))); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, x, y)
	waitFor(t, ctx, 5*time.Second, "n7 to crash", `gossipscope.state().alive === 19`)
	waitFor(t, ctx, 5*time.Second, "the crash in the URL", `location.search.includes("do=crash")`)
	click(t, ctx, x, y)
	waitFor(t, ctx, 5*time.Second, "n7 to restart", `gossipscope.state().alive === 20`)
	waitFor(t, ctx, 5*time.Second, "the restart in the URL", `location.search.includes("do=restart")`)

	// Back in select mode, shift-click crashes.
	chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name="click"][value="select"]`)))
	x3, y3 := nodeXY(t, ctx, "n3")
	click(t, ctx, x3, y3, chromedp.ButtonModifiers(chromedp.ModifierShift))
	waitFor(t, ctx, 5*time.Second, "shift-click to crash n3", `gossipscope.state().alive === 19`)
}

// TestSceneKeepsClearOfControls: the scene draws nothing under the page's
// panel and bar. The HTML is hidden for the screenshot, so what is there is
// the canvas alone.
func TestSceneKeepsClearOfControls(t *testing.T) {
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, pageURL("nodes=400&fanout=3&seed=8&panel=1"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(3000)")
	time.Sleep(300 * time.Millisecond)
	ins := eval[map[string]float64](t, ctx, `gossipscopePage.insets`)
	if ins["top"] < 40 || ins["right"] < 200 || ins["bottom"] < 40 {
		t.Fatalf("insets %v: bar, panel or narration band missing", ins)
	}
	screenshot(t, ctx, "page-panel.png") // for people: the page as it looks
	eval[bool](t, ctx, `(() => { for (const id of ["bar", "panel", "narration", "status"]) document.getElementById(id).style.visibility = "hidden"; return true; })()`)
	time.Sleep(300 * time.Millisecond)
	bare := screenshot(t, ctx, "")
	bg := rgb(0x0a0e17)
	under := func(r image.Rectangle) pixelStats { return bare.stats(r, bg, nil, 0) }
	panel := under(image.Rect(windowW-int(ins["right"])+4, int(ins["top"])+4, windowW, windowH-int(ins["bottom"])))
	bar := under(image.Rect(0, 0, windowW, int(ins["top"])-4))
	scene := under(image.Rect(0, int(ins["top"]), windowW-int(ins["right"]), windowH-int(ins["bottom"])))
	t.Logf("drawn: under the panel %d/%d, under the bar %d/%d, scene %d/%d", panel.nonBg, panel.total, bar.nonBg, bar.total, scene.nonBg, scene.total)
	if scene.nonBg < scene.total/20 {
		t.Fatalf("the scene itself is nearly empty (%d of %d pixels)", scene.nonBg, scene.total)
	}
	if panel.nonBg > panel.total/200 {
		t.Errorf("the scene draws under the panel: %d of %d pixels", panel.nonBg, panel.total)
	}
	if bar.nonBg > bar.total/200 {
		t.Errorf("the scene draws under the bar: %d of %d pixels", bar.nonBg, bar.total)
	}
}

// TestDropRecording: dropping a file on the page replays it.
func TestDropRecording(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=30"))
	rec := strings.ReplaceAll(string(writeRecording(t, recording())), "`", "")
	eval[bool](t, ctx, "(() => { const dt = new DataTransfer(); dt.items.add(new File([`"+rec+"`], \"dropped.jsonl\")); "+
		"for (const type of [\"dragenter\", \"dragover\", \"drop\"]) window.dispatchEvent(new DragEvent(type, {dataTransfer: dt, cancelable: true})); return true; })()")
	waitFor(t, ctx, 10*time.Second, "the dropped recording", `gossipscope.state().source === "replay" && gossipscope.state().nodes === 6`)
	if res := eval[string](t, ctx, `document.getElementById("replay-result").textContent`); !strings.HasPrefix(res, "dropped.jsonl") {
		t.Errorf("replay result %q", res)
	}
	if eval[bool](t, ctx, `!document.getElementById("dropzone").hidden`) {
		t.Error("the drop zone stays up after the drop")
	}
}

// TestComparePreset: the PUSH / PULL / PUSH-PULL preset runs the three
// modes one after another and fills the table; PUSH-PULL needs no more
// rounds than PUSH and sends more messages per node and round.
func TestComparePreset(t *testing.T) {
	ctx := newTab(t, 4*time.Minute)
	openPage(t, ctx, pageURL("panel=1"))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#presets button[data-preset="compare"]`))); err != nil {
		t.Fatal(err)
	}
	// Classroom speed is 4x; the test does not need to watch.
	eval[bool](t, ctx, `(() => { const p = gossipscopePresets.find(p => p.id === "compare"); p.speed = 50; gossipscope.setSpeed(50); return true; })()`)
	waitFor(t, ctx, 3*time.Minute, "three modes compared",
		`gossipscopePage.compare.length === 3 && gossipscopePage.compare.every(r => r.done)`)
	type row struct {
		Mode      string `json:"mode"`
		Rounds    int    `json:"rounds"`
		Messages  int    `json:"messages"`
		Redundant int    `json:"redundant"`
	}
	rows := eval[[]row](t, ctx, `gossipscopePage.compare.map(r => ({mode: r.mode, rounds: r.rounds, messages: r.messages, redundant: r.redundant}))`)
	t.Logf("%+v", rows)
	if rows[0].Mode != "push" || rows[1].Mode != "pull" || rows[2].Mode != "pushpull" {
		t.Fatalf("modes %+v", rows)
	}
	for _, r := range rows {
		if r.Rounds < 2 || r.Messages < 199 {
			t.Errorf("%s: %d rounds, %d messages for 200 nodes", r.Mode, r.Rounds, r.Messages)
		}
	}
	if rows[2].Rounds > rows[0].Rounds {
		t.Errorf("PUSH-PULL took %d rounds, PUSH %d", rows[2].Rounds, rows[0].Rounds)
	}
	if cells := eval[int](t, ctx, `document.querySelectorAll("#compare-rows td").length`); cells != 12 {
		t.Errorf("the table has %d cells, want 12", cells)
	}
}

// TestProjectorMode: p (or the button) switches to large type on the page
// and in the scene, and the URL remembers it.
func TestProjectorMode(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=50"))
	small := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.getElementById("narration")).fontSize)`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("projector"))); err != nil {
		t.Fatal(err)
	}
	big := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.getElementById("narration")).fontSize)`)
	if big < small*1.2 {
		t.Errorf("projector mode: narration %v px -> %v px", small, big)
	}
	if !eval[bool](t, ctx, `gossipscope.state().projector === true`) {
		t.Error("the scene is not in projector mode")
	}
	waitFor(t, ctx, 5*time.Second, "projector in the URL", `location.search.includes("projector=1")`)
	screenshot(t, ctx, "page-projector.png")
}

// TestFaultButtons: the panel's fault buttons change the running scenario
// and the change is part of the scenario (and so of the URL).
func TestFaultButtons(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=60&fanout=2&mode=pushpull&stop=never&seed=6&maxtime=30000&panel=1"))
	api(t, ctx, "pause()")
	api(t, ctx, "seek(1000)")
	press := func(id string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(id))); err != nil {
			t.Fatalf("pressing %s: %v", id, err)
		}
	}
	press("f-partition")
	waitFor(t, ctx, 5*time.Second, "the network cut in two", `gossipscope.state().groups === 2`)
	api(t, ctx, "seek(2000)")
	press("f-heal")
	waitFor(t, ctx, 5*time.Second, "the network healed", `gossipscope.state().groups < 2`)
	eval[bool](t, ctx, `(document.getElementById("f-join-count").value = "7", true)`)
	press("f-join")
	waitFor(t, ctx, 5*time.Second, "7 more nodes", `gossipscope.state().nodes === 67`)
	eval[bool](t, ctx, `(document.getElementById("f-loss").value = "0.3", true)`)
	press("f-setloss")
	waitFor(t, ctx, 5*time.Second, "loss 0.3", `gossipscope.state().loss === 0.3`)
	// Crash and restart by name: the keyboard's way to the canvas.
	eval[bool](t, ctx, `(document.getElementById("f-node").value = "n4", true)`)
	press("f-crash")
	waitFor(t, ctx, 5*time.Second, "n4 crashed by name", `gossipscope.state().alive === 66 && gossipscope.state().selected.name === "n4"`)
	press("f-crash")
	waitFor(t, ctx, 5*time.Second, "n4 restarted by name", `gossipscope.state().alive === 67`)
	press("f-update")
	q := eval[string](t, ctx, `gossipscope.scenario()`)
	for _, kind := range []string{"do=partition", "do=heal", "do=join", "do=loss", "do=crash", "do=restart", "do=update"} {
		if !strings.Contains(q, kind) {
			t.Errorf("scenario %q lacks %s", q, kind)
		}
	}
	// A bad value is refused with a message, and changes nothing.
	eval[bool](t, ctx, `(document.getElementById("f-loss").value = "7", true)`)
	press("f-setloss")
	waitFor(t, ctx, 5*time.Second, "a message for loss 7", `!document.getElementById("error").hidden`)
	if st := state(t, ctx); st.Nodes != 67 {
		t.Errorf("after the bad value: %d nodes", st.Nodes)
	}
}
