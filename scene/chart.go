package scene

import (
	"math"
	"strconv"
)

// The chart of a stream without rounds (a live lab, a real cluster)
// follows the newest news instead of showing the stream's whole life: a
// lab that has run for minutes spreads a silence in ~200 ms, one pixel of
// a 0-190 s axis.
const (
	followMinSpan = 60.0    // ms: the narrowest window (a fast lab spreads in ~40 ms, one at Alertmanager's timings in ~200)
	followFor     = 10000.0 // ms: how long a spread that has not reached everybody keeps the window growing with the clock
	idleSpan      = 10000.0 // ms: before any news, the last 10 s
	tickRow       = 1.3     // the x labels' line under the chart, in small type heights
)

// chartDrawn is where a frame drew the chart, for Geometry.
type chartDrawn struct {
	plot   rect
	t0, t1 float64
	ticks  [2]int // x and y labels
}

// chartAxis is the chart's time window and how its x labels read: a label
// is (t - origin) / unit.
type chartAxis struct {
	start, end   float64 // ms
	since        float64 // when the followed news appeared; -1: the whole run is shown
	origin, unit float64
	whole        bool   // labels are whole numbers (rounds)
	name         string // what the labels count: "rounds", "ms since the news"...
}

// chartWindow returns the chart's time axis at the playhead. A run with
// rounds shows all of it, and at least the theory's span, in rounds. A
// stream without rounds shows the newest version of the focused news from
// a little before it appeared to the last node that learnt it (growing
// with the clock while it still spreads), at least followMinSpan wide, in
// ms or s since it appeared.
func (p *Player) chartWindow(cnt Counters, th *theoryCache) chartAxis {
	if p.hasRounds() {
		end := math.Max(p.Duration(), p.now)
		if len(th.curve) > 1 {
			end = math.Max(end, math.Max(cnt.FirstNews, 0)+float64(len(th.curve))*p.period())
		}
		ax := chartAxis{start: 0, end: math.Max(end, 1), since: -1, unit: 1000, name: "seconds"}
		if p.info.Period > 0 {
			ax.unit, ax.whole, ax.name = p.info.Period, true, "rounds"
		}
		return ax
	}
	if cnt.FirstNews < 0 {
		start := math.Max(0, p.now-idleSpan)
		return chartAxis{start: start, end: math.Max(p.now, start+followMinSpan), since: -1, unit: 1000, name: "seconds"}
	}
	since := p.newsSince()
	last := math.Max(p.lastGain(), since)
	pad := math.Max((last-since)*0.08, 3)
	ax := chartAxis{start: since - pad, since: since, origin: since}
	ax.end = math.Max(last+pad, ax.start+followMinSpan)
	if cnt.Informed < cnt.Alive {
		ax.end = math.Max(ax.end, math.Min(p.now, since+followFor))
	}
	ax.unit, ax.name = 1, "ms since the news"
	if ax.end-ax.start >= 2000 {
		ax.unit, ax.name = 1000, "s since the news"
	}
	return ax
}

// lastGain returns when the last node (at the playhead) came to hold the
// newest version of the focused key, -1 if nobody holds it.
func (p *Player) lastGain() float64 {
	c := p.cur
	k := p.focus(c)
	last := -1.0
	if k < 0 || k >= len(c.hold) {
		return last
	}
	nv := c.newest[k]
	for i, v := range c.hold[k] {
		if v == nv && v != noVersion {
			last = math.Max(last, float64(c.gained[k][i]))
		}
	}
	return last
}

// niceSteps are the tick steps, times a power of ten.
var niceSteps = [...]float64{1, 2, 2.5, 5, 10}

// niceStep returns the smallest of 1, 2, 2.5 and 5 times a power of ten
// that cuts span into at most n parts; whole: a whole number.
func niceStep(span float64, n int, whole bool) float64 {
	if span <= 0 || n < 1 {
		return 1
	}
	raw := span / float64(n)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range niceSteps {
		st := m * pow
		if whole && (st < 1 || st != math.Trunc(st)) {
			continue
		}
		if st >= raw*(1-1e-9) {
			return st
		}
	}
	return math.Max(10*pow, 1)
}

// tickLabel formats a tick's value: "12", "1.5", "1,000", "2.5k" for
// thousands of nodes from 10,000 on.
func tickLabel(v float64, kilo bool) string {
	if kilo {
		return strconv.FormatFloat(math.Round(v/100)/10, 'f', -1, 64) + "k"
	}
	if v >= 1000 && v == math.Trunc(v) {
		return Thousands(int(v))
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// Text slots of the ticks: + the tick's index.
const (
	slotTickY      = 200
	slotTickX      = 300
	slotTickWidest = 399
)

// yTicks returns the step of the node-count axis 0..yMax: at most four
// parts, whole nodes.
func yTicks(yMax float64) float64 { return niceStep(yMax, 4, true) }

// yLabelWidth is the room the y labels take left of the chart.
func (c *Composer) yLabelWidth(yMax float64, small float32) float32 {
	st := yTicks(yMax)
	top := math.Floor(yMax/st) * st
	lab := c.texts.get(slotTickWidest, int64(yMax), 0, 0, func() string { return tickLabel(top, yMax >= 10000) })
	return c.measure(lab, small) + 6*c.scale
}

// drawYTicks draws the node-count grid lines and their labels left of the
// plot r (whose 0 is at the bottom).
func (c *Composer) drawYTicks(f *Frame, r rect, yMax float64, small float32) {
	s := c.scale
	st := yTicks(yMax)
	kilo := yMax >= 10000
	for i := 0; ; i++ {
		v := float64(i) * st
		if v > yMax+1e-9 || i > 20 {
			break
		}
		y := r.y + r.h - float32(v/yMax)*r.h
		if i > 0 {
			f.Panel.Rect(r.x, y, r.w, max(1, s), ColGrid)
		}
		lab := c.texts.get(slotTickY+i, int64(v), int64(yMax), 0, func() string { return tickLabel(v, kilo) })
		c.chart.ticks[1]++
		// Centred on its line, but never up into the title's line.
		ty := max(y-small*0.55, r.y-small*0.3)
		f.Texts = append(f.Texts, Text{X: r.x - 5*s, Y: ty, Size: small, Color: ColDim, Align: AlignRight, S: lab})
	}
}

// drawXTicks draws the time labels under the plot r (and faint lines up
// through it), left to right, none closer to the last than a space, none
// beyond left..r's right edge.
func (c *Composer) drawXTicks(f *Frame, r rect, ax chartAxis, left, small float32) {
	s := c.scale
	lo, hi := (ax.start-ax.origin)/ax.unit, (ax.end-ax.origin)/ax.unit
	n := max(2, min(8, int(r.w/(small*3.2))))
	st := niceStep(hi-lo, n, ax.whole)
	first := math.Ceil(lo/st-1e-9) * st
	y := r.y + r.h + small*0.2
	gap := small * 0.6
	prevRight := float32(math.Inf(-1))
	for i := 0; i < 20; i++ {
		v := first + float64(i)*st
		if v > hi+1e-9 {
			break
		}
		t := ax.origin + v*ax.unit
		x := r.x + float32((t-ax.start)/(ax.end-ax.start))*r.w
		f.Panel.Rect(x-max(0.5, s/2), r.y, max(1, s), r.h, ColGrid.Alpha(0.6))
		lab := c.texts.get(slotTickX+i, int64(math.Round(v*1000)), int64(ax.unit), 0, func() string { return tickLabel(v, false) })
		w := c.measure(lab, small)
		x0 := min(max(x-w/2, left), r.x+r.w-w)
		if x0 < prevRight+gap {
			continue
		}
		prevRight = x0 + w
		c.chart.ticks[0]++
		f.Texts = append(f.Texts, Text{X: x0, Y: y, Size: small, Color: ColDim, S: lab})
	}
}

// spreadTook returns how long the followed news took to reach every live
// node, once it has, in a stream without rounds (a simulation has its
// theory caption instead).
func (p *Player) spreadTook(cnt Counters) (ms float64, ok bool) {
	if p.hasRounds() || cnt.FirstNews < 0 || cnt.Alive <= 1 || cnt.Informed < cnt.Alive {
		return 0, false
	}
	return math.Max(p.lastGain()-p.newsSince(), 0), true
}

// spreadWords says how long the news took to reach all n nodes, long
// ("all 3 had it after 19 ms") and short ("all 3 in 19 ms").
func spreadWords(n int, ms float64) (long, short string) {
	all := "all " + Thousands(n)
	if math.Round(ms) < 1 {
		return all + " had it within 1 ms", all + " within 1 ms"
	}
	return all + " had it " + after(ms), all + " in " + seconds(ms)
}

// spreadCaption is the chart's caption for a finished spread, in w px: the
// long words if they fit beside the unit's name (unitW), the short ones if
// they do, else a line of its own under it (below), long if it fits; ""
// if nothing fits.
func (c *Composer) spreadCaption(n int, ms float64, w, unitW, small float32) (lab string, below bool) {
	key := int64(math.Round(ms))
	long := c.texts.get(slotChartEnd, key, int64(n), 0, func() string { l, _ := spreadWords(n, ms); return l })
	short := c.texts.get(slotChartEndShort, key, int64(n), 0, func() string { _, s := spreadWords(n, ms); return s })
	beside := w - unitW - 12*c.scale
	switch {
	case c.measure(long, small) <= beside:
		return long, false
	case c.measure(short, small) <= beside:
		return short, false
	case c.measure(long, small) <= w:
		return long, true
	case c.measure(short, small) <= w:
		return short, true
	}
	return "", false
}

// spreadRow says how long the news took to reach everybody as a counter
// row ("all 3 had it after ... 19 ms"), for a panel without room for the
// chart and its caption.
func (c *Composer) spreadRow(f *Frame, x, y, w, fs float32, n int, ms float64) {
	within := int64(0)
	val := "within 1 ms"
	if math.Round(ms) >= 1 {
		val = c.texts.get(slotSpreadValue, int64(math.Round(ms)), 0, 0, func() string { return seconds(ms) })
	} else {
		within = 1
	}
	label := c.texts.get(slotSpreadLabel, int64(n), within, 0, func() string {
		if within == 1 {
			return "all " + Thousands(n) + " had it"
		}
		return "all " + Thousands(n) + " had it after"
	})
	if c.measure(label, fs) > w-c.glyphs.Measure(val, fs, true)-fs {
		label = "all had it after"
		if within == 1 {
			label = "all had it"
		}
	}
	c.row(f, x, y, w, fs, label, val, classColor[Informed].Mix(ColText, 0.3))
}
