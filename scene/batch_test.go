package scene

import (
	"image"
	"math"
	"testing"
)

// TestBatchFilterRuns: a big rectangle gets a nearest run of its own, a
// scaled sprite a linear one, and shapes that look the same either way
// (lines, small rectangles) join whichever run is open, so a layer stays a
// few draw calls.
func TestBatchFilterRuns(t *testing.T) {
	var b Batch
	b.Line(0, 0, 10, 10, 2, ColText, ColText) // any
	b.Rect(0, 0, 300, 500, ColPanel)          // big: nearest
	b.Rect(0, 0, 3, 3, ColText)               // small: any
	b.Sprite(SpriteDisc, 50, 50, 10, ColNews) // linear
	b.Line(0, 0, 10, 10, 2, ColText, ColText) // any: stays linear
	b.Dot(SpriteDisc, 5, 5, 2, ColNews)       // linear
	b.Rect(0, 0, 100, 100, ColPanel)          // big: nearest again
	got := b.Chunks()
	want := []struct {
		shapes int
		linear bool
	}{{3, false}, {3, true}, {1, false}}
	if len(got) != len(want) {
		t.Fatalf("chunks %+v, want %d", got, len(want))
	}
	for i, ch := range got {
		if ch.Linear != want[i].linear {
			t.Errorf("chunk %d %+v: linear %v, want %v", i, ch, ch.Linear, want[i].linear)
		}
		if i > 0 && ch.V0 != got[i-1].V1 || i > 0 && ch.I0 != got[i-1].I1 {
			t.Errorf("chunk %d %+v does not follow %+v", i, ch, got[i-1])
		}
		for _, ix := range b.Indices[ch.I0:ch.I1] {
			if int(ix) >= ch.V1-ch.V0 {
				t.Fatalf("index %d outside chunk %+v", ix, ch)
			}
		}
	}
	if last := got[len(got)-1]; last.V1 != len(b.Vertices) || last.I1 != len(b.Indices) {
		t.Errorf("the chunks end at %d/%d, the batch at %d/%d", last.V1, last.I1, len(b.Vertices), len(b.Indices))
	}
	// Shapes per chunk, by vertices: quads 4, dots 3.
	if n := got[0].V1 - got[0].V0; n != 12 {
		t.Errorf("first run has %d vertices, want 3 quads", n)
	}
	if n := got[1].V1 - got[1].V0; n != 11 {
		t.Errorf("second run has %d vertices, want 2 quads and a dot", n)
	}
	b.Reset()
	b.Sprite(SpriteDisc, 50, 50, 10, ColNews)
	if ch := b.Chunks(); len(ch) != 1 || !ch[0].Linear {
		t.Errorf("after Reset: %+v", ch)
	}
}

// TestOctagonCoversTheSprite: a glow's octagon encloses its circle, maps
// it onto the sprite's circle in the atlas, and stays inside the sprite's
// dot cell (so no neighbouring sprite bleeds in).
func TestOctagonCoversTheSprite(t *testing.T) {
	var b Batch
	b.Octagon(SpriteGlow, 100, 200, 40, ColNews)
	if len(b.Vertices) != 8 || len(b.Indices) != 18 {
		t.Fatalf("%d vertices, %d indices", len(b.Vertices), len(b.Indices))
	}
	cx, cy := dotCentre(SpriteGlow)
	cell := float32(int(numSprites)*SpriteSize + int(SpriteGlow)*dotCell)
	for i, v := range b.Vertices {
		dx, dy := v.DstX-100, v.DstY-200
		if d := dx*dx + dy*dy; d < 40*40 || d > 44*44 {
			t.Errorf("vertex %d at distance² %v from the centre: not just around r=40", i, d)
		}
		// The atlas point is the screen point scaled: dotScale atlas px per unit of r.
		if sx := cx + dx/40*dotScale; abs32(v.SrcX-sx) > 0.01 {
			t.Errorf("vertex %d samples x %v, want %v", i, v.SrcX, sx)
		}
		if v.SrcX < cell || v.SrcX > cell+dotCell || v.SrcY < 0 || v.SrcY > dotCell || v.SrcY < cy-dotCell/2 {
			t.Errorf("vertex %d samples (%v, %v), outside the dot cell", i, v.SrcX, v.SrcY)
		}
	}
	if ch := b.Chunks(); len(ch) != 1 || !ch[0].Linear {
		t.Errorf("chunks %+v", ch)
	}
}

// A message's dot is a triangle copied from its stamp pixel for pixel
// (screen and atlas differ by whole pixels, so nearest sampling is
// exact), centred where the dot is to a quarter of a pixel, in a nearest
// run; the stamp is the sprite's circle at that radius, in its own cell.
func TestDotStampsCopyPixelForPixel(t *testing.T) {
	a := NewAtlas()
	a.TakeDirty()
	const r = 4.4
	d, ok := a.dotStamp(SpriteDisc, r)
	if !ok {
		t.Fatal("no room for a 4.4 px dot")
	}
	if again, _ := a.dotStamp(SpriteDisc, r); again != d {
		t.Fatal("the same dot was stamped twice")
	}
	if dirty := a.TakeDirty(); dirty.Empty() || dirty.Min.Y < dotBandTop || dirty.Max.Y > glyphTop {
		t.Fatalf("the stamp left %v dirty", dirty)
	}
	for _, at := range [][2]float32{{100, 200}, {100.3, 200.2}, {100.6, 200.9}, {57.25, 31.74}} {
		var b Batch
		b.DotStamp(d, at[0], at[1], ColNews)
		if ch := b.Chunks(); len(ch) != 1 || ch[0].Linear || len(b.Vertices) != 3 {
			t.Fatalf("%v: chunks %+v, %d vertices", at, ch, len(b.Vertices))
		}
		v := b.Vertices
		tx, ty := v[0].DstX-v[0].SrcX, v[0].DstY-v[0].SrcY
		if tx != float32(math.Round(float64(tx))) || ty != float32(math.Round(float64(ty))) {
			t.Fatalf("%v: screen and stamp differ by %v, %v px", at, tx, ty)
		}
		for _, w := range v[1:] {
			if math.Abs(float64(w.DstX-w.SrcX-tx)) > 1e-3 || math.Abs(float64(w.DstY-w.SrcY-ty)) > 1e-3 { // float32 rounding, far below a pixel
				t.Fatalf("%v: the triangle is scaled: %+v", at, v)
			}
		}
		// The circle's centre in the stamp, moved to the screen.
		cx, cy := (v[0].DstX+v[1].DstX+v[2].DstX)/3, (v[0].DstY+v[1].DstY+v[2].DstY)/3
		if math.Abs(float64(cx-at[0])) > 0.25 || math.Abs(float64(cy-at[1])) > 0.25 {
			t.Fatalf("dot at %v drawn centred at %v, %v", at, cx, cy)
		}
		// The stamp's ink, read where the triangle sends each pixel.
		cell := (int(v[0].SrcX) - d.X) / d.W // the phase's cell
		ink, sx, sy := 0.0, 0.0, 0.0
		for y := int(cy) - 10; y < int(cy)+10; y++ {
			for x := int(cx) - 10; x < int(cx)+10; x++ {
				px, py := int(float32(x)-tx), int(float32(y)-ty)
				if px < d.X+cell*d.W || px >= d.X+(cell+1)*d.W || py < d.Y || py >= d.Y+d.H {
					continue
				}
				al := float64(a.Img.RGBAAt(px, py).A) / 255
				ink += al
				sx += al * (float64(x) + 0.5)
				sy += al * (float64(y) + 0.5)
			}
		}
		disc := r * (SpriteSize/2 - 1.5) / dotScale
		if area := math.Pi * disc * disc; math.Abs(ink-area) > 0.05*area {
			t.Fatalf("dot at %v inks %.1f px, its circle has %.1f", at, ink, area)
		}
		if math.Abs(sx/ink-float64(at[0])) > 0.3 || math.Abs(sy/ink-float64(at[1])) > 0.3 {
			t.Fatalf("dot at %v: its ink is centred at %.2f, %.2f", at, sx/ink, sy/ink)
		}
	}
}

// raster draws b's triangles as a GPU does with nearest sampling, for
// tests: a pixel is drawn when its centre is inside a triangle (edges
// included, the stricter test of where a triangle reads) and shows the
// atlas texel its interpolated source point falls in. It calls texel for
// every pixel drawn, and returns the alpha drawn at each pixel (the last
// shape's, as the shapes here do not overlap).
func raster(b *Batch, img *image.RGBA, texel func(sx, sy int)) map[[2]int]uint8 {
	out := map[[2]int]uint8{}
	for _, ch := range b.Chunks() {
		v := b.Vertices[ch.V0:ch.V1]
		idx := b.Indices[ch.I0:ch.I1]
		for i := 0; i+2 < len(idx); i += 3 {
			p := [3]Vertex{v[idx[i]], v[idx[i+1]], v[idx[i+2]]}
			area := float64((p[1].DstX-p[0].DstX)*(p[2].DstY-p[0].DstY) - (p[2].DstX-p[0].DstX)*(p[1].DstY-p[0].DstY))
			x0 := math.Floor(float64(min(p[0].DstX, p[1].DstX, p[2].DstX)))
			x1 := math.Ceil(float64(max(p[0].DstX, p[1].DstX, p[2].DstX)))
			y0 := math.Floor(float64(min(p[0].DstY, p[1].DstY, p[2].DstY)))
			y1 := math.Ceil(float64(max(p[0].DstY, p[1].DstY, p[2].DstY)))
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					var w [3]float64 // barycentric weights of the pixel centre
					for k := range 3 {
						a, c := p[(k+1)%3], p[(k+2)%3]
						w[k] = (float64(c.DstX-a.DstX)*(y+0.5-float64(a.DstY)) - float64(c.DstY-a.DstY)*(x+0.5-float64(a.DstX))) / area
					}
					if w[0] < 0 || w[1] < 0 || w[2] < 0 {
						continue
					}
					sx := w[0]*float64(p[0].SrcX) + w[1]*float64(p[1].SrcX) + w[2]*float64(p[2].SrcX)
					sy := w[0]*float64(p[0].SrcY) + w[1]*float64(p[1].SrcY) + w[2]*float64(p[2].SrcY)
					tx, ty := int(math.Floor(sx)), int(math.Floor(sy))
					texel(tx, ty)
					out[[2]int{int(x), int(y)}] = img.RGBAAt(tx, ty).A
				}
			}
		}
	}
	return out
}

// A node's stamp is one triangle around its shape, copied pixel for pixel
// from a cell roomy enough that the triangle reads only that cell, and it
// draws exactly the node the square stamp drew before: every pixel whose
// centre is within half a pixel of the shape's edge, at the alpha of its
// distance from the pixel corner nearest the node. Nodes too big for
// roomy cells are the square stamp still, as quads.
func TestNodeStampsAreTrianglesCopiedPixelForPixel(t *testing.T) {
	fill := func(st Stamp, disc, d float64) float64 { // the shapes as the sprites draw them
		switch st {
		case StampSmall:
			return clampF(0.82*disc-d+0.5, 0, 1)
		case StampRing:
			return clampF(disc-d+0.5, 0, 1) * clampF(d-(disc-disc/6)+0.5, 0, 1)
		}
		return clampF(disc-d+0.5, 0, 1)
	}
	for _, r := range []float32{1.3, 2.9, 4, 4.37, 7.5, 12, 20.2, 35, 48, 62} {
		a := NewAtlas()
		ns, ok := a.stamps(r)
		if !ok {
			t.Fatalf("r %v: no stamps", r)
		}
		if ns.Tri != (r <= 35) {
			t.Errorf("r %v: triangles %v", r, ns.Tri)
		}
		if ns.W*int(numStamps) > AtlasW-stampX || ns.H > dotBandTop {
			t.Fatalf("r %v: cells %dx%d do not fit the stamp band", r, ns.W, ns.H)
		}
		for _, at := range [][2]float32{{100, 200}, {100.3, 200.2}, {100.6, 200.5}, {557.25, 31.74}} {
			cx, cy := math.Round(float64(at[0])), math.Round(float64(at[1]))
			for st := Stamp(0); st < numStamps; st++ {
				var b Batch
				b.Stamp(st, ns, at[0], at[1], ColNews)
				ch := b.Chunks()
				if len(ch) != 1 || ch[0].Linear {
					t.Fatalf("r %v: chunks %+v", r, ch)
				}
				if n := len(b.Indices) / 3; ns.Tri && n != 1 || !ns.Tri && n != 2 {
					t.Fatalf("r %v stamp %d: %d triangles", r, st, n)
				}
				for _, v := range b.Vertices {
					tx, ty := float64(v.DstX-v.SrcX), float64(v.DstY-v.SrcY)
					if math.Abs(tx-math.Round(tx)) > 1e-3 || math.Abs(ty-math.Round(ty)) > 1e-3 {
						t.Fatalf("r %v: screen and stamp differ by %v, %v px: not a copy", r, tx, ty)
					}
				}
				cell := image.Rect(stampX+int(st)*ns.W, 0, stampX+int(st+1)*ns.W, ns.H)
				got := raster(&b, a.Img, func(sx, sy int) {
					if !image.Pt(sx, sy).In(cell) {
						t.Fatalf("r %v at %v: stamp %d reads (%d, %d), outside its cell %v", r, at, st, sx, sy, cell)
					}
				})
				disc := float64(r) * spriteFill
				e := math.Ceil(float64(r)) + 2
				for y := cy - e; y < cy+e; y++ {
					for x := cx - e; x < cx+e; x++ {
						want := uint8(math.Round(255 * fill(st, disc, math.Hypot(x+0.5-cx, y+0.5-cy))))
						if g := got[[2]int{int(x), int(y)}]; g != want {
							t.Fatalf("r %v at %v: stamp %d draws pixel (%v, %v) at alpha %d, want %d", r, at, st, x, y, g, want)
						}
					}
				}
				for p, al := range got {
					if al != 0 && math.Hypot(float64(p[0])+0.5-cx, float64(p[1])+0.5-cy) > disc+0.5 {
						t.Fatalf("r %v: stamp %d inks %v, off the shape", r, st, p)
					}
				}
			}
		}
	}
	if _, ok := NewAtlas().stamps(70); ok {
		t.Error("stamps for r 70 do not fit the band, yet were drawn")
	}
}
