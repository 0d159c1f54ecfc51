package scene

// AppendShapes appends shapes [from, to) of o to b, in o's order and
// sampled as in o. The page draws a frame in two parts on a software
// renderer (Frame.Still): what moves on ebiten's canvas, what stays on a
// plane above it, each part a batch of its own.
func (b *Batch) AppendShapes(o *Batch, from, to int) {
	from, to = max(from, 0), min(to, o.Shapes())
	if from >= to {
		return
	}
	chunks := o.Chunks()
	c := 0
	for i := from; i < to; i++ {
		for c < len(chunks)-1 && int(o.starts[i].v) >= chunks[c].V1 {
			c++
		}
		f := filterNearest
		if chunks[c].Linear {
			f = filterLinear
		}
		v, ix, base := o.shape(i)
		at := b.room(len(v), f)
		b.Vertices = append(b.Vertices, v...)
		for _, x := range ix {
			b.Indices = append(b.Indices, at+x-base)
		}
	}
}
