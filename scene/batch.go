package scene

import (
	"image/color"
	"math"
)

// Vertex has exactly the fields, types and order of ebiten.Vertex, so the
// renderer can hand a []Vertex to DrawTriangles without copying (the wasm
// package checks the two stay convertible at compile time).
type Vertex struct {
	DstX, DstY                     float32
	SrcX, SrcY                     float32
	ColorR, ColorG, ColorB, ColorA float32
	Custom0, Custom1, Custom2      float32
	Custom3                        float32
}

// MaxChunkVertices is how many vertices one DrawTriangles call can address:
// its indices are uint16.
const MaxChunkVertices = 1 << 16

// Color is a straight-alpha colour in [0, 1].
type Color struct{ R, G, B, A float32 }

// Alpha returns c with its alpha scaled by a.
func (c Color) Alpha(a float32) Color { c.A *= a; return c }

// Mix returns c moved towards o by f in [0, 1].
func (c Color) Mix(o Color, f float32) Color {
	return Color{c.R + (o.R-c.R)*f, c.G + (o.G-c.G)*f, c.B + (o.B-c.B)*f, c.A + (o.A-c.A)*f}
}

// RGBA converts to a premultiplied Go colour.
func (c Color) RGBA() color.RGBA {
	f := func(v float32) uint8 { return uint8(math.Round(float64(clamp01(v) * 255))) }
	a := clamp01(c.A)
	return color.RGBA{f(c.R * a), f(c.G * a), f(c.B * a), f(a)}
}

func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

func hex(v uint32) Color {
	return Color{float32(v>>16&255) / 255, float32(v>>8&255) / 255, float32(v&255) / 255, 1}
}

// Chunk is a run of a Batch that one DrawTriangles call draws: vertices
// [V0, V1) and indices [I0, I1), the indices relative to V0. Linear says
// the run needs linear filtering (scaled sprites); otherwise nearest
// sampling draws it identically for a quarter of the texture reads, which
// is most of a software renderer's time on the big shapes.
type Chunk struct {
	V0, V1, I0, I1 int
	Linear         bool
}

// filter is the sampling a shape needs.
type filter uint8

const (
	filterAny     filter = iota // same either way: solid colour, glyphs at whole pixels
	filterNearest               // big and flat: keep it out of a linear run
	filterLinear                // a scaled sprite: smooth edges need it
)

// bigRect is the area (px) from which a rectangle asks for a nearest run
// of its own rather than joining a linear one.
const bigRect = 64 * 64

// Batch collects textured shapes on the Atlas for DrawTriangles: quads
// (4 vertices, 6 indices) for rectangles, lines, glyphs and big sprites, and
// single triangles (3 vertices, 3 indices) for the small round sprites that
// come by the thousand (packets, glows). It keeps its memory between frames:
// Reset and refill, no allocation once warmed up.
type Batch struct {
	Vertices []Vertex
	Indices  []uint16
	chunks   []Chunk // closed chunks
	out      []Chunk
	base     int    // first vertex of the open chunk
	ibase    int    // first index of the open chunk
	cur      filter // what the open chunk's shapes need
	shapes   int
	starts   []shapeAt // where each shape begins
}

// shapeAt is where a shape's vertices and indices begin in its batch.
type shapeAt struct{ v, i int32 }

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() {
	b.Vertices, b.Indices, b.chunks, b.starts = b.Vertices[:0], b.Indices[:0], b.chunks[:0], b.starts[:0]
	b.base, b.ibase, b.shapes, b.cur = 0, 0, 0, filterAny
}

// Reserve makes room for quads more quads and tris more triangles without
// reallocating. Appending thousands of shapes one by one grows the slices
// by a quarter at a time past a few hundred, which allocated five times
// their final size in the first frame of a big cluster.
func (b *Batch) Reserve(quads, tris int) {
	nv, ni := 4*quads+3*tris, 6*quads+3*tris
	if len(b.Vertices)+nv > cap(b.Vertices) {
		v := make([]Vertex, len(b.Vertices), len(b.Vertices)+nv+nv/8)
		copy(v, b.Vertices)
		b.Vertices = v
	}
	if len(b.Indices)+ni > cap(b.Indices) {
		ix := make([]uint16, len(b.Indices), len(b.Indices)+ni+ni/8)
		copy(ix, b.Indices)
		b.Indices = ix
	}
}

// Shapes returns the number of quads and triangles in the batch.
func (b *Batch) Shapes() int { return b.shapes }

// Bounds returns the smallest box (x0, y0, x1, y1) holding every vertex
// of the batch, hence every pixel it draws; ok is false when it is empty.
func (b *Batch) Bounds() (box [4]float32, ok bool) {
	if len(b.Vertices) == 0 {
		return box, false
	}
	v := &b.Vertices[0]
	box = [4]float32{v.DstX, v.DstY, v.DstX, v.DstY}
	for i := range b.Vertices {
		v := &b.Vertices[i]
		box[0], box[1] = min(box[0], v.DstX), min(box[1], v.DstY)
		box[2], box[3] = max(box[2], v.DstX), max(box[3], v.DstY)
	}
	return box, true
}

// Chunks returns the batch cut into runs one DrawTriangles call each can
// take. The slice is reused by the next call.
func (b *Batch) Chunks() []Chunk {
	b.out = append(b.out[:0], b.chunks...)
	if len(b.Vertices) > b.base {
		b.out = append(b.out, Chunk{b.base, len(b.Vertices), b.ibase, len(b.Indices), b.cur == filterLinear})
	}
	return b.out
}

// room starts a new chunk if nv more vertices would not fit the open one
// or the shape needs another filter than the open one's shapes, and
// returns the index of the next vertex within its chunk.
func (b *Batch) room(nv int, f filter) uint16 {
	full := len(b.Vertices)-b.base+nv > MaxChunkVertices
	if full || f != filterAny && b.cur != filterAny && f != b.cur {
		if len(b.Vertices) > b.base {
			b.chunks = append(b.chunks, Chunk{b.base, len(b.Vertices), b.ibase, len(b.Indices), b.cur == filterLinear})
			b.base, b.ibase = len(b.Vertices), len(b.Indices)
		}
		b.cur = filterAny
	}
	if f != filterAny {
		b.cur = f
	}
	b.shapes++
	b.starts = append(b.starts, shapeAt{int32(len(b.Vertices)), int32(len(b.Indices))})
	return uint16(len(b.Vertices) - b.base)
}

// quad adds a quad given its four corners (top-left, top-right,
// bottom-left, bottom-right) and source rectangle.
func (b *Batch) quad(f filter, x0, y0, x1, y1, x2, y2, x3, y3, sx0, sy0, sx1, sy1 float32, c0, c1 Color) {
	v := b.room(4, f)
	b.Vertices = append(b.Vertices,
		Vertex{DstX: x0, DstY: y0, SrcX: sx0, SrcY: sy0, ColorR: c0.R, ColorG: c0.G, ColorB: c0.B, ColorA: c0.A},
		Vertex{DstX: x1, DstY: y1, SrcX: sx1, SrcY: sy0, ColorR: c1.R, ColorG: c1.G, ColorB: c1.B, ColorA: c1.A},
		Vertex{DstX: x2, DstY: y2, SrcX: sx0, SrcY: sy1, ColorR: c0.R, ColorG: c0.G, ColorB: c0.B, ColorA: c0.A},
		Vertex{DstX: x3, DstY: y3, SrcX: sx1, SrcY: sy1, ColorR: c1.R, ColorG: c1.G, ColorB: c1.B, ColorA: c1.A},
	)
	b.Indices = append(b.Indices, v, v+1, v+2, v+1, v+3, v+2)
}

// Sprite adds sprite s centred at (x, y) with radius r as a quad.
func (b *Batch) Sprite(s Sprite, x, y, r float32, c Color) {
	sx0, sy0, sx1, sy1 := srcRect(s)
	b.quad(filterLinear, x-r, y-r, x+r, y-r, x-r, y+r, x+r, y+r, sx0, sy0, sx1, sy1, c, c)
}

// sqrt3 is the half-width of a triangle around a unit circle.
const sqrt3 = 1.7320508

// Dot adds sprite s centred at (x, y) with radius r as one triangle around
// it: three vertices instead of a quad's four, and three indices instead of
// six, for the shapes drawn by the thousand. The atlas keeps a roomier copy
// of each round sprite so that the triangle samples only its own cell.
func (b *Batch) Dot(s Sprite, x, y, r float32, c Color) {
	cx, cy := dotCentre(s)
	const k = float32(dotScale) // atlas px per unit of r
	b.circleTriangle(filterLinear, x, y, r, cx, cy, k, c)
}

// circleTriangle adds the triangle around a circle of radius r at (x, y)
// on screen, sampling the one of radius sr at (sx, sy) in the atlas.
func (b *Batch) circleTriangle(f filter, x, y, r, sx, sy, sr float32, c Color) {
	v := b.room(3, f)
	b.Vertices = append(b.Vertices,
		Vertex{DstX: x, DstY: y - 2*r, SrcX: sx, SrcY: sy - 2*sr, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x - sqrt3*r, DstY: y + r, SrcX: sx - sqrt3*sr, SrcY: sy + sr, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x + sqrt3*r, DstY: y + r, SrcX: sx + sqrt3*sr, SrcY: sy + sr, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
	)
	b.Indices = append(b.Indices, v, v+1, v+2)
}

// DotStamp adds dot stamp d centred at (x, y), to half a pixel: the
// triangle Dot draws, copied from the stamp pixel for pixel.
func (b *Batch) DotStamp(d DotStamp, x, y float32, c Color) {
	qx, qy := math.Round(2*float64(x)), math.Round(2*float64(y))
	xi, yi := math.Floor(qx/2), math.Floor(qy/2)
	fx, fy := int(qx-2*xi), int(qy-2*yi)
	// The dot's centre on screen and in the stamp differ by whole pixels.
	dx, dy := float32(qx/2), float32(qy/2)
	sx := float32(d.X+(fx+2*fy)*d.W+d.CX) + float32(fx)/2
	sy := float32(d.Y+d.CY) + float32(fy)/2
	b.circleTriangle(filterNearest, dx, dy, d.Rho, sx, sy, d.Rho, c)
}

// cos225 is cos(22.5°): an octagon around a unit circle reaches 1/cos225.
const cos225 = 0.9238795

// Octagon adds round sprite s centred at (x, y) with radius r as an
// octagon around it (8 vertices, 6 triangles): for big sprites drawn by
// the dozen (glows), it covers 3.3 r² pixels where Dot's triangle covers
// 5.2 r² and a quad 4 r², and the pixels outside the circle are
// transparent work. Like Dot, it samples the sprite's roomier dot cell.
func (b *Batch) Octagon(s Sprite, x, y, r float32, c Color) {
	cx, cy := dotCentre(s)
	const k = float32(dotScale) // atlas px per unit of r
	v := b.room(8, filterLinear)
	for i := 0; i < 8; i++ {
		a := (float64(i) + 0.5) * math.Pi / 4
		ux, uy := float32(math.Cos(a))/cos225, float32(math.Sin(a))/cos225
		b.Vertices = append(b.Vertices, Vertex{DstX: x + ux*r, DstY: y + uy*r, SrcX: cx + ux*k, SrcY: cy + uy*k,
			ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A})
	}
	for i := uint16(1); i < 7; i++ {
		b.Indices = append(b.Indices, v, v+i, v+i+1)
	}
}

// Rect adds a solid rectangle.
func (b *Batch) Rect(x, y, w, h float32, c Color) {
	sx0, sy0, sx1, sy1 := srcRect(SpriteSolid)
	f := filterAny
	if w*h >= bigRect {
		f = filterNearest
	}
	b.quad(f, x, y, x+w, y, x, y+h, x+w, y+h, sx0, sy0, sx1, sy1, c, c)
}

// Line adds a segment of width w whose colour goes from c0 to c1.
func (b *Batch) Line(x0, y0, x1, y1, w float32, c0, c1 Color) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	sx0, sy0, sx1, sy1 := srcRect(SpriteSolid)
	b.quad(filterAny, x0+nx, y0+ny, x1+nx, y1+ny, x0-nx, y0-ny, x1-nx, y1-ny, sx0, sy0, sx1, sy1, c0, c1)
}

// DashedLine adds a dashed segment: dashes of length dash, gaps of gap.
func (b *Batch) DashedLine(x0, y0, x1, y1, w, dash, gap float32, c Color) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l == 0 || dash <= 0 {
		return
	}
	ux, uy := dx/l, dy/l
	for s := float32(0); s < l; s += dash + gap {
		e := min(s+dash, l)
		b.Line(x0+ux*s, y0+uy*s, x0+ux*e, y0+uy*e, w, c, c)
	}
}

// image adds an axis-aligned quad showing atlas rectangle (sx0, sy0)-(sx1,
// sy1) at (x, y), unscaled, x and y whole pixels: glyphs and stamps. They
// come by the hundred, and nearest sampling copies them exactly, so they
// make a nearest run of their own rather than join a linear one.
func (b *Batch) image(x, y, sx0, sy0, sx1, sy1 float32, c Color) {
	w, h := sx1-sx0, sy1-sy0
	b.quad(filterNearest, x, y, x+w, y, x, y+h, x+w, y+h, sx0, sy0, sx1, sy1, c, c)
}

// Stamp adds stamp st of ns (Atlas.stamps) centred at the pixel corner
// nearest to (x, y): the triangle around its shape, or the square in
// square cells, copied pixel for pixel (screen and atlas differ by whole
// pixels).
func (b *Batch) Stamp(st Stamp, ns NodeStamps, x, y float32, c Color) {
	x, y = float32(math.Round(float64(x))), float32(math.Round(float64(y)))
	sx, sy := float32(stampX+int(st)*ns.W+ns.CX), float32(ns.CY)
	if ns.Tri {
		b.circleTriangle(filterNearest, x, y, ns.Rho[st], sx, sy, ns.Rho[st], c)
		return
	}
	h := float32(ns.CX)
	b.image(x-h, y-h, sx-h, sy-h, sx+h, sy+h, c)
}
