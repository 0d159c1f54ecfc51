package scene

import "math"

// NamesMax is the largest cluster whose nodes are named on the canvas
// ("n1", "am2" beside each node): a live lab or a classroom-sized
// simulation, where a name is something to point at from across a room.
// Beyond it names would only cover each other. Up to it a name's size
// shrinks, when it must, to the room between neighbours on the ring.
const NamesMax = 50

// crashNamesMax is how many crashed nodes are named in a cluster too big
// to name them all.
const crashNamesMax = 12

const (
	nameFS   = 20 // name size, px at scale 1
	nameRoom = 30 // ring radius given up for the names, px at scale 1
)

// drawNames writes each node's name just outside it, away from the centre
// of its ring (or of its side of a cut), so the names never sit on the
// chords the messages travel along.
func (c *Composer) drawNames(p *Player, f *Frame) {
	c.nameBoxes = c.nameBoxes[:0]
	if c.ln == 0 {
		return
	}
	s := c.scale
	// Beyond NamesMax only the nodes a class talks about are named: the
	// crashed ones (the first few) and the selected one, on a dark card.
	few := c.ln > NamesMax
	if few && f.Counts[Crashed] == 0 && c.Selected < 0 {
		return
	}
	fs := nameFS * s
	if !few {
		fs = min(fs, c.nameFit(p))
	}
	a := &c.arr
	dcx, dcy := c.disc.x+c.disc.w/2, c.disc.y+c.disc.h/2
	off := c.nodeR + 7*s
	named := 0
	for i := 0; i < c.ln && i < len(c.classes); i++ {
		cl := c.classes[i]
		if cl == Absent {
			continue
		}
		if few {
			if cl != Crashed && i != c.Selected || cl == Crashed && i != c.Selected && named >= crashNamesMax {
				continue
			}
			named++
		}
		x, y := c.px[2*i], c.px[2*i+1]
		cx, cy := dcx, dcy
		if len(a.sides) >= 2 {
			best := float32(math.Inf(1))
			for _, sd := range a.sides {
				if d := (sd.cx-x)*(sd.cx-x) + (sd.cy-y)*(sd.cy-y); d < best {
					best, cx, cy = d, sd.cx, sd.cy
				}
			}
		}
		dx, dy := x-cx, y-cy
		d := float32(math.Hypot(float64(dx), float64(dy)))
		if d < 1 {
			dx, dy, d = 0, -1, 1 // a lone node: its name above it
		}
		ux, uy := dx/d, dy/d
		lx, ly := x+ux*off, y+uy*off
		al := AlignCenter
		switch {
		case ux > 0.3:
			al = AlignLeft
		case ux < -0.3:
			al = AlignRight
		}
		// Text Y is the top of the line: centre it on ly, then push it
		// clear of the node above or below.
		ty := ly - fs*0.62
		switch {
		case uy > 0.5:
			ty = ly - fs*0.2
		case uy < -0.5:
			ty = ly - fs*1.05
		}
		col := ColText
		switch cl {
		case Crashed:
			col = classColor[Crashed].Mix(ColText, 0.35)
		case Suspect:
			col = classColor[Suspect].Mix(ColText, 0.35)
		case Observer:
			col = ColDim
		}
		name := p.log.nodes.list[i]
		w := c.Measure(name, fs, true)
		x0 := lx
		switch al {
		case AlignCenter:
			x0 -= w / 2
		case AlignRight:
			x0 -= w
		}
		if few {
			m := 3 * s
			f.Over.Rect(x0-m, ty-m/2, w+2*m, fs*1.15+m, ColBackground.Alpha(0.8))
		}
		f.Texts = append(f.Texts, Text{X: lx, Y: ty, Size: fs, Color: col, Align: al, Bold: true, S: name})
		c.nameBoxes = append(c.nameBoxes, [4]float32{x0, ty, w, fs})
	}
}

// nameFit is the largest name size for which neighbours' names do not
// overlap: the smallest gap between two nodes next to each other on the
// ring, over the widest name's width per px of size (bold) plus a little
// air.
func (c *Composer) nameFit(p *Player) float32 {
	gap := float32(math.Inf(1))
	widest := float32(0.62)
	for i := 0; i < c.ln && i < len(c.classes); i++ {
		if w := c.Measure(p.log.nodes.list[i], 100, true) / 100; w > widest {
			widest = w
		}
		if i+1 < c.ln && 2*i+3 < len(c.px) {
			dx, dy := c.px[2*i+2]-c.px[2*i], c.px[2*i+3]-c.px[2*i+1]
			if d := float32(math.Hypot(float64(dx), float64(dy))); d > 0 && d < gap {
				gap = d
			}
		}
	}
	return gap / (widest + 0.12)
}

// observers returns the node indices of the observer's own member in the
// stream ("observer", and its memberlist name if that appears), -1 where
// there is none. It is a member of the cluster only so as to listen, so it
// is left out of the counts and drawn apart.
func (p *Player) observers() [2]int32 {
	out := [2]int32{-1, -1}
	for j, name := range p.obsNames {
		if name == "" {
			continue
		}
		if i, ok := p.log.nodes.lookup(name); ok {
			out[j] = i
		}
	}
	return out
}

// observerCounts returns how many of the present and of the alive nodes in
// s are the observer's own member.
func (p *Player) observerCounts(s *state) (present, alive int) {
	for _, i := range p.observers() {
		if i >= 0 && int(i) < len(s.status) && s.status[i] != statusAbsent {
			present++
			if isUp(s.status[i]) {
				alive++
			}
		}
	}
	return present, alive
}
