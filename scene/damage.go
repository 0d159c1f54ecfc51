package scene

import (
	"math"
	"slices"
	"unsafe"
)

// The page keeps the panel (Frame.Panel) in an image. Its values, chart
// columns and texts change a few at a time while the rest stays, so
// rather than drawing the whole batch again when anything changed, the
// page redraws only the boxes where the two batches differ: each box is
// cleared and every shape of the new batch that reaches into it drawn
// again, clipped to it (Batch.Clip). A pixel outside every box is covered
// by the same shapes, in the same order, as in the last frame, so it is
// unchanged: the image is the same as if it had been drawn whole.

// Box is a rectangle of whole pixels, {x0, y0, x1, y1}.
type Box [4]float32

func (r Box) meets(o Box) bool { return r[0] < o[2] && o[0] < r[2] && r[1] < o[3] && o[1] < r[3] }

func (r Box) area() float32 { return (r[2] - r[0]) * (r[3] - r[1]) }

func (r Box) union(o Box) Box {
	return Box{min(r[0], o[0]), min(r[1], o[1]), max(r[2], o[2]), max(r[3], o[3])}
}

// Damage finds where a batch differs from the one it saw last. It keeps
// its memory between calls: a steady frame allocates nothing.
type Damage struct {
	// MaxBoxes is how many boxes are redrawn one by one (0:
	// maxDamageBoxes); past it the whole image is drawn again.
	MaxBoxes  int
	last      Batch  // the batch of the last call
	lin, clin []bool // whether each shape of last, cur samples linearly
	boxes     []Box
	seen      bool
}

// maxDamageBoxes is how many boxes are redrawn one by one; past it, or
// past half the image, the whole image is drawn again.
const maxDamageBoxes = 24

// Next returns the boxes (whole pixels, within bounds) where cur draws
// differently from the batch of the last call, or full when drawing all
// of cur again is as cheap (and on the first call). The boxes are reused
// by the next call.
func (d *Damage) Next(cur *Batch, bounds Box) (boxes []Box, full bool) {
	d.boxes = d.boxes[:0]
	if d.seen && sameBits(d.last.Vertices, cur.Vertices) && sameBits(d.last.Indices, cur.Indices) && sameBits(d.last.starts, cur.starts) {
		return d.boxes, false // the same shapes as last time (most frames, and every paused one)
	}
	full = !d.seen || d.diff(cur, bounds)
	d.seen = true
	d.last.CopyFrom(cur)
	if full {
		return nil, true
	}
	return d.boxes, false
}

// sameBits reports whether a and b hold the same bytes: the same
// vertices draw the same pixels (memory compared at once is several times
// faster than field by field).
func sameBits[T any](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	n := len(a) * int(unsafe.Sizeof(a[0]))
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), n)) == string(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), n))
}

// Forget makes the next call draw everything (the image was lost).
func (d *Damage) Forget() { d.seen = false }

// diffWindow is how far diff looks ahead for a shape that did not move
// when the next ones differ: how many shapes may come or go at one place
// (a node leaving the still part of the frame, a number growing a digit)
// and still be told apart from a change of everything after.
const diffWindow = 32

// diff fills d.boxes with where cur differs from d.last, and reports
// whether that is most of the image. It matches the shapes of cur to
// equal ones of last in order, walking both: shapes mostly stay, a few
// come, go or change in place. An equal shape found out of order counts
// as a change: every pixel outside the boxes is then covered by the same
// shapes, in the same order, as in the last frame.
func (d *Damage) diff(cur *Batch, bounds Box) (full bool) {
	prev := &d.last
	d.lin = prev.linearShapes(d.lin)
	d.clin = cur.linearShapes(d.clin)
	same := func(j, i int) bool { return d.lin[j] == d.clin[i] && sameShape(prev, j, cur, i) }
	n, m := prev.Shapes(), cur.Shapes()
	most := d.MaxBoxes
	if most <= 0 {
		most = maxDamageBoxes
	}
	i, j := 0, 0
	for i < m && j < n {
		if same(j, i) {
			i, j = i+1, j+1
			continue
		}
		gone, came := 0, 0 // shapes of last gone here, of cur come here
		for k := 1; k <= diffWindow && gone == 0 && came == 0; k++ {
			if j+k < n && same(j+k, i) {
				gone = k
			} else if i+k < m && same(j, i+k) {
				came = k
			}
		}
		switch {
		case gone > 0:
			for ; gone > 0; gone, j = gone-1, j+1 {
				d.add(prev.shapeBox(j), bounds)
			}
		case came > 0:
			for ; came > 0; came, i = came-1, i+1 {
				d.add(cur.shapeBox(i), bounds)
			}
		default: // changed in place
			d.add(cur.shapeBox(i), bounds)
			d.add(prev.shapeBox(j), bounds)
			i, j = i+1, j+1
		}
		if len(d.boxes) > 8*most {
			return true // not worth joining
		}
	}
	for ; i < m; i++ {
		d.add(cur.shapeBox(i), bounds)
	}
	for ; j < n; j++ {
		d.add(prev.shapeBox(j), bounds)
	}
	if len(d.boxes) > 8*most {
		return true
	}
	d.merge()
	area := float32(0)
	for _, b := range d.boxes {
		area += b.area()
	}
	return len(d.boxes) > most || area > bounds.area()/2
}

// add notes box b, rounded out to whole pixels and cut to bounds.
func (d *Damage) add(b, bounds Box) {
	b = Box{float32(math.Floor(float64(b[0]))), float32(math.Floor(float64(b[1]))),
		float32(math.Ceil(float64(b[2]))), float32(math.Ceil(float64(b[3])))}
	b = Box{max(b[0], bounds[0]), max(b[1], bounds[1]), min(b[2], bounds[2]), min(b[3], bounds[3])}
	if b[2] <= b[0] || b[3] <= b[1] {
		return
	}
	d.boxes = append(d.boxes, b)
}

// merge joins boxes that overlap, until none does: each pixel is then
// redrawn once. Boxes whose union is hardly bigger than the two (the
// digits of one number, side by side) are joined too: the shapes under
// them (the card, a row's label) are cut and drawn once, not per digit.
func (d *Damage) merge() {
	for joined := true; joined; {
		joined = false
		for i := 0; i < len(d.boxes); i++ {
			for j := i + 1; j < len(d.boxes); j++ {
				a, b := d.boxes[i], d.boxes[j]
				if u := a.union(b); a.meets(b) || u.area() <= (a.area()+b.area())*9/8 {
					d.boxes[i] = u
					d.boxes = slices.Delete(d.boxes, j, j+1)
					joined = true
					j--
				}
			}
		}
	}
}

// shape returns the vertices and indices of shape i, the indices relative
// to its first vertex, and whether its chunk samples linearly.
func (b *Batch) shape(i int) (v []Vertex, ix []uint16, base uint16) {
	s := b.starts[i]
	ve, ie := len(b.Vertices), len(b.Indices)
	if i+1 < len(b.starts) {
		ve, ie = int(b.starts[i+1].v), int(b.starts[i+1].i)
	}
	ix = b.Indices[s.i:ie]
	if len(ix) > 0 {
		base = slices.Min(ix)
	}
	return b.Vertices[s.v:ve], ix, base
}

func (b *Batch) shapeBox(i int) Box {
	v, _, _ := b.shape(i)
	box := Box{float32(math.Inf(1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Inf(-1))}
	for _, p := range v {
		box = Box{min(box[0], p.DstX), min(box[1], p.DstY), max(box[2], p.DstX), max(box[3], p.DstY)}
	}
	return box
}

// linearShapes lists, for each shape, whether its run samples linearly.
func (b *Batch) linearShapes(out []bool) []bool {
	out = out[:0]
	chunks := b.Chunks()
	c := 0
	for _, st := range b.starts {
		for c < len(chunks)-1 && int(st.v) >= chunks[c].V1 {
			c++
		}
		out = append(out, len(chunks) > 0 && chunks[c].Linear)
	}
	return out
}

// sameShape reports whether shape i of a and shape j of b have the same
// vertices and indices.
func sameShape(a *Batch, i int, b *Batch, j int) bool {
	va, ia, ba := a.shape(i)
	vb, ib, bb := b.shape(j)
	if !sameBits(va, vb) || len(ia) != len(ib) {
		return false
	}
	for k := range ia {
		if ia[k]-ba != ib[k]-bb {
			return false
		}
	}
	return true
}

// Clip fills dst with the shapes of b cut to boxes, in b's order: each
// shape reaching into a box is cut along the box's edges (its outline
// clipped, atlas coordinates and colours interpolated), so that drawing
// dst onto the whole image, in one DrawTriangles call per run and with no
// scissor, draws exactly the pixels of the boxes that b draws. The boxes
// must not overlap (Damage's don't): a pixel in two would be drawn twice.
// Each piece is sampled as its shape is in b.
func (b *Batch) Clip(boxes []Box, dst *Batch) {
	dst.Reset()
	chunks := b.Chunks()
	c := 0
	for i := 0; i < b.Shapes(); i++ {
		sb := b.shapeBox(i)
		for c < len(chunks)-1 && int(b.starts[i].v) >= chunks[c].V1 {
			c++
		}
		f := filterNearest
		if chunks[c].Linear {
			f = filterLinear
		}
		for _, r := range boxes {
			if !sb.meets(r) {
				continue
			}
			v, ix, base := b.shape(i)
			if sb[0] >= r[0] && sb[1] >= r[1] && sb[2] <= r[2] && sb[3] <= r[3] {
				at := dst.room(len(v), f)
				dst.Vertices = append(dst.Vertices, v...)
				for _, x := range ix {
					dst.Indices = append(dst.Indices, at+x-base)
				}
				continue
			}
			dst.cut(v, ix, base, r, f)
		}
	}
}

// maxOutline is the most corners of a shape cut as one polygon: an
// octagon, cut by a box's four edges.
const maxOutline = 8

// cut adds the part of shape (v, ix) inside box r as one shape of b. The
// batch's shapes are convex polygons (quads, triangles, octagons fanned
// from their first corner) whose atlas coordinates and colours vary
// linearly across them: the polygon is cut whole, and the piece fanned
// from its first corner, so no new edge inside it can leave a pixel out
// or take one twice. Other shapes are cut triangle by triangle, a shape
// of b each.
func (b *Batch) cut(v []Vertex, ix []uint16, base uint16, r Box, f filter) {
	var corners [maxOutline]uint16
	outline, ok := convexOutline(ix, base, len(v), corners[:0])
	var poly, tmp [maxOutline + 4]Vertex
	emit := func(p []Vertex) {
		if len(p) < 3 {
			return
		}
		at := b.room(len(p), f)
		b.Vertices = append(b.Vertices, p...)
		for k := uint16(1); k+1 < uint16(len(p)); k++ {
			b.Indices = append(b.Indices, at, at+k, at+k+1)
		}
	}
	if ok {
		p := poly[:0]
		for _, k := range outline {
			p = append(p, v[k])
		}
		emit(clipPolygon(p, tmp[:0], r))
		return
	}
	for t := 0; t+2 < len(ix); t += 3 {
		p := append(poly[:0], v[ix[t]-base], v[ix[t+1]-base], v[ix[t+2]-base])
		emit(clipPolygon(p, tmp[:0], r))
	}
}

// convexOutline returns the corners, in order around it, of the shape
// whose indices (relative to base) are ix and vertices nv, when it is one
// of the batch's convex polygons: a triangle, a quad (Batch.quad's two
// triangles) or a fan from its first vertex (Batch.Octagon).
func convexOutline(ix []uint16, base uint16, nv int, out []uint16) ([]uint16, bool) {
	at := func(k int) uint16 { return ix[k] - base }
	switch {
	case nv > maxOutline || len(ix) != 3*(nv-2):
		return out, false
	case nv == 4 && at(0) == 0 && at(1) == 1 && at(2) == 2 && at(3) == 1 && at(4) == 3 && at(5) == 2:
		return append(out, 0, 1, 3, 2), true
	}
	for t := 0; t < nv-2; t++ {
		if at(3*t) != 0 || at(3*t+1) != uint16(t+1) || at(3*t+2) != uint16(t+2) {
			return out, false
		}
	}
	for k := 0; k < nv; k++ {
		out = append(out, uint16(k))
	}
	return out, true
}

// clipPolygon cuts convex polygon p to box r (Sutherland-Hodgman, one
// edge of the box at a time), using tmp as room; it returns the piece,
// which may be p's or tmp's memory. A new corner lies exactly on the
// box's edge; along an edge of p that is level with an axis, its other
// coordinate is exactly the edge's (a + t(b-a) with a = b), so a pixel
// whose centre is on such an edge is covered as it was.
func clipPolygon(p, tmp []Vertex, r Box) []Vertex {
	for e := 0; e < 4 && len(p) > 0; e++ {
		axis, edge, keepAbove := e&1, r[e], e < 2 // x0, y0, x1, y1
		out := tmp[:0]
		for k := range p {
			a, z := &p[k], &p[(k+1)%len(p)]
			ca, cz := coord(a, axis), coord(z, axis)
			ina, inz := onBoxSide(ca, edge, keepAbove), onBoxSide(cz, edge, keepAbove)
			if ina {
				out = append(out, *a)
			}
			if ina != inz {
				out = append(out, cross(a, z, (edge-ca)/(cz-ca), axis, edge))
			}
		}
		p, tmp = out, p[:0]
	}
	return p
}

// onBoxSide reports whether c is on the box's side of its edge at edge.
func onBoxSide(c, edge float32, above bool) bool {
	if above {
		return c >= edge
	}
	return c <= edge
}

func coord(v *Vertex, axis int) float32 {
	if axis == 0 {
		return v.DstX
	}
	return v.DstY
}

// cross is the point at t from a to z, on the line axis = edge.
func cross(a, z *Vertex, t float32, axis int, edge float32) Vertex {
	l := func(p, q float32) float32 { return p + t*(q-p) }
	v := Vertex{
		DstX: l(a.DstX, z.DstX), DstY: l(a.DstY, z.DstY), SrcX: l(a.SrcX, z.SrcX), SrcY: l(a.SrcY, z.SrcY),
		ColorR: l(a.ColorR, z.ColorR), ColorG: l(a.ColorG, z.ColorG), ColorB: l(a.ColorB, z.ColorB), ColorA: l(a.ColorA, z.ColorA),
		Custom0: l(a.Custom0, z.Custom0), Custom1: l(a.Custom1, z.Custom1), Custom2: l(a.Custom2, z.Custom2), Custom3: l(a.Custom3, z.Custom3),
	}
	if axis == 0 {
		v.DstX = edge
	} else {
		v.DstY = edge
	}
	return v
}

// CopyFrom makes b a copy of o, reusing b's memory.
func (b *Batch) CopyFrom(o *Batch) {
	b.Vertices = append(b.Vertices[:0], o.Vertices...)
	b.Indices = append(b.Indices[:0], o.Indices...)
	b.chunks = append(b.chunks[:0], o.chunks...)
	b.starts = append(b.starts[:0], o.starts...)
	b.base, b.ibase, b.cur, b.shapes = o.base, o.ibase, o.cur, o.shapes
}
