package scene

import "math"

// Align is a text's horizontal anchor.
type Align uint8

// Text anchors.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// Text is one string to draw: (X, Y) is the top of the line at the anchor.
type Text struct {
	X, Y  float32
	Size  float32 // px
	Color Color
	Align Align
	Bold  bool
	S     string

	panel bool // drawn into Frame.Panel
}

// Frame is everything drawn for one screen, in this order: the Under batch
// (dividers, links, packets, and the nodes as quads when Nodes is off), the
// node layer, the Panel batch (the panel, its texts included), the Over
// batch (selection, the chart's playhead, then every other text as glyph
// quads). Texts lists the strings of the frame (already in Over or Panel),
// for tests and for people.
type Frame struct {
	W, H  float32
	Under Batch
	Nodes *NodeLayer
	Over  Batch
	// Panel is the panel (its card, counters, legend, the chart but for
	// its playhead, and their texts), drawn between the node layer and
	// Over: the page keeps it in an image and redraws in it only where
	// the batch changed (Damage). PanelBox bounds it, whole device px.
	Panel    Batch
	PanelBox [4]float32
	// Still is where the still part of Under begins. Its shapes from Still
	// on (the nodes neither glowing nor growing, and what is drawn over
	// them) change now and then; those before it (dividers, links,
	// messages, glows, the nodes glowing or growing) change on every frame
	// something moves. A software renderer draws the still part, with the
	// Panel and Over, on a plane of its own above the canvas, redrawn only
	// where it changed (docs/architecture.md). It is Under's length when
	// the node layer is on (what Under draws lies under the layer), and -1
	// when the layout itself moves.
	Still    int
	Texts    []Text
	Counts   [numClasses]int // nodes per class
	Packets  int             // messages drawn in flight
	InFlight int             // messages in flight (Packets is a sample when fewer)
}

// SplitStill cuts the frame in two for a software renderer (Still): what
// changes on every frame something moves, drawn on the canvas (moving:
// Under up to Still, the node layer after it), and what is drawn over it
// (still: the rest of Under, the Panel, Over), in order, leaving out the
// parts left (a diagnostic: what each part costs). False, and nothing
// written, when the layout moves (Still is -1).
func (f *Frame) SplitStill(moving, still *Batch, left Parts) bool {
	if f.Still < 0 {
		return false
	}
	moving.Reset()
	still.Reset()
	if !left.Under {
		moving.AppendShapes(&f.Under, 0, f.Still)
		still.AppendShapes(&f.Under, f.Still, f.Under.Shapes())
	}
	if !left.Panel {
		still.AppendShapes(&f.Panel, 0, f.Panel.Shapes())
	}
	if !left.Over {
		still.AppendShapes(&f.Over, 0, f.Over.Shapes())
	}
	return true
}

// Parts names parts of a Frame: the Under batch, the node layer, the
// Panel, the Over batch.
type Parts struct{ Under, NodeLayer, Panel, Over bool }

// Shapes returns the quads and triangles of the frame.
func (f *Frame) Shapes() int { return f.Under.Shapes() + f.Panel.Shapes() + f.Over.Shapes() }

// PanelAlone reports whether nothing drawn before the panel (the Under
// batch, the node layer) reaches into PanelBox, so that the panel lands on
// cleared pixels: copying it there without blending then draws the same
// pixels, and a software renderer skips reading and blending the
// panel's hundred thousand pixels under it (about 2 ms a frame of
// SwiftShader's at 1280x800).
func (f *Frame) PanelAlone() bool {
	p := f.PanelBox
	if p[2] <= p[0] || p[3] <= p[1] {
		return false
	}
	overlaps := func(b [4]float32) bool { return b[0] < p[2] && p[0] < b[2] && b[1] < p[3] && p[1] < b[3] }
	if b, ok := f.Under.Bounds(); ok && overlaps(b) {
		return false
	}
	if l := f.Nodes; l != nil && l.On && overlaps([4]float32{float32(l.X), float32(l.Y), float32(l.X + l.W), float32(l.Y + l.H)}) {
		return false
	}
	return true
}

// Insets are the screen margins (device px) covered by the page's HTML
// controls, which the scene keeps clear.
type Insets struct{ Top, Right, Bottom, Left float32 }

// MaxPackets caps the messages drawn per frame. Past it an even sample is
// drawn: at 10,000 nodes tens of thousands of dots are only noise, and
// every one costs three vertices.
const MaxPackets = 4000

// Composer turns a player's view into Frames. It keeps layouts, colours,
// glyphs and strings between frames so that a steady frame allocates
// nothing.
type Composer struct {
	Projector bool    // large type and thick lines for a room
	still     []int32 // the still nodes of a frame, drawn after the others (drawNodes)
	// TextMin is the smallest text the last frame drew, CSS px (device px
	// over the device pixel ratio): what a reader at the back must read.
	TextMin  float32
	Insets   Insets // page controls, device px
	Selected int    // selected node index, -1 none
	// Window is the size (device px) of the window the picture is seen
	// in, which type and lines grow with (WindowScale); zero: the frame's
	// own. The page's canvas covers only the part of the window the
	// scene shows, and the picture must not shrink with it.
	Window [2]float32

	ShowNarration bool // draw the narration line (the page usually shows it in HTML)
	HideLegend    bool // leave the legend out of the panel
	HidePanel     bool // no counters, chart or legend: nodes only
	// CPUDrawn says the picture is drawn on the CPU (a software WebGL
	// renderer): message trails then stop at TrailsCPU messages in flight
	// rather than TrailsGPU, as such a renderer pays for every triangle.
	CPUDrawn bool

	liveLegend bool // the stream is memberlist traffic: its legend

	atlas  *Atlas
	glyphs *Glyphs
	layer  NodeLayer

	// Screen geometry, recomputed when the screen, insets or flags change.
	lw, lh, ls float32
	lastIn     Insets
	lastFlags  [3]bool
	geomGen    uint64
	disc       rect
	panel      rect
	narr       rect
	scale      float32

	arr         arrangement
	ln          int       // nodes laid out
	px          []float32 // where each node is drawn now, device px
	nodeR       float32   // node radius now
	lastPackets int
	dotKinds    []DotStamp // the dot stamps this frame used so far

	classes   []Class
	groupNews []bool
	sideKnow  []int32
	legend    legendLayout
	selKey    [3]int
	selLines  []string
	selWidth  float32 // the scale selLines were fitted at
	selN      int     // lines the card was placed for
	cardKept  bool    // a node was selected once: its card's corner is kept
	selBox    rect    // where the card goes (zero: over the nodes' top left)
	selDrawn  rect    // where the last frame drew it (zero: nowhere)
	nameBoxes [][4]float32
	chart     chartDrawn // where the last frame drew the chart
	narrKey   narrKey
	narrLines []string
	narrFS    float32

	// Narration is the narration line of the last frame.
	Narration string
	texts     textCache
	theory    theoryCache
	hov       hover // the pointer, and the card of the node under it (hover.go)
}

type rect struct{ x, y, w, h float32 }

// NewComposer returns a composer with nothing selected.
func NewComposer() *Composer {
	a := NewAtlas()
	return &Composer{Selected: -1, hov: hover{node: -1}, atlas: a, glyphs: NewGlyphs(a)}
}

// Atlas is the sprite and glyph sheet every batch draws from.
func (c *Composer) Atlas() *Atlas { return c.atlas }

// Rasterized returns how many glyphs the composer has rasterized so far
// (a frame that adds some is slower: the renderer reports it).
func (c *Composer) Rasterized() int { return c.glyphs.rasterized }

// MapGen returns the node layer's map generation (it changes whenever the
// map was rebuilt).
func (c *Composer) MapGen() uint64 { return c.layer.MapGen }

// MapPending reports whether the node layer's map is being built, a
// slice per composed frame (MapBudget): until it is done the nodes are
// quads, so frames must go on being composed even when nothing moves.
func (c *Composer) MapPending() bool { return c.layer.mb.active }

// NodeLayerOn reports whether the last frame drew its nodes with the node
// layer.
func (c *Composer) NodeLayerOn() bool { return c.layer.On }

// Measure returns the width of s in px with the scene's font.
func (c *Composer) Measure(s string, size float32, bold bool) float32 {
	return c.glyphs.Measure(s, size, bold)
}

func (c *Composer) measure(s string, size float32) float32 { return c.glyphs.Measure(s, size, false) }

// Compose fills f with the player's view at its playhead on a w x h px
// screen; scale is the device pixel ratio (1 on an ordinary screen).
func (c *Composer) Compose(p *Player, w, h, scale float32, f *Frame) {
	f.W, f.H = w, h
	f.Under.Reset()
	f.Over.Reset()
	f.Panel.Reset()
	f.PanelBox = [4]float32{}
	f.Still = 0
	f.Texts = f.Texts[:0]
	f.Packets, f.InFlight = 0, 0
	f.Nodes = &c.layer
	c.atlas.dotFrame()
	c.dotKinds = c.dotKinds[:0]
	if scale <= 0 {
		scale = 1
	}
	ww, wh := w, h
	if c.Window[0] > 0 && c.Window[1] > 0 {
		ww, wh = c.Window[0], c.Window[1]
	}
	s := scale * WindowScale(ww/scale, wh/scale)
	if c.Projector {
		s *= 1.45
	}
	if c.liveLegend != p.log.memberlist {
		c.liveLegend = p.log.memberlist
		c.lw = -1 // plan the legend again
	}
	c.scale = s
	// The corner for a selected node's card is made the first time a node
	// is selected, and kept: selecting another, or none, moves no node
	// under the pointer, while a page nobody has clicked keeps the whole
	// area for the nodes.
	if c.Selected >= 0 {
		c.cardKept = true
	}
	selN := 0
	if c.cardKept {
		selN = cardLines(p)
	}
	if c.selectionText(p) {
		selN = max(selN, len(c.selLines))
	}
	c.place(w, h, s, selN)
	c.arrange(p)

	if cap(c.classes) < c.ln {
		c.classes = make([]Class, c.ln, c.ln+c.ln/4+16)
	}
	c.classes = c.classes[:c.ln]
	f.Counts, c.groupNews = p.classify(c.classes, c.groupNews)

	c.drawDividers(f)
	c.drawSelectionLinks(p, f)
	c.drawPackets(p, f)
	c.drawNodes(p, f)
	c.drawSplit(p, f)
	c.drawSelected(f)
	c.drawNames(p, f)
	c.drawSideLabels(p, f)
	c.chart = chartDrawn{}
	c.drawPanel(p, f)
	c.drawLegendStrip(f)
	c.drawHover(p, f)
	c.TextMin = 0
	for i := range f.Texts {
		b := &f.Over
		if f.Texts[i].panel {
			b = &f.Panel
		}
		c.glyphs.Draw(b, &f.Texts[i])
		if sz := f.Texts[i].Size / scale; c.TextMin == 0 || sz < c.TextMin {
			c.TextMin = sz
		}
	}
	if f.Nodes.On {
		f.Still = f.Under.Shapes()
	}
}

// WindowScale is how much larger than on a 1280x720 window (CSS px) type
// and lines are drawn: the same picture, grown with the window up to 1.6
// times, so that a projected 1920x1080 page is legible from the back of a
// room without projector mode; never smaller than at 1280x720.
func WindowScale(cssW, cssH float32) float32 {
	return max(1, min(cssW/1280, cssH/720, 1.6))
}

// place lays out the screen: the node area, the panel and the narration.
func (c *Composer) place(w, h, s float32, selN int) {
	if w == c.lw && h == c.lh && s == c.ls && c.Insets == c.lastIn && c.lastFlags == [3]bool{c.ShowNarration, c.HideLegend, c.HidePanel} && selN == c.selN {
		return
	}
	c.selN = selN
	c.lw, c.lh, c.ls = w, h, s
	c.lastFlags = [3]bool{c.ShowNarration, c.HideLegend, c.HidePanel}
	c.scale = s
	c.lastIn = c.Insets
	c.geomGen++
	m := 14 * s
	content := rect{c.Insets.Left + m, c.Insets.Top + m, w - c.Insets.Left - c.Insets.Right - 2*m, h - c.Insets.Top - c.Insets.Bottom - 2*m}
	if content.w < 50 || content.h < 50 {
		content = rect{0, 0, w, h}
	}
	narrH := float32(0)
	if c.ShowNarration {
		narrH = 2*27*s + 10*s
	}
	c.narr = rect{content.x, content.y + content.h - narrH, content.w, narrH}
	body := rect{content.x, content.y, content.w, content.h - narrH - 6*s}
	if c.HidePanel {
		c.panel = rect{}
		c.disc = body
	} else if body.w >= body.h*1.15 {
		pw := clampF32(body.w*0.36, 300*s, 470*s)
		pw = min(pw, body.w*0.5)
		c.panel = rect{body.x + body.w - pw, body.y, pw, body.h}
		c.disc = rect{body.x, body.y, body.w - pw - 12*s, body.h}
	} else {
		ph := min(max(body.h*0.42, 300*s), body.h*0.6)
		c.panel = rect{body.x, body.y + body.h - ph, body.w, ph}
		c.disc = rect{body.x, body.y, body.w, body.h - ph - 10*s}
	}
	c.planLegend(s)
	c.placeSelection(selN)
}

// NodeAt returns the node drawn at screen point (x, y) in the last frame,
// or -1. The hit area is at least a finger's width.
func (c *Composer) NodeAt(x, y float32) int {
	best, bestD := -1, float32(math.Inf(1))
	reach := max(c.nodeR*1.6, 9*c.scale)
	for i := 0; i < c.ln && 2*i+1 < len(c.px); i++ {
		if i < len(c.classes) && c.classes[i] == Absent {
			continue
		}
		dx, dy := c.px[2*i]-x, c.px[2*i+1]-y
		if d := dx*dx + dy*dy; d < bestD && d <= reach*reach {
			best, bestD = i, d
		}
	}
	return best
}

// NodePos returns where node i is drawn, in device px.
func (c *Composer) NodePos(i int) (x, y float32, ok bool) {
	if i < 0 || 2*i+1 >= len(c.px) {
		return 0, 0, false
	}
	return c.px[2*i], c.px[2*i+1], true
}

// Geometry is where the last frame put things, device px: the nodes' area
// and the panel as {x, y, w, h}, the node and message radii. The page
// benchmark draws its Canvas2D baseline with it.
type Geometry struct {
	Disc, Panel [4]float32
	NodeR, DotR float32
	// Caption is the selected node's card (zero when none is drawn);
	// Names the boxes of the nodes' names; Nodes the nodes' centres, for
	// rings (up to CircleMax nodes: a disc's thousands would make every
	// call slow).
	Caption [4]float32
	Names   [][4]float32
	Nodes   [][2]float32
	// Chart is the chart's plot (zero when not drawn), ChartT the times
	// its left and right edges stand for (ms), Ticks how many x and y
	// labels it has.
	Chart  [4]float32
	ChartT [2]float64
	Ticks  [2]int
}

// Geometry returns the last frame's geometry.
func (c *Composer) Geometry() Geometry {
	g := Geometry{
		Disc:  [4]float32{c.disc.x, c.disc.y, c.disc.w, c.disc.h},
		Panel: [4]float32{c.panel.x, c.panel.y, c.panel.w, c.panel.h},
		NodeR: c.nodeR, DotR: c.packetRadius(),
		Caption: [4]float32{c.selDrawn.x, c.selDrawn.y, c.selDrawn.w, c.selDrawn.h},
		Names:   append([][4]float32(nil), c.nameBoxes...),
		Chart:   [4]float32{c.chart.plot.x, c.chart.plot.y, c.chart.plot.w, c.chart.plot.h},
		ChartT:  [2]float64{c.chart.t0, c.chart.t1},
		Ticks:   c.chart.ticks,
	}
	for i := 0; c.ln <= CircleMax && i < c.ln && i < len(c.classes) && 2*i+1 < len(c.px); i++ {
		if c.classes[i] != Absent {
			g.Nodes = append(g.Nodes, [2]float32{c.px[2*i], c.px[2*i+1]})
		}
	}
	return g
}

// toPanel moves the texts from n on into the panel's batch.
func toPanel(f *Frame, n int) {
	for i := n; i < len(f.Texts); i++ {
		f.Texts[i].panel = true
	}
}

func clampF32(v, lo, hi float32) float32 { return max(lo, min(hi, v)) }
