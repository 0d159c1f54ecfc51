package scene

import (
	"strconv"
	"strings"

	"github.com/gossipscope/gossipscope/protocol"
)

// Selection caption sizes, px at scale 1.
const (
	selFS   = 15  // its lines
	selHead = 1.2 // its first line, times selFS
	selW    = 230 // its width, kept whatever the lines say so that the ring does not move as they change
	selLH   = 1.3
	selPad  = 7
)

// selectionText brings the selected node's lines up to the playhead. They
// are rebuilt only when an event was applied or the node's class changed.
// It reports whether a node is selected.
func (c *Composer) selectionText(p *Player) bool {
	i := c.Selected
	if i < 0 || i >= len(p.cur.status) || p.cur.status[i] == statusAbsent {
		return false
	}
	cl := p.NodeClass(i)
	key := [3]int{i, p.cur.idx, int(cl)}
	if key != c.selKey || c.selLines == nil || c.selWidth != c.scale {
		c.selKey, c.selWidth = key, c.scale
		d, ok := p.Details(i)
		if !ok {
			return false
		}
		s := c.scale
		c.selLines = selectionLines(&d, p.realMembership(), (selW-2*selPad)*s, func(t string, head bool) float32 {
			size := selFS * s
			if head {
				size *= selHead
			}
			return c.glyphs.Measure(t, size, head)
		}, c.selLines[:0])
	}
	return true
}

// selectionBox is the size of the selected node's card for n lines.
func selectionBox(n int, s float32) (w, h float32) {
	return selW * s, (selFS*selHead*selLH+float32(n-1)*selFS*selLH)*s + 2*selPad*s
}

// drawSelection writes the selected node's card where place() put it: a
// corner or side of the node area kept clear of the nodes and their names
// (the ring makes room for it), or, when there is no room at all, over the
// top left of the node area.
func (c *Composer) drawSelection(p *Player, f *Frame) {
	c.selDrawn = rect{}
	i := c.Selected
	if i < 0 || i >= len(c.classes) || c.classes[i] == Absent || len(c.selLines) == 0 {
		return
	}
	s := c.scale
	w, h := selectionBox(len(c.selLines), s)
	box := c.selBox
	if box.w == 0 {
		box = rect{c.disc.x, c.disc.y, min(w, c.disc.w), h}
	}
	box.h = min(box.h, h) // the corner may be kept for more lines than this card has
	c.selDrawn = box
	f.Over.Rect(box.x, box.y, box.w, box.h, ColPanel)
	x, y := box.x+selPad*s, box.y+selPad*s
	for j, ln := range c.selLines {
		col, size, bold := ColText, selFS*s, false
		if j == 0 {
			col, size, bold = ClassColor(c.classes[i]).Mix(ColText, 0.2), selFS*selHead*s, true
		}
		f.Texts = append(f.Texts, Text{X: x, Y: y, Size: size, Color: col, Bold: bold, S: ln})
		y += size * selLH
	}
}

// classWords says what a node of class cl is, after its name, in plain
// words (the hover card says them too).
func classWords(cl Class, live bool) string {
	switch cl {
	case Uninformed:
		return "has not heard yet"
	case Informed:
		return "has the news"
	case Stopped:
		return "has the news, quiet now"
	case Suspect:
		return "is suspected down"
	case Crashed:
		if live {
			return "is dead or left"
		}
		return "crashed"
	case CutOff:
		return "is cut off from it"
	case Observer:
		return "only listens"
	}
	return cl.String()
}

// stateWords is classWords for node d with the version it holds when
// that is not the first: "has version 2", "has only version 1".
func stateWords(d *Details, live bool) string {
	if len(d.Holds) != 1 {
		return classWords(d.Class, live)
	}
	h := d.Holds[0]
	switch {
	case d.Class == Uninformed && !h.Newest:
		return "has only version " + strconv.Itoa(h.Rank)
	case d.Class == Informed && h.Rank >= 2:
		return "has version " + strconv.Itoa(h.Rank)
	case d.Class == Stopped && h.Rank >= 2:
		return "has version " + strconv.Itoa(h.Rank) + ", quiet now"
	}
	return classWords(d.Class, live)
}

// selectionLines says in plain words what node d is, whom it told and
// whom it heard from (and, when it is not just "the news", what it holds),
// each line fitted to w px (names dropped from the lists, "+3 more" said
// instead); measure gives a line's width (head: the first, bold line).
func selectionLines(d *Details, live bool, w float32, measure func(s string, head bool) float32, out []string) []string {
	out = append(out, fitHead(d.Name+" "+stateWords(d, live), w, measure))
	if h := holdsLine(d); h != "" {
		out = append(out, fitText(h, w, measure))
	}
	out = append(out,
		fitList("told ", d.SentTo, d.SentToN, w, measure),
		fitList("heard from ", d.HeardFrom, d.HeardN, w, measure))
	if d.Group >= 0 {
		out = append(out, "on "+SideName(d.Group)+" of the cut")
	}
	if v := d.View; v != (View{}) {
		out = append(out, viewLine(v))
	}
	return out
}

// holdsLine names what the node holds when that is more than "the news":
// a silence or an nflog entry by its label, or how many keys it holds.
func holdsLine(d *Details) string {
	switch {
	case len(d.Holds) > 1:
		return "holds " + strconv.Itoa(len(d.Holds)) + " pieces of news"
	case len(d.Holds) == 0:
		return ""
	}
	h := d.Holds[0]
	if h.Label == "" || h.Label == h.Key {
		return "" // "k0": the title said it
	}
	if !h.Newest {
		return "holds an older " + h.Label
	}
	return "holds " + h.Label
}

// fitHead fits the bold first line to w px.
func fitHead(s string, w float32, measure func(string, bool) float32) string {
	return fitText(s, w, func(t string, _ bool) float32 { return measure(t, true) })
}

// fitText shortens s to w px: first without a label's " · id" tail, then
// cut with an ellipsis.
func fitText(s string, w float32, measure func(string, bool) float32) string {
	if measure(s, false) <= w {
		return s
	}
	if i := strings.LastIndex(s, " · "); i > 0 && measure(s[:i], false) <= w {
		return s[:i]
	}
	r := []rune(s)
	for len(r) > 1 && measure(string(r)+"…", false) > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// fitList writes "told 5: n1, n2 +3 more" (or "told nobody yet") with as
// many names as fit in w.
func fitList(verb string, names []string, n int, w float32, measure func(string, bool) float32) string {
	if n == 0 {
		return verb + "nobody yet"
	}
	head := verb + strconv.Itoa(n) + ": "
	if n == 1 && len(names) == 1 {
		head = verb
	}
	best := verb + strconv.Itoa(n)
	line := head
	for i, nm := range names {
		if i > 0 {
			line += ", "
		}
		line += nm
		full := line
		if rest := n - i - 1; rest > 0 {
			full += " +" + strconv.Itoa(rest) + " more"
		}
		if measure(full, false) > w {
			break
		}
		best = full
	}
	return best
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

// realMembership reports whether the stream is real memberlist traffic
// (a lab, a cluster) rather than the simulator's: its words differ.
func (p *Player) realMembership() bool {
	return p.log.memberlist || p.info.Source != protocol.SourceSim && p.info.Source != ""
}

// cardLines is how many lines the corner for a node's card is kept for:
// its name and state, whom it told and heard from, and for real
// memberlist traffic what it holds and how the others see it. (Not a
// cut's side: a cut moves the nodes over half a round, which a new layout
// would cut short; a card that needs the line makes its room when shown.)
func cardLines(p *Player) int {
	if p.log.memberlist {
		return 5
	}
	return 3
}

// placeSelection keeps the top left corner of the node area free for a
// node's card of n lines: the nodes keep the whole area if the corner is
// already clear of their circle (a wide window); else they take the
// largest circle that leaves it clear (pushed right, down, or both). With
// no useful room (a tiny window) the card is drawn over them.
func (c *Composer) placeSelection(n int) {
	c.selBox = rect{}
	if n == 0 {
		return
	}
	s := c.scale
	bw, bh := selectionBox(n, s)
	full := c.disc
	if bw > full.w*0.6 || bh > full.h*0.6 {
		return
	}
	box := rect{full.x, full.y, bw, bh}
	gap := 8 * s
	best, bestR := rect{}, float32(0)
	try := func(a rect) {
		r := min(a.w, a.h) / 2
		if r <= bestR || a.w <= 0 || a.h <= 0 {
			return
		}
		// The nodes, their glows and names stay inside the area's
		// inscribed circle (arrange's whole()).
		cx, cy := a.x+a.w/2, a.y+a.h/2
		dx := max(box.x-cx, 0, cx-(box.x+box.w))
		dy := max(box.y-cy, 0, cy-(box.y+box.h))
		if dx*dx+dy*dy >= (r+gap)*(r+gap) {
			best, bestR = a, r
		}
	}
	try(full)
	try(rect{full.x + bw + gap, full.y, full.w - bw - gap, full.h})
	try(rect{full.x, full.y + bh + gap, full.w, full.h - bh - gap})
	for r := min(full.w, full.h) / 2; r > bestR; r -= 2 * s {
		try(rect{full.x + full.w - 2*r, full.y + full.h - 2*r, 2 * r, 2 * r})   // bottom right
		try(rect{full.x + full.w - 2*r, full.y + (full.h-2*r)/2, 2 * r, 2 * r}) // right, centred
		try(rect{full.x + (full.w-2*r)/2, full.y + full.h - 2*r, 2 * r, 2 * r}) // bottom, centred
	}
	if bestR < min(full.w, full.h)/2*0.55 {
		return
	}
	c.disc = best
	c.selBox = box
}
