package scene

import (
	"strconv"

	"github.com/gossipscope/gossipscope/protocol"
)

// Membership as many nodes see it (memberlist mode): a node event may say,
// in its params, how many running nodes have the node alive, suspect and
// gone (dead, left, or not in their table). Its status is then the
// majority's, and when the others disagree the node gets a ring: opinions
// are split, as while a suspicion spreads or a refutation catches up.

// View is how many running nodes see a node each way; zero when the
// stream does not say.
type View struct {
	Alive, Suspect, Gone int
}

// Split reports whether the nodes disagree about it.
func (v View) Split() bool {
	n := 0
	for _, c := range [...]int{v.Alive, v.Suspect, v.Gone} {
		if c > 0 {
			n++
		}
	}
	return n > 1
}

// viewOf reads a node event's params {"alive", "suspect", "gone"}.
func viewOf(ev *protocol.Event) (View, bool) {
	if ev.Params == nil {
		return View{}, false
	}
	var v View
	var any bool
	for _, f := range []struct {
		key string
		to  *int
	}{{"alive", &v.Alive}, {"suspect", &v.Suspect}, {"gone", &v.Gone}} {
		if x, ok := num(ev.Params[f.key]); ok && x >= 0 && x < 1<<16 {
			*f.to, any = int(x), true
		}
	}
	return v, any
}

// packView stores a view in a node record's unused version field (16 bits
// each for alive and suspect) and key field (gone); flagView marks it.
func packView(r *rec, v View) {
	r.ver = uint32(v.Alive)<<16 | uint32(v.Suspect)
	r.key = uint16(v.Gone)
	r.flags |= flagView
}

func unpackView(r *rec) View {
	return View{Alive: int(r.ver >> 16), Suspect: int(r.ver & 0xffff), Gone: int(r.key)}
}

// View returns how the running nodes saw node i at the playhead.
func (p *Player) View(i int) View {
	if i < 0 || i >= len(p.cur.views) {
		return View{}
	}
	return p.cur.views[i]
}

// drawSplit rings the nodes whose peers disagree about them.
func (c *Composer) drawSplit(p *Player, f *Frame) {
	views := p.cur.views
	R := c.nodeR
	for i, cl := range c.classes {
		if i >= len(views) || cl == Absent || !views[i].Split() {
			continue
		}
		f.Over.Sprite(SpriteRing, c.px[2*i], c.px[2*i+1], R*1.45, ColSplit)
	}
}

// viewLine says how the others see a node: "seen alive by 12, suspect by
// 7, gone by 1" (the parts that are not zero).
func viewLine(v View) string {
	s := "seen"
	sep := " "
	for _, p := range []struct {
		n    int
		what string
	}{{v.Alive, "alive"}, {v.Suspect, "suspect"}, {v.Gone, "gone"}} {
		if p.n > 0 {
			s += sep + p.what + " by " + strconv.Itoa(p.n)
			sep = ", "
		}
	}
	return s
}
