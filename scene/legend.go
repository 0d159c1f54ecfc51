package scene

// LegendItem is one entry of the legend: what a colour and shape mean.
type LegendItem struct {
	Kind  string // "node" or "message"
	Shape string // "disc", "small" (a smaller disc), "glow" (a disc in a soft halo), "crossed ring", "ring" or "dot"
	Color Color
	Label string
}

// Legend returns the simulator's legend entries in order, as the canvas
// draws them, so that a page can draw the same legend in HTML.
func Legend() []LegendItem { return legendOf(&simLegend) }

// LiveLegend is Legend for a stream of memberlist traffic (a live lab or a
// real cluster): its message kinds and membership states.
func LiveLegend() []LegendItem { return legendOf(&liveLegend) }

// LegendFor returns the legend the canvas draws for p's stream.
func (p *Player) LegendFor() []LegendItem {
	if p.log.memberlist {
		return LiveLegend()
	}
	return Legend()
}

func legendOf(t *legendTable) []LegendItem {
	out := make([]LegendItem, 0, t.len())
	for _, cl := range t.nodes {
		shape := "disc"
		switch cl {
		case Crashed:
			shape = "crossed ring"
		case Uninformed, CutOff:
			shape = "small"
		case legendFresh:
			shape = "glow"
		}
		out = append(out, LegendItem{"node", shape, legendColor(cl), t.nodeLabel(cl)})
	}
	for _, e := range t.packets {
		shape := "dot"
		if e.s == SpriteRing {
			shape = "ring"
		}
		out = append(out, LegendItem{"message", shape, e.col, e.txt})
	}
	return out
}

// legendTable is one legend: node classes, then packets.
type legendTable struct {
	nodes      []Class
	nodeLabels map[Class]string // labels other than the class's name
	packets    []legendPacket
}

type legendPacket struct {
	s   Sprite
	col Color
	txt string
}

func (t *legendTable) len() int { return len(t.nodes) + len(t.packets) }

func (t *legendTable) nodeLabel(cl Class) string {
	if s, ok := t.nodeLabels[cl]; ok {
		return s
	}
	if cl == legendFresh {
		return "just learnt it"
	}
	return cl.String()
}

// legendFresh stands in the legend's node classes for a node that has
// just learnt the news (an informed node, glowing white for a moment).
const legendFresh = numClasses

func legendColor(cl Class) Color {
	if cl == legendFresh {
		return ColFresh
	}
	return classColor[cl]
}

var simLegend = legendTable{
	nodes: []Class{Uninformed, legendFresh, Informed, Stopped, Crashed, CutOff},
	packets: []legendPacket{
		{SpriteDisc, ColNews, "message: news"},
		{SpriteRing, ColRedundant, "already knew"},
		{SpriteDisc, ColRequest, "request (pull)"},
		{SpriteDisc, ColLost, "lost"},
	},
}

// liveLegend: memberlist's traffic. The data-carrying gossip first; the
// failure detector's ping/ack chatter is drawn small and faint.
var liveLegend = legendTable{
	nodes: []Class{Uninformed, legendFresh, Informed, Suspect, Crashed, CutOff},
	nodeLabels: map[Class]string{
		Uninformed: "lacks it",
		Informed:   "holds it",
		Suspect:    "suspected",
		Crashed:    "dead / left",
	},
	packets: []legendPacket{
		{SpriteDisc, ColNews, "gossip: silence/nflog"},
		{SpriteRing, ColRedundant, "already had it"},
		{SpriteRing, ColSync, "push-pull (full sync)"},
		{SpriteDisc, ColMember, "membership news"},
		{SpriteDisc, ColProbe, "ping/ack (failure det.)"},
		{SpriteDisc, ColLost, "lost"},
	},
}

// legendItems is the most entries a legend has.
const legendItems = 12

// legendTable returns the legend drawn now.
func (c *Composer) legendTable() *legendTable {
	if c.liveLegend {
		return &liveLegend
	}
	return &simLegend
}

func (c *Composer) legendEntry(i int) (s Sprite, col Color, label string) {
	t := c.legendTable()
	if i < len(t.nodes) {
		cl := t.nodes[i]
		switch cl {
		case Crashed:
			return SpriteRing, classColor[cl], t.nodeLabel(cl)
		case legendFresh:
			return SpriteGlow, ColFresh, t.nodeLabel(cl)
		}
		return SpriteDisc, classColor[cl], t.nodeLabel(cl)
	}
	e := t.packets[i-len(t.nodes)]
	return e.s, e.col, e.txt
}

// Hex returns c as a CSS colour "#rrggbb" (alpha left out).
func (c Color) Hex() string {
	const digits = "0123456789abcdef"
	out := []byte("#000000")
	for i, v := range [3]float32{c.R, c.G, c.B} {
		b := byte(clamp01(v)*255 + 0.5)
		out[1+2*i], out[2+2*i] = digits[b>>4], digits[b&15]
	}
	return string(out)
}

// LegendPlace says where the last frame drew the legend: "panel", "strip"
// (under the nodes, when the panel had no room for it and the chart) or
// "none" (hidden, or no room).
func (c *Composer) LegendPlace() string {
	switch c.legend.mode {
	case legendInPanel:
		return "panel"
	case legendInStrip:
		return "strip"
	}
	return "none"
}

// Where the legend goes.
const (
	legendNone    = iota // hidden, or no room anywhere
	legendInPanel        // at the bottom of the panel: two columns (nodes, messages) or one
	legendInStrip        // a strip under the nodes, flowing left to right
)

// legendLayout is where the legend goes and how it is laid out, decided
// with the screen layout.
type legendLayout struct {
	mode    int
	fs, lh  float32
	cols    int     // in the panel: 1 or 2
	h       float32 // height
	strip   rect    // in the strip
	widthOf [legendItems]float32
	col2    float32 // in the panel, two columns: where the second starts, from the legend's left
}

// planLegend decides where the legend goes: in the panel if the counters,
// a useful chart and the legend all fit; else in a strip under the nodes
// (a classroom needs the chart more than a tall legend); else nowhere.
func (c *Composer) planLegend(s float32) {
	L := &c.legend
	L.mode = legendNone
	if c.HideLegend || c.HidePanel {
		return
	}
	L.fs = panelFS * s * 0.92
	L.lh = L.fs * 1.3
	r := L.fs * 0.42
	widest := [2]float32{}
	for i := 0; i < c.legendTable().len(); i++ {
		_, _, label := c.legendEntry(i)
		L.widthOf[i] = 2.6*r + c.measure(label, L.fs)
		col := 0
		if i >= len(c.legendTable().nodes) {
			col = 1
		}
		widest[col] = max(widest[col], L.widthOf[i])
	}
	w := c.panel.w - 2*panelPad*s
	L.cols = 1
	rows := legendItems
	if widest[0]+widest[1]+16*s <= w {
		L.cols, rows = 2, max(len(c.legendTable().nodes), len(c.legendTable().packets))
		// The second column at the half, or further left as far as its
		// widest label needs to end inside the panel (the live legend's
		// "ping/ack (failure det.)" ran past its edge at 1280x720).
		L.col2 = min(w/2, w-widest[1])
	} else if all := max(widest[0], widest[1]); all > w {
		// One column still too wide: smaller type, so that nothing runs
		// past the panel's edge.
		k := w / all
		L.fs *= k
		L.lh *= k
		for i := range L.widthOf {
			L.widthOf[i] *= k
		}
	}
	L.h = float32(rows) * L.lh
	if panelPad*s*2+panelHead(s)+chartBlock(s)+L.h+10*s <= c.panel.h {
		L.mode = legendInPanel
		return
	}
	// A strip under the nodes: lay the entries out in rows.
	gap := 20 * s
	x, rowsN := float32(0), 1
	for i := 0; i < c.legendTable().len(); i++ {
		if x > 0 && x+L.widthOf[i] > c.disc.w {
			x, rowsN = 0, rowsN+1
		}
		x += L.widthOf[i] + gap
	}
	h := float32(rowsN)*L.lh + 6*s
	if c.disc.h-h < 220*s {
		return
	}
	L.mode = legendInStrip
	L.strip = rect{c.disc.x, c.disc.y + c.disc.h - h, c.disc.w, h}
	c.disc.h -= h + 8*s
}

// drawLegend draws the legend at (x, y) in the panel, w wide.
func (c *Composer) drawLegend(f *Frame, x, y, w float32) {
	L := &c.legend
	b := &f.Panel
	r := L.fs * 0.42
	for i := 0; i < c.legendTable().len(); i++ {
		s, col, label := c.legendEntry(i)
		xx, yy := x, y+float32(i)*L.lh
		if L.cols == 2 && i >= len(c.legendTable().nodes) {
			xx, yy = x+L.col2, y+float32(i-len(c.legendTable().nodes))*L.lh
		}
		c.legendMark(b, f, s, col, label, xx, yy, r, i >= len(c.legendTable().nodes))
	}
}

// drawLegendStrip draws the legend under the nodes, flowing in rows.
func (c *Composer) drawLegendStrip(f *Frame) {
	L := &c.legend
	if L.mode != legendInStrip {
		return
	}
	b := &f.Over
	r := L.fs * 0.42
	gap := 20 * c.scale
	x, y := L.strip.x, L.strip.y+6*c.scale
	for i := 0; i < c.legendTable().len(); i++ {
		if x > L.strip.x && x+L.widthOf[i] > L.strip.x+L.strip.w {
			x, y = L.strip.x, y+L.lh
		}
		s, col, label := c.legendEntry(i)
		c.legendMark(b, f, s, col, label, x, y, r, i >= len(c.legendTable().nodes))
		x += L.widthOf[i] + gap
	}
}

func (c *Composer) legendMark(b *Batch, f *Frame, s Sprite, col Color, label string, x, y, r float32, packet bool) {
	L := &c.legend
	cy := y + L.fs*0.6
	switch {
	case packet:
		b.Sprite(s, x+r, cy, r*0.85, col)
	case s == SpriteGlow: // a just-informed node: amber, flashing white
		b.Sprite(SpriteGlow, x+r, cy, r*1.5, col.Alpha(0.85))
		b.Sprite(SpriteDisc, x+r, cy, r*0.8, classColor[Informed].Mix(col, 0.8))
	case s == SpriteRing: // a crashed node, as drawCrashMarks draws it
		crashMark(b, x+r, cy, r, c.scale, col)
	default:
		b.Sprite(s, x+r, cy, r, col)
	}
	f.Texts = append(f.Texts, Text{X: x + 2.6*r, Y: y, Size: L.fs, Color: ColText, S: label})
}
