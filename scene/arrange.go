package scene

import "math"

// arrangement is where the nodes go: one disc (or ring) for the whole
// cluster, or, while the network is cut, one per side of the cut, pulled
// apart with a dashed divider between them. A change (a cut, a heal, a node
// joining) moves every node from where it was drawn to its new place over
// a short time of the stream, so scrubbing shows the same motion as
// playing, and a node that joins grows from nothing.
type arrangement struct {
	key    arrKey
	to     []float32 // target positions, device px
	from   []float32 // positions when the change began
	toR    float32   // node radius at the target
	fromR  float32
	t0     float64 // stream time of the change
	moving bool
	e      float32 // how far the nodes have come, 0..1
	placed uint64  // gen whose positions px holds at e
	gen    uint64  // bumps whenever the targets change
	sides  []side
	area   float32 // the nodes' discs, px²
	unit   []float32
}

type arrKey struct {
	n, epoch int
	geom     uint64
}

// side is one side of a cut on screen.
type side struct {
	cx, cy, r float32 // its circle
	x0, x1    float32 // its slot
	group     int     // partition group (-1: nodes in no listed group)
	count     int     // nodes present
}

// moveTime is how long (stream ms) nodes take to move to a new
// arrangement: half a round, within 300..900 ms.
func (p *Player) moveTime() float64 { return math.Max(300, math.Min(900, p.period()*0.5)) }

func ease(u float64) float32 {
	u = math.Max(0, math.Min(1, u))
	return float32(u * u * (3 - 2*u))
}

// arrange brings the node positions up to the playhead.
func (c *Composer) arrange(p *Player) {
	cur := p.cur
	n := len(cur.status)
	a := &c.arr
	key := arrKey{n, cur.arrEpoch, c.geomGen}
	dur := p.moveTime()
	if key != a.key || len(a.to) != 2*n {
		animate := key.geom == a.key.geom && a.key.n > 0 && p.now-cur.arrT < dur && len(c.px) > 0
		a.key = key
		// Start from where the nodes are drawn now; new ones from their
		// own place (they grow in).
		a.from = append(a.from[:0], c.px...)
		a.fromR = c.nodeR
		c.target(p, n)
		for len(a.from) < len(a.to) {
			a.from = append(a.from, a.to[len(a.from)])
		}
		a.from = a.from[:len(a.to)]
		if !animate || a.fromR <= 0 {
			copy(a.from, a.to)
			a.fromR = a.toR
		}
		a.t0 = cur.arrT
		a.gen++
	}
	c.ln = n
	if cap(c.px) < 2*n {
		c.px = make([]float32, 2*n, 2*n+2*n/4+16)
	}
	c.px = c.px[:2*n]
	e := ease((p.now - a.t0) / dur)
	a.moving = e < 1 && a.t0 >= 0 && p.now >= a.t0
	if !a.moving {
		e = 1
	}
	if e == 1 && a.e == 1 && a.placed == a.gen {
		return // standing still where they were: nothing to move
	}
	a.e = e
	a.placed = a.gen
	for i := range c.px {
		c.px[i] = a.from[i] + (a.to[i]-a.from[i])*e
	}
	c.nodeR = a.fromR + (a.toR-a.fromR)*e
}

// target computes the positions the nodes head for.
func (c *Composer) target(p *Player, n int) {
	a := &c.arr
	s := c.scale
	cur := p.cur
	a.to = grow(a.to, 2*n)
	a.sides = a.sides[:0]
	whole := func(r rect) (cx, cy, R float32) {
		R = min(r.w, r.h) / 2
		R -= min(R*0.09, 26*s) // room for glows at the rim
		if n <= NamesMax {
			R -= nameRoom * s // and for the names beside the nodes
		}
		return r.x + r.w/2, r.y + r.h/2, R
	}
	cx, cy, R := whole(c.disc)
	var unitR float32
	a.unit, unitR = Layout(n, a.unit)
	a.toR = max(unitR*R, 1.3*s)
	a.area = math.Pi * R * R
	if cur.groups < 2 {
		for i := 0; i < n; i++ {
			a.to[2*i] = cx + a.unit[2*i]*R
			a.to[2*i+1] = cy + a.unit[2*i+1]*R
		}
		return
	}
	// Sides: the listed groups, then nodes in none of them.
	k := cur.groups + 1
	counts := make([]int, k) // rare: only when the cut changes
	sideOf := func(i int) int {
		g := int(cur.group[i])
		if g < 0 || g >= cur.groups {
			return cur.groups
		}
		return g
	}
	for i := 0; i < n; i++ {
		if cur.status[i] != statusAbsent {
			counts[sideOf(i)]++
		}
	}
	weights := float32(0)
	for g := 0; g < k; g++ {
		if counts[g] > 0 {
			weights += float32(math.Sqrt(float64(counts[g])))
		}
	}
	gap := 34 * s
	used := 0
	for g := 0; g < k; g++ {
		if counts[g] > 0 {
			used++
		}
	}
	room := c.disc.w - gap*float32(used-1)
	x := c.disc.x
	slot := make([]int, k)
	for g := 0; g < k; g++ {
		slot[g] = -1
		if counts[g] == 0 {
			continue
		}
		w := room * float32(math.Sqrt(float64(counts[g]))) / weights
		r := rect{x, c.disc.y, w, c.disc.h - 30*s} // room for its label below
		scx, scy, sr := whole(r)
		grp := g
		if g == cur.groups {
			grp = -1
		}
		slot[g] = len(a.sides)
		a.sides = append(a.sides, side{cx: scx, cy: scy, r: sr, x0: x, x1: x + w, group: grp, count: counts[g]})
		if len(a.sides) == 1 {
			a.area = 0
		}
		a.area += math.Pi * sr * sr
		x += w + gap
	}
	// Each side's members, in index order, on their own disc or ring.
	units := make([][]float32, k)
	for g := 0; g < k; g++ {
		if counts[g] == 0 {
			continue
		}
		sd := &a.sides[slot[g]]
		var ur float32
		units[g], ur = Layout(counts[g], nil)
		a.toR = min(a.toR, max(ur*sd.r, 1.3*s))
	}
	next := make([]int, k)
	for i := 0; i < n; i++ {
		g := sideOf(i)
		sl := slot[g]
		if sl < 0 || cur.status[i] == statusAbsent {
			// Not present: parked at the centre of its side (or of the
			// screen), never drawn.
			if sl >= 0 {
				a.to[2*i], a.to[2*i+1] = a.sides[sl].cx, a.sides[sl].cy
			} else {
				a.to[2*i], a.to[2*i+1] = cx, cy
			}
			continue
		}
		sd := &a.sides[sl]
		j := next[g]
		next[g]++
		a.to[2*i] = sd.cx + units[g][2*j]*sd.r
		a.to[2*i+1] = sd.cy + units[g][2*j+1]*sd.r
	}
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n, n+n/4+16)
	}
	return b[:n]
}

// drawDividers draws a dashed line between the sides of a cut, fading in
// as the sides move apart.
func (c *Composer) drawDividers(f *Frame) {
	a := &c.arr
	if len(a.sides) < 2 {
		return
	}
	s := c.scale
	col := classColor[CutOff].Mix(ColText, 0.3).Alpha(0.75 * a.e)
	for i := 1; i < len(a.sides); i++ {
		x := (a.sides[i-1].x1 + a.sides[i].x0) / 2
		f.Under.DashedLine(x, c.disc.y+4*s, x, c.disc.y+c.disc.h-4*s, 2.5*s, 12*s, 9*s, col)
	}
}

// drawSideLabels names each side of a cut under it: how many nodes it has
// and how many of them know.
func (c *Composer) drawSideLabels(p *Player, f *Frame) {
	a := &c.arr
	if len(a.sides) < 2 || a.moving {
		return
	}
	s := c.scale
	cur := p.cur
	fs := 16 * s
	// Who knows, per side, in one pass.
	c.sideKnow = grow32(c.sideKnow, 2*(cur.groups+1))
	clear(c.sideKnow)
	for i := 0; i < c.ln; i++ {
		g := int(cur.group[i])
		if g < 0 || g >= cur.groups {
			g = cur.groups
		}
		switch c.classes[i] {
		case Informed, Stopped:
			c.sideKnow[2*g]++
			c.sideKnow[2*g+1]++
		case Uninformed, CutOff, Suspect:
			c.sideKnow[2*g+1]++
		}
	}
	for si := range a.sides {
		sd := &a.sides[si]
		g := sd.group
		if g < 0 {
			g = cur.groups
		}
		know, alive := int(c.sideKnow[2*g]), int(c.sideKnow[2*g+1])
		col := ColDim
		if know == 0 && alive > 0 {
			col = classColor[CutOff].Mix(ColText, 0.35)
		}
		txt := c.texts.get(slotSide+2*si, int64(know), int64(alive), int64(sd.group), func() string {
			name := SideName(sd.group)
			if know == 0 && alive > 0 {
				return name + ": " + Thousands(alive) + " cut off from the news"
			}
			return name + ": " + Thousands(know) + " of " + Thousands(alive) + " know"
		})
		// Fit the slot: smaller type, then a shorter line.
		room := sd.x1 - sd.x0
		size := fs
		if w := c.glyphs.Measure(txt, size, true); w > room {
			// In eighths of the full size: a size per count would rasterize
			// the label's glyphs anew every time a count changed.
			size = fs * max(0.75, float32(math.Floor(float64(8*room/w)))/8)
			if c.glyphs.Measure(txt, size, true) > room {
				txt = c.texts.get(slotSide+2*si+1, int64(know), int64(alive), int64(sd.group), func() string {
					return SideName(sd.group) + ": " + Thousands(know) + "/" + Thousands(alive)
				})
			}
		}
		x := (sd.x0 + sd.x1) / 2
		half := c.glyphs.Measure(txt, size, true) / 2
		x = max(sd.x0+half, min(sd.x1-half, x))
		f.Texts = append(f.Texts, Text{X: x, Y: c.disc.y + c.disc.h - fs*1.3, Size: size, Color: col, Align: AlignCenter, Bold: true, S: txt})
	}
}

func grow32(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}

// SideName names partition group g for people: "side A", "side B", ...
// ("no side" for nodes in none of the groups).
func SideName(g int) string {
	switch {
	case g < 0:
		return "no side"
	case g < 26:
		return "side " + string(rune('A'+g))
	}
	return "side " + Thousands(g+1)
}
