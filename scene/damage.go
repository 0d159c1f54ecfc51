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
	last      Batch   // the batch of the last call
	keys      []keyed // last's shapes by hash, then by order
	next      []keyed
	used      []bool
	lin, clin []bool // whether each shape of last, cur samples linearly
	boxes     []Box
	seen      bool
}

type keyed struct {
	h uint64
	i int32
}

func cmpKeyed(a, b keyed) int {
	switch {
	case a.h < b.h:
		return -1
	case a.h > b.h:
		return 1
	}
	return int(a.i - b.i)
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
		// The same shapes as last time (most frames, and every paused
		// one): d.keys, last's shapes by hash, are cur's too.
		return d.boxes, false
	}
	d.next = d.next[:0]
	for i := 0; i < cur.Shapes(); i++ {
		d.next = append(d.next, keyed{shapeHash(cur, i), int32(i)})
	}
	if !d.seen || !sameBits(d.last.Vertices, cur.Vertices) || !sameBits(d.last.Indices, cur.Indices) {
		full = d.diff(cur, bounds)
	}
	full = full || !d.seen
	d.seen = true
	d.last.CopyFrom(cur)
	slices.SortFunc(d.next, cmpKeyed)
	d.keys, d.next = d.next, d.keys
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

// diff fills d.boxes with where cur differs from d.last, and reports
// whether that is most of the image.
func (d *Damage) diff(cur *Batch, bounds Box) (full bool) {
	prev := &d.last
	n := prev.Shapes()
	if cap(d.used) < n {
		d.used = make([]bool, n)
	}
	d.used = d.used[:n]
	clear(d.used)
	d.lin = prev.linearShapes(d.lin)
	d.clin = cur.linearShapes(d.clin)
	// Match each shape of cur to an equal one of prev, in order: an equal
	// shape drawn out of order (over a shape it was under) is a change.
	last := int32(-1)
	for i := 0; i < cur.Shapes(); i++ {
		h := d.next[i].h
		match := int32(-1)
		k, _ := slices.BinarySearchFunc(d.keys, keyed{h, -1}, cmpKeyed)
		for ; k < len(d.keys) && d.keys[k].h == h; k++ {
			j := d.keys[k].i
			if !d.used[j] && j > last && d.lin[j] == d.clin[i] && sameShape(prev, int(j), cur, i) {
				match = j
				break
			}
		}
		if match < 0 {
			d.add(cur.shapeBox(i), bounds)
			continue
		}
		d.used[match] = true
		last = match
	}
	for j, u := range d.used {
		if !u {
			d.add(prev.shapeBox(j), bounds)
		}
	}
	d.merge()
	area := float32(0)
	for _, b := range d.boxes {
		area += b.area()
	}
	return len(d.boxes) > maxDamageBoxes || area > bounds.area()/2
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
// redrawn once.
func (d *Damage) merge() {
	for joined := true; joined; {
		joined = false
		for i := 0; i < len(d.boxes); i++ {
			for j := i + 1; j < len(d.boxes); j++ {
				if d.boxes[i].meets(d.boxes[j]) {
					d.boxes[i] = d.boxes[i].union(d.boxes[j])
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

// shapeHash mixes the bits of a shape's vertices and its index count: a
// filter before sameShape compares them.
func shapeHash(b *Batch, i int) uint64 {
	v, ix, _ := b.shape(i)
	h := uint64(len(ix)) * 0x9e3779b97f4a7c15
	if len(v) > 0 {
		w := unsafe.Slice((*uint32)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])/4))
		for _, x := range w {
			h = (h ^ uint64(x)) * 0x100000001b3
			h ^= h >> 29
		}
	}
	return h
}

// sameShape reports whether shape i of a and shape j of b have the same
// vertices and indices.
func sameShape(a *Batch, i int, b *Batch, j int) bool {
	va, ia, ba := a.shape(i)
	vb, ib, bb := b.shape(j)
	if !slices.Equal(va, vb) || len(ia) != len(ib) {
		return false
	}
	for k := range ia {
		if ia[k]-ba != ib[k]-bb {
			return false
		}
	}
	return true
}

// Clip fills dst with the shapes of b whose box meets r, in order, each
// sampled as it is in b.
func (b *Batch) Clip(r Box, dst *Batch) {
	dst.Reset()
	chunks := b.Chunks()
	c := 0
	for i := 0; i < b.Shapes(); i++ {
		if !b.shapeBox(i).meets(r) {
			continue
		}
		v, ix, base := b.shape(i)
		for c < len(chunks)-1 && int(b.starts[i].v) >= chunks[c].V1 {
			c++
		}
		f := filterNearest
		if chunks[c].Linear {
			f = filterLinear
		}
		at := dst.room(len(v), f)
		dst.Vertices = append(dst.Vertices, v...)
		for _, x := range ix {
			dst.Indices = append(dst.Indices, at+x-base)
		}
	}
}

// CopyFrom makes b a copy of o, reusing b's memory.
func (b *Batch) CopyFrom(o *Batch) {
	b.Vertices = append(b.Vertices[:0], o.Vertices...)
	b.Indices = append(b.Indices[:0], o.Indices...)
	b.chunks = append(b.chunks[:0], o.chunks...)
	b.starts = append(b.starts[:0], o.starts...)
	b.base, b.ibase, b.cur, b.shapes = o.base, o.ibase, o.cur, o.shapes
}
