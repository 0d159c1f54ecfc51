package scene

import (
	"math"
)

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
}

// Frame is everything drawn for one screen: quads first (one or a few
// DrawTriangles calls with the Atlas), then texts on top.
type Frame struct {
	W, H     float32
	Batch    Batch
	Texts    []Text
	Counts   [numClasses]int // nodes per class
	Packets  int             // messages drawn in flight
	InFlight int             // messages in flight (Packets is a sample when fewer)
}

// Insets are the screen margins (device px) covered by the page's HTML
// controls, which the scene keeps clear.
type Insets struct{ Top, Right, Bottom, Left float32 }

// MeasureFunc returns the width in px of s at a font size; the renderer
// supplies the real font's, tests an estimate.
type MeasureFunc func(s string, size float32) float32

// MaxPackets caps the messages drawn per frame. Past it an even sample is
// drawn: at 10,000 nodes tens of thousands of dots are only noise, and
// every one costs four vertices.
const MaxPackets = 8000

// Composer turns a player's view into Frames. It keeps layouts, colours
// and strings between frames so that a steady frame allocates nothing.
type Composer struct {
	Projector bool        // large type and thick lines for a room
	Insets    Insets      // page controls, device px
	Selected  int         // selected node index, -1 none
	Measure   MeasureFunc // text width; nil = estimate

	ShowNarration bool // draw the narration line (the page usually shows it in HTML)
	HideLegend    bool // leave the legend out of the panel
	HidePanel     bool // no counters, chart or legend: nodes only

	// Layout cache.
	lw, lh, ls   float32
	ln           int
	lastIn       Insets
	lastFlags    [3]bool
	lastPackets  int
	unit, px     []float32
	unitR, nodeR float32
	disc         rect
	panel        rect
	narr         rect
	scale        float32

	classes   []Class
	groupNews []bool
	selKey    [3]int
	selLines  []string
	narrKey   narrKey
	narrLines []string
	narrFS    float32

	// Narration is the narration line of the last frame.
	Narration string
	texts     textCache
	theory    theoryCache
}

type rect struct{ x, y, w, h float32 }

func (r rect) contains(x, y float32) bool {
	return x >= r.x && y >= r.y && x < r.x+r.w && y < r.y+r.h
}

// NewComposer returns a composer with nothing selected.
func NewComposer() *Composer { return &Composer{Selected: -1} }

func (c *Composer) measure(s string, size float32) float32 {
	if c.Measure != nil {
		return c.Measure(s, size)
	}
	n := 0
	for range s {
		n++
	}
	return float32(n) * size * 0.55
}

// Compose fills f with the player's view at its playhead on a w x h px
// screen; scale is the device pixel ratio (1 on an ordinary screen).
func (c *Composer) Compose(p *Player, w, h, scale float32, f *Frame) {
	f.W, f.H = w, h
	f.Batch.Reset()
	f.Texts = f.Texts[:0]
	f.Packets = 0
	if scale <= 0 {
		scale = 1
	}
	s := scale
	if c.Projector {
		s *= 1.45
	}
	c.place(p, w, h, s)

	if cap(c.classes) < c.ln {
		c.classes = make([]Class, c.ln, c.ln+c.ln/4+16)
	}
	c.classes = c.classes[:c.ln]
	f.Counts, c.groupNews = p.classify(c.classes, c.groupNews)

	c.drawSelectionLinks(p, f)
	c.drawPackets(p, f)
	c.drawNodes(p, f)
	c.drawPanel(p, f)
}

// place lays out the screen and, when the node count or screen changed,
// the nodes.
func (c *Composer) place(p *Player, w, h, s float32) {
	n := p.NodeCount()
	if n == c.ln && w == c.lw && h == c.lh && s == c.ls && c.Insets == c.lastIn && c.lastFlags == [3]bool{c.ShowNarration, c.HideLegend, c.HidePanel} {
		return
	}
	c.ln, c.lw, c.lh, c.ls = n, w, h, s
	c.lastFlags = [3]bool{c.ShowNarration, c.HideLegend, c.HidePanel}
	c.scale = s
	c.lastIn = c.Insets
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
		pw := clampF32(body.w*0.34, 270*s, 470*s)
		pw = min(pw, body.w*0.5)
		c.panel = rect{body.x + body.w - pw, body.y, pw, body.h}
		c.disc = rect{body.x, body.y, body.w - pw - 12*s, body.h}
	} else {
		ph := min(max(body.h*0.42, 300*s), body.h*0.6)
		c.panel = rect{body.x, body.y + body.h - ph, body.w, ph}
		c.disc = rect{body.x, body.y, body.w, body.h - ph - 10*s}
	}
	c.unit, c.unitR = Layout(n, c.unit)
	R := min(c.disc.w, c.disc.h) / 2
	R -= min(R*0.09, 26*s) // room for glows at the rim
	cx, cy := c.disc.x+c.disc.w/2, c.disc.y+c.disc.h/2
	if cap(c.px) < len(c.unit) {
		c.px = make([]float32, len(c.unit), len(c.unit)+len(c.unit)/4+16)
	}
	c.px = c.px[:len(c.unit)]
	for i := 0; i+1 < len(c.unit); i += 2 {
		c.px[i] = cx + c.unit[i]*R
		c.px[i+1] = cy + c.unit[i+1]*R
	}
	c.nodeR = max(c.unitR*R, 1.3*s)
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

func (c *Composer) drawNodes(p *Player, f *Frame) {
	b := &f.Batch
	cur := p.cur
	k := p.focus(cur)
	var gained []float32
	if k >= 0 && k < len(cur.gained) {
		gained = cur.gained[k]
	}
	R := c.nodeR
	now := float32(p.now)
	glowFor := float32(max(0.6*p.period(), 400))
	// Glows first, under every node: generous on a ring, tight in a
	// crowded disc where they would swamp the neighbours.
	glowR := R*5 + 3*c.scale
	if c.ln > CircleMax {
		glowR = R * 3
	}
	if gained != nil {
		gc := classColor[Informed].Mix(ColNews, 0.5)
		for i, cl := range c.classes {
			if cl != Informed && cl != Stopped {
				continue
			}
			age := now - gained[i]
			if age < 0 || age >= glowFor {
				continue
			}
			q := 1 - age/glowFor
			b.Sprite(SpriteGlow, c.px[2*i], c.px[2*i+1], glowR*(0.55+0.45*q), gc.Alpha(0.85*q))
		}
	}
	for i, cl := range c.classes {
		x, y := c.px[2*i], c.px[2*i+1]
		col := classColor[cl]
		switch cl {
		case Absent:
			continue
		case Crashed:
			b.Sprite(SpriteDisc, x, y, R, ColBackground)
			b.Sprite(SpriteRing, x, y, R, col)
		case Uninformed, CutOff:
			b.Sprite(SpriteDisc, x, y, R*0.82, col)
		default:
			if gained != nil {
				if age := now - gained[i]; age >= 0 && age < glowFor {
					col = col.Mix(ColNews, 1-age/glowFor)
				}
			}
			b.Sprite(SpriteDisc, x, y, R, col)
		}
	}
	if sel := c.Selected; sel >= 0 && sel < len(c.classes) && c.classes[sel] != Absent {
		b.Sprite(SpriteRing, c.px[2*sel], c.px[2*sel+1], max(R*1.9, R+6*c.scale), ColSelected)
	}
}

// drawSelectionLinks draws faint lines from the selected node to every
// peer it has already sent the news to.
func (c *Composer) drawSelectionLinks(p *Player, f *Frame) {
	sel := c.Selected
	if sel < 0 || sel >= c.ln {
		return
	}
	d := p.scanDetails(sel)
	if d == nil {
		return
	}
	x0, y0 := c.px[2*sel], c.px[2*sel+1]
	col := ColSelected.Alpha(0.35)
	for _, j := range d.sentTo {
		if int(j) < c.ln {
			f.Batch.Line(x0, y0, c.px[2*j], c.px[2*j+1], 1.5*c.scale, col, col.Alpha(0.4))
		}
	}
}

// drawPackets draws every message on its way at the playhead: a dot moving
// from sender to receiver, with a faint trail when there are few enough to
// follow. Lost ones fade out half way, redundant ones are hollow grey,
// requests without the news are small and blue.
//
// A message is on screen for at least minShow and always reaches its
// receiver exactly when it arrives, so the receiver lights up as the dot
// lands; a faster message (zero latency: the classic round model) leaves
// its sender a little before it was sent.
func (c *Composer) drawPackets(p *Player, f *Frame) {
	b := &f.Batch
	l := p.log
	now := p.now
	minShow := p.minShow()
	lostFly := l.typicalFlight(0)
	window := math.Max(l.maxFly, lostFly)
	first, last := p.cur.idx, p.cur.idx
	for first > 0 && l.recs[first-1].t >= now-window {
		first--
	}
	for last < len(l.recs) && l.recs[last].t <= now+minShow {
		last++
	}
	// Trails only when few enough to follow, and a sample when too many
	// to draw (both judged on the last frame's count: close enough, and it
	// saves a pass).
	trails := c.lastPackets <= 1500
	stride := 1 + c.lastPackets/MaxPackets
	R := c.nodeR
	pr := min(max(R*0.8, 4*c.scale), 8*c.scale)
	if c.ln > 2000 {
		pr = max(R*0.8, 1.6*c.scale) // thousands of dots: keep them small
	}
	tw := max(1.5*c.scale, min(R*0.3, 3*c.scale))
	drawn, seen := 0, 0
	for i := last - 1; i >= first; i-- {
		r := &l.recs[i]
		q, alpha, ok := c.packetAt(p, r, now, minShow, lostFly)
		if !ok {
			continue
		}
		seen++
		if seen%stride != 0 || drawn >= MaxPackets {
			continue
		}
		drawn++
		x0, y0 := c.px[2*r.a], c.px[2*r.a+1]
		x1, y1 := c.px[2*r.b], c.px[2*r.b+1]
		x := x0 + (x1-x0)*q
		y := y0 + (y1-y0)*q
		var col Color
		sprite, rad := SpriteDisc, pr
		switch {
		case r.flags&flagLost != 0:
			col = ColLost
		case r.key == math.MaxUint16 || r.kind == kindPullReq:
			col, rad = ColRequest, pr*0.6
		case r.flags&flagRedundant != 0:
			col, sprite, rad = ColRedundant, SpriteRing, pr*1.1
		default:
			col = ColNews
		}
		if trails {
			b.Line(x0, y0, x, y, tw, col.Alpha(0.08*alpha), col.Alpha(0.6*alpha))
		}
		b.Sprite(sprite, x, y, rad, col.Alpha(alpha))
	}
	f.Packets = drawn
	f.InFlight = seen
	c.lastPackets = seen
}

// packetAt returns where along its way (0 sender .. 1 receiver) message r
// is drawn at now and how opaque, or ok false if it is not on screen.
func (c *Composer) packetAt(p *Player, r *rec, now, minShow, lostFly float64) (q, alpha float32, ok bool) {
	if r.typ != typMsg || int(max(r.a, r.b)) >= c.ln {
		return 0, 0, false
	}
	fl := float64(r.flight)
	lost := r.flags&flagLost != 0
	if lost {
		fl = lostFly
	}
	d := math.Max(fl, minShow)
	end := r.t + fl
	start := end - d
	if now < start || now >= end {
		return 0, 0, false
	}
	if r.t > now { // drawn ahead of its send: only once the sender has the news
		cur := p.cur
		if r.key != math.MaxUint16 && (int(r.key) >= len(cur.hold) || int(r.a) >= len(cur.hold[r.key]) || cur.hold[r.key][r.a] == noVersion) {
			return 0, 0, false
		}
	}
	u := float32((now - start) / d)
	if lost {
		return 0.5 * u, 1 - u, true
	}
	return u, 1, true
}

func clampF32(v, lo, hi float32) float32 { return max(lo, min(hi, v)) }
