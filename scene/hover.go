package scene

// Hovering: beyond NamesMax nodes the ring draws no names, so the node
// under the pointer gets a small card with its name and, in the selected
// node's card's plain words (classWords), what it is doing.

// hover is the pointer over the node area.
type hover struct {
	on    bool    // the pointer is over the canvas
	x, y  float32 // where, device px
	node  int     // the node under it with a card drawn, -1 none
	label Label   // that card, as last drawn
}

// Label is a card drawn over the nodes: its lines and its box {x, y, w,
// h}, device px.
type Label struct {
	Node  int
	Lines []string
	Box   [4]float32
}

// HoverAt records the pointer at (x, y), device px (on false: it left the
// canvas), and reports whether the node whose card is drawn changes, so
// that the caller draws a new frame only then. The node is found on the
// last frame's layout; every frame finds it again on its own.
func (c *Composer) HoverAt(x, y float32, on bool) (changed bool) {
	c.hov.on, c.hov.x, c.hov.y = on, x, y
	return c.hoveredNode() != c.hov.node
}

// Hovered returns the card drawn for the node under the pointer in the
// last frame (ok false: none).
func (c *Composer) Hovered() (l Label, ok bool) {
	if c.hov.label.Lines == nil || c.hov.node < 0 {
		return Label{}, false
	}
	return c.hov.label, true
}

// hoveredNode is the node under the pointer that gets a card: none while
// the names are drawn anyway.
func (c *Composer) hoveredNode() int {
	if !c.hov.on || c.ln <= NamesMax {
		return -1
	}
	return c.NodeAt(c.hov.x, c.hov.y)
}

// drawHover rings the hovered node (the pointer hides a small one) and
// draws its card beside it on the side of the ring's centre, where there
// are no nodes to cover, kept inside the node area.
func (c *Composer) drawHover(p *Player, f *Frame) {
	i := c.hoveredNode()
	c.hov.node = i
	if i < 0 || i >= len(c.classes) {
		c.hov.label.Lines = c.hov.label.Lines[:0]
		return
	}
	cl := c.classes[i]
	lines := append(c.hov.label.Lines[:0], p.NodeName(i), classWords(cl, c.liveLegend))
	s := c.scale
	fs := [2]float32{nameFS * s, 16 * s}
	w := max(c.glyphs.Measure(lines[0], fs[0], true), c.glyphs.Measure(lines[1], fs[1], false)) + 16*s
	h := fs[0]*1.3 + fs[1]*1.3 + 10*s
	nx, ny := c.px[2*i], c.px[2*i+1]
	ring := max(c.nodeR*1.7, c.nodeR+4*s)
	f.Over.Sprite(SpriteRing, nx, ny, ring, ColText.Alpha(0.9))
	off := ring + 4*s
	d := c.disc
	x, y := nx+off, ny+off
	if nx > d.x+d.w/2 {
		x = nx - off - w
	}
	if ny > d.y+d.h/2 {
		y = ny - off - h
	}
	x = min(max(x, d.x), d.x+d.w-w)
	y = min(max(y, d.y), d.y+d.h-h)
	f.Over.Rect(x, y, w, h, ColBackground.Alpha(0.92))
	f.Over.Rect(x, y, 4*s, h, ClassColor(cl))
	f.Texts = append(f.Texts,
		Text{X: x + 10*s, Y: y + 5*s, Size: fs[0], Color: ColText, Bold: true, S: lines[0]},
		Text{X: x + 10*s, Y: y + 5*s + fs[0]*1.3, Size: fs[1], Color: ColText, S: lines[1]})
	c.hov.label = Label{Node: i, Lines: lines, Box: [4]float32{x, y, w, h}}
}
