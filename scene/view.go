package scene

import "math"

// Class is how a node is drawn.
type Class uint8

// Node classes, in legend order.
const (
	Absent     Class = iota // not in the cluster (yet): not drawn
	Uninformed              // does not hold the newest news
	Informed                // holds it and may still pass it on
	Stopped                 // holds it and will not send it again
	Suspect                 // membership says it may be down
	Crashed                 // dead or left
	CutOff                  // uninformed, and nobody alive on its side of a partition knows
	Observer                // the observer's own member: watches, holds and passes on nothing
	numClasses
)

var classNames = [numClasses]string{"absent", "uninformed", "informed", "stopped", "suspect", "crashed", "cut off", "observer"}

func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return "?"
}

// minShow is the shortest time a message stays on screen, so that
// instant messages (no latency) still visibly travel: 30% of a round.
func (p *Player) minShow() float64 {
	return p.period() * 0.3
}

// period is the round length: the header's, or 1 s.
func (p *Player) period() float64 {
	if p.info.Period > 0 {
		return p.info.Period
	}
	return 1000
}

// settled reports whether the log reaches far enough past t to know that
// a node which has not sent since t never will.
func (p *Player) settled(t float64) bool {
	return p.done || p.Horizon() >= t+1.5*p.period()
}

// classifier tells node classes at the playhead: for every node at once
// (classify, each frame) or for one (Details, the selected node), with the
// same rules.
type classifier struct {
	c, h   *state
	hold   []uint32 // versions held of the focused key
	newest uint32
	busy   bool // others still send: a node that never will again has stopped
	now    float64
	// groupNews[g]: some live node on side g holds the news; nil: looked
	// up for one side on demand.
	groupNews []bool
	obs       [2]int32 // the observer's own member (-1 none), drawn apart
}

func (p *Player) classifier() classifier {
	c, h := p.cur, p.head
	x := classifier{c: c, h: h, newest: noVersion, now: p.now, obs: p.observers()}
	// A node has stopped when it will never send again while others still
	// do; once the whole run is quiet, everybody who knows is just informed.
	x.busy = p.settled(p.now) && p.now < h.lastMsg
	if k := p.focus(c); k >= 0 && k < len(c.hold) {
		x.hold, x.newest = c.hold[k], c.newest[k]
	}
	return x
}

// sideOfNode is node i's side of a partition: its group, or c.groups for nodes
// in no listed group.
func sideOfNode(c *state, i int) int {
	g := int(c.group[i])
	if g < 0 || g >= c.groups {
		return c.groups
	}
	return g
}

// has reports whether node i holds the newest version of the focused key.
func (x *classifier) has(i int) bool { return x.newest != noVersion && x.hold[i] == x.newest }

// sideKnows reports whether a live node on side g holds the news.
func (x *classifier) sideKnows(g int) bool {
	if x.groupNews != nil {
		return x.groupNews[g]
	}
	for j, st := range x.c.status {
		if isUp(st) && x.has(j) && sideOfNode(x.c, j) == g {
			return true
		}
	}
	return false
}

// class returns node i's class.
func (x *classifier) class(i int) Class {
	c := x.c
	if i < 0 || i >= len(c.status) {
		return Absent
	}
	st := c.status[i]
	switch {
	case st == statusAbsent:
		return Absent
	case int32(i) == x.obs[0] || int32(i) == x.obs[1]:
		return Observer
	case st == statusDead || st == statusLeft:
		return Crashed
	case st == statusSuspect:
		return Suspect
	case x.has(i):
		if x.busy && float64(x.h.lastSend[i]) < x.now {
			return Stopped
		}
		return Informed
	case c.groups > 0 && !x.sideKnows(sideOfNode(c, i)):
		return CutOff
	}
	return Uninformed
}

// classify fills out[i] with node i's class at the playhead and returns
// how many nodes fall in each class. groupNews is scratch space.
func (p *Player) classify(out []Class, groupNews []bool) (counts [numClasses]int, groupNewsOut []bool) {
	x := p.classifier()
	c := x.c
	if c.groups > 0 {
		groupNews = groupNews[:0]
		for g := 0; g <= c.groups; g++ {
			groupNews = append(groupNews, false)
		}
		for i, st := range c.status {
			if isUp(st) && x.has(i) {
				groupNews[sideOfNode(c, i)] = true
			}
		}
		x.groupNews = groupNews
	}
	for i := range out {
		cl := x.class(i)
		out[i] = cl
		counts[cl]++
	}
	return counts, groupNews
}

// NodeClass returns node i's class at the playhead, without classifying
// every node (Absent if there is no such node).
func (p *Player) NodeClass(i int) Class {
	x := p.classifier()
	return x.class(i)
}

// Counters are the numbers shown on screen and returned by state().
type Counters struct {
	T, Duration    float64
	Round          int     // last round marker passed (0 before any)
	RoundT         float64 // when it started
	Present        int     // nodes in the cluster (alive, suspect or dead)
	Alive          int     // alive or suspect
	Informed       int     // alive nodes holding the newest version of the key
	Version        int     // which version of the key that is: 1 the first, 2 the next...; 0 none yet
	Older          int     // alive nodes holding an older version of the key
	Messages       int
	Redundant      int
	Lost           int
	RoundMessages  int // sent since the round started
	RoundRedundant int
	RoundLost      int
	Groups         int // partition groups in force (0 = whole)
	Loss           float64
	Key            string
	FirstNews      float64 // -1 before any news
	Done           bool    // source done and the playhead at the end
}

// Counters returns the counters at the playhead.
func (p *Player) Counters() Counters {
	c := p.cur
	inf, alive := p.informedAlive(c)
	obsPresent, _ := p.observerCounts(c)
	out := Counters{
		T: p.now, Duration: p.Duration(), Round: c.round, RoundT: c.roundT,
		Present: c.present - obsPresent, Alive: alive, Informed: inf,
		Messages: c.msgs, Redundant: c.redundant, Lost: c.lost,
		RoundMessages: c.msgs - c.roundMsgs, RoundRedundant: c.redundant - c.roundRedundant,
		RoundLost: c.lost - c.roundLost, Groups: c.groups, Loss: c.loss, FirstNews: c.firstNews,
		Done: p.done && p.now >= p.Duration(),
	}
	if k := p.focus(c); k >= 0 && k < len(p.log.keys.list) {
		out.Key = p.log.keys.list[k]
		if k < len(c.newest) {
			out.Version = p.log.versionRank(k, c.newest[k])
			out.Older = int(c.holdAny[k] - c.holders[k])
		}
	}
	return out
}

// Held is one key a node holds.
type Held struct {
	Key     string
	Version int64
	Since   float64 // ms
	Newest  bool    // it is the newest version anyone has
	Label   string  // the key for people: "silence "maintenance" · 2865822a"
	Rank    int     // version by rank: 1 the first, 2 the next...
}

// Details describe one node at the playhead, for the selection panel.
type Details struct {
	Name      string
	Class     Class
	Holds     []Held
	Sent      int      // messages it sent
	Received  int      // messages that reached it (or are on their way)
	SentTo    []string // peers it has sent the news to, first contact first (at most MaxPeersListed)
	SentToN   int      // how many distinct peers that is
	HeardFrom []string // peers that sent it the news, first first (at most MaxPeersListed)
	HeardN    int
	Group     int // partition group, -1 = none
	// View: how many running nodes see it alive, suspect and gone (a
	// memberlist mode stream says; zero otherwise).
	View View
}

// MaxPeersListed caps the peer lists in Details.
const MaxPeersListed = 64

// details is the incremental cache behind Details: scanning a million
// events on every call would be too slow, so it extends from where it was.
type details struct {
	node      int
	idx       int
	sentBits  []uint64
	heardBits []uint64
	sentTo    []int32
	heardFrom []int32
	sentN     int
	heardN    int
}

func setBit(b []uint64, i int32) ([]uint64, bool) {
	w := int(i) >> 6
	for w >= len(b) {
		b = append(b, 0)
	}
	m := uint64(1) << (uint(i) & 63)
	if b[w]&m != 0 {
		return b, false
	}
	b[w] |= m
	return b, true
}

// scanDetails brings the details cache for node i up to the playhead and
// returns it, or nil if there is no such node.
func (p *Player) scanDetails(i int) *details {
	c, d := p.cur, &p.det
	if i < 0 || i >= len(c.status) || c.status[i] == statusAbsent {
		return nil
	}
	if d.node != i || d.idx > c.idx {
		clear(d.sentBits)
		clear(d.heardBits)
		*d = details{node: i, sentBits: d.sentBits[:0], heardBits: d.heardBits[:0], sentTo: d.sentTo[:0], heardFrom: d.heardFrom[:0]}
	}
	n := int32(i)
	for ; d.idx < c.idx; d.idx++ {
		r := &p.log.recs[d.idx]
		if r.typ != typMsg || r.key == math.MaxUint16 || r.kind == kindPullReq {
			continue
		}
		var fresh bool
		switch n {
		case r.a:
			if d.sentBits, fresh = setBit(d.sentBits, r.b); fresh {
				d.sentN++
				if len(d.sentTo) < MaxPeersListed {
					d.sentTo = append(d.sentTo, r.b)
				}
			}
		case r.b:
			if r.flags&flagLost != 0 {
				continue
			}
			if d.heardBits, fresh = setBit(d.heardBits, r.a); fresh {
				d.heardN++
				if len(d.heardFrom) < MaxPeersListed {
					d.heardFrom = append(d.heardFrom, r.a)
				}
			}
		}
	}
	return d
}

// Details returns node i's details at the playhead, ok false if there is
// no such node.
func (p *Player) Details(i int) (Details, bool) {
	c, d := p.cur, p.scanDetails(i)
	if d == nil {
		return Details{}, false
	}
	out := Details{
		Name: p.log.nodes.list[i], Class: p.NodeClass(i), Sent: int(c.sent[i]), Received: int(c.recv[i]),
		SentToN: d.sentN, HeardN: d.heardN, Group: int(c.group[i]), View: p.View(i),
	}
	for _, j := range d.sentTo {
		out.SentTo = append(out.SentTo, p.log.nodes.list[j])
	}
	for _, j := range d.heardFrom {
		out.HeardFrom = append(out.HeardFrom, p.log.nodes.list[j])
	}
	for k := range c.hold {
		if k >= len(p.log.keys.list) || c.hold[k][i] == noVersion {
			continue
		}
		out.Holds = append(out.Holds, Held{
			Key: p.log.keys.list[k], Version: p.log.vers.value(c.hold[k][i]),
			Since: float64(c.gained[k][i]), Newest: c.hold[k][i] == c.newest[k],
			Label: p.keyShort(k), Rank: p.log.versionRank(k, c.hold[k][i]),
		})
	}
	return out, true
}
