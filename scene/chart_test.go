package scene

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// longLab is a five-node lab that has run for minutes: a silence at 10 s
// and another at 190 s, each spread to everybody within ~200 ms.
func longLab() []protocol.Event {
	names := []string{"n1", "n2", "n3", "n4", "n5"}
	evs := []protocol.Event{protocol.Header("lab", map[string]any{"nodes": 5})}
	for _, n := range names {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, T: 1, Node: n, Status: protocol.StatusAlive})
	}
	spread := func(t float64, key string) {
		for i, n := range names {
			at := t + float64(i)*48.5 // the last at +194 ms
			if i > 0 {
				evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: at - 1, From: names[i-1], To: n, Kind: "user", Key: key, Version: 1, Arrive: at})
			}
			evs = append(evs, protocol.Event{Type: protocol.TypeState, T: at, Node: n, Key: key, Version: 1})
		}
	}
	spread(10000, "sil/a")
	for t := 11000.0; t < 190000; t += 1000 { // chatter between
		evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: t, From: "n1", To: "n2", Kind: "ping", Arrive: t + 1})
	}
	spread(190000, "sil/b")
	evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: 193000, From: "n2", To: "n3", Kind: "ping", Arrive: 193001})
	return evs
}

func liveLoad(t *testing.T, evs []protocol.Event) *Player {
	p := load(t, Config{}, evs)
	p.SetDone(false) // still streaming
	return p
}

// texts indexes the frame's texts by what they say.
func texts(f *Frame) map[string]Text {
	out := map[string]Text{}
	for _, tx := range f.Texts {
		out[tx.S] = tx
	}
	return out
}

// The live chart follows the newest news: from just before it appeared to
// the last node that learnt it, not the lab's whole life; the x labels
// count ms since the news; the headline says Live, no "Round".
func TestLiveChartFollowsNewestNews(t *testing.T) {
	p := liveLoad(t, longLab())
	c := NewComposer()
	var f Frame
	p.Seek(193000)
	c.Compose(p, 1280, 720, 1, &f)
	ax := p.chartWindow(p.Counters(), c.theory.get(p.info))
	if ax.since != 190000 {
		t.Fatalf("the window follows news from %v, want 190000 (the newest silence)", ax.since)
	}
	if ax.start > 190000 || ax.start < 189900 || ax.end < 190194 || ax.end-ax.start > 1000 {
		t.Errorf("window %v..%v ms: want a little before 190000 to a little after 190194", ax.start, ax.end)
	}
	// The 194 ms spread takes a good part of the chart, not a pixel.
	if frac := 194 / (ax.end - ax.start); frac < 0.3 {
		t.Errorf("the spread fills %.0f%% of the window", 100*frac)
	}
	tx := texts(&f)
	for _, want := range []string{"Live", "ms since the news", "0", "100"} {
		if _, ok := tx[want]; !ok {
			t.Errorf("no %q drawn; texts %v", want, f.Texts)
		}
	}
	for _, tt := range f.Texts {
		if len(tt.S) >= 6 && tt.S[:6] == "Round " {
			t.Errorf("a live stream drew %q", tt.S)
		}
	}
	if got, ok := tx["all 5 had it after 194 ms"]; !ok {
		t.Errorf("no spread caption; texts %v", f.Texts)
	} else if got.Y < c.panel.y || got.Y > c.panel.y+c.panel.h {
		t.Errorf("spread caption at y %v outside the panel %+v", got.Y, c.panel)
	}

	// Halfway through a spread the window grows with the clock.
	p.Seek(190100)
	ax = p.chartWindow(p.Counters(), c.theory.get(p.info))
	if ax.since != 190000 || ax.end < 190100 || ax.end-ax.start > 1000 {
		t.Errorf("mid-spread window %v..%v since %v", ax.start, ax.end, ax.since)
	}
	// Between the two, the first silence's spread.
	p.Seek(60000)
	ax = p.chartWindow(p.Counters(), c.theory.get(p.info))
	if ax.since != 10000 || ax.end > 11000 {
		t.Errorf("at 60 s the window is %v..%v since %v, want the spread at 10 s", ax.start, ax.end, ax.since)
	}
	// A simulation with rounds keeps its whole run, in rounds.
	sim := load(t, Config{}, gossip(60, 3, 10, 0, 6))
	sim.Seek(2500)
	ax = sim.chartWindow(sim.Counters(), c.theory.get(sim.info))
	if ax.start != 0 || ax.end < sim.Duration() || ax.name != "rounds" || ax.unit != 1000 {
		t.Errorf("simulation axis %+v", ax)
	}
}

// fastLab is a lab of n nodes on fast timings: a silence created on n1 at
// news reaches every other node took ms later, then chatter for 10 s.
func fastLab(n int, news, took float64) []protocol.Event {
	evs := []protocol.Event{protocol.Header("lab", map[string]any{"nodes": n})}
	for i := 1; i <= n; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, T: 1, Node: "n" + strconv.Itoa(i), Status: protocol.StatusAlive})
	}
	evs = append(evs, protocol.Event{Type: protocol.TypeState, T: news, Node: "n1", Key: "sil/a", Version: 1})
	for i := 2; i <= n; i++ {
		to := "n" + strconv.Itoa(i)
		evs = append(evs,
			protocol.Event{Type: protocol.TypeMsg, T: news + took/2, From: "n1", To: to, Kind: "user", Key: "sil/a", Version: 1, Arrive: news + took},
			protocol.Event{Type: protocol.TypeState, T: news + took, Node: to, Key: "sil/a", Version: 1})
	}
	for at := news + took + 250; at < news+10000; at += 500 {
		evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: at, From: "n2", To: "n1", Kind: "ping", Arrive: at + 1})
	}
	return evs
}

// A lab on fast timings spreads a silence to three nodes in ~30 ms (as
// measured in the e2e lab): the chart gets the narrowest window, from 3 ms
// before the news to followMinSpan after, which reaches past the playhead
// while the spread is fresh, and then stays put: the same axis mid-spread,
// just after it and seconds later, not one that creeps with the clock.
func TestLiveChartFastSpreadWindowStaysPut(t *testing.T) {
	const news, last = 9220.0, 9250.8
	p := liveLoad(t, fastLab(3, news, last-news))
	th := NewComposer().theory.get(p.info)
	var first chartAxis
	for i, at := range []float64{news + 10, last + 5, news + followMinSpan + 100, 19000} {
		p.Seek(at)
		ax := p.chartWindow(p.Counters(), th)
		if ax.since != news || ax.start > news || ax.start < news-5 || ax.end < last || ax.end-ax.start != followMinSpan {
			t.Errorf("at %v ms the window is %v..%v since %v: want the narrowest one (%v ms) from just before %v", at, ax.start, ax.end, ax.since, followMinSpan, news)
		}
		if i == 0 {
			first = ax
		} else if ax != first {
			t.Errorf("at %v ms the window moved to %+v from %+v", at, ax, first)
		}
	}
	// Just after the spread the playhead is inside the window, not past its end.
	if p.Seek(last + 5); p.now >= first.end {
		t.Errorf("playhead %v beyond the window's end %v", p.now, first.end)
	}
}

// The chart has labelled ticks: node counts up the left, rounds along the
// bottom, none covering another, all inside the panel, at 1280x720 and
// 1920x1080.
func TestChartTickLabels(t *testing.T) {
	p := load(t, Config{}, gossip(60, 3, 10, 0, 6))
	p.Seek(2500)
	for _, sz := range [][2]float32{{1280, 720}, {1920, 1080}} {
		c := NewComposer()
		var f Frame
		c.Compose(p, sz[0], sz[1], 1, &f)
		tx := texts(&f)
		for _, want := range []string{"rounds", "0", "20", "40", "60", "1", "2", "3", "5"} {
			got, ok := tx[want]
			if !ok {
				t.Errorf("%v: no tick %q; texts %v", sz, want, f.Texts)
				continue
			}
			if b := textBox(c, got); b[0] < c.panel.x || b[2] > c.panel.x+c.panel.w || b[1] < c.panel.y || b[3] > c.panel.y+c.panel.h {
				t.Errorf("%v: %q at %v leaves the panel %+v", sz, want, b, c.panel)
			}
		}
		// The x labels (along one line) do not overlap.
		y := tx["1"].Y
		var prev float32 = -1
		for r := 0; r <= 10; r++ {
			got, ok := tx[strconv.Itoa(r)]
			if !ok || got.Y != y {
				continue
			}
			if got.X < prev {
				t.Errorf("%v: round %d's label at %v overlaps the one before (ends %v)", sz, r, got.X, prev)
			}
			prev = got.X + c.measure(got.S, got.Size)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct {
		span  float64
		n     int
		whole bool
		want  float64
	}{
		{60, 4, true, 20}, {100, 4, true, 25}, {5, 4, true, 2}, {3, 4, true, 1}, {10000, 4, true, 2500},
		{423, 5, false, 100}, {7, 6, true, 2}, {0.5, 5, true, 1}, {1.2, 6, false, 0.2}, {3000, 8, false, 500},
	} {
		if got := niceStep(tc.span, tc.n, tc.whole); got != tc.want {
			t.Errorf("niceStep(%v, %d, %v) = %v, want %v", tc.span, tc.n, tc.whole, got, tc.want)
		}
	}
}

// pageSizes are the windows a classroom meets, with the margins the page's
// HTML covers there (CSS px, measured in the live view with the settings
// panel open: the header's two rows, the panel, the band of a three-line
// narration), in normal and in larger type.
var pageSizes = []struct {
	w, h               float32
	top, right, bottom float32
	projector          bool
}{
	{1024, 768, 82, 329, 132, false},
	{1280, 720, 89, 358, 142, false},
	{1280, 800, 89, 358, 142, false},
	{1920, 1080, 106, 432, 137, false},
	{1024, 768, 104, 329, 163, true},
	{1280, 720, 115, 358, 177, true},
	{1280, 800, 115, 358, 177, true},
	{1920, 1080, 141, 432, 219, true},
}

// textBox is where a text is drawn: left, top, right, bottom.
func textBox(c *Composer, tx Text) [4]float32 {
	w := c.Measure(tx.S, tx.Size, tx.Bold)
	x := tx.X
	switch tx.Align {
	case AlignRight:
		x -= w
	case AlignCenter:
		x -= w / 2
	}
	return [4]float32{x, tx.Y, x + w, tx.Y + tx.Size}
}

// How long a live spread took shows at every classroom size, in normal and
// in larger type, with the settings panel open or closed: as the chart's
// caption (long or short words, beside "ms since the news" or on a line
// under it) or, where the panel has no room for the chart, as a row of its
// own; inside the panel and over no other text. At 1024x768 "all 3 had it
// after 19 ms" did not fit beside "ms since the news" and was dropped, and
// in larger type at 1280x720 there was no chart to caption.
func TestSpreadShownAtEverySize(t *testing.T) {
	for _, sp := range []struct {
		n    int
		took float64
	}{{3, 19}, {3, 8}, {5, 194}, {3, 0.4}, {5, 2500}, {1000, 1500}} {
		p := liveLoad(t, fastLab(sp.n, 9220, sp.took))
		p.Seek(9220 + sp.took + 300)
		if cnt := p.Counters(); cnt.Informed != sp.n {
			t.Fatalf("%d nodes: %d informed", sp.n, cnt.Informed)
		}
		long, short := spreadWords(sp.n, sp.took)
		val := seconds(sp.took)
		if sp.took < 0.5 {
			val = "within 1 ms"
		}
		for _, sz := range pageSizes {
			for _, right := range []float32{sz.right, 0} {
				name := fmt.Sprintf("%d nodes in %v ms at %vx%v (right %v, larger type %v)", sp.n, sp.took, sz.w, sz.h, right, sz.projector)
				c := NewComposer()
				c.Projector = sz.projector
				c.Insets = Insets{Top: sz.top, Right: right, Bottom: sz.bottom}
				var f Frame
				c.Compose(p, sz.w, sz.h, 1, &f)
				// The texts that say it: the caption, or a row's label and value.
				var says []int
				for i, tx := range f.Texts {
					switch {
					case tx.S == long || tx.S == short:
						says = append(says, i)
					case strings.HasPrefix(tx.S, "all ") && strings.Contains(tx.S, " had it") && !strings.Contains(tx.S, " ms") && !strings.HasSuffix(tx.S, " s"):
						for j, v := range f.Texts {
							if v.S == val && v.Y == tx.Y {
								says = append(says, i, j)
							}
						}
					}
				}
				if len(says) == 0 {
					t.Errorf("%s: the spread is not shown (%q or %q); texts %v", name, long, short, f.Texts)
					continue
				}
				pan := c.panel
				for _, i := range says {
					b := textBox(c, f.Texts[i])
					if b[0] < pan.x || b[2] > pan.x+pan.w || b[1] < pan.y || b[3] > pan.y+pan.h {
						t.Errorf("%s: %q at %v leaves the panel %+v", name, f.Texts[i].S, b, pan)
					}
					for j, o := range f.Texts {
						if j == i || slices.Contains(says, j) {
							continue
						}
						if ob := textBox(c, o); b[0] < ob[2] && ob[0] < b[2] && b[1] < ob[3] && ob[1] < b[3] {
							t.Errorf("%s: %q at %v overlaps %q at %v", name, f.Texts[i].S, b, o.S, ob)
						}
					}
				}
			}
		}
	}
	// The words.
	for _, tc := range []struct {
		n           int
		ms          float64
		long, short string
	}{{3, 19, "all 3 had it after 19 ms", "all 3 in 19 ms"}, {3, 0.3, "all 3 had it within 1 ms", "all 3 within 1 ms"}, {1000, 1500, "all 1,000 had it after 1.5 s", "all 1,000 in 1.5 s"}} {
		if l, s := spreadWords(tc.n, tc.ms); l != tc.long || s != tc.short {
			t.Errorf("spreadWords(%d, %v) = %q, %q", tc.n, tc.ms, l, s)
		}
	}
}
