package scene

// The panel's vertical rhythm. Where the window is roomy the panel keeps
// generous air between its lines; where that leaves the chart (the run
// against theory: what a class came to see) no room, as in larger type at
// 1280x720, the air goes first, then the lost count moves up beside the
// messages, so that the chart keeps its minimum height without any text
// growing smaller.

// panelSpacing is the height of each part of the panel but the chart, px.
type panelSpacing struct {
	pad   float32 // above the headline, and under the last line
	head  float32 // the headline's line
	row   float32 // a counter's line
	gap   float32 // between the counters and the chart's title
	title float32 // the chart's title line
	under float32 // under the chart's time labels: its caption's line
}

// roomySpacing is the panel's spacing where it has room.
func roomySpacing(s float32) panelSpacing {
	fs := panelFS * s
	small := fs * 0.85
	return panelSpacing{pad: panelPad * s, head: panelBig * s * 1.4, row: fs * 1.45, gap: 6 * s, title: small * 1.5, under: small * 1.6}
}

// tightSpacing is the least air the panel keeps: lines still clear of one
// another (Go's fonts take about 1.15 of their size from ascender to
// descender), the chart's title where drawChart puts it (1.4 lines above
// the chart), its caption a line under its time labels.
func tightSpacing(s float32) panelSpacing {
	fs := panelFS * s
	small := fs * 0.85
	return panelSpacing{pad: 7 * s, head: panelBig * s * 1.1, row: fs * 1.18, gap: 2 * s, title: small * 1.4, under: small * 1.3}
}

// height is what everything but the chart and its time labels takes with
// rows counter lines.
func (a panelSpacing) height(rows int) float32 {
	return 2*a.pad + a.head + float32(rows)*a.row + a.gap + a.title + a.under
}

// toward returns a moved k (0 to 1) of the way to b.
func (a panelSpacing) toward(b panelSpacing, k float32) panelSpacing {
	m := func(x, y float32) float32 { return x + (y-x)*k }
	return panelSpacing{m(a.pad, b.pad), m(a.head, b.head), m(a.row, b.row), m(a.gap, b.gap), m(a.title, b.title), m(a.under, b.under)}
}

// fitPanel returns the spacing for a panel room px high (the legend's part
// left out) with rows counter lines and a chart needing need px: the roomy
// one if the chart fits with it; else the least tightening that makes it
// fit; else the same with the lost count beside the messages (beside), if
// that fits in w (msgs and lost are the counts as drawn). ok is false when
// the chart fits in none.
func (c *Composer) fitPanel(rows int, room, need, w, fs float32, msgs, lost string) (sp panelSpacing, beside, ok bool) {
	s := c.scale
	roomy, tight := roomySpacing(s), tightSpacing(s)
	if room-roomy.height(rows) >= need {
		return roomy, false, true
	}
	for _, beside := range [...]bool{false, true} {
		n := rows
		if beside {
			if !c.lostBesideFits(w, fs, msgs, lost) {
				break
			}
			n--
		}
		short := need - (room - roomy.height(n))
		if short <= 0 {
			return roomy, beside, true
		}
		// Half a pixel more than short, so that rounding leaves the chart its
		// minimum.
		if saved := roomy.height(n) - tight.height(n); short+0.5 <= saved {
			return roomy.toward(tight, (short+0.5)/saved), beside, true
		}
	}
	return roomy, false, false
}

// Widths the messages' and lost counts are given beside each other, at the
// least: a run's counts grow, and the row must not jump back as they do.
const (
	besideMessages = "000,000"
	besideLost     = "0,000"
)

// lostWidth is the width the "lost" count takes beside the messages.
func (c *Composer) lostWidth(fs float32, lost string) float32 {
	return c.measure("lost", fs) + fs*0.5 + max(c.glyphs.Measure(lost, fs, true), c.glyphs.Measure(besideLost, fs, true))
}

// lostBesideFits says whether "messages 1,234   lost 12" fits in w.
func (c *Composer) lostBesideFits(w, fs float32, msgs, lost string) bool {
	mw := max(c.glyphs.Measure(msgs, fs, true), c.glyphs.Measure(besideMessages, fs, true))
	return c.measure("messages", fs)+fs+mw+16*c.scale+c.lostWidth(fs, lost) <= w
}
