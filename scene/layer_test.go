package scene

import (
	"math"
	"testing"
)

// The node layer's map names the right node under every node's centre,
// and its table holds each node's colour and shape; a steady frame leaves
// both alone (nothing to upload).
func TestNodeLayerMapsEveryNode(t *testing.T) {
	p, at := midRun(t, 1000)
	p.Seek(at + 2000) // past the joins' growing in
	c := NewComposer()
	var f Frame
	c.Compose(p, 1024, 768, 1, &f)
	l := f.Nodes
	if !l.On {
		t.Fatal("1,000 standing nodes are not drawn by the node layer")
	}
	if f.Shapes() > 4*MaxPackets+2000 {
		t.Fatalf("%d shapes: the nodes are quads as well", f.Shapes())
	}
	for i := 0; i < c.ln; i++ {
		x, y, _ := c.NodePos(i)
		n, d := l.At(int(x), int(y))
		if n != i || d > 1 {
			t.Fatalf("map at node %d's centre: node %d at %v px", i, n, d)
		}
		col, shape, _ := l.Look(i)
		cl := c.classes[i]
		want := classColor[cl]
		if shape == shapeDisc && (cl == Informed || cl == Stopped) {
			continue // may be mixed with the glow of the news
		}
		if math.Abs(float64(col.R-want.R)) > 1.0/255 || math.Abs(float64(col.B-want.B)) > 1.0/255 {
			t.Fatalf("node %d (%v): table colour %v, want %v", i, cl, col, want)
		}
		wantShape := map[Class]uint8{Uninformed: shapeSmall, CutOff: shapeSmall, Crashed: shapeRing, Absent: shapeNone}[cl]
		if wantShape == 0 && cl != Absent {
			wantShape = shapeDisc
		}
		if shape != wantShape {
			t.Fatalf("node %d (%v): shape %d, want %d", i, cl, shape, wantShape)
		}
	}
	if n, _ := l.At(0, 0); n != -1 {
		t.Fatalf("the map names node %d at the screen's corner", n)
	}
	mapGen, tableGen := l.MapGen, l.TableGen
	c.Compose(p, 1024, 768, 1, &f)
	if l.MapGen != mapGen || l.TableGen != tableGen {
		t.Fatal("a frame with nothing changed rebuilt the node layer")
	}
	c.Compose(p, 1000, 768, 1, &f)
	if l.MapGen == mapGen {
		t.Fatal("a new screen size kept the old node map")
	}
}

func TestGlyphsDrawTextAsQuads(t *testing.T) {
	a := NewAtlas()
	a.TakeDirty()
	g := NewGlyphs(a)
	if w1, w2 := g.Measure("a", 20, false), g.Measure("ab", 20, false); !(w1 > 0 && w2 > w1) {
		t.Fatalf("widths %v %v", w1, w2)
	}
	if g.Measure("Round", 20, true) <= g.Measure("Round", 20, false) {
		t.Fatal("bold is not wider")
	}
	var b Batch
	g.Draw(&b, &Text{X: 10, Y: 10, Size: 20, Color: ColText, S: "log₄ N = 5"})
	if b.Shapes() != 7 { // spaces draw nothing
		t.Fatalf("%d glyph quads, want 7", b.Shapes())
	}
	if d := a.TakeDirty(); d.Empty() || d.Min.Y < glyphTop {
		t.Fatalf("new glyphs left dirty %v", d)
	}
	// Every glyph quad shows inked atlas pixels, unscaled.
	for q := 0; q < b.Shapes(); q++ {
		v := b.Vertices[4*q : 4*q+4]
		if v[3].DstX-v[0].DstX != v[3].SrcX-v[0].SrcX || v[3].DstY-v[0].DstY != v[3].SrcY-v[0].SrcY {
			t.Fatalf("glyph %d is scaled: %+v", q, v)
		}
		ink := 0
		for y := int(v[0].SrcY); y < int(v[3].SrcY); y++ {
			for x := int(v[0].SrcX); x < int(v[3].SrcX); x++ {
				ink += int(a.Img.RGBAAt(x, y).A)
			}
		}
		if ink == 0 {
			t.Fatalf("glyph %d is blank in the atlas", q)
		}
	}
	// The same text again rasterizes nothing new.
	g.Draw(&b, &Text{X: 10, Y: 40, Size: 20, Color: ColText, S: "N = 5"})
	if d := a.TakeDirty(); !d.Empty() {
		t.Fatalf("known glyphs dirtied %v", d)
	}
}

// Thousands of messages in flight are drawn as an even sample no bigger
// than the nodes' area needs; the count in flight is still reported.
func TestPacketsAreSampledPastTheArea(t *testing.T) {
	p, at := midRun(t, 10000)
	c := NewComposer()
	var f Frame
	p.Seek(at)
	for i := 0; i < 3; i++ {
		c.Compose(p, 1024, 768, 1, &f)
	}
	if f.Packets == 0 || f.Packets > MaxPackets+MaxPackets/4 || f.InFlight < f.Packets {
		t.Fatalf("%d drawn of %d in flight", f.Packets, f.InFlight)
	}
	// A smaller disc holds fewer dots (1,000 nodes: dots of at least 4 px).
	p, at = midRun(t, 1000)
	p.Seek(at)
	big, small := NewComposer(), NewComposer()
	var fs Frame
	for i := 0; i < 3; i++ {
		big.Compose(p, 1024, 768, 1, &f)
		small.Compose(p, 500, 400, 1, &fs)
	}
	if fs.Packets >= f.Packets || fs.InFlight < f.Packets*9/10 {
		t.Fatalf("a smaller screen drew %d dots (%d in flight), the bigger one %d", fs.Packets, fs.InFlight, f.Packets)
	}
}
