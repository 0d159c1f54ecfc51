package scene

import "strconv"

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
	// A dark card behind the lines keeps them readable over the nodes.
	w, h := float32(0), float32(0)
	for j, ln := range c.selLines {
		size := fs
		if j == 0 {
			size = fs * 1.25
		}
		w = max(w, c.glyphs.Measure(ln, size, j == 0))
		h += size * 1.35
	}
	f.Over.Rect(x-6*s, y-4*s, min(w+12*s, c.disc.w), h+6*s, ColBackground.Alpha(0.72))
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
			if h.Label != "" && h.Label != h.Key {
				hold += h.Label + " v" + strconv.Itoa(h.Rank)
			} else {
				hold += h.Key + " v" + strconv.FormatInt(h.Version, 10)
			}
		}
	}
	out = append(out,
		d.Name+" — "+d.Class.String(),
		hold,
		"sent "+Thousands(d.Sent)+", received "+Thousands(d.Received),
		"told: "+peers(d.SentTo, d.SentToN),
		"heard from: "+peers(d.HeardFrom, d.HeardN))
	if d.Group >= 0 {
		out = append(out, "partition: "+SideName(d.Group))
	}
	if v := d.View; v != (View{}) {
		out = append(out, viewLine(v))
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
	f.Over.Rect(r.x, r.y, r.w, r.h, ColPanel)
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
