package scene

import "math"

// ebiten (v2.8, internal/mipmap) draws a linear DrawTriangles call from a
// mipmap level of its source when every edge of its triangles is drawn at
// under half its length in the source: level n halves level n-1, each
// texel the mean of four, stored in 8 bits. RasterBatch does the same so
// that a chunk of small sprites alone (the Dot triangles: 16 atlas px per
// screen px) looks as WebGL draws it; a chunk with any shape drawn at
// half size or more (a line, a rectangle) is drawn from the atlas itself.

// mipLevel is the level ebiten draws triangles ix of v from: the least
// over their edges.
func mipLevel(v []Vertex, ix []uint16) int {
	level := math.MaxInt
	for t := 0; t+2 < len(ix) && level > 0; t += 3 {
		p := [3]*Vertex{&v[ix[t]], &v[ix[t+1]], &v[ix[t+2]]}
		for k := range 3 {
			level = min(level, edgeLevel(p[k], p[(k+1)%3]))
		}
	}
	if level == math.MaxInt {
		return 0
	}
	return level
}

// edgeLevel is ebiten's mipmapLevelFromDistance for the edge a-b, in
// float32 as there.
func edgeLevel(a, b *Vertex) int {
	const maxLevel = 6
	dx, dy, sx, sy := b.DstX-a.DstX, b.DstY-a.DstY, b.SrcX-a.SrcX, b.SrcY-a.SrcY
	d, s := dx*dx+dy*dy, sx*sx+sy*sy
	if s == 0 {
		return 0
	}
	scale := d / s
	if math.IsInf(float64(scale), 0) || scale == 0 {
		return 0
	}
	level := 0
	for scale < 0.25 {
		level++
		scale *= 4
	}
	// No level where the edge's source would be less than a texel.
	for w, h := int(sx), int(sy); level > 0; level-- {
		if n := 1 << level; !(w > 0 && w/n == 0 || h > 0 && h/n == 0) {
			break
		}
	}
	return min(level, maxLevel)
}

// mipTexel is texel (x, y) of the atlas's mipmap level l, clamped to the
// level's size. Worked out on the fly (4^l reads): only chunks of small
// sprites need it, over a few pixels each.
func (r *rasterizer) mipTexel(l, x, y int) (t [4]float64) {
	a := r.atlas
	x, y = max(0, min(x, a.Rect.Dx()>>l-1)), max(0, min(y, a.Rect.Dy()>>l-1))
	if l == 0 {
		o := y*a.Stride + x*4
		return [4]float64{float64(a.Pix[o]), float64(a.Pix[o+1]), float64(a.Pix[o+2]), float64(a.Pix[o+3])}
	}
	for k := range 4 {
		c := r.mipTexel(l-1, 2*x+k&1, 2*y+k>>1)
		for i := range 4 {
			t[i] += c[i]
		}
	}
	for i := range 4 {
		t[i] = math.Floor(t[i]/4 + 0.5)
	}
	return t
}

// mipBilinear samples level r.level at atlas point (u, v) as the linear
// filter does level 0.
func (r *rasterizer) mipBilinear(u, v float64) (t [4]float64) {
	s := float64(int(1) << r.level)
	u, v = u/s-0.5, v/s-0.5
	fu, fv := math.Floor(u), math.Floor(v)
	wu, wv := u-fu, v-fv
	x, y := int(fu), int(fv)
	c00, c10 := r.mipTexel(r.level, x, y), r.mipTexel(r.level, x+1, y)
	c01, c11 := r.mipTexel(r.level, x, y+1), r.mipTexel(r.level, x+1, y+1)
	for c := range 4 {
		t[c] = (c00[c]*(1-wu)+c10[c]*wu)*(1-wv) + (c01[c]*(1-wu)+c11[c]*wu)*wv
	}
	return t
}
