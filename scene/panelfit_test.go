package scene

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// The chart (the run against theory) shows at every classroom size, in
// normal and in larger type, with the settings panel open or closed, in a
// simulation (with a network row, a row for an older version, or neither)
// and in a live lab: at least its minimum height, inside the panel, over
// no text, and no two of the panel's texts over each other. In larger type
// at 1280x720 the counters took the room and the chart was left out. In
// normal type, where the panel has room, its spacing stays the roomy one.
func TestChartShownAtEverySize(t *testing.T) {
	sim := load(t, Config{}, gossip(50, 3, 10, 7, 8))
	sim.Seek(3500)
	lossy := gossip(60, 3, 10, 7, 8)
	lossy[0] = protocol.Header("sim", map[string]any{"nodes": 60, "fanout": 3, "mode": "push", "period": 1000.0, "loss": 0.1})
	simLoss := load(t, Config{}, lossy)
	simLoss.Seek(3500)
	// A newer version of the news from n0 at 2.5 s: a row for the nodes
	// still on version 1.
	v2 := gossip(50, 3, 10, 7, 8)
	at := slices.IndexFunc(v2, func(e protocol.Event) bool { return e.T > 2500 })
	v2 = slices.Insert(v2, at, protocol.Event{Type: protocol.TypeState, T: 2500, Node: "n0", Key: "k0", Version: 2})
	simV2 := load(t, Config{}, v2)
	simV2.Seek(3500)
	live := liveLoad(t, fastLab(5, 9220, 194))
	live.Seek(9220 + 194 + 300)
	for _, v := range []struct {
		name string
		p    *Player
		rows int // counter rows
	}{{"simulation", sim, 4}, {"simulation with loss", simLoss, 5}, {"simulation with version 2", simV2, 5}, {"live lab", live, 4}} {
		for _, sz := range pageSizes {
			for _, right := range []float32{sz.right, 0} {
				name := fmt.Sprintf("%s at %vx%v (right %v, larger type %v)", v.name, sz.w, sz.h, right, sz.projector)
				c := NewComposer()
				c.Projector = sz.projector
				c.Insets = Insets{Top: sz.top, Right: right, Bottom: sz.bottom}
				var f Frame
				c.Compose(v.p, sz.w, sz.h, 1, &f)
				if got := countRows(&f); got != v.rows {
					t.Errorf("%s: %d counter rows, want %d", name, got, v.rows)
				}
				if !sz.projector {
					want := c.panel.y + roomySpacing(c.scale).pad + roomySpacing(c.scale).head
					first := slices.IndexFunc(f.Texts, func(tx Text) bool { return tx.Color == ColDim && tx.X == c.panel.x+panelPad*c.scale })
					if first < 0 || f.Texts[first].Y != want {
						t.Errorf("%s: the first counter not at y %v (the roomy spacing); texts %v", name, want, f.Texts)
					}
				}
				g := c.Geometry()
				ch, pan := g.Chart, g.Panel
				if ch[2] <= 0 || ch[3] < chartMinH*c.scale {
					t.Errorf("%s: chart's plot %v, want at least %v px high", name, ch, chartMinH*c.scale)
					continue
				}
				if ch[0] < pan[0] || ch[1] < pan[1] || ch[0]+ch[2] > pan[0]+pan[2] || ch[1]+ch[3] > pan[1]+pan[3] {
					t.Errorf("%s: chart's plot %v leaves the panel %v", name, ch, pan)
				}
				for i, tx := range f.Texts {
					b := textBox(c, tx)
					if b[0] < ch[0]+ch[2] && ch[0] < b[2] && b[1] < ch[1]+ch[3] && ch[1] < b[3] {
						t.Errorf("%s: %q at %v is over the chart's plot %v", name, tx.S, b, ch)
					}
					if !tx.panel && !inside(b, pan) {
						continue // the nodes' names, the legend's strip
					}
					if !inside(b, pan) {
						t.Errorf("%s: %q at %v leaves the panel %v", name, tx.S, b, pan)
					}
					for _, o := range f.Texts[i+1:] {
						if ob := textBox(c, o); inside(ob, pan) && b[0] < ob[2] && ob[0] < b[2] && b[1] < ob[3] && ob[1] < b[3] {
							t.Errorf("%s: %q at %v overlaps %q at %v", name, tx.S, b, o.S, ob)
						}
					}
				}
			}
		}
	}
}

// inside says whether box b (left, top, right, bottom) is inside r (x, y, w, h).
func inside(b, r [4]float32) bool {
	return b[0] >= r[0] && b[1] >= r[1] && b[2] <= r[0]+r[2] && b[3] <= r[1]+r[3]
}

// countRows counts the panel's counter rows by their labels.
func countRows(f *Frame) int {
	n := 0
	for _, tx := range f.Texts {
		switch tx.S {
		case "informed", "know version 2", "still on version 1", "messages", "redundant", "lost", "network":
			if tx.Color == ColDim { // not the legend's
				n++
			}
		}
	}
	return n
}

// A tightened panel, with the lost count beside the messages, allocates
// nothing on a steady frame, as a roomy one.
func TestTightPanelAllocatesNothing(t *testing.T) {
	evs := gossip(1000, 3, 400, 11, 12)
	evs[0] = protocol.Header("sim", map[string]any{"nodes": 1000, "fanout": 3, "mode": "push", "period": 1000.0, "loss": 0.1})
	p, at := load(t, Config{}, evs), 3200.0
	c := NewComposer()
	c.Projector = true
	c.Insets = Insets{Top: 115, Right: 358, Bottom: 177} // 1280x720 in larger type (pageSizes)
	var f Frame
	p.Seek(at)
	c.Compose(p, 1280, 720, 1, &f)
	if c.Geometry().Chart[3] < chartMinH*c.scale || !slices.ContainsFunc(f.Texts, func(tx Text) bool { return tx.S == "lost" && tx.X > c.panel.x+c.panel.w/2 }) {
		t.Fatalf("not the tight panel with the lost count beside the messages: chart %v", c.Geometry().Chart)
	}
	if allocs := steadyAllocs(p, c, at, 1280, 720, &f); allocs > 0 {
		t.Fatalf("%v allocations per steady frame, want 0", allocs)
	}
}
