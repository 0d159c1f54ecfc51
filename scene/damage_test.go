package scene

import (
	"math"
	"testing"
)

// sample is what one triangle gives a pixel: its atlas point and colour,
// interpolated at the pixel's centre.
type sample struct{ sx, sy, r, g, b, a float64 }

// covering rasterises at pixel centre (x, y) the triangles of b whose
// shape is listed in shapes (all of them when nil), in order, as a GPU
// does: a centre on an edge shared by two triangles goes to one of them
// (the top-left rule), so none of a fan's centres is taken twice.
func covering(b *Batch, shapes []int, x, y float64) []sample {
	var out []sample
	each := func(i int) {
		v, ix, base := b.shape(i)
		for t := 0; t+2 < len(ix); t += 3 {
			p := [3]*Vertex{&v[ix[t]-base], &v[ix[t+1]-base], &v[ix[t+2]-base]}
			if s, ok := rasterAt(p, x, y); ok {
				out = append(out, s)
			}
		}
	}
	if shapes == nil {
		for i := 0; i < b.Shapes(); i++ {
			each(i)
		}
	}
	for _, i := range shapes {
		each(i)
	}
	return out
}

func rasterAt(p [3]*Vertex, x, y float64) (sample, bool) {
	px := func(k int) (float64, float64) { return float64(p[k].DstX), float64(p[k].DstY) }
	x0, y0 := px(0)
	x1, y1 := px(1)
	x2, y2 := px(2)
	area := (x1-x0)*(y2-y0) - (y1-y0)*(x2-x0)
	if area == 0 {
		return sample{}, false
	}
	if area < 0 { // one winding for all: swap two corners
		p[1], p[2] = p[2], p[1]
		x1, y1, x2, y2 = x2, y2, x1, y1
		area = -area
	}
	// w_k: the edge opposite corner k; float32 inputs make these exact.
	edge := func(ax, ay, bx, by float64) (float64, bool) {
		w := (bx-ax)*(y-ay) - (by-ay)*(x-ax)
		dx, dy := bx-ax, by-ay
		return w, w > 0 || w == 0 && (dy > 0 || dy == 0 && dx < 0)
	}
	w0, in0 := edge(x1, y1, x2, y2)
	w1, in1 := edge(x2, y2, x0, y0)
	w2, in2 := edge(x0, y0, x1, y1)
	if !in0 || !in1 || !in2 {
		return sample{}, false
	}
	l := func(f func(*Vertex) float32) float64 {
		return (w0*float64(f(p[0])) + w1*float64(f(p[1])) + w2*float64(f(p[2]))) / area
	}
	return sample{
		l(func(v *Vertex) float32 { return v.SrcX }), l(func(v *Vertex) float32 { return v.SrcY }),
		l(func(v *Vertex) float32 { return v.ColorR }), l(func(v *Vertex) float32 { return v.ColorG }),
		l(func(v *Vertex) float32 { return v.ColorB }), l(func(v *Vertex) float32 { return v.ColorA }),
	}, true
}

func sameSamples(a, b []sample) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		d := [...]float64{a[k].sx - b[k].sx, a[k].sy - b[k].sy, a[k].r - b[k].r, a[k].g - b[k].g, a[k].b - b[k].b, a[k].a - b[k].a}
		for _, x := range d {
			if math.Abs(x) > 1e-3 {
				return false
			}
		}
	}
	return true
}

// checkClip asserts that dst (b.Clip(boxes)) draws, at every pixel of the
// boxes, what b draws there, shape for shape in order, each once, and
// nothing outside them: each of its pieces lies in one box.
func checkClip(t *testing.T, b *Batch, boxes []Box, dst *Batch) {
	t.Helper()
piece:
	for i := 0; i < dst.Shapes(); i++ {
		sb := dst.shapeBox(i)
		for _, r := range boxes {
			if sb[0] >= r[0] && sb[1] >= r[1] && sb[2] <= r[2] && sb[3] <= r[3] {
				continue piece
			}
		}
		t.Fatalf("piece %d of the clip spans %v, outside every box %v", i, sb, boxes)
	}
	for _, r := range boxes {
		var in, out []int // shapes of b and pieces of dst reaching into r
		for i := 0; i < b.Shapes(); i++ {
			if b.shapeBox(i).meets(r) {
				in = append(in, i)
			}
		}
		for i := 0; i < dst.Shapes(); i++ {
			if dst.shapeBox(i).meets(r) {
				out = append(out, i)
			}
		}
		for y := float64(r[1]) + 0.5; y < float64(r[3]); y++ {
			for x := float64(r[0]) + 0.5; x < float64(r[2]); x++ {
				if want, got := covering(b, in, x, y), covering(dst, out, x, y); !sameSamples(want, got) {
					t.Fatalf("pixel (%v, %v) in box %v: the clip draws %v, the batch %v", x, y, r, got, want)
				}
			}
		}
	}
}

// Cut to boxes, every kind of shape draws in each box what it drew there,
// once, and nothing outside: boxes side by side, through shapes, across
// a slanted line, a glow's octagon, a dot's triangle, and a box holding a
// shape whole.
func TestClipCutsShapesToTheBoxes(t *testing.T) {
	var b, dst Batch
	b.Rect(0, 0, 100, 100, ColPanel)
	b.Sprite(SpriteDisc, 20.3, 20.6, 5.2, ColFresh)
	b.Rect(60, 60, 10, 10, ColText.Alpha(0.5))
	b.Octagon(SpriteGlow, 90.2, 80.7, 8.3, ColFresh.Alpha(0.4))
	b.Line(1.3, 40.2, 98.7, 63.9, 2.5, ColText, ColFresh)
	b.Dot(SpriteDisc, 47.6, 52.1, 6.1, ColNews)
	b.Rect(30, 30, 40, 40, ColFresh.Alpha(0.3)) // over the dot and the line
	boxes := []Box{{15, 15, 26, 26}, {26, 15, 40, 26}, {44, 44, 58, 61}, {58, 44, 72, 72}, {85, 75, 100, 90}, {0, 95, 100, 100}}
	b.Clip(boxes, &dst)
	checkClip(t, &b, boxes, &dst)
	if dst.Shapes() < len(boxes) {
		t.Fatalf("%d pieces for %d boxes, each with the card in it at least", dst.Shapes(), len(boxes))
	}
	// The square lies whole in a box: copied as it is.
	found := false
	for i := 0; i < dst.Shapes(); i++ {
		found = found || sameShape(&b, 2, &dst, i)
	}
	if !found {
		t.Fatal("the square whole inside a box was not kept as it is")
	}
}

// Damage's boxes are apart, so each pixel is redrawn once; side by side
// on a row (a number's digits) they are one box, so the card under them
// is cut once.
func TestDamageJoinsBoxes(t *testing.T) {
	var d Damage
	d.boxes = []Box{
		{1224, 147, 1233, 161}, {1234, 147, 1242, 161}, {1243, 147, 1252, 161}, // digits, a pixel apart
		{1222, 122, 1232, 136},                              // the row above: apart
		{10, 10, 30, 30}, {20, 20, 40, 40}, {35, 0, 50, 12}, // overlapping, then a chain
		{1178, 196, 1181, 427}, // a chart column
	}
	d.merge()
	want := []Box{{1224, 147, 1252, 161}, {1222, 122, 1232, 136}, {10, 0, 50, 40}, {1178, 196, 1181, 427}}
	if len(d.boxes) != len(want) {
		t.Fatalf("joined into %v, want %v", d.boxes, want)
	}
	for _, w := range want {
		found := false
		for _, b := range d.boxes {
			found = found || b == w
		}
		if !found {
			t.Fatalf("joined into %v, want %v", d.boxes, want)
		}
	}
	for i, a := range d.boxes {
		for _, b := range d.boxes[i+1:] {
			if a.meets(b) {
				t.Fatalf("%v and %v overlap", a, b)
			}
		}
	}
}
