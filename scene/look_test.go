package scene

import (
	"math"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// sprites returns the radii of the square quads of colour col centred on
// (x, y) in b.
func sprites(b *Batch, x, y float32, col Color) []float32 {
	var out []float32
	for _, ch := range b.Chunks() {
		idx := b.Indices[ch.I0:ch.I1]
		v := b.Vertices[ch.V0:]
		for i := 0; i+5 < len(idx); i += 3 {
			q := idx[i]
			if idx[i+1] != q+1 || idx[i+2] != q+2 || idx[i+3] != q+1 || idx[i+4] != q+3 || idx[i+5] != q+2 {
				continue
			}
			a, d := v[q], v[q+3]
			cx, cy := (a.DstX+d.DstX)/2, (a.DstY+d.DstY)/2
			if math.Abs(float64(cx-x)) < 0.5 && math.Abs(float64(cy-y)) < 0.5 && a.ColorR == col.R && a.ColorG == col.G && a.ColorB == col.B {
				out = append(out, (d.DstX-a.DstX)/2)
			}
			i += 3
		}
	}
	return out
}

// crashRun is n nodes spreading news, n1 crashing at 1.5 s.
func crashRun(t *testing.T, n int) *Player {
	evs := gossip(n, 3, 10, 0, 6)
	out := make([]protocol.Event, 0, len(evs)+1)
	done := false
	for _, e := range evs {
		if !done && e.T > 1500 {
			out = append(out, protocol.Event{Type: protocol.TypeNode, T: 1500, Node: "n1", Status: protocol.StatusDead})
			done = true
		}
		out = append(out, e)
	}
	return load(t, Config{}, out)
}

// A crashed node is a thick red ring with a cross, at least a few px
// across however many nodes there are, drawn over the nodes (the node
// layer too); above NamesMax nodes it alone (with the selected node) is
// named, on a dark card.
func TestCrashClearlyVisible(t *testing.T) {
	for _, n := range []int{30, 60, 1000, 10000} {
		p := crashRun(t, n)
		p.Seek(2500)
		c := NewComposer()
		var f Frame
		for i := 0; i < 3; i++ {
			c.Compose(p, 1280, 720, 1, &f)
		}
		if f.Counts[Crashed] != 1 {
			t.Fatalf("n=%d: %d crashed", n, f.Counts[Crashed])
		}
		x, y, _ := c.NodePos(1)
		rs := sprites(&f.Over, x, y, classColor[Crashed])
		if len(rs) == 0 {
			t.Errorf("n=%d: no crash mark over n1", n)
			continue
		}
		if rs[0] < 6 || rs[0] < c.nodeR {
			t.Errorf("n=%d: crash mark radius %v (node radius %v)", n, rs[0], c.nodeR)
		}
		// Thick: the hole in it is at most 60% of it.
		holes := sprites(&f.Over, x, y, ColBackground)
		if len(holes) == 0 || holes[0] > 0.61*rs[0] {
			t.Errorf("n=%d: the ring's hole %v of %v", n, holes, rs[0])
		}
		nm, ok := textsContain(&f, "n1")
		if !ok {
			t.Errorf("n=%d: the crashed node is not named", n)
		} else if n > NamesMax && nm.Size < 18 {
			t.Errorf("n=%d: its name is %v px", n, nm.Size)
		}
		if n > NamesMax {
			if _, ok := textsContain(&f, "n2"); ok {
				t.Errorf("n=%d: a live node is named", n)
			}
		}
	}
}

// A node that just learnt the news glows white, apart from the news dots'
// gold in lightness as well as hue (colour-blind readers tell them by
// lightness), and the legend shows it.
func TestGlowApartFromNewsDots(t *testing.T) {
	lum := func(c Color) float64 { return 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B) }
	dist := func(a, b Color) float64 {
		return math.Sqrt(sq(a.R-b.R) + sq(a.G-b.G) + sq(a.B-b.B))
	}
	if d, dl := dist(ColFresh, ColNews), math.Abs(lum(ColFresh)-lum(ColNews)); d < 0.3 || dl < 0.15 {
		t.Errorf("glow %s and news dots %s: distance %.2f, lightness apart %.2f", ColFresh.Hex(), ColNews.Hex(), d, dl)
	}
	if d := dist(ColFresh, classColor[Informed]); d < 0.3 {
		t.Errorf("glow %s and informed %s only %.2f apart", ColFresh.Hex(), classColor[Informed].Hex(), d)
	}
	for _, leg := range [][]LegendItem{Legend(), LiveLegend()} {
		seen := map[string]string{}
		fresh := false
		for _, it := range leg {
			if it.Kind == "node" && it.Color == ColFresh {
				fresh = true
			}
			if prev, ok := seen[it.Color.Hex()+it.Shape]; ok {
				t.Errorf("%q and %q look the same (%s %s)", prev, it.Label, it.Color.Hex(), it.Shape)
			}
			seen[it.Color.Hex()+it.Shape] = it.Label
		}
		if !fresh {
			t.Errorf("no legend entry for a just-informed node: %v", leg)
		}
	}
	// The glow drawn is the legend's colour.
	p := load(t, Config{}, gossip(30, 3, 10, 0, 6))
	p.Seek(2050)
	c := NewComposer()
	var f Frame
	c.Compose(p, 1280, 720, 1, &f)
	glows := 0
	for _, v := range f.Under.Vertices {
		if v.ColorR == ColFresh.R && v.ColorG == ColFresh.G && v.ColorB == ColFresh.B && v.ColorA > 0 {
			glows++
		}
	}
	if glows == 0 {
		t.Error("no white glow drawn 50 ms into round 3")
	}
}

func sq(v float32) float64 { return float64(v) * float64(v) }

// On a crowded ring a glow reaches little past the next node, and lasts a
// shorter flash, so that a round's glows do not run into one band.
func TestGlowsStayApartOnACrowdedRing(t *testing.T) {
	for _, n := range []int{5, 30, 100, CircleMax} {
		p := load(t, Config{}, gossip(n, 3, 10, 0, 6))
		p.Seek(2050)
		c := NewComposer()
		var f Frame
		c.Compose(p, 1920, 1080, 1, &f)
		x0, y0, _ := c.NodePos(0)
		x1, y1, _ := c.NodePos(1)
		gap := float32(math.Hypot(float64(x1-x0), float64(y1-y0)))
		g := c.glowRadius()
		if n >= 100 && g > 1.15*gap {
			t.Errorf("n=%d: glows of %v px around nodes %v px apart", n, g, gap)
		}
		if n <= 5 && g < 3*c.nodeR || g < 1.5*c.nodeR {
			t.Errorf("n=%d: a small ring's glow %v is no bigger than its node %v", n, g, c.nodeR)
		}
		if got := c.glowFor(p); n >= 100 && got > 0.35*float32(p.period()) {
			t.Errorf("n=%d: glows last %v ms of a %v ms round", n, got, p.period())
		}
	}
}
