package scene

import (
	"math"
	"strconv"

	"github.com/gossipscope/gossipscope/protocol"
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
	slotChartEndShort
	slotSpreadLabel
	slotSpreadValue
	slotChartTitle
	slotLog
	slotLogRest
	slotVersion
	slotOlderLabel
	slotOlder
	slotSide = 100 // + side index
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

// olderLabel names what nodes that lack version v hold: the version
// before it, or older ones.
func olderLabel(v int) string {
	if v == 2 {
		return "still on version 1"
	}
	return "on older versions"
}

// row adds a "label ... value" line to the panel.
func (c *Composer) row(f *Frame, x, y, w, size float32, label, value string, col Color) {
	f.Texts = append(f.Texts,
		Text{X: x, Y: y, Size: size, Color: ColDim, S: label, panel: true},
		Text{X: x + w, Y: y, Size: size, Color: col, Align: AlignRight, Bold: true, S: value})
}

// Panel type sizes, before scaling.
const (
	panelFS   = 17 // counters
	panelBig  = 30 // the round headline
	panelPad  = 14
	chartMinH = 70
	chartMaxH = 230
)

// panelHead is the height of the headline and counters (five rows).
func panelHead(s float32) float32 {
	fs := panelFS * s
	return panelBig*s*1.4 + 5*fs*1.45 + 6*s
}

// chartBlock is the height of the smallest useful chart with its title
// and its caption line.
func chartBlock(s float32) float32 {
	small := panelFS * s * 0.85
	return small*1.5 + chartMinH*s + small*(1.6+tickRow)
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
	// Every text of the panel goes into its batch, values too: the page
	// redraws only where the batch changed (Damage).
	defer toPanel(f, len(f.Texts))
	s := c.scale
	pan := c.panel
	b := &f.Panel
	b.Rect(pan.x, pan.y, pan.w, pan.h, ColPanel)
	f.PanelBox = [4]float32{float32(math.Floor(float64(pan.x))), float32(math.Floor(float64(pan.y))),
		float32(math.Ceil(float64(pan.x + pan.w))), float32(math.Ceil(float64(pan.y + pan.h)))}
	cnt := p.Counters()
	fs := panelFS * s
	small := fs * 0.85
	x, w := pan.x+panelPad*s, pan.w-2*panelPad*s

	// The chart's minimum with its time labels (and its caption's own
	// line, when a live spread's words go under it), and the spacing that
	// leaves room for it.
	cp := c.planChart(p, cnt, w, small)
	older := cnt.Version >= 2 && cnt.Older > 0
	network := cnt.Groups > 0 || cnt.Loss > 0
	rows := 4
	if older {
		rows++
	}
	if network {
		rows++
	}
	room := pan.h
	if c.legend.mode == legendInPanel {
		room -= c.legend.h + 10*s
	}
	need := chartMinH*s + small*tickRow
	if cp.spreadBelow {
		need += small * 1.3
	}
	msgs := c.texts.get(slotMessages, int64(cnt.Messages), 0, 0, func() string { return Thousands(cnt.Messages) })
	lost := c.texts.get(slotLost, int64(cnt.Lost), 0, 0, func() string { return Thousands(cnt.Lost) })
	sp, lostBeside, fits := c.fitPanel(rows, room, need, w, fs, msgs, lost)
	y := pan.y + sp.pad
	bottom := pan.y + pan.h - sp.pad
	lh := sp.row

	// Big headline: the round (or the time for sources without rounds).
	big := panelBig * s
	// A stream without rounds names what it is instead: a live one, or a
	// recording played back.
	head := "Live"
	if p.hasRounds() {
		head = c.texts.get(slotRound, int64(cnt.Round), 0, 0, func() string { return "Round " + strconv.Itoa(cnt.Round) })
	} else if p.done || p.info.Source == protocol.SourceReplay {
		head = "Recording"
	}
	f.Texts = append(f.Texts, Text{X: x, Y: y, Size: big, Color: ColText, Bold: true, S: head})
	tms := int64(math.Round(cnt.T / 100)) // tenths, rounded as the page rounds its time
	f.Texts = append(f.Texts, Text{X: x + w, Y: y + (big-fs)*0.6, Size: fs, Color: ColDim, Align: AlignRight,
		S: c.texts.get(slotTime, tms, 0, 0, func() string { return "t = " + strconv.FormatFloat(float64(tms)/10, 'f', 1, 64) + " s" })})
	y += sp.head

	// After a newer version of the news, say which version is counted, and
	// how many still hold an older one (they are drawn as uninformed).
	label := "informed"
	if cnt.Version >= 2 {
		label = c.texts.get(slotVersion, int64(cnt.Version), 0, 0, func() string { return "know version " + strconv.Itoa(cnt.Version) })
	}
	c.row(f, x, y, w, fs, label, c.texts.get(slotInformed, int64(cnt.Informed), int64(cnt.Alive), 0, func() string {
		return Thousands(cnt.Informed) + " / " + Thousands(cnt.Alive)
	}), classColor[Informed])
	y += lh
	if older {
		c.row(f, x, y, w, fs, c.texts.get(slotOlderLabel, int64(cnt.Version), 0, 0, func() string { return olderLabel(cnt.Version) }),
			c.texts.get(slotOlder, int64(cnt.Older), 0, 0, func() string { return Thousands(cnt.Older) }),
			classColor[Uninformed].Mix(ColText, 0.5))
		y += lh
	}
	lostCol := ColLost.Mix(ColText, 0.3)
	msgW := w
	if lostBeside {
		lw := c.lostWidth(fs, lost)
		msgW = w - lw - 16*s
		c.row(f, x+w-lw, y, lw, fs, "lost", lost, lostCol)
	}
	c.row(f, x, y, msgW, fs, "messages", msgs, ColText)
	y += lh
	c.row(f, x, y, w, fs, "redundant", c.texts.get(slotRedundant, int64(cnt.Redundant), int64(cnt.Messages), 0, func() string {
		pc := ""
		if cnt.Messages > 0 {
			pc = " (" + strconv.Itoa(int(math.Round(100*float64(cnt.Redundant)/float64(cnt.Messages)))) + "%)"
		}
		return Thousands(cnt.Redundant) + pc
	}), ColRedundant.Mix(ColText, 0.4))
	y += lh
	if !lostBeside {
		c.row(f, x, y, w, fs, "lost", lost, lostCol)
		y += lh
	}
	if network {
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

	// The legend at the bottom of the panel, the chart in the room left.
	if c.legend.mode == legendInPanel {
		n := len(f.Texts)
		c.drawLegend(f, x, bottom-c.legend.h, w)
		toPanel(f, n)
		bottom -= c.legend.h + 10*s
	}
	top := y + sp.gap + sp.title
	chartH := min(bottom-sp.under-top, chartMaxH*s+small*tickRow)
	if fits {
		c.drawChart(p, f, rect{x, top, w, chartH}, small, cnt, &cp)
	} else if ms, ok := p.spreadTook(cnt); ok && y+fs*1.2 <= bottom {
		// No room for the chart (large type on a laptop): how long the
		// news took to reach everybody still shows, as a row.
		c.spreadRow(f, x, y, w, fs, cnt.Alive, ms)
	}
}

// chartPlan is what the chart shows, decided before the panel is laid out:
// a live spread's caption may need a line of its own.
type chartPlan struct {
	th          *theoryCache
	ax          chartAxis
	unitW       float32 // the width of the axis' name
	spreadLab   string  // how long a live spread took, "" if none
	spreadBelow bool    // spreadLab goes on a line of its own under the axis' name
}

// planChart returns the chart's plan for a chart w px wide.
func (c *Composer) planChart(p *Player, cnt Counters, w, small float32) chartPlan {
	th := c.theory.get(p.info)
	cp := chartPlan{th: th, ax: p.chartWindow(cnt, th)}
	// A finished spread's caption goes beside the unit's name, or on a
	// line of its own under it, taken from the chart.
	cp.unitW = c.measure(cp.ax.name, small)
	if ms, ok := p.spreadTook(cnt); ok {
		cp.spreadLab, cp.spreadBelow = c.spreadCaption(cnt.Alive, ms, w, cp.unitW, small)
	}
	return cp
}

// drawChart draws informed nodes over time: the run so far bright, what
// the log already holds beyond the playhead faint, the theory curve as a
// sky-blue line and the playhead as a white vertical bar, with node counts
// left of it and times (rounds, or ms since the news) under it. Its title
// goes above it, the theory's rounds and what the times count below it,
// never over it. r includes the time labels' line.
func (c *Composer) drawChart(p *Player, f *Frame, r rect, small float32, cnt Counters, cp *chartPlan) {
	s := c.scale
	b := &f.Panel
	n0 := len(f.Texts)
	th, ax, unitW, spreadLab, spreadBelow := cp.th, cp.ax, cp.unitW, cp.spreadLab, cp.spreadBelow
	period := p.period()
	t0 := math.Max(cnt.FirstNews, 0)
	if spreadBelow {
		r.h -= small * 1.3
	}
	full := r
	tStart, tEnd := ax.start, ax.end
	yMax := float64(max(int32(cnt.Alive), int32(p.info.Nodes), p.seriesMax, 1))
	lw := c.yLabelWidth(yMax, small)
	r = rect{r.x + lw, r.y, r.w - lw, r.h - small*tickRow}
	c.chart.plot, c.chart.t0, c.chart.t1 = r, tStart, tEnd
	f.Panel.Rect(r.x, r.y, r.w, r.h, Color{0, 0, 0, 0.35})
	X := func(t float64) float32 { return r.x + float32((t-tStart)/(tEnd-tStart))*r.w }
	Y := func(v float64) float32 { return r.y + r.h - float32(v/yMax)*r.h }

	c.drawYTicks(f, r, yMax, small)
	c.drawXTicks(f, r, ax, full.x, small)
	toPanel(f, n0)
	// Series as columns, each the value at its middle (a binary search per
	// column: the series grows with the run, the columns do not). A
	// followed news starts from nothing: before it the series counts the
	// news it replaced.
	col := classColor[Informed]
	step := max(2*s, r.w/300)
	ser := p.series
	horizon := p.Horizon()
	for px := float32(0); px < r.w; px += step {
		t := tStart + float64(px+step/2)/float64(r.w)*(tEnd-tStart)
		if t > horizon+1e-9 && !p.done {
			break
		}
		if t < ax.since {
			continue
		}
		j := p.seriesAt(t)
		if j < 0 {
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
		b.Rect(r.x+px, top, min(step+0.5, r.w-px), r.y+r.h-top, col.Alpha(a))
	}
	// Theory curve, one segment per round, starting when the news did.
	theory := len(th.curve) > 1 && p.hasRounds() && cnt.FirstNews >= 0
	if theory {
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
		// Over the panel's image: it moves every frame.
		f.Over.Rect(X(p.now)-s, r.y, 2*s, r.h, ColSelected.Alpha(0.9))
	}

	n1 := len(f.Texts)
	defer toPanel(f, n1)
	// Title and scale above.
	// With nodes crashed the counters say "54 / 59" (of the live ones):
	// the scale says both, so 60 at the top does not read as a mismatch.
	alive := int64(cnt.Alive)
	maxS := c.texts.get(slotChartMax, int64(yMax), alive, 0, func() string {
		if alive > 0 && alive < int64(yMax) {
			return "max " + Thousands(int(yMax)) + " (" + Thousands(int(alive)) + " live)"
		}
		return "max " + Thousands(int(yMax))
	})
	room := full.w - c.measure(maxS, small) - 10*s
	title := "informed nodes over time"
	for _, t := range [...]string{"informed nodes over time", "informed over time", "informed"} {
		title = t
		if c.measure(t, small) <= room {
			break
		}
	}
	ty := full.y - small*1.4
	f.Texts = append(f.Texts,
		Text{X: full.x, Y: ty, Size: small, Color: ColDim, S: title},
		Text{X: full.x + full.w, Y: ty, Size: small, Color: ColDim, Align: AlignRight, S: maxS},
	)
	// What the times count, and the theory (or the followed spread), below.
	by := full.y + full.h + small*0.3
	f.Texts = append(f.Texts, Text{X: full.x + full.w, Y: by, Size: small, Color: ColDim, Align: AlignRight, S: ax.name})
	switch {
	case theory && th.rounds > 0:
		c.theoryCaption(f, full.x, by, full.w-unitW-12*s, small, th)
	case spreadLab != "":
		if spreadBelow {
			by += small * 1.3
		}
		f.Texts = append(f.Texts, Text{X: full.x, Y: by, Size: small, Color: classColor[Informed].Mix(ColText, 0.3), S: spreadLab})
	}
}

// theoryCaption writes "— theory: expect 5.9 rounds (rough log₄ N = 5)"
// from x within w
// px, the base of the logarithm as a real subscript (the font's subscript
// digits are too small to read across a room), dropping the logarithm if
// there is no room for it.
func (c *Composer) theoryCaption(f *Frame, x, y, w, size float32, th *theoryCache) {
	s := c.scale
	sw := 16 * s
	b := &f.Panel
	b.Line(x, y+size*0.6, x+sw, y+size*0.6, 2*s, ColTheory, ColTheory)
	x += sw + 6*s
	w -= sw + 6*s
	main := c.texts.get(slotTheory, int64(th.rounds*10), 0, 0, func() string {
		return "theory: expect " + oneDecimal(th.rounds) + " rounds"
	})
	mw := c.measure(main, size)
	if mw > w {
		main = "expect " + oneDecimal(th.rounds)
		mw = c.measure(main, size)
	}
	f.Texts = append(f.Texts, Text{X: x, Y: y, Size: size, Color: ColTheory, S: main})
	base := c.texts.get(slotLog, int64(th.k+1), 0, 0, func() string { return strconv.Itoa(th.k + 1) })
	rest := c.texts.get(slotLogRest, int64(th.logEst*10), 0, 0, func() string { return " N = " + oneDecimal(th.logEst) + ")" })
	sub := size * 0.85
	lw := c.measure(" (rough log", size) + c.measure(base, sub) + c.measure(rest, size)
	if mw+lw > w {
		return
	}
	x += mw
	f.Texts = append(f.Texts, Text{X: x, Y: y, Size: size, Color: ColDim, S: " (rough log"})
	x += c.measure(" (rough log", size)
	f.Texts = append(f.Texts, Text{X: x, Y: y + size*0.42, Size: sub, Color: ColDim, S: base})
	x += c.measure(base, sub)
	f.Texts = append(f.Texts, Text{X: x, Y: y, Size: size, Color: ColDim, S: rest})
}
