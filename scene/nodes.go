package scene

import "math"

// nodeLook is how node i is drawn now: its colour and shape, how strong
// its glow is (0..1: the news just arrived) and how far it has grown in
// (0..1: it just joined).
func (c *Composer) nodeLook(i int, cl Class, gained []float32, joined []float32, now, glowFor, growFor float32) (col Color, shape uint8, glow, grown float32) {
	col = classColor[cl]
	grown = 1
	if i < len(joined) {
		if j := joined[i]; j >= 0 && now >= j && now-j < growFor {
			grown = float32(ease(float64((now - j) / growFor)))
		}
	}
	switch cl {
	case Absent:
		return col, shapeNone, 0, grown
	case Crashed, Observer:
		return col, shapeRing, 0, grown
	case Uninformed, CutOff:
		return col, shapeSmall, 0, grown
	case Informed, Stopped:
		if gained != nil {
			if age := now - gained[i]; age >= 0 && age < glowFor {
				glow = 1 - age/glowFor
				col = col.Mix(ColFresh, glow*0.8)
			}
		}
	}
	return col, shapeDisc, glow, grown
}

// drawNodes draws the nodes: into the node layer's table when the layer is
// in use (a big cluster standing still), else into the Under batch
// (glows first, then the discs: stamps, a triangle each, at full size).
func (c *Composer) drawNodes(p *Player, f *Frame) {
	cur := p.cur
	k := p.focus(cur)
	var gained []float32
	if k >= 0 && k < len(cur.gained) {
		gained = cur.gained[k]
	}
	now := float32(p.now)
	glowFor := c.glowFor(p)
	growFor := float32(p.moveTime())
	a := &c.arr
	l := &c.layer
	popping := cur.lastJoin >= 0 && p.now-cur.lastJoin < float64(growFor)
	want := c.ln >= LayerMinNodes && c.ln <= LayerMaxNodes && !a.moving && !popping
	R := c.nodeR
	key := mapKey{gen: a.gen, r: R, valid: true}
	if want && l.mb.finished != key {
		// The map for this layout is built a slice per frame (MapBudget);
		// the nodes are quads until it is done.
		if !l.mb.active || l.mb.key != key {
			l.startBuild(key, c.px, c.ln, R, 3*R, f.W, f.H)
		}
		l.buildStep(MapBudget)
	}
	l.On = want && l.mb.finished == key
	if !want {
		// Positions may change: a map (or half of one) is stale.
		l.mb.finished, l.mb.active = mapKey{}, false
	}
	if l.On {
		l.GlowRadius = 3 * R
		l.GlowColor = ColFresh
		l.Background = ColBackground
		l.beginTable(c.ln)
		// Most nodes look just like their class: one 4-byte entry per
		// class, worked out once; only a node that just learnt the news
		// (glowing) is worked out on its own.
		var plain [numClasses][4]byte
		for cl := Class(0); cl < numClasses; cl++ {
			col, shape, _, _ := c.nodeLook(0, cl, nil, nil, now, glowFor, growFor)
			l.set(0, col, shape, 0)
			copy(plain[cl][:], l.next[:4])
		}
		t := l.next
		for i, cl := range c.classes {
			if (cl == Informed || cl == Stopped) && gained != nil {
				if age := now - gained[i]; age >= 0 && age < glowFor {
					col, shape, glow, _ := c.nodeLook(i, cl, gained, nil, now, glowFor, growFor)
					l.set(i, col, shape, glow)
					continue
				}
			}
			e := plain[cl]
			t[4*i], t[4*i+1], t[4*i+2], t[4*i+3] = e[0], e[1], e[2], e[3]
		}
		l.endTable()
		c.drawCrashMarks(f)
		return
	}
	b := &f.Under
	b.Reserve(2*c.ln, c.ln+c.ln/8) // glows (an octagon: 8 vertices) and nodes (a few rings)
	// Glows first, under every node: generous on a ring, tight in a
	// crowded disc where they would swamp the neighbours.
	glowR := c.glowRadius()
	gc := ColFresh
	for i, cl := range c.classes {
		if cl != Informed && cl != Stopped || gained == nil {
			continue
		}
		if age := now - gained[i]; age >= 0 && age < glowFor {
			q := 1 - age/glowFor
			if c.ln > CircleMax {
				// Small and by the hundred: one triangle each (a software
				// renderer pays per triangle more than per pixel here).
				b.Dot(SpriteGlow, c.px[2*i], c.px[2*i+1], glowR*(0.55+0.45*q), gc.Alpha(0.85*q))
			} else {
				b.Octagon(SpriteGlow, c.px[2*i], c.px[2*i+1], glowR*(0.55+0.45*q), gc.Alpha(0.85*q))
			}
		}
	}
	ns, stamped := c.atlas.stamps(R)
	// The nodes that animate (glowing, growing) first, then the still
	// ones, from f.Still: a software renderer keeps those on a plane of
	// their own, drawn again only when one changes (Frame.Still). Nodes
	// do not overlap, so the order among them changes no pixel.
	c.still = c.still[:0]
	for i, cl := range c.classes {
		col, shape, glow, grown := c.nodeLook(i, cl, gained, cur.joined, now, glowFor, growFor)
		if glow == 0 && grown == 1 {
			c.still = append(c.still, int32(i))
			continue
		}
		c.drawNode(b, i, col, shape, grown, ns, stamped)
	}
	f.Still = b.Shapes()
	if a.moving {
		f.Still = -1
	}
	for _, i := range c.still {
		col, shape, _, grown := c.nodeLook(int(i), c.classes[i], gained, cur.joined, now, glowFor, growFor)
		c.drawNode(b, int(i), col, shape, grown, ns, stamped)
	}
	c.drawCrashMarks(f)
}

// drawNode draws node i: its stamp (a triangle) at full size, else a
// sprite of radius R*grown.
func (c *Composer) drawNode(b *Batch, i int, col Color, shape uint8, grown float32, ns NodeStamps, stamped bool) {
	x, y, r := c.px[2*i], c.px[2*i+1], c.nodeR*grown
	if stamped && grown == 1 { // full size: its stamp
		switch shape {
		case shapeRing:
			b.Stamp(StampDisc, ns, x, y, ColBackground)
			b.Stamp(StampRing, ns, x, y, col)
		case shapeSmall:
			b.Stamp(StampSmall, ns, x, y, col)
		case shapeDisc:
			b.Stamp(StampDisc, ns, x, y, col)
		}
		return
	}
	switch shape {
	case shapeNone:
	case shapeRing:
		b.Sprite(SpriteDisc, x, y, r, ColBackground)
		b.Sprite(SpriteRing, x, y, r, col)
	case shapeSmall:
		b.Sprite(SpriteDisc, x, y, r*0.82, col.Alpha(grown))
	default:
		b.Sprite(SpriteDisc, x, y, r, col.Alpha(grown))
	}
}

// glowFor is how long (stream ms) a node glows after learning the news:
// most of a round; in a crowd a shorter flash, so that only the newest
// learners glow and a round's glows do not run together.
func (c *Composer) glowFor(p *Player) float32 {
	if c.ln >= 100 {
		return float32(max(0.3*p.period(), 250))
	}
	return float32(max(0.6*p.period(), 400))
}

// glowRadius is how far a glow reaches: generous on a sparse ring, about
// the gap to the next node on a crowded ring or disc, so that neighbours'
// glows stay apart instead of merging into a band.
func (c *Composer) glowRadius() float32 {
	R := c.nodeR
	if c.ln > CircleMax {
		return R * 2.6
	}
	glow := R*5 + 3*c.scale
	if c.ln >= 2 && len(c.px) >= 4 {
		dx, dy := c.px[2]-c.px[0], c.px[3]-c.px[1]
		gap := float32(math.Hypot(float64(dx), float64(dy)))
		glow = min(glow, max(gap*1.1, R*1.6))
	}
	return glow
}

// drawCrashMarks draws each crashed node as a thick red ring with a cross,
// over the nodes (and the node layer), never smaller than 12 px across: a
// crash must be seen among thousands.
func (c *Composer) drawCrashMarks(f *Frame) {
	if f.Counts[Crashed] == 0 {
		return
	}
	s := c.scale
	b := &f.Over
	col := classColor[Crashed]
	for i, cl := range c.classes {
		if cl != Crashed || 2*i+1 >= len(c.px) {
			continue
		}
		crashMark(b, c.px[2*i], c.px[2*i+1], max(c.nodeR*1.15, 6*s), 1.2*s, col)
	}
}

// crashMark draws a ring of radius r, 40% of it thick, with a cross in
// it, lines at least minW wide: a crashed node, on the canvas and in the
// legend.
func crashMark(b *Batch, x, y, r, minW float32, col Color) {
	b.Sprite(SpriteDisc, x, y, r, col)
	b.Sprite(SpriteDisc, x, y, r*0.6, ColBackground)
	d, w := r*0.5, max(r*0.24, minW)
	b.Line(x-d, y-d, x+d, y+d, w, col, col)
	b.Line(x-d, y+d, x+d, y-d, w, col, col)
}

// drawSelected rings the selected node.
func (c *Composer) drawSelected(f *Frame) {
	if sel := c.Selected; sel >= 0 && sel < len(c.classes) && c.classes[sel] != Absent {
		R := c.nodeR
		f.Over.Sprite(SpriteRing, c.px[2*sel], c.px[2*sel+1], max(R*1.9, R+6*c.scale), ColSelected)
	}
}
