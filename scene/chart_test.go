package scene

import (
	"strconv"
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

// A lab on fast timings spreads a silence to three nodes in ~30 ms (as
// measured in the e2e lab): the chart gets the narrowest window, from 3 ms
// before the news to followMinSpan after, which reaches past the playhead
// while the spread is fresh, and then stays put: the same axis mid-spread,
// just after it and seconds later, not one that creeps with the clock.
func TestLiveChartFastSpreadWindowStaysPut(t *testing.T) {
	names := []string{"n1", "n2", "n3"}
	evs := []protocol.Event{protocol.Header("lab", map[string]any{"nodes": 3})}
	for _, n := range names {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, T: 1, Node: n, Status: protocol.StatusAlive})
	}
	const news, last = 9220.0, 9250.8
	evs = append(evs, protocol.Event{Type: protocol.TypeState, T: news, Node: "n1", Key: "sil/a", Version: 1})
	for _, n := range names[1:] {
		evs = append(evs,
			protocol.Event{Type: protocol.TypeMsg, T: news + 1, From: "n1", To: n, Kind: "user", Key: "sil/a", Version: 1, Arrive: last},
			protocol.Event{Type: protocol.TypeState, T: last, Node: n, Key: "sil/a", Version: 1})
	}
	for at := 9500.0; at < 20000; at += 500 { // chatter after
		evs = append(evs, protocol.Event{Type: protocol.TypeMsg, T: at, From: "n2", To: "n3", Kind: "ping", Arrive: at + 1})
	}
	p := liveLoad(t, evs)
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
			w := c.measure(got.S, got.Size)
			x0 := got.X
			switch got.Align {
			case AlignRight:
				x0 -= w
			case AlignCenter:
				x0 -= w / 2
			}
			if x0 < c.panel.x || x0+w > c.panel.x+c.panel.w || got.Y < c.panel.y || got.Y+got.Size > c.panel.y+c.panel.h {
				t.Errorf("%v: %q at (%v, %v) leaves the panel %+v", sz, want, x0, got.Y, c.panel)
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
