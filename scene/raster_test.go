package scene

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"
)

func rgba(r, g, b, a uint8) color.RGBA { return color.RGBA{r, g, b, a} }

// wantPixels fails unless img's pixel at each point is want's, and every
// other pixel is other.
func wantPixels(t *testing.T, img *image.RGBA, want func(x, y int) color.RGBA) {
	t.Helper()
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if got, w := img.RGBAAt(x, y), want(x, y); got != w {
				t.Fatalf("pixel (%d, %d) is %v, want %v", x, y, got, w)
			}
		}
	}
}

// Solid rectangles of the solid sprite, each of the three ways a flat
// colour is blended (a plain fill, a table for big shapes, pixel by pixel
// for small ones): a big opaque one (0, 0, 255, 255), a big translucent
// one over a quarter of it, a small one of that colour alone, and a small
// one of another over the opaque one. Worked out by hand: premultiplied,
// the translucent colour is (0.4, 0.24, 0.12, 0.4)·255 = (102, 61.2,
// 30.6, 102), and over the opaque one it keeps 1-0.4 of it: (102, 61.2,
// 30.6+153, 102+153); the other, (0.35, 0.63, 0.14, 0.7)·255 = (89.25,
// 160.65, 35.7, 178.5), keeps 0.3: (89.25, 160.65, 35.7+76.5, 255).
func TestRasterSolidRectangles(t *testing.T) {
	var b Batch
	b.Rect(0, 0, 32, 32, Color{0, 0, 1, 1})
	b.Rect(16, 16, 32, 32, Color{1, 0.6, 0.3, 0.4})
	b.Rect(2, 40, 4, 4, Color{1, 0.6, 0.3, 0.4})
	b.Rect(2, 2, 4, 4, Color{0.5, 0.9, 0.2, 0.7})
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	RasterBatch(img, image.Point{}, img.Rect, &b, NewAtlas().Img)
	wantPixels(t, img, func(x, y int) color.RGBA {
		a, c := x < 32 && y < 32, x >= 16 && y >= 16 || x >= 2 && x < 6 && y >= 40 && y < 44
		switch {
		case x >= 2 && x < 6 && y >= 2 && y < 6:
			return rgba(89, 161, 112, 255)
		case a && c:
			return rgba(102, 61, 184, 255)
		case a:
			return rgba(0, 0, 255, 255)
		case c:
			return rgba(102, 61, 31, 102)
		}
		return rgba(0, 0, 0, 0)
	})
}

// patternAtlas returns a 32x32 atlas of premultiplied grey texels whose
// values are multiples of 16 (bilinear mixes at quarter texels are then
// whole numbers: no rounding to argue about), transparent where the
// pattern gives 0.
func patternAtlas() *image.RGBA {
	a := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			v := uint8(16 * ((x*5 + y*3) % 16))
			a.SetRGBA(x, y, rgba(v, v, v, v))
		}
	}
	return a
}

// A glyph-like quad at whole pixels, sampled nearest, copies its texels
// tinted by the colour; a linear one a quarter texel off mixes the four
// texels around each point 9:3:3:1.
func TestRasterCopiesAndMixesTexels(t *testing.T) {
	atlas := patternAtlas()
	atlas.SetRGBA(4, 4, rgba(200, 200, 200, 200))
	var b Batch
	c := Color{1, 0.3, 0.7, 0.9}
	b.image(10, 3, 4, 4, 12, 9, c) // 8x5 texels from (4, 4) to (10, 3)
	img := image.NewRGBA(image.Rect(0, 0, 24, 12))
	RasterBatch(img, image.Point{}, img.Rect, &b, atlas)
	if got, want := img.RGBAAt(10, 3), rgba(180, 54, 126, 180); got != want {
		t.Fatalf("texel 200 tinted by %v: %v, want %v", c, got, want)
	}
	tint := func(v uint8, k float32) uint8 { return uint8(math.Round(float64(v) * float64(k) * float64(c.A))) }
	wantPixels(t, img, func(x, y int) color.RGBA {
		if x < 10 || x >= 18 || y < 3 || y >= 8 {
			return rgba(0, 0, 0, 0)
		}
		v := atlas.RGBAAt(x-6, y+1).A
		return rgba(tint(v, c.R), tint(v, c.G), tint(v, c.B), tint(v, 1))
	})
	// Over an opaque background (40, 80, 120, 255), texel 200 keeps
	// 1-180/255 of it: (180+11.76, 54+23.53, 126+35.29, 255).
	for i := range img.Pix {
		img.Pix[i] = [4]uint8{40, 80, 120, 255}[i%4]
	}
	RasterBatch(img, image.Point{}, img.Rect, &b, atlas)
	if got, want := img.RGBAAt(10, 3), rgba(192, 78, 161, 255); got != want {
		t.Fatalf("texel 200 tinted by %v over (40, 80, 120, 255): %v, want %v", c, got, want)
	}

	atlas = patternAtlas()
	b.Reset()
	b.quad(filterLinear, 2, 2, 8, 2, 2, 6, 8, 6, 4.25, 4.25, 10.25, 8.25, Color{1, 1, 1, 1}, Color{1, 1, 1, 1})
	img = image.NewRGBA(image.Rect(0, 0, 12, 12))
	RasterBatch(img, image.Point{}, img.Rect, &b, atlas)
	wantPixels(t, img, func(x, y int) color.RGBA {
		if x < 2 || x >= 8 || y < 2 || y >= 6 {
			return rgba(0, 0, 0, 0)
		}
		// Pixel centre (x+0.5) samples u = x+2.75: texels x+2 and x+3.
		at := func(dx, dy int) int { return int(atlas.RGBAAt(x+2+dx, y+2+dy).A) }
		v := uint8((9*at(0, 0) + 3*at(1, 0) + 3*at(0, 1) + at(1, 1)) / 16)
		return rgba(v, v, v, v)
	})
}

// insideConvex reports whether (x, y) is inside convex polygon p, and
// whether it is within 1/16 px of an edge (where snapping vertices to
// 1/16 px may tip it either way).
func insideConvex(p [][2]float64, x, y float64) (in, near bool) {
	pos, neg := true, true
	for k := range p {
		a, b := p[k], p[(k+1)%len(p)]
		dx, dy := b[0]-a[0], b[1]-a[1]
		c := dx*(y-a[1]) - dy*(x-a[0])
		near = near || math.Abs(c)/math.Hypot(dx, dy) < 1.0/16
		pos, neg = pos && c > 0, neg && c < 0
	}
	return pos || neg, near
}

// Translucent quads at fractional coordinates, their diagonals through
// pixel centres, slanted, and side by side sharing an edge: every pixel
// whose centre is inside is blended once (the one value a single blend
// gives), none twice, none left out.
func TestRasterBlendsEachPixelOnce(t *testing.T) {
	c := Color{0.2, 0.8, 0.4, 0.6}
	once := rgba(31, 122, 61, 153) // (0.12, 0.48, 0.24, 0.6)·255
	check := func(name string, b *Batch, polys ...[][2]float64) {
		t.Helper()
		img := image.NewRGBA(image.Rect(0, 0, 24, 24))
		RasterBatch(img, image.Point{}, img.Rect, b, NewAtlas().Img)
		drawn := 0
		for y := 0; y < 24; y++ {
			for x := 0; x < 24; x++ {
				got := img.RGBAAt(x, y)
				if got != once && got != (color.RGBA{}) {
					t.Fatalf("%s: pixel (%d, %d) is %v, neither untouched nor blended once (%v)", name, x, y, got, once)
				}
				in, near := false, false
				for _, p := range polys {
					i, n := insideConvex(p, float64(x)+0.5, float64(y)+0.5)
					in, near = in || i, near || n
				}
				if !near && in != (got == once) {
					t.Fatalf("%s: pixel (%d, %d) is %v, its centre inside: %v", name, x, y, got, in)
				}
				if got == once {
					drawn++
				}
			}
		}
		if drawn == 0 {
			t.Fatalf("%s: nothing drawn", name)
		}
	}
	var b Batch
	// Edges and the diagonal (9.5, 1.5)-(1.5, 9.5) through pixel centres:
	// the left and top edges take their centres, the right and bottom
	// ones do not.
	b.Rect(1.5, 1.5, 8, 8, c)
	check("rectangle on centres", &b, [][2]float64{{1.5, 1.5}, {9.5, 1.5}, {9.5, 9.5}, {1.5, 9.5}})
	img := image.NewRGBA(image.Rect(0, 0, 24, 24))
	RasterBatch(img, image.Point{}, img.Rect, &b, NewAtlas().Img)
	wantPixels(t, img, func(x, y int) color.RGBA {
		if x >= 1 && x < 9 && y >= 1 && y < 9 {
			return once
		}
		return color.RGBA{}
	})
	b.Reset()
	b.Line(2.3, 3.1, 19.8, 14.6, 4.3, c, c)
	v := b.Vertices
	check("slanted line", &b, [][2]float64{{float64(v[0].DstX), float64(v[0].DstY)}, {float64(v[1].DstX), float64(v[1].DstY)},
		{float64(v[3].DstX), float64(v[3].DstY)}, {float64(v[2].DstX), float64(v[2].DstY)}})
	b.Reset()
	sx0, sy0, sx1, sy1 := srcRect(SpriteSolid)
	q1 := [][2]float64{{2.2, 1.3}, {9.7, 3.1}, {8.3, 10.9}, {1.1, 8.4}}
	q2 := [][2]float64{{9.7, 3.1}, {15.2, 2.4}, {14.6, 11.8}, {8.3, 10.9}}
	for _, q := range [][][2]float64{q1, q2} {
		f := func(k int) (float32, float32) { return float32(q[k][0]), float32(q[k][1]) }
		x0, y0 := f(0)
		x1, y1 := f(1)
		x3, y3 := f(2)
		x2, y2 := f(3)
		b.quad(filterAny, x0, y0, x1, y1, x2, y2, x3, y3, sx0, sy0, sx1, sy1, c, c)
	}
	check("quads sharing a slanted edge", &b, q1, q2)
}

// panelRun composes the panel of a 1,000-node run at 1280x800 and calls
// frame with it for frames 0 to n, 16.7 ms apart.
func panelRun(t testing.TB, n int, frame func(k int, f *Frame, a *Atlas)) {
	p, at := midRun(t, 1000)
	c := NewComposer()
	var f Frame
	for k := 0; k <= n; k++ {
		p.Seek(at + float64(k)*16.7)
		c.Compose(p, 1280, 800, 1, &f)
		if f.Panel.Shapes() < 100 {
			t.Fatalf("frame %d: %d shapes in the panel", k, f.Panel.Shapes())
		}
		frame(k, &f, c.Atlas())
	}
}

// panelImage returns a transparent image of the size of f's panel box,
// and the box's corner.
func panelImage(f *Frame) (*image.RGBA, image.Point) {
	b := f.PanelBox
	org := image.Pt(int(b[0]), int(b[1]))
	return image.NewRGBA(image.Rect(0, 0, int(math.Ceil(float64(b[2])))-org.X, int(math.Ceil(float64(b[3])))-org.Y)), org
}

// Drawn with a clip, the panel is the same inside it and untouched
// outside; drawn into an image of the panel's box at its corner, the same
// as into the whole screen at that place.
func TestRasterClipsAndOffsets(t *testing.T) {
	panelRun(t, 0, func(_ int, f *Frame, a *Atlas) {
		whole, org := panelImage(f)
		RasterBatch(whole, org, whole.Rect, &f.Panel, a.Img)
		screen := image.NewRGBA(image.Rect(0, 0, 1280, 800))
		RasterBatch(screen, image.Point{}, screen.Rect, &f.Panel, a.Img)
		drawn := 0
		wantPixels(t, whole, func(x, y int) color.RGBA {
			if whole.RGBAAt(x, y).A != 0 {
				drawn++
			}
			return screen.RGBAAt(x+org.X, y+org.Y)
		})
		if drawn < whole.Rect.Dx()*whole.Rect.Dy()/2 {
			t.Fatalf("%d pixels drawn of %v: the card is not drawn", drawn, whole.Rect)
		}
		mark := rgba(1, 2, 3, 4)
		for _, clip := range []image.Rectangle{image.Rect(37, 101, 190, 260), image.Rect(-20, 300, 90, 2000)} {
			img := image.NewRGBA(whole.Rect)
			for y := 0; y < img.Rect.Dy(); y++ {
				for x := 0; x < img.Rect.Dx(); x++ {
					if !image.Pt(x, y).In(clip) {
						img.SetRGBA(x, y, mark)
					}
				}
			}
			RasterBatch(img, org, clip, &f.Panel, a.Img)
			wantPixels(t, img, func(x, y int) color.RGBA {
				if image.Pt(x, y).In(clip) {
					return whole.RGBAAt(x, y)
				}
				return mark
			})
		}
	})
}

// What the page does: draw the panel whole once, then on each frame clear
// the boxes Damage finds and draw into each the shapes reaching into it,
// cut to it (Batch.Clip) or not. After 40 frames of play the image is the
// very one the last batch draws whole, pixel for pixel.
func TestRasterDamagedBoxesLookWhole(t *testing.T) {
	for _, cut := range []bool{true, false} {
		t.Run(fmt.Sprintf("cut=%v", cut), func(t *testing.T) {
			var (
				d       Damage
				img     *image.RGBA
				org     image.Point
				clipped Batch
			)
			redrawn := 0
			panelRun(t, 40, func(k int, f *Frame, a *Atlas) {
				boxes, full := d.Next(&f.Panel, Box(f.PanelBox))
				if k == 0 {
					img, org = panelImage(f)
					RasterBatch(img, org, img.Rect, &f.Panel, a.Img)
					return
				}
				if full {
					t.Fatalf("frame %d: drawn whole while playing", k)
				}
				b := &f.Panel
				if cut {
					f.Panel.Clip(boxes, &clipped)
					b = &clipped
				}
				for _, bx := range boxes {
					r := image.Rect(int(bx[0]), int(bx[1]), int(bx[2]), int(bx[3])).Sub(org)
					for y := r.Min.Y; y < r.Max.Y; y++ {
						clear(img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)])
					}
					RasterBatch(img, org, r, b, a.Img)
					redrawn += r.Dx() * r.Dy()
				}
				whole, _ := panelImage(f)
				RasterBatch(whole, org, whole.Rect, &f.Panel, a.Img)
				wantPixels(t, img, func(x, y int) color.RGBA { return whole.RGBAAt(x, y) })
			})
			if redrawn == 0 {
				t.Fatal("no box redrawn in 40 frames of play")
			}
			t.Logf("%d px redrawn in 40 frames, of %v", redrawn, img.Rect)
		})
	}
}

// BenchmarkRasterPanel draws the panel of a 1,000-node run at 1280x800 on
// the CPU: whole (after a resize or an atlas change), and the boxes that
// change frame by frame while playing.
func BenchmarkRasterPanel(b *testing.B) {
	var (
		frames []Batch
		boxes  [][]image.Rectangle // where each frame differs from the last
		atlas  *Atlas
		img    *image.RGBA
		org    image.Point
		d      Damage
	)
	panelRun(b, 60, func(k int, f *Frame, a *Atlas) {
		frames = append(frames, Batch{})
		frames[k].CopyFrom(&f.Panel)
		atlas = a
		img, org = panelImage(f)
		bx, _ := d.Next(&f.Panel, Box(f.PanelBox))
		var rs []image.Rectangle
		for _, x := range bx {
			rs = append(rs, image.Rect(int(x[0]), int(x[1]), int(x[2]), int(x[3])).Sub(org))
		}
		boxes = append(boxes, rs)
	})
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			clear(img.Pix)
			RasterBatch(img, org, img.Rect, &frames[0], atlas.Img)
		}
		b.ReportMetric(float64(frames[0].Shapes()), "shapes")
		b.ReportMetric(float64(len(img.Pix)/4), "px")
	})
	b.Run("playing", func(b *testing.B) {
		px := 0
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k := 1 + i%(len(frames)-1)
			for _, r := range boxes[k] {
				RasterBatch(img, org, r, &frames[k], atlas.Img)
				px += r.Dx() * r.Dy()
			}
		}
		b.ReportMetric(float64(px)/float64(b.N), "px/op")
	})
}

// As ebiten does, a linear chunk whose every edge is drawn at under half
// its atlas length samples a mipmap level: the Dot triangles of radius 2
// (1/16 of their atlas size) level 3, unless a shape drawn bigger shares
// their chunk. A quad drawn at a quarter of its 8x8 texels samples level 1
// (each texel the mean of four, rounded), each pixel the mean of four of
// its texels, not level 0's texels.
func TestRasterSamplesMipmapsAsEbiten(t *testing.T) {
	var b Batch
	for i := range 5 {
		b.Dot(SpriteDisc, 20+float32(i)*9.3, 30, 2, Color{1, 1, 1, 1})
	}
	ch := b.Chunks()[0]
	if l := mipLevel(b.Vertices[ch.V0:ch.V1], b.Indices[ch.I0:ch.I1]); !ch.Linear || l != 3 {
		t.Fatalf("dots of radius 2 alone: level %d (linear %v), want 3", l, ch.Linear)
	}
	b.Line(0, 0, 50, 50, 1, Color{1, 1, 1, 1}, Color{1, 1, 1, 1})
	ch = b.Chunks()[0]
	if l := mipLevel(b.Vertices[ch.V0:ch.V1], b.Indices[ch.I0:ch.I1]); l != 0 {
		t.Fatalf("dots and a line: level %d, want 0", l)
	}

	atlas := patternAtlas()
	b.Reset()
	b.quad(filterLinear, 0, 0, 2, 0, 0, 2, 2, 2, 0, 0, 8, 8, Color{1, 1, 1, 1}, Color{1, 1, 1, 1})
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	RasterBatch(img, image.Point{}, img.Rect, &b, atlas)
	at := func(x, y int) int { return int(atlas.RGBAAt(x, y).A) }
	level1 := func(x, y int) int { // a multiple of 4: the mean of four multiples of 16
		return int(math.Round(float64(at(2*x, 2*y)+at(2*x+1, 2*y)+at(2*x, 2*y+1)+at(2*x+1, 2*y+1)) / 4))
	}
	differ := 0
	wantPixels(t, img, func(x, y int) color.RGBA {
		v := uint8((level1(2*x, 2*y) + level1(2*x+1, 2*y) + level1(2*x, 2*y+1) + level1(2*x+1, 2*y+1)) / 4)
		if l0 := (at(4*x+1, 4*y+1) + at(4*x+2, 4*y+1) + at(4*x+1, 4*y+2) + at(4*x+2, 4*y+2)) / 4; int(v) != l0 {
			differ++
		}
		return rgba(v, v, v, v)
	})
	if differ == 0 {
		t.Fatal("level 1 and level 0 give the same pixels: the test tells nothing")
	}
	// A level's texels are stored in 8 bits: 1, 2, 2, 2 make 2.
	for k, v := range []uint8{1, 2, 2, 2} {
		atlas.SetRGBA(4+k&1, 4+k>>1, rgba(v, v, v, v))
	}
	r := rasterizer{atlas: atlas}
	if got := r.mipTexel(1, 2, 2); got != [4]float64{2, 2, 2, 2} {
		t.Fatalf("level 1's texel of 1, 2, 2, 2: %v, want 2s", got)
	}
}
