package session

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/scene"
)

// runToEnd drives the session as the page does, with a fake wall clock
// at 50x speed, until the stream is complete and the playhead at its end.
func runToEnd(t *testing.T, s *Session) {
	t.Helper()
	s.SetSpeed(50)
	s.Play()
	wall := 0.0
	for i := 0; i < 100000; i++ {
		wall += 100
		s.Tick(wall)
		if st := s.State(); st.Done == true {
			return
		}
	}
	t.Fatalf("never done: %v", s.State())
}

func view(s *Session) string {
	st := s.State()
	st.FPS, st.DrawMs, st.Playing, st.Speed = 0, 0, false, 0
	st.Duration, st.Horizon = 0, 0 // the log may reach further in one of the two
	st.Events, st.Complete = 0, false
	b, _ := json.Marshal(st)
	return string(b)
}

func TestLoadRunsToFullCoverage(t *testing.T) {
	s := New()
	if err := s.Load("nodes=200&fanout=3&mode=pushpull&seed=4&latency=20,80&pageparam=x"); err != nil {
		t.Fatal(err)
	}
	runToEnd(t, s)
	st := s.State()
	if st.Informed != 200 || st.Alive != 200 || st.Nodes != 200 {
		t.Fatalf("at the end: %v", st)
	}
	if !strings.HasPrefix(st.Narration, "All 200 nodes know the news") {
		t.Fatalf("narration %q", st.Narration)
	}
	if st.Messages == 0 || st.TheoryRounds <= 0 {
		t.Fatalf("state %v", st)
	}
}

func TestBadScenarioChangesNothing(t *testing.T) {
	s := New()
	if err := s.Load("nodes=30&seed=2"); err != nil {
		t.Fatal(err)
	}
	before := s.Scenario()
	err := s.Load("nodes=-5&fanout=abc")
	if err == nil || !strings.Contains(err.Error(), "fanout") || !strings.Contains(s.Err(), "fanout") {
		t.Fatalf("bad scenario: err %v, Err() %q; want the field named", err, s.Err())
	}
	if s.Scenario() != before || s.Source() != SourceSim {
		t.Fatalf("scenario changed to %q", s.Scenario())
	}
	if err := s.SetSpeed(-1); err == nil {
		t.Fatal("negative speed accepted")
	}
	if err := s.Crash("n999"); err == nil {
		t.Fatal("crashing a node that does not exist was accepted")
	}
}

// A fault made by clicking is in the scenario, and loading that scenario
// from scratch gives exactly the same picture.
func TestFaultsRoundTripThroughTheScenario(t *testing.T) {
	s := New()
	if err := s.Load("nodes=120&fanout=2&mode=push&stop=never&seed=9&latency=30,120"); err != nil {
		t.Fatal(err)
	}
	s.Seek(1500)
	if err := s.Crash("n3"); err != nil {
		t.Fatal(err)
	}
	s.Seek(2600)
	if err := s.Partition(); err != nil {
		t.Fatal(err)
	}
	s.Seek(4100)
	if err := s.Heal(); err != nil {
		t.Fatal(err)
	}
	if err := s.Join(5); err != nil {
		t.Fatal(err)
	}
	sc := s.Scenario()
	for _, want := range []string{"do=crash%401500%3A3", "do=partition%402600", "do=heal%404100", "do=join%404100%3A5"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("scenario %q lacks %q", sc, want)
		}
	}
	s.Seek(2000)
	if d, _ := s.Player.Details(3); d.Class != scene.Crashed {
		t.Fatalf("n3 at 2 s: %v, want crashed", d.Class)
	}
	fresh := New()
	if err := fresh.Load(sc); err != nil {
		t.Fatal(err)
	}
	for _, at := range []float64{1000, 2000, 3000, 4100, 6000, 9000} {
		s.Seek(at)
		fresh.Seek(at)
		if a, b := view(s), view(fresh); a != b {
			t.Fatalf("at %v the interactive run and its link differ:\n%s\n%s", at, a, b)
		}
	}
	runToEnd(t, s)
	if st := s.State(); st.Nodes != 125 {
		t.Fatalf("after joining 5: %v nodes", st.Nodes)
	}
}

func TestStepRoundAndMessage(t *testing.T) {
	s := New()
	if err := s.Load("nodes=20&latency=100&seed=1"); err != nil {
		t.Fatal(err)
	}
	s.Play()
	s.StepRound()
	if st := s.State(); st.Playing != false || st.T != 1000.0 {
		t.Fatalf("after stepRound: %v", st)
	}
	s.StepMessage()
	if st := s.State(); st.T != 1100.0 {
		t.Fatalf("after stepMessage: t=%v, want the first arrival at 1100", st.T)
	}
}

func TestRecordingGoodBadAndTruncated(t *testing.T) {
	s := New()
	if err := s.Load("nodes=10&seed=3"); err != nil {
		t.Fatal(err)
	}
	sc := s.Scenario()
	if _, err := s.LoadRecording("this is not json\n{\"type\":\n"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("garbage recording: %v", err)
	}
	if s.Source() != SourceSim || s.Scenario() != sc {
		t.Fatal("a bad recording replaced the running scenario")
	}
	var b strings.Builder
	enc := protocol.NewEncoder(&b)
	hdr := protocol.Header("lab", map[string]any{"nodes": 2})
	enc.Encode(&hdr)
	enc.Encode(&protocol.Event{Type: protocol.TypeNode, T: 0, Node: "a", Status: protocol.StatusAlive})
	enc.Encode(&protocol.Event{Type: protocol.TypeNode, T: 0, Node: "b", Status: protocol.StatusAlive})
	enc.Encode(&protocol.Event{Type: protocol.TypeState, T: 10, Node: "a", Key: "sil", Version: 1})
	enc.Encode(&protocol.Event{Type: protocol.TypeMsg, T: 20, From: "a", To: "b", Kind: "user", Key: "sil", Version: 1, Arrive: 25})
	enc.Encode(&protocol.Event{Type: protocol.TypeState, T: 25, Node: "b", Key: "sil", Version: 1})
	enc.Flush()
	text := b.String() + `{"type":"msg","t":30,"from":"a"` // cut short
	res, err := s.LoadRecording(text)
	if err != nil || res.Events != 6 || res.Skipped != 1 || !strings.Contains(res.Warning, "truncated") {
		t.Fatalf("truncated recording: %+v %v", res, err)
	}
	if s.Source() != SourceReplay || s.Scenario() != "" {
		t.Fatalf("source %q", s.Source())
	}
	if err := s.Crash("a"); err == nil {
		t.Fatal("a fault on a recording was accepted")
	}
	runToEnd(t, s)
	if st := s.State(); st.Informed != 2 {
		t.Fatalf("replay end: %v", st)
	}
}

func TestLiveFeedAndCommands(t *testing.T) {
	s := New()
	var sent []string
	s.OnCommand = func(c string) { sent = append(sent, c) }
	if err := s.Feed(`{"type":"header","version":1,"source":"lab"}`); err == nil {
		t.Fatal("feed outside live mode accepted")
	}
	s.Live(true)
	if err := s.Feed("{\"type\":\"header\",\"version\":1,\"source\":\"lab\"}\n{\"type\":\"node\",\"t\":5,\"node\":\"am-1\",\"status\":\"alive\"}\n"); err != nil {
		t.Fatal(err)
	}
	if err := s.Feed("{\"type\":\"node\",\"t\":6,\"node\":\"am-2\",\"status\":\"alive\"}\nnot json\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad live line: %v", err)
	}
	s.Tick(0)
	s.Tick(100)
	if st := s.State(); st.Nodes != 2 || st.Source != "live" {
		t.Fatalf("live state %v", st)
	}
	if err := s.Crash("am-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Partition(); err != nil {
		t.Fatal(err)
	}
	if err := s.Join(1); err == nil {
		t.Fatal("join accepted in live mode")
	}
	if len(sent) != 2 {
		t.Fatalf("commands sent: %v", sent)
	}
	var c protocol.Command
	if err := json.Unmarshal([]byte(sent[0]), &c); err != nil || c.Cmd != "crash" || c.Node != "am-2" || c.ID == "" {
		t.Fatalf("crash command %q: %+v %v", sent[0], c, err)
	}
	if err := json.Unmarshal([]byte(sent[1]), &c); err != nil || fmt.Sprint(c.Groups) != "[[am-1] [am-2]]" {
		t.Fatalf("partition command %q", sent[1])
	}
	s.Feed(`{"type":"reply","t":7,"id":"c1","error":"no such node"}`)
	if !strings.Contains(s.Err(), "no such node") {
		t.Fatalf("a failed command's reply is not shown: %q", s.Err())
	}
	s.Live(false)
	if s.Source() != SourceSim {
		t.Fatal("live(false) did not go back to the simulation")
	}
}

// TestLiveHoldsPastTheNewestEvent: live, with nothing arriving, the
// picture holds at the end of the newest event's flights while the
// playhead runs on with wall time, and an event that comes is shown at
// most scene.LiveLag behind it.
func TestLiveHoldsPastTheNewestEvent(t *testing.T) {
	s := New()
	s.Live(true)
	if err := s.Feed("{\"type\":\"header\",\"version\":1,\"source\":\"lab\"}\n{\"type\":\"node\",\"t\":5,\"node\":\"am-1\",\"status\":\"alive\"}\n"); err != nil {
		t.Fatal(err)
	}
	wall := 0.0
	for ; wall <= 10000; wall += 100 {
		s.Tick(wall)
	}
	if st := s.State(); st.T != st.Duration || s.Playback.T < 9000 {
		t.Fatalf("10 s with nothing arriving: drawn at %v (duration %v), playhead at %v", st.T, st.Duration, s.Playback.T)
	}
	if err := s.Feed(`{"type":"node","t":12000,"node":"am-2","status":"alive"}`); err != nil {
		t.Fatal(err)
	}
	for end := wall + scene.LiveLag + 100; wall <= end; wall += 100 {
		s.Tick(wall)
	}
	if st := s.State(); st.Nodes != 2 || st.T < 12000 {
		t.Fatalf("an event at 12 s, then %v ms of wall time: drawn at %v with %d nodes", scene.LiveLag+100, st.T, st.Nodes)
	}
}

// A page that shows its own legend turns the canvas's off: the canvas then
// draws no legend and gives its room to the chart; legend() gives the page
// the same entries and colours.
func TestOverlayLegendOffForThePagesOwn(t *testing.T) {
	s := New()
	if err := s.Load("nodes=300&seed=2"); err != nil {
		t.Fatal(err)
	}
	s.Seek(2500)
	var f scene.Frame
	texts := func() string {
		s.Compose(1024, 560, 1, &f)
		out := ""
		for _, tx := range f.Texts {
			out += tx.S + "|"
		}
		return out
	}
	on := texts()
	if !strings.Contains(on, "already knew") || s.Overlay().LegendAt != "panel" {
		t.Fatalf("legend on: %v, texts %s", s.Overlay(), on)
	}
	chartOn := chartHeight(&f)
	s.SetOverlay("legend", false)
	off := texts()
	if strings.Contains(off, "already knew") || s.Overlay().LegendAt != "none" || s.Overlay().Legend != false {
		t.Fatalf("legend off: %v, texts %s", s.Overlay(), off)
	}
	if chartOff := chartHeight(&f); chartOff <= chartOn {
		t.Fatalf("the chart did not grow without the legend: %v -> %v", chartOn, chartOff)
	}
	items := s.Legend()
	if len(items) != 10 {
		t.Fatalf("legend() has %d entries", len(items))
	}
	first := items[0]
	if first.Label != "uninformed" || first.Color != scene.ClassColor(scene.Uninformed).Hex() || first.Kind != "node" {
		t.Fatalf("first legend entry %v", first)
	}
	s.SetOverlay("legend", true)
	if again := texts(); !strings.Contains(again, "already knew") {
		t.Fatal("the legend did not come back")
	}
}

// chartHeight finds the chart's backdrop: the tallest translucent black
// rectangle of the frame's Over batch.
func chartHeight(f *scene.Frame) float32 {
	// The chart's background is in the panel's kept batch, not in Over.
	best := float32(0)
	for _, v := range [][]scene.Vertex{f.Panel.Vertices, f.Over.Vertices} {
		for i := 0; i+3 < len(v); i++ {
			if v[i].ColorR == 0 && v[i].ColorG == 0 && v[i].ColorB == 0 && v[i].ColorA == 0.35 && v[i+3].ColorA == 0.35 {
				best = max(best, v[i+3].DstY-v[i].DstY)
			}
		}
	}
	return best
}

// After update(), state() counts the new version and the nodes still on
// the old one, and the narration names the version.
func TestUpdateNamesTheVersion(t *testing.T) {
	s := New()
	if err := s.Load("nodes=50&fanout=3&mode=pushpull&seed=2&latency=50,100"); err != nil {
		t.Fatal(err)
	}
	runToEnd(t, s)
	s.Pause()
	st := s.State()
	if st.Informed != 50 || st.Version != 1 || st.Older != 0 {
		t.Fatalf("before the update: %v", st)
	}
	at := st.T
	if err := s.Update("n7"); err != nil {
		t.Fatal(err)
	}
	s.Seek(at + 1)
	st = s.State()
	if st.Informed != 1 || st.Version != 2 || st.Older != 49 {
		t.Fatalf("just after the update at %v: informed %v, version %v, older %v", at, st.Informed, st.Version, st.Older)
	}
	if n := st.Narration; !strings.Contains(n, "1 of 50 nodes know version 2 of the news (49 still have version 1)") {
		t.Fatalf("narration %q", n)
	}
	runToEnd(t, s)
	if st := s.State(); st.Informed != 50 || st.Older != 0 || !strings.HasPrefix(st.Narration, "All 50 nodes know version 2 of the news") {
		t.Fatalf("at the end: %v", st)
	}
}

// What the bridge hands JS is the typed result under its JSON names: the
// same document, field for field.
func TestValuesAreTheJSONForm(t *testing.T) {
	s := New()
	if err := s.Load("nodes=20&fanout=3&seed=2"); err != nil {
		t.Fatal(err)
	}
	s.Seek(500)
	if err := s.Select("n3"); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"state": s.State(), "overlay": s.Overlay(), "legend": s.Legend(), "keys": s.Keys()} {
		typed, _ := json.Marshal(v)
		plain, err := json.Marshal(Values(v))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var a, b any
		_ = json.Unmarshal(typed, &a)
		_ = json.Unmarshal(plain, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: Values gives\n%s\nJSON gives\n%s", name, plain, typed)
		}
	}
	if sel := Values(s.State()).(map[string]any)["selected"].(map[string]any); sel["name"] != "n3" {
		t.Fatalf("selected %v", sel)
	}
	if Values(s.Keys()) == nil {
		t.Fatal("no keys is an empty list, not null")
	}
}

// A canvas that covers only the scene's part of the window (below a bar,
// left of a docked panel) shows the same picture as a full-window canvas
// whose bar and panel are insets, at the same places in the window: type
// and lines grow with the window, not the canvas, and the positions the
// API gives are the window's.
func TestCanvasPartOfTheWindowDrawsTheSamePicture(t *testing.T) {
	const winW, winH, bar, panel, band = 1920, 1080, 90, 440, 100
	const scenario = "nodes=40&fanout=3&seed=5"
	full, part := New(), New()
	for _, s := range []*Session{full, part} {
		if err := s.Load(scenario); err != nil {
			t.Fatal(err)
		}
		s.SetInsets(bar, panel, band, 0)
		if err := s.Select("n7"); err != nil {
			t.Fatal(err)
		}
	}
	part.SetCanvas(Canvas{X: 0, Y: bar, WinW: winW, WinH: winH})
	var ff, fp scene.Frame
	full.Compose(winW, winH, 1, &ff)
	part.Compose(winW-panel, winH-bar, 1, &fp)

	gf, gp := full.Composer.Geometry(), part.Composer.Geometry()
	if gf.NodeR != gp.NodeR || gf.DotR != gp.DotR || gf.Disc[2] != gp.Disc[2] || gf.Disc[3] != gp.Disc[3] {
		t.Fatalf("a different picture: nodes %v/%v, dots %v/%v, disc %v/%v", gf.NodeR, gp.NodeR, gf.DotR, gp.DotR, gf.Disc, gp.Disc)
	}
	if gf.Disc[0] != gp.Disc[0] || gf.Disc[1] != gp.Disc[1]+bar || gf.Panel[1] != gp.Panel[1]+bar {
		t.Errorf("not at the same place: disc %v on the window, %v on the canvas %v px lower", gf.Disc, gp.Disc, bar)
	}
	if full.Composer.TextMin != part.Composer.TextMin || full.Composer.TextMin == 0 {
		t.Errorf("smallest text %v on the window, %v on the canvas", full.Composer.TextMin, part.Composer.TextMin)
	}
	sf, sp := full.State().Selected, part.State().Selected
	if sf == nil || sp == nil || sf.X != sp.X || sf.Y != sp.Y {
		t.Errorf("the selected node is at %+v on the window, %+v from the canvas", sf, sp)
	}
	if ox, oy := part.Origin(); ox != 0 || oy != bar {
		t.Errorf("origin (%v, %v), want (0, %v)", ox, oy, bar)
	}
	// Where the window's margins do not reach the canvas, it has none.
	if in := part.Composer.Insets; in.Top != 0 || in.Right != 0 || in.Bottom != band || in.Left != 0 {
		t.Errorf("the canvas's insets %+v, want only the band of %v at the bottom", in, band)
	}
	// A nonsense place is the full window's.
	part.SetCanvas(Canvas{X: 5, Y: 5, WinW: -1, WinH: 800})
	if ox, oy := part.Origin(); ox != 0 || oy != 0 {
		t.Errorf("origin (%v, %v) after a bad place, want (0, 0)", ox, oy)
	}
}

// Insets and a canvas place from the page that make no sense (NaN,
// negative, infinite, larger than the window) still compose a picture of
// finite positions, and positions the API reports stay finite.
func TestHostileInsetsAndCanvasStayFinite(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		ins    [4]float64
		canvas Canvas
	}{
		{[4]float64{math.NaN(), -5, inf, 1e308}, Canvas{}},
		{[4]float64{inf, inf, inf, inf}, Canvas{X: math.NaN(), Y: 3, WinW: 800, WinH: 600}},
		{[4]float64{10, 10, 10, 10}, Canvas{X: inf, Y: -inf, WinW: inf, WinH: 600}},
		{[4]float64{5000, 5000, 0, 0}, Canvas{X: 0, Y: 0, WinW: 1e-300, WinH: 1e300}},
	}
	for i, c := range cases {
		s := New()
		if err := s.Load("nodes=30&fanout=3&seed=5"); err != nil {
			t.Fatal(err)
		}
		if err := s.Select("n3"); err != nil {
			t.Fatal(err)
		}
		s.SetInsets(c.ins[0], c.ins[1], c.ins[2], c.ins[3])
		s.SetCanvas(c.canvas)
		var f scene.Frame
		s.Compose(800, 600, 1, &f)
		for _, b := range []*scene.Batch{&f.Under, &f.Panel, &f.Over} {
			for _, v := range b.Vertices {
				if math.IsNaN(float64(v.DstX)) || math.IsInf(float64(v.DstX), 0) || math.IsNaN(float64(v.DstY)) || math.IsInf(float64(v.DstY), 0) {
					t.Fatalf("case %d: a vertex at (%v, %v)", i, v.DstX, v.DstY)
				}
			}
		}
		if sel := s.State().Selected; sel != nil && (math.IsNaN(sel.X) || math.IsInf(sel.X, 0) || math.IsNaN(sel.Y) || math.IsInf(sel.Y, 0)) {
			t.Errorf("case %d: the selected node at (%v, %v)", i, sel.X, sel.Y)
		}
	}
}
