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
