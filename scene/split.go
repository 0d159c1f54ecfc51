package scene

// Split appends each shape of b to in when it lies wholly inside box, to
// out otherwise, in b's order and sampled as in b; across reports that a
// shape lies partly inside the box (across its edge). The page shows the
// panel on a plane of its own above the canvas on a software renderer:
// the shapes drawn over the panel (the chart's playhead) go onto the plane
// with it, the others stay on the canvas, and a shape across the panel's
// edge (a hover card beside it) keeps the panel on the canvas.
func (b *Batch) Split(box Box, in, out *Batch) (across bool) {
	chunks := b.Chunks()
	c := 0
	for i := 0; i < b.Shapes(); i++ {
		for c < len(chunks)-1 && int(b.starts[i].v) >= chunks[c].V1 {
			c++
		}
		f := filterNearest
		if chunks[c].Linear {
			f = filterLinear
		}
		sb := b.shapeBox(i)
		dst := out
		switch {
		case sb[0] >= box[0] && sb[1] >= box[1] && sb[2] <= box[2] && sb[3] <= box[3]:
			dst = in
		case sb.meets(box):
			across = true
		}
		v, ix, base := b.shape(i)
		at := dst.room(len(v), f)
		dst.Vertices = append(dst.Vertices, v...)
		for _, x := range ix {
			dst.Indices = append(dst.Indices, at+x-base)
		}
	}
	return across
}
