package scene

import (
	"strings"
	"testing"
)

// TestHoverCard: beyond NamesMax nodes, the node under the pointer gets a
// card with its name and its state in words, beside it; moving within the
// node changes nothing, leaving it removes the card, and up to NamesMax
// nodes (names drawn anyway) there is none.
func TestHoverCard(t *testing.T) {
	p, at := midRun(t, 100)
	c := NewComposer()
	var f Frame
	p.Seek(at)
	c.Compose(p, 1280, 720, 1, &f)
	if _, ok := c.Hovered(); ok {
		t.Fatal("a card before any pointer")
	}
	x, y, _ := c.NodePos(37)
	if !c.HoverAt(x+2, y-1, true) {
		t.Fatal("pointer onto n37: no change reported")
	}
	c.Compose(p, 1280, 720, 1, &f)
	l, ok := c.Hovered()
	if !ok || l.Node != 37 || len(l.Lines) != 2 || l.Lines[0] != "n37" {
		t.Fatalf("card %+v %v, want n37's", l, ok)
	}
	want := classWords(c.classes[37], false)
	if l.Lines[1] != want || strings.Contains(want, "?") {
		t.Errorf("card says %q, want %q", l.Lines[1], want)
	}
	drawn := 0
	for _, tx := range f.Texts {
		if tx.S == "n37" || tx.S == want {
			drawn++
			if tx.X < l.Box[0] || tx.X > l.Box[0]+l.Box[2] || tx.Y < l.Box[1] || tx.Y > l.Box[1]+l.Box[3] {
				t.Errorf("%q drawn at %v,%v outside its card %v", tx.S, tx.X, tx.Y, l.Box)
			}
		}
	}
	if drawn != 2 {
		t.Errorf("%d of the card's 2 lines drawn", drawn)
	}
	// Near the pointer: the card touches a box a few node radii around it.
	r := 3*c.nodeR + 10
	if l.Box[0] > x+r || l.Box[0]+l.Box[2] < x-r || l.Box[1] > y+r || l.Box[1]+l.Box[3] < y-r {
		t.Errorf("card %v far from the node at %v,%v", l.Box, x, y)
	}
	d := c.disc
	if l.Box[0] < d.x || l.Box[0]+l.Box[2] > d.x+d.w+1 || l.Box[1] < d.y || l.Box[1]+l.Box[3] > d.y+d.h+1 {
		t.Errorf("card %v leaves the node area %+v", l.Box, d)
	}
	if c.HoverAt(x-1, y+1, true) {
		t.Error("a move within the same node reported a change")
	}
	if !c.HoverAt(x, y, false) {
		t.Error("leaving the canvas reported no change")
	}
	c.Compose(p, 1280, 720, 1, &f)
	if _, ok := c.Hovered(); ok {
		t.Error("the card stays after the pointer left")
	}
	for _, tx := range f.Texts {
		if tx.S == "n37" {
			t.Error("n37 still written after the pointer left")
		}
	}

	// 50 nodes: named on the ring, no card.
	p50, at50 := midRun(t, NamesMax)
	c50 := NewComposer()
	p50.Seek(at50)
	c50.Compose(p50, 1280, 720, 1, &f)
	x, y, _ = c50.NodePos(7)
	if c50.HoverAt(x, y, true) {
		t.Error("hovering a named node (50 nodes) reported a change")
	}
	c50.Compose(p50, 1280, 720, 1, &f)
	if _, ok := c50.Hovered(); ok {
		t.Error("a card at 50 nodes, where names are drawn")
	}
}
