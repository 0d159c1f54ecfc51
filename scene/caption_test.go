package scene

import (
	"strings"
	"testing"
)

// The selected node's card covers neither the nodes, their names nor the
// panel, and once a node was selected, selecting another or none moves
// no node, at the sizes a classroom meets (a laptop's 1280x657 under the
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
			var f Frame
			c.Selected = 2
			c.Compose(p, sz[0], sz[1], 1, &f)
			x0, y0, _ := c.NodePos(1)
			c.Selected = -1
			c.Compose(p, sz[0], sz[1], 1, &f)
			c.Selected = 1
			for i := 0; i < 3; i++ {
				c.Compose(p, sz[0], sz[1], 1, &f)
			}
			g := c.Geometry()
			// Once a node was selected, selecting none or another moves no
			// node: the corner is kept for the card.
			if x1, y1, _ := c.NodePos(1); x1 != x0 || y1 != y0 {
				t.Errorf("n=%d %v: selecting n1 moved it from (%v, %v) to (%v, %v)", n, sz, x0, y0, x1, y1)
			}
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
	if got[0] != "n4 has only version 1" || len(got) != 3 {
		t.Errorf("older version: %q", got)
	}
	d = Details{Name: "a1", Class: Informed, Holds: []Held{{Key: "sil/x", Label: `silence "maintenance"`, Rank: 2, Newest: true}}, SentTo: []string{"a2", "a3", "a4"}, SentToN: 9, Group: -1}
	got = selectionLines(&d, true, 40, func(s string, _ bool) float32 { return float32(len(s)) }, nil)
	if got[0] != "a1 has version 2" || got[1] != `holds silence "maintenance"` || got[2] != "told 9: a2, a3, a4 +6 more" {
		t.Errorf("live card: %q", got)
	}
	// Lines too long for the card lose a label's id, then end in "…".
	n := func(s string, _ bool) float32 { return float32(len([]rune(s))) }
	if got := fitText(`holds silence "maintenance" · 2865822a`, 30, n); got != `holds silence "maintenance"` {
		t.Errorf("fitted: %q", got)
	}
	if got := fitText(`holds silence "maintenance" · 2865822a`, 12, n); got != "holds silen…" {
		t.Errorf("fitted: %q", got)
	}
	if got := fitList("told ", []string{"n1", "n2"}, 2, 10, n); got != "told 2" {
		t.Errorf("no name fits: %q", got)
	}
}
