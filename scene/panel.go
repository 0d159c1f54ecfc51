package scene

import (
	"math"
	"strconv"
)

// textCache keeps formatted strings until the numbers in them change, so
// a steady frame formats nothing.
type textCache struct {
	slots map[int]cachedText
}

type cachedText struct {
	a, b, c int64
	s       string
}

// get returns the string for slot with values (a, b, c), calling format
// only when they changed.
func (t *textCache) get(slot int, a, b, c int64, format func() string) string {
	if e, ok := t.slots[slot]; ok && e.a == a && e.b == b && e.c == c {
		return e.s
	}
	if t.slots == nil {
		t.slots = map[int]cachedText{}
	}
	s := format()
	t.slots[slot] = cachedText{a, b, c, s}
	return s
}

// Text slots.
const (
	slotRound = iota
	slotTime
	slotInformed
	slotMessages
	slotRedundant
	slotLost
	slotNet
	slotNarration
	slotTheory
	slotChartMax
	slotChartEnd
)

// theoryCache holds the theory curve for one (nodes, fanout, mode).
type theoryCache struct {
	n, k   int
	mode   string
	curve  []float64
	rounds float64
	logEst float64
}

func (t *theoryCache) get(in Info) *theoryCache {
	if t.n != in.Nodes || t.k != in.Fanout || t.mode != in.Mode || t.curve == nil {
		t.n, t.k, t.mode = in.Nodes, in.Fanout, in.Mode
		t.curve = Theory(in.Nodes, in.Fanout, in.Mode, 200)
		t.rounds, t.logEst = TheoryRounds(in.Nodes, in.Fanout, in.Mode)
		if t.curve == nil {
			t.curve = []float64{}
		}
	}
	return t
}

// row adds a "label ... value" line to the panel.
func (c *Composer) row(f *Frame, x, y, w, size float32, label, value string, col Color) {
	f.Texts = append(f.Texts,
		Text{X: x, Y: y, Size: size, Color: ColDim, S: label},
		Text{X: x + w, Y: y, Size: size, Color: col, Align: AlignRight, Bold: true, S: value})
}

// drawPanel draws the counters, the chart, the legend, the selected node
// and the narration line.
func (c *Composer) drawPanel(p *Player, f *Frame) {
	if c.ShowNarration {
		c.drawNarration(p, f, p.Counters())
	}
	c.drawSelection(p, f)
	if c.HidePanel {
		return
	}
	s := c.scale
	pan := c.panel
	b := &f.Batch
	b.Rect(pan.x, pan.y, pan.w, pan.h, ColPanel)
	pad := 14 * s
	x, w := pan.x+pad, pan.w-2*pad
	y := pan.y + pad
	bottom := pan.y + pan.h - pad
	cnt := p.Counters()
	fs := 17 * s
	lh := fs * 1.45

	// Big headline: the round (or the time for sources without rounds).
	big := 30 * s
	if p.hasRounds() {
		f.Texts = append(f.Texts, Text{X: x, Y: y, Size: big, Color: ColText, Bold: true,
			S: c.texts.get(slotRound, int64(cnt.Round), 0, 0, func() string { return "Round " + strconv.Itoa(cnt.Round) })})
	}
	tms := int64(cnt.T / 100)
	f.Texts = append(f.Texts, Text{X: x + w, Y: y + (big-fs)*0.6, Size: fs, Color: ColDim, Align: AlignRight,
		S: c.texts.get(slotTime, tms, 0, 0, func() string { return "t = " + strconv.FormatFloat(float64(tms)/10, 'f', 1, 64) + " s" })})
	y += big * 1.4

	c.row(f, x, y, w, fs, "informed", c.texts.get(slotInformed, int64(cnt.Informed), int64(cnt.Alive), 0, func() string {
		return Thousands(cnt.Informed) + " / " + Thousands(cnt.Alive)
	}), classColor[Informed])
	y += lh
	c.row(f, x, y, w, fs, "messages", c.texts.get(slotMessages, int64(cnt.Messages), 0, 0, func() string { return Thousands(cnt.Messages) }), ColText)
	y += lh
	c.row(f, x, y, w, fs, "redundant", c.texts.get(slotRedundant, int64(cnt.Redundant), int64(cnt.Messages), 0, func() string {
		pc := ""
		if cnt.Messages > 0 {
			pc = " (" + strconv.Itoa(int(math.Round(100*float64(cnt.Redundant)/float64(cnt.Messages)))) + "%)"
		}
		return Thousands(cnt.Redundant) + pc
	}), ColRedundant.Mix(ColText, 0.4))
	y += lh
	c.row(f, x, y, w, fs, "lost", c.texts.get(slotLost, int64(cnt.Lost), 0, 0, func() string { return Thousands(cnt.Lost) }), ColLost.Mix(ColText, 0.3))
	y += lh
	if cnt.Groups > 0 || cnt.Loss > 0 {
		c.row(f, x, y, w, fs, "network", c.texts.get(slotNet, int64(cnt.Groups), int64(cnt.Loss*1e6), 0, func() string {
			out := "whole"
			if cnt.Groups > 0 {
				out = "cut in " + strconv.Itoa(cnt.Groups)
			}
			if cnt.Loss > 0 {
				out += ", " + percent(cnt.Loss) + " loss"
			}
			return out
		}), classColor[CutOff].Mix(ColText, 0.3))
		y += lh
	}
	y += 6 * s

	// The chart, if there is room for a useful one.
	legendH := 5*lh*0.9 + 8*s
	if c.HideLegend {
		legendH = 0
	}
	chartH := min(bottom-y-legendH-fs*1.4, 210*s)
	if chartH > 70*s {
		c.drawChart(p, f, rect{x, y + fs*1.3, w, chartH}, fs, cnt)
		y += chartH + fs*1.3 + 10*s
	}
	if bottom-y >= 5*lh*0.9 && !c.HideLegend {
		c.drawLegend(f, x, y, w, fs*0.92, lh*0.9)
	}
}

// drawChart draws informed nodes over time: the run so far bright, what
// the log already holds beyond the playhead faint, the theory curve as a
// white line and the playhead as a vertical bar.
func (c *Composer) drawChart(p *Player, f *Frame, r rect, fs float32, cnt Counters) {
	s := c.scale
	b := &f.Batch
	b.Rect(r.x, r.y, r.w, r.h, Color{0, 0, 0, 0.35})
	th := c.theory.get(p.info)
	period := p.period()
	t0 := math.Max(cnt.FirstNews, 0)
	// Time axis: the whole stream, and at least the theory's span.
	tEnd := math.Max(p.Duration(), p.now)
	if len(th.curve) > 1 && p.hasRounds() {
		tEnd = math.Max(tEnd, t0+float64(len(th.curve))*period)
	}
	tStart := 0.0
	if !p.hasRounds() && !p.done { // live: the last minute
		tStart = math.Max(0, p.now-60000)
		tEnd = math.Max(p.now, tStart+1000)
	}
	tEnd = math.Max(tEnd, tStart+1)
	yMax := float64(max(cnt.Alive, p.info.Nodes, 1))
	for _, pt := range p.series {
		yMax = math.Max(yMax, float64(pt.alive))
	}
	X := func(t float64) float32 { return r.x + float32((t-tStart)/(tEnd-tStart))*r.w }
	Y := func(v float64) float32 { return r.y + r.h - float32(v/yMax)*r.h }

	// Grid: quarters.
	for q := 1; q < 4; q++ {
		b.Rect(r.x, r.y+r.h*float32(q)/4, r.w, max(1, s), ColGrid)
	}
	// Series as columns.
	col := classColor[Informed]
	step := max(2*s, r.w/600)
	j := 0
	ser := p.series
	for px := float32(0); px < r.w; px += step {
		t := tStart + float64(px+step/2)/float64(r.w)*(tEnd-tStart)
		for j+1 < len(ser) && ser[j+1].t <= t {
			j++
		}
		if len(ser) == 0 || ser[j].t > t || t > p.Horizon()+1e-9 && !p.done {
			continue
		}
		v := float64(ser[j].informed)
		if v <= 0 {
			continue
		}
		a := float32(0.85)
		if t > p.now {
			a = 0.18
		}
		top := Y(v)
		b.Rect(r.x+px, top, step+0.5, r.y+r.h-top, col.Alpha(a))
	}
	// Theory curve, one segment per round, starting when the news did.
	if len(th.curve) > 1 && p.hasRounds() && cnt.FirstNews >= 0 {
		lat := math.Max(p.info.Latency, 0)
		for i := 1; i < len(th.curve); i++ {
			ta := t0 + float64(i-1)*period + lat
			tb := t0 + float64(i)*period + lat
			if i == 1 {
				ta = t0
			}
			if ta > tEnd {
				break
			}
			b.Line(X(ta), Y(th.curve[i-1]), X(math.Min(tb, tEnd)), Y(th.curve[i]), 2*s, ColTheory, ColTheory)
		}
	}
	// Playhead.
	if p.now >= tStart && p.now <= tEnd {
		b.Rect(X(p.now)-s, r.y, 2*s, r.h, ColSelected.Alpha(0.9))
	}
	small := fs * 0.85
	f.Texts = append(f.Texts,
		Text{X: r.x, Y: r.y - fs*1.25, Size: small, Color: ColDim, S: "informed nodes over time"},
		Text{X: r.x + r.w, Y: r.y - fs*1.25, Size: small, Color: ColDim, Align: AlignRight,
			S: c.texts.get(slotChartMax, int64(yMax), 0, 0, func() string { return "max " + Thousands(int(yMax)) })},
	)
	if th.rounds > 0 && p.hasRounds() {
		f.Texts = append(f.Texts, Text{X: r.x + 6*s, Y: r.y + 4*s, Size: small, Color: ColTheory,
			S: c.texts.get(slotTheory, int64(th.rounds*10), int64(th.logEst*10), 0, func() string {
				return "— theory: " + oneDecimal(th.rounds) + " rounds (log" + subscript(th.k+1) + " N = " + oneDecimal(th.logEst) + ")"
			})})
	}
	f.Texts = append(f.Texts, Text{X: r.x + r.w, Y: r.y + r.h + 3*s, Size: small, Color: ColDim, Align: AlignRight,
		S: c.texts.get(slotChartEnd, int64(tEnd/100), 0, 0, func() string { return seconds(tEnd) })})
}

func subscript(n int) string {
	const digits = "₀₁₂₃₄₅₆₇₈₉"
	out := ""
	for _, d := range strconv.Itoa(n) {
		i := int(d - '0')
		out += string([]rune(digits)[i])
	}
	return out
}

// legend entries: node classes, then packets.
var legendNodes = [...]Class{Uninformed, Informed, Stopped, Crashed, CutOff}
var legendPackets = [...]struct {
	s   Sprite
	col Color
	txt string
}{
	{SpriteDisc, ColNews, "message: news"},
	{SpriteRing, ColRedundant, "already knew"},
	{SpriteDisc, ColRequest, "request (pull)"},
	{SpriteDisc, ColLost, "lost"},
}

func (c *Composer) drawLegend(f *Frame, x, y, w, fs, lh float32) {
	b := &f.Batch
	r := fs * 0.42
	for i, cl := range legendNodes {
		yy := y + float32(i)*lh
		if cl == Crashed {
			b.Sprite(SpriteRing, x+r, yy+fs*0.55, r, classColor[cl])
		} else {
			b.Sprite(SpriteDisc, x+r, yy+fs*0.55, r, classColor[cl])
		}
		f.Texts = append(f.Texts, Text{X: x + 2.6*r, Y: yy, Size: fs, Color: ColText, S: cl.String()})
	}
	x += w / 2
	for i, e := range legendPackets {
		yy := y + float32(i)*lh
		b.Sprite(e.s, x+r, yy+fs*0.55, r*0.85, e.col)
		f.Texts = append(f.Texts, Text{X: x + 2.6*r, Y: yy, Size: fs, Color: ColText, S: e.txt})
	}
}

// drawSelection writes the selected node's details at the top left of the
// node area. They are rebuilt only when an event was applied or the
// node's class changed.
func (c *Composer) drawSelection(p *Player, f *Frame) {
	i := c.Selected
	if i < 0 || i >= len(c.classes) || c.classes[i] == Absent {
		return
	}
	key := [3]int{i, p.cur.idx, int(c.classes[i])}
	if key != c.selKey || c.selLines == nil {
		c.selKey = key
		d, ok := p.Details(i)
		if !ok {
			return
		}
		c.selLines = selectionLines(&d, c.selLines[:0])
	}
	s := c.scale
	fs := 16 * s
	x, y := c.disc.x+4*s, c.disc.y+2*s
	for j, ln := range c.selLines {
		col, size, bold := ColText, fs, false
		if j == 0 {
			col, size, bold = ClassColor(c.classes[i]).Mix(ColText, 0.2), fs*1.25, true
		}
		f.Texts = append(f.Texts, Text{X: x, Y: y, Size: size, Color: col, Bold: bold, S: ln})
		y += size * 1.35
	}
}

func selectionLines(d *Details, out []string) []string {
	hold := "holds: nothing yet"
	if len(d.Holds) > 0 {
		hold = "holds: "
		for i, h := range d.Holds {
			if i > 0 {
				hold += ", "
			}
			hold += h.Key + " v" + strconv.FormatInt(h.Version, 10)
		}
	}
	out = append(out,
		d.Name+" — "+d.Class.String(),
		hold,
		"sent "+Thousands(d.Sent)+", received "+Thousands(d.Received),
		"told: "+peers(d.SentTo, d.SentToN),
		"heard from: "+peers(d.HeardFrom, d.HeardN))
	if d.Group >= 0 {
		out = append(out, "partition side "+strconv.Itoa(d.Group+1))
	}
	return out
}

func peers(names []string, n int) string {
	if n == 0 {
		return "nobody"
	}
	const show = 6
	out := ""
	for i, nm := range names {
		if i == show {
			break
		}
		if i > 0 {
			out += ", "
		}
		out += nm
	}
	if n > min(show, len(names)) {
		out += " +" + strconv.Itoa(n-min(show, len(names))) + " more"
	}
	return out
}

// drawNarration writes the narration line along the bottom, wrapped to two
// lines at most. It is rebuilt only when an event was applied, a fault
// note expired, or (for sources without rounds) a tenth of a second passed.
func (c *Composer) drawNarration(p *Player, f *Frame, cnt Counters) {
	s := c.scale
	r := c.narr
	f.Batch.Rect(r.x, r.y, r.w, r.h, ColPanel)
	fs := 22 * s
	key := narrKey{idx: p.cur.idx, fault: p.recentFault() != "", done: cnt.Done, key: p.focus(p.cur), w: r.w, fs: fs, n: p.Len()}
	if !p.hasRounds() {
		key.tick = int64(p.now / 100)
	}
	if key != c.narrKey || c.narrLines == nil {
		c.narrKey = key
		c.Narration = p.Narration()
		c.narrLines = c.wrap(c.Narration, fs, r.w-24*s, c.narrLines[:0])
		c.narrFS = fs
		if len(c.narrLines) > 2 {
			c.narrFS = fs * 0.8
			c.narrLines = c.wrap(c.Narration, c.narrFS, r.w-24*s, c.narrLines[:0])
		}
	}
	fs = c.narrFS
	n := min(len(c.narrLines), 2)
	y := r.y + (r.h-float32(n)*fs*1.25)/2
	for _, ln := range c.narrLines[:n] {
		f.Texts = append(f.Texts, Text{X: r.x + 12*s, Y: y, Size: fs, Color: ColText, S: ln})
		y += fs * 1.25
	}
}

type narrKey struct {
	idx, key, n int
	fault, done bool
	tick        int64
	w, fs       float32
}

// wrap breaks text into lines no wider than w, at spaces.
func (c *Composer) wrap(text string, size, w float32, out []string) []string {
	start, lastSpace := 0, -1
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != ' ' {
			continue
		}
		if lastSpace > start && c.measure(text[start:i], size) > w {
			out = append(out, text[start:lastSpace])
			start = lastSpace + 1
		}
		lastSpace = i
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}
