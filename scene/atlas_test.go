package scene

import (
	"bytes"
	"image"
	"testing"
)

// Drawing the node stamps for a new radius (the window or the cluster
// changed) clears their own cells only: the message dots stamped in the
// band below, which runs the whole width of the atlas, stay as drawn.
func TestNodeStampsKeepTheDotBand(t *testing.T) {
	a := NewAtlas()
	a.stamps(4)
	var under DotStamp // a dot stamp right of stampX, under the node stamps
	for r := float32(2); under.W == 0; r += 0.25 {
		d, ok := a.dotStamp(SpriteDisc, r)
		if !ok {
			t.Fatalf("the dot band filled before a stamp reached x %d", stampX)
		}
		if d.X+4*d.W > stampX {
			under = d
		}
	}
	before := image.NewRGBA(a.Img.Bounds())
	copy(before.Pix, a.Img.Pix)
	for _, r := range []float32{9, 3.5, 60} {
		if _, ok := a.stamps(r); !ok {
			t.Fatalf("no stamps for r %v", r)
		}
		for y := 0; y < AtlasH; y++ {
			for _, span := range [][2]int{{0, stampX}, {stampX, AtlasW}} {
				if y < dotBandTop && span[0] == stampX {
					continue // the stamp band: redrawn
				}
				i, j := a.Img.PixOffset(span[0], y), a.Img.PixOffset(span[1], y)
				if j == i {
					continue
				}
				if !bytes.Equal(a.Img.Pix[i:j], before.Pix[i:j]) {
					t.Fatalf("stamps for r %v changed row %d, x %d..%d (a dot stamp at %d,%d %dx%d)", r, y, span[0], span[1], under.X, under.Y, 4*under.W, under.H)
				}
			}
		}
	}
}

// Restarts counts the bands emptied and filled anew, and nothing else: a
// copy drawn from the atlas (the panel's plane) is drawn whole again only
// then.
func TestAtlasRestartsCountsEmptiedBands(t *testing.T) {
	a := NewAtlas()
	g := NewGlyphs(a)
	g.Measure("gossip 123", 16, false)
	if _, ok := a.dotStamp(SpriteDisc, 4); !ok {
		t.Fatal("no dot stamp of radius 4")
	}
	a.dotFrame()
	if a.Restarts() != 0 {
		t.Fatalf("glyphs and a dot added: %d restarts, want 0", a.Restarts())
	}
	g.reset()
	if a.Restarts() != 1 {
		t.Fatalf("the glyph area emptied: %d restarts, want 1", a.Restarts())
	}
	a.dotY = glyphTop - dotBandTop // the band more than half full
	a.dotFrame()
	if a.Restarts() != 2 {
		t.Fatalf("the dot band emptied: %d restarts, want 2", a.Restarts())
	}
}
