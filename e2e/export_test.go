package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exportBlob runs one of the page's exports (a JS expression giving a
// Blob or a Promise of one) and returns the Blob's bytes.
func exportBlob(t *testing.T, ctx context.Context, expr string) []byte {
	t.Helper()
	eval[bool](t, ctx, `(() => { window.__blob = null; window.__blobErr = "";
		Promise.resolve().then(() => `+expr+`).then((b) => new Promise((res) => { const r = new FileReader(); r.onload = () => res(r.result); r.readAsDataURL(b); }))
		.then((u) => { window.__blob = u; }, (e) => { window.__blobErr = String(e && e.message || e); });
		return true; })()`)
	waitFor(t, ctx, 60*time.Second, "the export", `window.__blob !== null || window.__blobErr !== ""`)
	if msg := eval[string](t, ctx, `window.__blobErr`); msg != "" {
		t.Fatalf("%s: %s", expr, msg)
	}
	u := eval[string](t, ctx, `window.__blob`)
	i := strings.IndexByte(u, ',')
	if i < 0 {
		t.Fatalf("%s: not a data URL: %.60q", expr, u)
	}
	b, err := base64.StdEncoding.DecodeString(u[i+1:])
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return b
}

// TestExportPNG: "Save picture" gives a PNG of the canvas at its own size,
// with the scene in it (the background and the drawn nodes, chart and
// text), even on a paused page whose canvas has stopped drawing.
func TestExportPNG(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=40&fanout=3&mode=push&seed=3"))
	api(t, ctx, `pause()`)
	api(t, ctx, `seek(3000)`)
	waitFor(t, ctx, 20*time.Second, "the page to go idle", `gossipscope.state().idle`)
	b := exportBlob(t, ctx, `gossipscopeExport.png()`)
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", b[:min(8, len(b))])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	w := eval[int](t, ctx, `document.querySelector("body > canvas").width`)
	h := eval[int](t, ctx, `document.querySelector("body > canvas").height`)
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("PNG is %v, the canvas %dx%d", img.Bounds(), w, h)
	}
	colours := map[[3]uint32]int{}
	transparent := 0
	for y := 0; y < h; y += 3 {
		for x := 0; x < w; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			if a < 0xffff {
				transparent++
			}
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
		}
	}
	if transparent > 0 {
		t.Errorf("%d sampled pixels are not opaque: the background was not painted under the scene", transparent)
	}
	// A blank copy (a presented WebGL buffer) has one colour; the scene
	// has the background, node colours, text and the chart.
	if len(colours) < 20 {
		t.Fatalf("the PNG has %d colours: the scene is missing", len(colours))
	}
	// The panel is in the picture as on the screen, wherever the page
	// shows it (on a software renderer, on a plane of its own).
	screen := screenshot(t, ctx, "")
	geo := eval[geometry](t, ctx, `gossipscope.state().geometry || {}`)
	org := eval[[]float64](t, ctx, `(r => [r.left, r.top])(document.querySelector("body > canvas").getBoundingClientRect())`)
	if len(geo.Panel) != 4 || len(org) != 2 {
		t.Fatalf("no panel in the geometry (%v) or no canvas (%v)", geo.Panel, org)
	}
	differ, total := 0, 0
	for y := int(geo.Panel[1]); y < int(geo.Panel[1]+geo.Panel[3]); y++ {
		for x := int(geo.Panel[0]); x < int(geo.Panel[0]+geo.Panel[2]); x++ {
			r1, g1, b1, _ := screen.img.At(x, y).RGBA()
			r2, g2, b2, _ := img.At(x-int(org[0]), y-int(org[1])).RGBA()
			total++
			if !near(color.RGBA{uint8(r1 >> 8), uint8(g1 >> 8), uint8(b1 >> 8), 255}, color.RGBA{uint8(r2 >> 8), uint8(g2 >> 8), uint8(b2 >> 8), 255}, 3) {
				differ++
			}
		}
	}
	if total == 0 || differ > total/100 {
		t.Errorf("%d of the panel's %d pixels differ between the PNG and the screen (plane shown: %v)", differ, total, eval[bool](t, ctx, `gossipscope.state().plane`))
	}
}

// TestExportCSV: "Save figures" has a row per round whose figures add up
// to the run's own counters at the end, and leaves the playhead where it
// was.
func TestExportCSV(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=60&fanout=2&mode=push&seed=8&loss=0.1&maxtime=15000"))
	api(t, ctx, `pause()`)
	api(t, ctx, `seek(2500)`)
	before := state(t, ctx)
	text := string(exportBlob(t, ctx, `gossipscopeExport.csv()`))
	after := state(t, ctx)
	if after.T != before.T {
		t.Errorf("the playhead moved from %v to %v", before.T, after.T)
	}
	lines := strings.SplitN(text, "\n", 2)
	if !strings.HasPrefix(lines[0], "# gossipscope scenario ") || !strings.Contains(lines[0], "nodes=60") {
		t.Errorf("first line %q does not name the scenario", lines[0])
	}
	recs, err := csv.NewReader(strings.NewReader(lines[1])).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, text)
	}
	want := "round,start_ms,end_ms,nodes,alive,informed,messages,redundant,lost,messages_total,redundant_total,lost_total"
	if got := strings.Join(recs[0], ","); got != want {
		t.Fatalf("header %q, want %q", got, want)
	}
	if len(recs) < 4 {
		t.Fatalf("%d rows for a 60-node run:\n%s", len(recs)-1, text)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	num := func(r []string, c string) float64 {
		v, err := strconv.ParseFloat(r[col[c]], 64)
		if err != nil {
			t.Fatalf("%s %q: %v", c, r[col[c]], err)
		}
		return v
	}
	var sumMsg, sumRed, sumLost, lastRound, lastInformed float64 = 0, 0, 0, -1, 0
	for _, r := range recs[1:] {
		sumMsg += num(r, "messages")
		sumRed += num(r, "redundant")
		sumLost += num(r, "lost")
		if num(r, "round") <= lastRound {
			t.Errorf("rounds not increasing: %v after %v", num(r, "round"), lastRound)
		}
		if num(r, "informed") < lastInformed {
			t.Errorf("round %v: informed fell from %v to %v", num(r, "round"), lastInformed, num(r, "informed"))
		}
		if num(r, "end_ms") < num(r, "start_ms") {
			t.Errorf("round %v ends at %v, before it starts (%v)", num(r, "round"), num(r, "end_ms"), num(r, "start_ms"))
		}
		lastRound, lastInformed = num(r, "round"), num(r, "informed")
	}
	last := recs[len(recs)-1]
	if sumMsg != num(last, "messages_total") || sumRed != num(last, "redundant_total") || sumLost != num(last, "lost_total") {
		t.Errorf("per-round sums %v/%v/%v differ from the totals %v", sumMsg, sumRed, sumLost, last)
	}
	if sumLost == 0 {
		t.Errorf("10%% loss but no message lost in the CSV:\n%s", text)
	}
	// The same figures as the API's at the end of the run.
	api(t, ctx, `seek(1e9)`)
	end := state(t, ctx)
	if float64(end.Messages) != sumMsg || float64(end.Informed) != lastInformed || float64(end.Redundant) != sumRed {
		t.Errorf("at the end the API says %d messages, %d redundant, %d informed; the CSV %v, %v, %v",
			end.Messages, end.Redundant, end.Informed, sumMsg, sumRed, lastInformed)
	}
}

// TestExportWebM: "Record video" records the canvas while it plays and
// gives a WebM (an EBML file of DocType webm) with video in it.
func TestExportWebM(t *testing.T) {
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, pageURL("nodes=40&fanout=3&mode=push&seed=3"))
	api(t, ctx, `restart()`)
	software := eval[bool](t, ctx, `gossipscope.state().software`)
	eval[bool](t, ctx, `(window.__rec = gossipscopeExport.record(), true)`)
	time.Sleep(2 * time.Second)
	// The stream captures ebiten's canvas alone: the panel is on it.
	if eval[bool](t, ctx, `gossipscope.state().plane`) {
		t.Error("while recording the panel is on a plane of its own, outside the recorded canvas")
	}
	b := exportBlob(t, ctx, `window.__rec.stop()`)
	if software {
		waitFor(t, ctx, 10*time.Second, "the panel back on its plane after the recording", `gossipscope.state().plane`)
	}
	if !bytes.HasPrefix(b, []byte{0x1a, 0x45, 0xdf, 0xa3}) {
		t.Fatalf("not an EBML (WebM) file: % x", b[:min(8, len(b))])
	}
	if !bytes.Contains(b[:min(64, len(b))], []byte("webm")) {
		t.Errorf("the EBML header does not say webm: %q", b[:min(64, len(b))])
	}
	if len(b) < 2000 {
		t.Errorf("a 2 s recording of a playing animation is %d bytes: no frames", len(b))
	}
	if eval[bool](t, ctx, `gossipscopeExport.recording()`) {
		t.Error("still recording after stop")
	}
}
