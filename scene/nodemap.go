package scene

import "math"

// MapBudget is how many pixel visits of building the node layer's map one
// frame may do. Building a whole map at once took 40-70 ms in the browser
// at 1,000-10,000 nodes (its code runs unoptimized the first time), one
// frame's stutter on every load, resize, cut, heal or join; in slices of
// this budget it takes a few frames of a few ms, the nodes drawn as quads
// meanwhile.
const MapBudget = 400_000

// mapBuild is the node map being built, a slice per frame: first every
// node claims the pixels of its disc of reach that no earlier node is
// nearer to (a row at a time, only the span inside the disc), then every
// pixel is written once with its owner and its distance.
type mapBuild struct {
	active   bool
	px       []float32 // the nodes' positions, relative to the map's corner
	n        int
	r2       float32 // reach squared
	next     int     // next node to claim its pixels
	row      int     // next row to write
	dist     []float32
	owner    []uint16
	key      mapKey
	Visits   int // pixel visits so far, for tests
	finished mapKey
}

// mapKey says what a map was built for.
type mapKey struct {
	gen   uint64
	r     float32
	valid bool
}

// startBuild begins a map for nodes at px (device px) with radius r, each
// to own the pixels within reach of its centre that are nearer to it than
// to any other node, clipped to the sw x sh screen. The map becomes
// current (MapGen changes) when buildStep finishes it.
func (l *NodeLayer) startBuild(key mapKey, px []float32, n int, r, reach, sw, sh float32) {
	b := &l.mb
	b.active, b.key, b.n, b.next, b.row, b.Visits = true, key, n, 0, 0, 0
	l.Radius, l.Reach = r, reach
	if n == 0 {
		l.W, l.H = 0, 0
		return
	}
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for i := 0; i < n; i++ {
		x, y := px[2*i], px[2*i+1]
		minX, maxX = min(minX, x), max(maxX, x)
		minY, maxY = min(minY, y), max(maxY, y)
	}
	x0 := int(math.Floor(float64(max(0, minX-reach-1))))
	y0 := int(math.Floor(float64(max(0, minY-reach-1))))
	x1 := int(math.Ceil(float64(min(sw, maxX+reach+1))))
	y1 := int(math.Ceil(float64(min(sh, maxY+reach+1))))
	l.X, l.Y, l.W, l.H = x0, y0, max(x1-x0, 1), max(y1-y0, 1)
	l.hull(px, n, (minX+maxX)/2, (minY+maxY)/2, reach)
	b.px = grow(b.px, 2*n)
	for i := 0; i < n; i++ {
		b.px[2*i], b.px[2*i+1] = px[2*i]-float32(x0), px[2*i+1]-float32(y0)
	}
	size := l.W * l.H
	if cap(l.Map) < size*4 {
		l.Map = make([]byte, size*4)
	}
	l.Map = l.Map[:size*4]
	if cap(b.dist) < size {
		b.dist = make([]float32, size)
		b.owner = make([]uint16, size)
	}
	b.dist, b.owner = b.dist[:size], b.owner[:size]
	b.r2 = reach * reach
	for i := range b.dist {
		b.dist[i] = b.r2 // squared distances: no square root for pixels another node wins
	}
}

// hull sets l.Hull: the octagon around the circle about (cx, cy) that
// holds every node's cell (its centre's distance from there plus reach,
// and a pixel to spare), cut to the map's box.
func (l *NodeLayer) hull(px []float32, n int, cx, cy, reach float32) {
	far := float32(0)
	for i := 0; i < n; i++ {
		dx, dy := px[2*i]-cx, px[2*i+1]-cy
		far = max(far, dx*dx+dy*dy)
	}
	rho := float32(math.Sqrt(float64(far))) + reach + 1.5
	// An octagon's sides lie at rho from its centre, its corners at
	// rho/cos(22.5°), at 22.5° + k·45°.
	corner := rho / float32(math.Cos(math.Pi/8))
	var oct [8]Vertex
	for k := range oct {
		a := math.Pi/8 + float64(k)*math.Pi/4
		x, y := cx+corner*float32(math.Cos(a)), cy+corner*float32(math.Sin(a))
		oct[k] = Vertex{DstX: x, DstY: y, SrcX: x - float32(l.X), SrcY: y - float32(l.Y), ColorR: 1, ColorG: 1, ColorB: 1, ColorA: 1}
	}
	box := Box{float32(l.X), float32(l.Y), float32(l.X + l.W), float32(l.Y + l.H)}
	var tmp [16]Vertex
	l.Hull = append(l.Hull[:0], clipPolygon(oct[:], tmp[:0], box)...)
}

// buildStep does about budget pixel visits of the build in progress and
// reports whether the map is done.
func (l *NodeLayer) buildStep(budget int) bool {
	b := &l.mb
	if !b.active {
		return true
	}
	spent := 0
	reach := l.Reach
	for ; b.next < b.n && spent < budget; b.next++ {
		i := b.next
		cx, cy := b.px[2*i], b.px[2*i+1]
		ya, yb := max(0, int(cy-reach)), min(l.H-1, int(cy+reach)+1)
		for y := ya; y <= yb; y++ {
			dy := float32(y) + 0.5 - cy
			room := b.r2 - dy*dy
			if room <= 0 {
				continue
			}
			half := float32(math.Sqrt(float64(room)))
			xa, xb := max(0, int(cx-half-0.5)), min(l.W-1, int(cx+half+0.5))
			if xa > xb {
				continue
			}
			row := y * l.W
			dist, owner := b.dist[row+xa:row+xb+1], b.owner[row+xa:row+xb+1]
			owner = owner[:len(dist)]
			dx := float32(xa) + 0.5 - cx
			dy2 := dy * dy
			for j := range dist {
				if d2 := dx*dx + dy2; d2 < dist[j] {
					dist[j] = d2
					owner[j] = uint16(i)
				}
				dx++
			}
			spent += len(dist) + 8 // a row's own cost too: 10,000 small discs are mostly rows
		}
	}
	// Then every pixel once: its owner and its distance.
	m := l.Map
	inv := 255 / max(reach, 1e-6)
	for ; b.row < l.H && b.next >= b.n && spent < budget && b.n > 0; b.row++ {
		o0 := b.row * l.W
		dist, owner := b.dist[o0:o0+l.W], b.owner[o0:o0+l.W]
		owner = owner[:len(dist)]
		out := m[4*o0 : 4*(o0+l.W)]
		for j, d2 := range dist {
			px := out[4*j : 4*j+4 : 4*j+4]
			if d2 >= b.r2 {
				px[0], px[1], px[2], px[3] = 0, 0, 0, 0
				continue
			}
			id := owner[j]
			px[0], px[1] = byte(id), byte(id>>8)
			px[2] = byte(float32(math.Sqrt(float64(d2)))*inv + 0.5)
			px[3] = 255
		}
		spent += l.W
	}
	b.Visits += spent
	if b.next < b.n || b.row < l.H && b.n > 0 {
		return false
	}
	b.active = false
	b.finished = b.key
	l.MapGen++
	return true
}

// build builds a whole map at once.
func (l *NodeLayer) build(px []float32, n int, r, reach, sw, sh float32) {
	l.startBuild(mapKey{}, px, n, r, reach, sw, sh)
	for !l.buildStep(math.MaxInt) {
	}
}
