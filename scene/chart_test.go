package scene

import (
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

// The selected node's card covers neither the nodes, their names nor the
// panel, at the sizes a classroom meets (a laptop's 1280x657 under the
// browser's bars, 1280x720, 1920x1080), for a lab-sized ring, a named
// ring, an unnamed one and a disc; and it speaks plain words.
func TestSelectionCardClearOfRingAndPanel(t *testing.T) {
	type box struct{ x0, y0, x1, y1 float32 }
	over := func(a, b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }
	for _, n := range []int{5, 30, 50, 60, 1000} {
		p := load(t, Config{}, gossip(n, 3, 10, 0, 6))
		p.Seek(2500)
		for _, sz := range [][2]float32{{1280, 657}, {1280, 720}, {1920, 1080}} {
			c := NewComposer()
			// The page's header above and settings panel on the right.
			c.Insets = Insets{Top: 83 * sz[0] / 1280, Right: 360 * sz[0] / 1280, Bottom: 100 * sz[0] / 1280}
			c.Selected = 1
			var f Frame
			for i := 0; i < 3; i++ {
				c.Compose(p, sz[0], sz[1], 1, &f)
			}
			g := c.Geometry()
			cb := box{g.Caption[0], g.Caption[1], g.Caption[0] + g.Caption[2], g.Caption[1] + g.Caption[3]}
			if g.Caption[2] == 0 {
				t.Fatalf("n=%d %v: no card drawn", n, sz)
			}
			pn := box{g.Panel[0], g.Panel[1], g.Panel[0] + g.Panel[2], g.Panel[1] + g.Panel[3]}
			if over(cb, pn) {
				t.Errorf("n=%d %v: card %v covers the panel %v", n, sz, cb, pn)
			}
			for i, nb := range g.Names {
				if over(cb, box{nb[0], nb[1], nb[0] + nb[2], nb[1] + nb[3]}) {
					t.Errorf("n=%d %v: card %v covers name %d %v", n, sz, cb, i, nb)
				}
			}
			for i, np := range g.Nodes {
				r := g.NodeR
				if over(cb, box{np[0] - r, np[1] - r, np[0] + r, np[1] + r}) {
					t.Errorf("n=%d %v: card %v covers node %d at %v", n, sz, cb, i, np)
					break
				}
			}
			if n <= NamesMax && len(g.Names) != n {
				t.Errorf("n=%d %v: %d names drawn", n, sz, len(g.Names))
			}
			// Its lines stay in it.
			for _, tx := range f.Texts {
				if tx.Y >= cb.y0 && tx.Y < cb.y1 && tx.X >= cb.x0 && tx.X < cb.x1 {
					if w := c.Measure(tx.S, tx.Size, tx.Bold); tx.X+w > cb.x1 {
						t.Errorf("n=%d %v: %q runs out of the card", n, sz, tx.S)
					}
				}
			}
			// The ring keeps most of its size.
			if g.Disc[2] < 0.6*g.Disc[3] && g.Disc[3] < 0.6*g.Disc[2] {
				t.Errorf("n=%d %v: node area %v", n, sz, g.Disc)
			}
		}
	}
}

// The card says what the node has in words, not "holds: k0 v1".
func TestSelectionCardPlainWords(t *testing.T) {
	p := load(t, Config{}, gossip(30, 3, 10, 0, 6))
	p.Seek(2500)
	c := NewComposer()
	var f Frame
	for i := range 30 {
		if p.NodeClass(i) == Uninformed {
			c.Selected = i
			break
		}
	}
	c.Compose(p, 1280, 720, 1, &f)
	uninformed := append([]string(nil), c.selLines...)
	c.Selected = 0
	c.Compose(p, 1280, 720, 1, &f)
	informed := c.selLines
	if len(uninformed) == 0 || !strings.HasSuffix(uninformed[0], " has not heard yet") {
		t.Errorf("an uninformed node's card: %q", uninformed)
	}
	if !strings.HasPrefix(informed[0], "n0 has the news") {
		t.Errorf("n0's card: %q", informed)
	}
	for _, ln := range append(uninformed, informed...) {
		for _, jargon := range []string{"holds:", "k0", " v1", "told:"} {
			if strings.Contains(ln, jargon) {
				t.Errorf("card line %q says %q", ln, jargon)
			}
		}
	}
	if !strings.HasPrefix(informed[1], "told ") || !strings.HasPrefix(informed[2], "heard from ") {
		t.Errorf("n0's card: %q", informed)
	}
	// A newer version, and an older one, are said as such.
	d := Details{Name: "n4", Class: Uninformed, Group: -1, Holds: []Held{{Key: "k0", Label: "k0", Rank: 1}}}
	got := selectionLines(&d, false, 1000, func(s string, _ bool) float32 { return float32(len(s)) }, nil)
	if got[1] != "an older version (1) of the news" {
		t.Errorf("older version: %q", got)
	}
	d = Details{Name: "a1", Class: Informed, Holds: []Held{{Key: "sil/x", Label: `silence "maintenance"`, Rank: 2, Newest: true}}, SentTo: []string{"a2", "a3", "a4"}, SentToN: 9, Group: -1}
	got = selectionLines(&d, true, 20, func(s string, _ bool) float32 { return float32(len(s)) }, nil)
	if got[1] != `version 2 of silence "maintenance"` || got[2] != "told 9: a2 +8 more" {
		t.Errorf("live card: %q", got)
	}
}
