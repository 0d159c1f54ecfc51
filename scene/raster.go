package scene

import (
	"image"
	"math"
)

// RasterBatch draws b's triangles onto dst as WebGL draws them through
// ebiten's DrawTriangles (v2.8, default options: straight-alpha vertex
// colours, source-over blending), one call per chunk with the atlas as
// source, nearest sampling unless the chunk is Linear. It lets a page on a
// software renderer keep the panel on a 2D canvas, drawn on the CPU only
// where it changed, instead of having WebGL redraw it every frame.
//
// dst holds premultiplied RGBA; its pixel (x, y) is the batch's point
// (x+org.X, y+org.Y). Only dst's pixels inside clip are written. A pixel
// is drawn by a triangle when its centre is inside it, by the top-left
// rule on vertices snapped to 1/16 px as SwiftShader snaps them (a centre
// on an edge shared by two triangles goes to exactly one); the atlas
// point and colour are interpolated there (affine), the colour
// premultiplied per vertex first as ebiten does. Nearest sampling reads
// texel (floor(u), floor(v)); linear mixes the four around (u-½, v-½), as
// ebiten's shader does, from the mipmap level ebiten picks (mipmap.go),
// clamped to the atlas. The texel times the colour is blended over dst
// (out = src + dst·(1-src.a)) and rounded to 8 bits.
//
// Against SwiftShader's WebGL in Chromium (ebiten drawing the same
// batches, read back), a 1,000-node run's panel (345,466 px) differed in
// 1 to 3 px, by 1 in a channel; 20 slanted lines, sprites or glows at
// fractional places in under 10 px, and 20 mipmapped dots in 136 of their
// ~5,000, by 1 (float32 there, float64 here; halves rounded otherwise).
// A GPU snapping to 1/256 px would place some edge pixels otherwise.
func RasterBatch(dst *image.RGBA, org image.Point, clip image.Rectangle, b *Batch, atlas *image.RGBA) {
	RasterBoxes(dst, org, []image.Rectangle{clip}, b, atlas)
}

// RasterBoxes draws b onto dst in each of boxes, as RasterBatch would with
// each box as its clip, in one pass over the batch: a triangle's bounds are
// tested against the boxes of the band rows it spans only, so that tens of
// small boxes (nodes that changed across a plane of the whole scene) cost
// about what one does. The boxes must not overlap: a pixel in two would be
// blended twice.
func RasterBoxes(dst *image.RGBA, org image.Point, boxes []image.Rectangle, b *Batch, atlas *image.RGBA) {
	if atlas.Rect.Empty() {
		return
	}
	var bx rasterBands
	if !bx.index(boxes, dst.Rect, org) {
		return
	}
	r := rasterizer{dst: dst, atlas: atlas, ox: float64(org.X), oy: float64(org.Y)}
	tri := int32(0)
	for _, ch := range b.Chunks() {
		v, ix := b.Vertices[ch.V0:ch.V1], b.Indices[ch.I0:ch.I1]
		r.linear, r.level = ch.Linear, -1
		for t := 0; t+2 < len(ix); t += 3 {
			p0, p1, p2 := &v[ix[t]], &v[ix[t+1]], &v[ix[t+2]]
			x0, x1 := min(p0.DstX, p1.DstX, p2.DstX), max(p0.DstX, p1.DstX, p2.DstX)
			y0, y1 := min(p0.DstY, p1.DstY, p2.DstY), max(p0.DstY, p1.DstY, p2.DstY)
			if x1 < bx.all[0] || x0 > bx.all[2] || y1 < bx.all[1] || y0 > bx.all[3] {
				continue
			}
			tri++
			for band := bx.band(y0); band <= bx.band(y1); band++ {
				for _, k := range bx.in[band] {
					c := &bx.clips[k]
					if bx.drawn[k] == tri || x1 < c[0] || x0 > c[2] || y1 < c[1] || y0 > c[3] {
						continue
					}
					bx.drawn[k] = tri // a box lies in several bands
					if r.level < 0 {  // the chunk reaches into a box
						r.level = 0
						if ch.Linear {
							r.level = mipLevel(v, ix)
						}
					}
					r.clip = bx.rects[k]
					r.triangle([3]*Vertex{p0, p1, p2})
				}
			}
		}
	}
}

// rasterBands files the boxes of RasterBoxes by horizontal bands of the
// image, so that a triangle is tested against the boxes near it only.
type rasterBands struct {
	rects []image.Rectangle // the boxes cut to dst, in dst's pixels
	clips []Box             // the same in the batch's coordinates
	all   Box               // their union, batch coordinates
	y0    float32           // the first band's top, batch coordinates
	in    [][]int32         // per band, the boxes reaching into it
	drawn []int32           // per box, the last triangle drawn in it
}

// rasterBand is a band's height, px: a node's size, a few text lines.
const rasterBand = 32

func (bx *rasterBands) index(boxes []image.Rectangle, bounds image.Rectangle, org image.Point) bool {
	for _, b := range boxes {
		b = b.Intersect(bounds)
		if b.Empty() {
			continue
		}
		bx.rects = append(bx.rects, b)
		bx.clips = append(bx.clips, Box{float32(b.Min.X + org.X), float32(b.Min.Y + org.Y), float32(b.Max.X + org.X), float32(b.Max.Y + org.Y)})
	}
	if len(bx.rects) == 0 {
		return false
	}
	bx.all = bx.clips[0]
	for _, c := range bx.clips[1:] {
		bx.all = bx.all.union(c)
	}
	bx.drawn = make([]int32, len(bx.rects))
	bx.y0 = bx.all[1]
	bx.in = make([][]int32, int((bx.all[3]-bx.y0)/rasterBand)+1)
	for k, c := range bx.clips {
		for band := bx.band(c[1]); band <= bx.band(c[3]); band++ {
			bx.in[band] = append(bx.in[band], int32(k))
		}
	}
	return true
}

// band returns the band of batch coordinate y, clamped to the bands.
func (bx *rasterBands) band(y float32) int {
	i := int((y - bx.y0) / rasterBand)
	return min(max(i, 0), len(bx.in)-1)
}

const (
	// subpixel is the fixed-point unit of vertex positions, per px:
	// SwiftShader's (4 bits: with 8, a panel's slanted lines and sprite
	// edges differed from it in ~200 px by up to 245). Edge functions are
	// exact integers, so the fill rule never double-draws or leaves out a
	// pixel between triangles sharing an edge.
	subpixel = 16
	// maxRasterCoord (px) keeps edge functions well inside int64.
	maxRasterCoord = 1 << 20
)

type rasterizer struct {
	dst    *image.RGBA
	clip   image.Rectangle
	atlas  *image.RGBA
	ox, oy float64
	linear bool
	level  int // the mipmap level a linear chunk samples (mipmap.go)
	lut    [4][256]uint8
}

// plane is an attribute interpolated across a triangle: its value at the
// triangle's first vertex and its steps per px.
type plane struct{ f0, dx, dy float64 }

// triangle draws one triangle of the batch.
func (r *rasterizer) triangle(p [3]*Vertex) {
	var fx, fy [3]int64 // fixed-point positions in dst
	for k, v := range p {
		x, y := float64(v.DstX)-r.ox, float64(v.DstY)-r.oy
		if !(math.Abs(x) < maxRasterCoord && math.Abs(y) < maxRasterCoord) {
			return
		}
		fx[k], fy[k] = int64(math.Floor(x*subpixel+0.5)), int64(math.Floor(y*subpixel+0.5))
	}
	area := (fx[1]-fx[0])*(fy[2]-fy[0]) - (fy[1]-fy[0])*(fx[2]-fx[0])
	if area == 0 {
		return
	}
	if area < 0 { // one winding for all
		p[1], p[2], fx[1], fx[2], fy[1], fy[2], area = p[2], p[1], fx[2], fx[1], fy[2], fy[1], -area
	}
	// The pixels whose centre may be inside, within the clip.
	x0 := max(r.clip.Min.X, int(floorDiv(min(fx[0], fx[1], fx[2]), subpixel)))
	x1 := min(r.clip.Max.X, int(floorDiv(max(fx[0], fx[1], fx[2]), subpixel))+1)
	y0 := max(r.clip.Min.Y, int(floorDiv(min(fy[0], fy[1], fy[2]), subpixel)))
	y1 := min(r.clip.Max.Y, int(floorDiv(max(fy[0], fy[1], fy[2]), subpixel))+1)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	// Edge k, opposite vertex k, at the centre of pixel (x0, y0), and its
	// steps per pixel: >= 0 inside (a centre on a right or bottom edge is
	// outside: one less).
	var w, sx, sy [3]int64
	cx, cy := int64(x0)*subpixel+subpixel/2, int64(y0)*subpixel+subpixel/2
	for k := range 3 {
		a, b := (k+1)%3, (k+2)%3
		dx, dy := fx[b]-fx[a], fy[b]-fy[a]
		w[k] = dx*(cy-fy[a]) - dy*(cx-fx[a])
		if !(dy < 0 || dy == 0 && dx > 0) { // not a top or left edge
			w[k]--
		}
		sx[k], sy[k] = -dy*subpixel, dx*subpixel
	}
	// Attribute planes over the snapped positions, from the first vertex:
	// a pixel's values do not depend on where the clip starts its spans.
	var px, py [3]float64
	for k := range 3 {
		px[k], py[k] = float64(fx[k]-fx[0])/subpixel, float64(fy[k]-fy[0])/subpixel
	}
	det := (px[1]-px[0])*(py[2]-py[0]) - (py[1]-py[0])*(px[2]-px[0])
	mk := func(f0, f1, f2 float64) plane {
		dx := ((f1-f0)*(py[2]-py[0]) - (f2-f0)*(py[1]-py[0])) / det
		dy := ((f2-f0)*(px[1]-px[0]) - (f1-f0)*(px[2]-px[0])) / det
		return plane{f0, dx, dy}
	}
	s := span{ox: fx[0], oy: fy[0]}
	for k, v := range p {
		a := float64(v.ColorA)
		s.f[k] = [6]float64{float64(v.SrcX), float64(v.SrcY), float64(v.ColorR) * a, float64(v.ColorG) * a, float64(v.ColorB) * a, a}
	}
	for i := range s.pl {
		s.pl[i] = mk(s.f[0][i], s.f[1][i], s.f[2][i])
	}
	s.flat = r.flatSource(p, &s)
	if s.flat && s.src[3] == 0 && s.src[0] == 0 && s.src[1] == 0 && s.src[2] == 0 {
		return // draws nothing
	}
	if s.flat && (x1-x0)*(y1-y0) >= lutArea {
		s.lut = &r.lut
		fillLUT(s.lut, &s.src)
	}
	n := int64(x1 - x0)
	for y := y0; y < y1; y, w[0], w[1], w[2] = y+1, w[0]+sy[0], w[1]+sy[1], w[2]+sy[2] {
		lo, hi := int64(0), n
		for k := range 3 {
			lo, hi = edgeSpan(w[k], sx[k], lo, hi)
		}
		if lo < hi {
			r.span(&s, x0+int(lo), x0+int(hi), y)
		}
	}
}

// edgeSpan narrows [lo, hi) to the i where w + i·sx >= 0.
func edgeSpan(w, sx, lo, hi int64) (int64, int64) {
	switch {
	case sx > 0:
		if w < 0 {
			lo = max(lo, (-w+sx-1)/sx)
		}
	case sx < 0:
		if w < 0 {
			return lo, lo
		}
		hi = min(hi, w/(-sx)+1)
	case w < 0:
		return lo, lo
	}
	return lo, hi
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// span is what a triangle draws along its rows: at its vertices, then
// across it, its atlas point (u, v) and premultiplied colour, or, when
// flat, the one premultiplied source (0-255) every pixel gets.
type span struct {
	f      [3][6]float64
	pl     [6]plane
	ox, oy int64 // the first vertex, fixed point
	flat   bool
	src    [4]float64
	lut    *[4][256]uint8 // blendFlat's table, if filled
}

// lutArea is the pixels from which a flat triangle blends through a
// table (1,024 entries to fill) rather than pixel by pixel.
const lutArea = 1024

// flatSource reports whether every pixel of the triangle gets the same
// source (one colour, and the atlas the same over all the texels it
// reads: solid rectangles and lines), and sets s.src to it.
func (r *rasterizer) flatSource(p [3]*Vertex, s *span) bool {
	if r.level > 0 {
		return false
	}
	for _, v := range p[1:] {
		if v.ColorR != p[0].ColorR || v.ColorG != p[0].ColorG || v.ColorB != p[0].ColorB || v.ColorA != p[0].ColorA {
			return false
		}
	}
	u0, u1 := float64(min(p[0].SrcX, p[1].SrcX, p[2].SrcX)), float64(max(p[0].SrcX, p[1].SrcX, p[2].SrcX))
	v0, v1 := float64(min(p[0].SrcY, p[1].SrcY, p[2].SrcY)), float64(max(p[0].SrcY, p[1].SrcY, p[2].SrcY))
	if r.linear { // texels floor(u-½) and floor(u+½)
		u0, u1, v0, v1 = u0-0.5, u1+0.5, v0-0.5, v1+0.5
	}
	a := r.atlas
	tx0, tx1 := r.texel(u0, a.Rect.Dx()), r.texel(u1, a.Rect.Dx())
	ty0, ty1 := r.texel(v0, a.Rect.Dy()), r.texel(v1, a.Rect.Dy())
	if (tx1-tx0+1)*(ty1-ty0+1) > 256 {
		return false
	}
	t0 := a.Pix[ty0*a.Stride+tx0*4 : ty0*a.Stride+tx0*4+4]
	for ty := ty0; ty <= ty1; ty++ {
		for tx := tx0; tx <= tx1; tx++ {
			o := ty*a.Stride + tx*4
			if a.Pix[o] != t0[0] || a.Pix[o+1] != t0[1] || a.Pix[o+2] != t0[2] || a.Pix[o+3] != t0[3] {
				return false
			}
		}
	}
	for c := range 4 {
		s.src[c] = float64(t0[c]) * s.f[0][2+c]
	}
	return true
}

// texel is the texel (in the atlas's Pix, from 0) at coordinate u,
// clamped to the atlas's size n.
func (r *rasterizer) texel(u float64, n int) int {
	if !(u >= 0) {
		return 0
	}
	return min(int(u), n-1)
}

// span draws pixels [xa, xb) of row y.
func (r *rasterizer) span(s *span, xa, xb, y int) {
	d := r.dst
	row := d.Pix[d.PixOffset(xa, y):d.PixOffset(xb, y)]
	if s.flat {
		blendFlat(row, &s.src, s.lut)
		return
	}
	a := r.atlas
	aw, ah := a.Rect.Dx(), a.Rect.Dy()
	// Each value at X px right of the first vertex, X exact: the same
	// whatever pixel the span starts at.
	var b [6]float64
	pl := &s.pl
	Y := float64(int64(y)*subpixel+subpixel/2-s.oy) / subpixel
	for k := range b {
		b[k] = pl[k].f0 + pl[k].dy*Y
	}
	X := float64(int64(xa)*subpixel+subpixel/2-s.ox) / subpixel
	for o := 0; o+3 < len(row); o, X = o+4, X+1 {
		u, v := b[0]+pl[0].dx*X, b[1]+pl[1].dx*X
		cr, cg, cb, ca := b[2]+pl[2].dx*X, b[3]+pl[3].dx*X, b[4]+pl[4].dx*X, b[5]+pl[5].dx*X
		var t [4]float64
		if r.level > 0 {
			t = r.mipBilinear(u, v)
		} else if r.linear {
			fu, fv := math.Floor(u-0.5), math.Floor(v-0.5)
			wu, wv := u-0.5-fu, v-0.5-fv
			x0, x1 := r.texel(fu, aw)*4, r.texel(fu+1, aw)*4
			y0, y1 := r.texel(fv, ah)*a.Stride, r.texel(fv+1, ah)*a.Stride
			for c := range 4 {
				top := float64(a.Pix[y0+x0+c])*(1-wu) + float64(a.Pix[y0+x1+c])*wu
				bot := float64(a.Pix[y1+x0+c])*(1-wu) + float64(a.Pix[y1+x1+c])*wu
				t[c] = top*(1-wv) + bot*wv
			}
		} else {
			k := r.texel(v, ah)*a.Stride + r.texel(u, aw)*4
			px := a.Pix[k : k+4 : k+4]
			t = [4]float64{float64(px[0]), float64(px[1]), float64(px[2]), float64(px[3])}
		}
		if t[3] != 0 || t[0] != 0 || t[1] != 0 || t[2] != 0 { // else dst stays
			p, k := row[o:o+4:o+4], 1-t[3]*ca/255
			p[0], p[1] = to8(t[0]*cr+float64(p[0])*k), to8(t[1]*cg+float64(p[1])*k)
			p[2], p[3] = to8(t[2]*cb+float64(p[2])*k), to8(t[3]*ca+float64(p[3])*k)
		}
	}
}

// blendFlat blends premultiplied src (0-255) over every pixel of row:
// through lut, the result for each value of a channel, if not nil (big
// triangles), or computed pixel by pixel.
func blendFlat(row []byte, src *[4]float64, lut *[4][256]uint8) {
	k := 1 - src[3]/255
	switch {
	case k == 0:
		px := [4]byte{to8(src[0]), to8(src[1]), to8(src[2]), to8(src[3])}
		for o := 0; o+3 < len(row); o += 4 {
			copy(row[o:o+4:o+4], px[:])
		}
	case lut != nil:
		for o := 0; o+3 < len(row); o += 4 {
			p := row[o : o+4 : o+4]
			p[0], p[1], p[2], p[3] = lut[0][p[0]], lut[1][p[1]], lut[2][p[2]], lut[3][p[3]]
		}
	default:
		for o := 0; o+3 < len(row); o += 4 {
			p := row[o : o+4 : o+4]
			p[0], p[1] = to8(src[0]+float64(p[0])*k), to8(src[1]+float64(p[1])*k)
			p[2], p[3] = to8(src[2]+float64(p[2])*k), to8(src[3]+float64(p[3])*k)
		}
	}
}

// fillLUT fills lut with what blending src over each channel value gives.
func fillLUT(lut *[4][256]uint8, src *[4]float64) {
	k := 1 - src[3]/255
	for c := range 4 {
		for d := range 256 {
			lut[c][d] = to8(src[c] + float64(d)*k)
		}
	}
}

// to8 rounds a channel (0-255) to 8 bits, clamped as a GPU stores it.
func to8(x float64) uint8 {
	if !(x > 0) {
		return 0
	}
	if x >= 255 {
		return 255
	}
	return uint8(x + 0.5)
}
