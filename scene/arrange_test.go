package scene

import (
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// A cut pulls the two sides apart on screen (moving, not jumping), with a
// divider between them and a label under each; a heal brings every node
// back to where it was.
func TestPartitionPullsTheSidesApart(t *testing.T) {
	for _, n := range []int{60, 600, LayerMinNodes} {
		evs := gossip(n, 3, 100, 0, 2)
		var a, b []string
		for i := 0; i < n; i++ {
			if i < n/2 {
				a = append(a, itoa(i))
			} else {
				b = append(b, itoa(i))
			}
		}
		for i := range a {
			a[i] = "n" + a[i]
		}
		for i := range b {
			b[i] = "n" + b[i]
		}
		evs = append(evs,
			protocol.Event{Type: protocol.TypePartition, T: 3000, Groups: [][]string{a, b}},
			protocol.Event{Type: protocol.TypeHeal, T: 6000},
			protocol.Event{Type: protocol.TypeRound, T: 9000, Round: 10},
		)
		p := load(t, Config{}, evs)
		c := NewComposer()
		var f Frame
		p.Seek(2900)
		c.Compose(p, 1200, 800, 1, &f)
		whole := append([]float32(nil), c.px...)
		// Half way through the move: between the two places.
		p.Seek(3000 + p.moveTime()/2)
		c.Compose(p, 1200, 800, 1, &f)
		mid := append([]float32(nil), c.px...)
		if f.Nodes.On {
			t.Fatalf("n=%d: the node layer is used while nodes move", n)
		}
		p.Seek(3000 + p.moveTime() + 1)
		c.Compose(p, 1200, 800, 1, &f)
		if len(c.arr.sides) != 2 {
			t.Fatalf("n=%d: %d sides on screen", n, len(c.arr.sides))
		}
		divider := (c.arr.sides[0].x1 + c.arr.sides[1].x0) / 2
		for i := 0; i < n; i++ {
			x := c.px[2*i]
			if (i < n/2) != (x < divider) {
				t.Fatalf("n=%d: node %d at x=%v on the wrong side of the divider at %v", n, i, x, divider)
			}
			lo, hi := min(whole[2*i], x), max(whole[2*i], x)
			if mx := mid[2*i]; mx < lo-0.01 || mx > hi+0.01 || (hi-lo > 2 && (mx == lo || mx == hi)) {
				t.Fatalf("n=%d: node %d half way at %v, not between %v and %v", n, i, mx, whole[2*i], x)
			}
		}
		labels := ""
		for _, tx := range f.Texts {
			labels += tx.S + "|"
		}
		if !strings.Contains(labels, "side A: ") || !strings.Contains(labels, "side B: ") {
			t.Fatalf("n=%d: no side labels in %s", n, labels)
		}
		if n >= LayerMinNodes {
			composeUntilLayer(t, c, p, 1200, 800, &f) // the layer is back once the sides stand still
		}
		p.Seek(6000 + p.moveTime() + 1)
		c.Compose(p, 1200, 800, 1, &f)
		for i := range whole {
			if d := c.px[i] - whole[i]; d > 0.01 || d < -0.01 {
				t.Fatalf("n=%d: after the heal coordinate %d is %v, was %v", n, i, c.px[i], whole[i])
			}
		}
		// Scrubbing back into the cut shows the cut at once.
		p.Seek(4500)
		c.Compose(p, 1200, 800, 1, &f)
		if c.arr.moving || len(c.arr.sides) != 2 {
			t.Fatalf("n=%d: seeking into the cut: moving %v, %d sides", n, c.arr.moving, len(c.arr.sides))
		}
	}
}

// Nodes that join grow in from nothing at their place, and the narration
// tells a batch of joins as one.
func TestJoiningNodesGrowIn(t *testing.T) {
	n := LayerMinNodes // the node layer makes way for the growing nodes
	evs := gossip(n, 3, 100, 0, 2)
	for i := n; i < n+40; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, T: 2500, Node: "n" + itoa(i), Status: protocol.StatusAlive})
	}
	evs = append(evs, protocol.Event{Type: protocol.TypeRound, T: 5000, Round: 6})
	p := load(t, Config{}, evs)
	c := NewComposer()
	var f Frame
	p.Seek(2400)
	c.Compose(p, 1200, 800, 1, &f)
	if c.ln != n {
		t.Fatalf("laid out %d nodes before the join, want %d", c.ln, n)
	}
	p.Seek(2500 + p.moveTime()/2)
	c.Compose(p, 1200, 800, 1, &f)
	if c.ln != n+40 || f.Nodes.On {
		t.Fatalf("during the join: %d nodes, layer %v", c.ln, f.Nodes.On)
	}
	x, y, _ := c.NodePos(n + 20)
	if r := quadRadiusAt(&f.Under, x, y); r <= 0 || r >= c.nodeR*0.9 {
		t.Fatalf("a joining node half way in is drawn with radius %v (full: %v)", r, c.nodeR)
	}
	if got, want := p.Narration(), "40 nodes joined (n"+itoa(n)+" … n"+itoa(n+39)+")."; !strings.HasPrefix(got, want) {
		t.Fatalf("narration %q", got)
	}
	p.Seek(2500 + p.moveTime() + 1)
	composeUntilLayer(t, c, p, 1200, 800, &f) // the layer is back after the join
}

// quadRadiusAt returns the half-width of the last quad centred at (x, y)
// in b, or -1.
func quadRadiusAt(b *Batch, x, y float32) float32 {
	r := float32(-1)
	for _, ch := range b.Chunks() {
		idx := b.Indices[ch.I0:ch.I1]
		v := b.Vertices[ch.V0:]
		for i := 0; i+5 < len(idx); i++ {
			if idx[i+3] != idx[i]+1 || idx[i+4] != idx[i]+3 { // quads: v, v+1, v+2, v+1, v+3, v+2
				continue
			}
			a, d := v[idx[i]], v[idx[i]+3]
			if cx, cy := (a.DstX+d.DstX)/2, (a.DstY+d.DstY)/2; abs32(cx-x) < 0.5 && abs32(cy-y) < 0.5 {
				r = (d.DstX - a.DstX) / 2
			}
			i += 5
		}
	}
	return r
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// "All N nodes know the news after R rounds" counts the rounds as the
// panel numbers them: it says R when the last node learnt it in round R.
func TestNarrationRoundsMatchThePanel(t *testing.T) {
	for _, lat := range []float64{0, 200, 900} {
		p := load(t, Config{}, gossip(60, 3, lat, 0, 14))
		p.Seek(p.Duration())
		tFull, ok := p.fullSince()
		if !ok {
			t.Fatalf("lat %v: never complete", lat)
		}
		p.Seek(tFull)
		r := p.Counters().Round
		want := "after " + itoa(r) + " rounds"
		if got := p.Narration(); !strings.Contains(got, want) {
			t.Fatalf("lat %v: panel says round %d, narration %q", lat, r, got)
		}
	}
}
