package scene

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/gossipscope/gossipscope/protocol"
)

// Config tunes a Player. The zero value is usable.
type Config struct {
	// MaxEvents bounds the log; past it further events are refused with
	// ErrFull (the page says so) instead of exhausting the tab's memory.
	// Default 3,000,000 (about 96 MB).
	MaxEvents int
	// SnapshotEvery is how many events lie between two snapshots; seeking
	// replays at most this many. Default: 4,096 or 8 per node, whichever is
	// larger, so snapshots cost at most about as much memory as the log.
	SnapshotEvery int
}

// ErrFull says the player's log reached Config.MaxEvents.
var ErrFull = errors.New("event log is full")

// Info is what the stream's header said, read leniently: sources name
// their parameters as they like, and a missing one is just unknown.
type Info struct {
	Source  string
	Params  map[string]any
	Nodes   int     // initial cluster size (0 unknown)
	Fanout  int     // peers per round (0 unknown)
	Mode    string  // push, pull, pushpull or ""
	Period  float64 // ms between rounds (0 unknown)
	Latency float64 // mean latency in ms, if the source said
}

// point is one sample of the chart's informed series.
type point struct {
	t               float64
	informed, alive int32
}

// Player buffers one stream and answers questions about it at time Now().
type Player struct {
	cfg  Config
	log  *log
	head *state   // after every stored event
	cur  *state   // after every event with t <= now
	snap []*state // snapshots of head, by increasing idx; snap[0] is empty
	now  float64

	info      Info
	done      bool
	full      bool
	skipped   int // unknown types and invalid events
	reordered int // events whose time went backwards, clamped
	lastErr   string
	series    []point
	seriesMax int32     // the most nodes alive at any point of series
	key       int       // focused key, -1 = the newest
	obsNames  [2]string // the observer's own member, by its names in the stream
	det       details
}

// NewPlayer returns an empty player.
func NewPlayer(cfg Config) *Player {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 3_000_000
	}
	p := &Player{cfg: cfg}
	p.Reset()
	return p
}

// Reset forgets the stream.
func (p *Player) Reset() {
	p.log = newLog()
	p.head = newState()
	p.cur = newState()
	p.snap = []*state{newState()}
	p.now = 0
	p.info = Info{}
	p.done, p.full = false, false
	p.skipped, p.reordered = 0, 0
	p.lastErr = ""
	p.series = p.series[:0]
	p.seriesMax = 0
	p.key = -1
	p.obsNames = [2]string{}
	p.det = details{node: -1}
}

// Append stores one event. Invalid events are refused with an error and
// counted; unknown types are skipped silently (counted). Events must come in
// time order; one that goes back in time is kept at the previous time.
func (p *Player) Append(ev *protocol.Event) error {
	if !ev.Type.Known() {
		p.skipped++
		return nil
	}
	if err := ev.Validate(); err != nil {
		p.skipped++
		p.lastErr = err.Error()
		return err
	}
	if len(p.log.recs) >= p.cfg.MaxEvents {
		if !p.full {
			p.full = true
			p.lastErr = fmt.Sprintf("stopped storing at %d events (the page's limit)", p.cfg.MaxEvents)
		}
		return ErrFull
	}
	if ev.Type == protocol.TypeHeader {
		p.readHeader(ev)
	}
	r := p.log.encode(ev)
	if n := len(p.log.recs); n > 0 && r.t < p.log.recs[n-1].t {
		r.t = p.log.recs[n-1].t
		p.reordered++
	}
	if r.typ == typRound {
		p.log.rounds = append(p.log.rounds, r.t)
	}
	if r.typ == typMsg && r.flags&flagArrives != 0 {
		f := float64(r.flight)
		p.log.maxFly = math.Max(p.log.maxFly, f)
		p.log.sumFly += f
		p.log.nFly++
	}
	p.log.recs = append(p.log.recs, r)
	p.applyHead(&p.log.recs[len(p.log.recs)-1])
	return nil
}

func (p *Player) applyHead(r *rec) {
	h := p.head
	before, alive := p.informedAlive(h)
	h.apply(r, p.log)
	if r.typ == typHeader {
		p.joinHeaderNodes(h, r)
	}
	after, alive2 := p.informedAlive(h)
	if before != after || alive != alive2 || len(p.series) == 0 {
		p.addPoint(point{r.t, int32(after), int32(alive2)})
	}
	every := p.cfg.SnapshotEvery
	if every <= 0 {
		every = max(4096, 8*len(h.status))
	}
	if h.idx-p.snap[len(p.snap)-1].idx >= every {
		p.snap = append(p.snap, h.clone())
	}
}

// joinHeaderNodes makes the simulator's initial nodes n0..n(N-1) present
// from the start, so that a node nobody has talked to yet is still drawn.
// Other sources announce their nodes with node events.
func (p *Player) joinHeaderNodes(s *state, r *rec) {
	ev := &p.log.extra[r.a]
	n, ok := num(ev.Params["nodes"])
	if ev.Source != protocol.SourceSim || !ok || n < 1 || n > 1<<22 {
		return
	}
	for i := 0; i < int(n); i++ {
		id := p.log.nodes.id("n" + strconv.Itoa(i))
		s.grow(id, 0)
		s.join(id, -1)
	}
}

func (p *Player) readHeader(ev *protocol.Event) {
	in := Info{Source: ev.Source, Params: ev.Params}
	if v, ok := num(ev.Params["nodes"]); ok {
		in.Nodes = int(v)
	}
	if v, ok := num(ev.Params["fanout"]); ok {
		in.Fanout = int(v)
	}
	if s, ok := ev.Params["mode"].(string); ok {
		in.Mode = s
	}
	if v, ok := num(ev.Params["period"]); ok {
		in.Period = v
	}
	lmin, ok1 := num(firstOf(ev.Params, "latency_min", "latencyMin"))
	lmax, ok2 := num(firstOf(ev.Params, "latency_max", "latencyMax"))
	if ok1 || ok2 {
		in.Latency = (lmin + lmax) / 2
		if !ok1 || !ok2 {
			in.Latency = lmin + lmax
		}
	}
	p.info = in
	// An observer that joined the cluster is a member named "observer" in
	// the stream (observer.ObserverAlias) and observer_name in memberlist.
	p.obsNames = [2]string{}
	if name, ok := ev.Params["observer_name"].(string); ok && name != "" {
		p.obsNames = [2]string{"observer", name}
	}
}

func firstOf(m map[string]any, names ...string) any {
	for _, n := range names {
		if v, ok := m[n]; ok {
			return v
		}
	}
	return nil
}

// focus returns the key shown: the chosen one, or the newest in s.
func (p *Player) focus(s *state) int {
	if p.key >= 0 && p.key < len(s.hold) {
		return p.key
	}
	if len(p.log.keys.list) == 0 {
		return -1
	}
	return min(len(s.hold), len(p.log.keys.list)) - 1
}

func (p *Player) informedAlive(s *state) (informed, alive int) {
	if k := p.focus(s); k >= 0 && k < len(s.holders) {
		informed = int(s.holders[k])
	}
	_, obs := p.observerCounts(s)
	return informed, s.alive - obs
}

// SetDone says the source will send nothing more (a finished simulation or
// a complete recording); until then the end of the log is not the end.
func (p *Player) SetDone(done bool) { p.done = done }

// Done reports whether the source said it is done.
func (p *Player) Done() bool { return p.done }

// Info returns what the header said.
func (p *Player) Info() Info { return p.info }

// Len returns the number of stored events.
func (p *Player) Len() int { return len(p.log.recs) }

// Horizon returns the time of the last stored event.
func (p *Player) Horizon() float64 {
	if n := len(p.log.recs); n > 0 {
		return p.log.recs[n-1].t
	}
	return 0
}

// Duration is how long the stream plays: to its last event, plus the
// flight of the last messages.
func (p *Player) Duration() float64 {
	return p.Horizon() + p.log.maxFly
}

// Skipped returns how many events were skipped (unknown or invalid) and how
// many arrived out of time order.
func (p *Player) Skipped() (skipped, reordered int) { return p.skipped, p.reordered }

// Err returns the last problem with the stream, or "".
func (p *Player) Err() string { return p.lastErr }

// SetKey focuses the colours and chart on one key ("" = the newest key).
// It returns false if the stream has no such key.
func (p *Player) SetKey(key string) bool {
	if key == "" {
		p.key = -1
	} else if i, ok := p.log.keys.lookup(key); ok {
		p.key = int(i)
	} else {
		return false
	}
	p.rebuildSeries()
	return true
}

// ChosenKey returns the key chosen with SetKey, "" when following the newest.
func (p *Player) ChosenKey() string {
	if p.key >= 0 && p.key < len(p.log.keys.list) {
		return p.log.keys.list[p.key]
	}
	return ""
}

// Keys returns the keys seen so far, oldest first.
func (p *Player) Keys() []string { return append([]string(nil), p.log.keys.list...) }

// Now returns the playhead time.
func (p *Player) Now() float64 { return p.now }

// Seek moves the playhead to t (ms): afterwards the player's view is every
// event with time <= t applied. Backwards it restores the nearest snapshot
// and replays at most Config.SnapshotEvery events.
func (p *Player) Seek(t float64) {
	if math.IsNaN(t) || t < 0 {
		t = 0
	}
	p.now = t
	target := p.log.search(t)
	c := p.cur
	if target < c.idx || target-c.idx > p.snapEvery() {
		// The latest snapshot not past target, if it beats where we are.
		lo, hi := 0, len(p.snap)
		for lo < hi {
			m := (lo + hi) / 2
			if p.snap[m].idx <= target {
				lo = m + 1
			} else {
				hi = m
			}
		}
		s := p.snap[lo-1]
		if target < c.idx || s.idx > c.idx {
			c.copyFrom(s)
		}
	}
	for c.idx < target {
		r := &p.log.recs[c.idx]
		c.apply(r, p.log)
		if r.typ == typHeader {
			p.joinHeaderNodes(c, r)
		}
	}
}

func (p *Player) snapEvery() int {
	if p.cfg.SnapshotEvery > 0 {
		return p.cfg.SnapshotEvery
	}
	return max(4096, 8*len(p.head.status))
}

// Truncate drops every event at or after t, so a source can be re-run from
// t with a change (the simulator after an interactive fault). Snapshots past
// the cut go; the playhead is kept.
func (p *Player) Truncate(t float64) {
	n := p.log.search(math.Nextafter(t, math.Inf(-1)))
	if n >= len(p.log.recs) {
		p.done = false
		return
	}
	p.log.recs = p.log.recs[:n]
	for len(p.log.rounds) > 0 && p.log.rounds[len(p.log.rounds)-1] >= t {
		p.log.rounds = p.log.rounds[:len(p.log.rounds)-1]
	}
	for len(p.snap) > 1 && p.snap[len(p.snap)-1].idx > n {
		p.snap = p.snap[:len(p.snap)-1]
	}
	last := p.snap[len(p.snap)-1]
	p.head = last.clone()
	keep := len(p.series)
	for keep > 0 && p.series[keep-1].t >= t {
		keep--
	}
	p.series = p.series[:keep]
	p.seriesMax = 0
	for _, pt := range p.series {
		p.seriesMax = max(p.seriesMax, pt.alive)
	}
	for p.head.idx < n {
		r := &p.log.recs[p.head.idx]
		p.head.apply(r, p.log)
		if r.typ == typHeader {
			p.joinHeaderNodes(p.head, r)
		}
	}
	p.log.maxFly = 0
	clear(p.log.keyVers)
	for k := range p.log.keyInfo {
		ki := &p.log.keyInfo[k]
		ki.origin, ki.label = -1, "" // comments stay: they belong to the key
	}
	for i := range p.log.recs {
		r := &p.log.recs[i]
		p.log.maxFly = math.Max(p.log.maxFly, float64(r.flight))
		if r.typ == typState {
			p.log.seeVersion(r.key, r.ver)
			p.log.noteKey(r.key, r.a, r.t, "")
		}
	}
	if p.cur.idx > n {
		*p.cur = *newState()
	}
	p.det = details{node: -1}
	p.done = false
	p.Seek(p.now)
}

// rebuildSeries recomputes the chart series from the log (after the focused
// key changed).
func (p *Player) rebuildSeries() {
	p.series = p.series[:0]
	p.seriesMax = 0
	s := newState()
	prevI, prevA := -1, -1
	for i := range p.log.recs {
		r := &p.log.recs[i]
		s.apply(r, p.log)
		if r.typ == typHeader {
			p.joinHeaderNodes(s, r)
		}
		inf, al := p.informedAlive(s)
		if inf != prevI || al != prevA {
			p.addPoint(point{r.t, int32(inf), int32(al)})
			prevI, prevA = inf, al
		}
	}
}

func (p *Player) addPoint(pt point) {
	p.series = append(p.series, pt)
	p.seriesMax = max(p.seriesMax, pt.alive)
}

// seriesAt returns the index of the last point at or before t, or -1.
func (p *Player) seriesAt(t float64) int {
	lo, hi := 0, len(p.series)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.series[m].t <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// NextRound returns the time of the first round marker after t, or false.
func (p *Player) NextRound(t float64) (float64, bool) {
	for i := p.log.search(t); i < len(p.log.recs); i++ {
		if p.log.recs[i].typ == typRound {
			return p.log.recs[i].t, true
		}
	}
	return 0, false
}

// NextMessage returns the first time after t at which a message leaves or
// arrives, or false.
func (p *Player) NextMessage(t float64) (float64, bool) {
	best, ok := math.Inf(1), false
	i := p.log.search(t)
	for j := i; j < len(p.log.recs); j++ {
		if p.log.recs[j].typ == typMsg {
			best, ok = p.log.recs[j].t, true
			break
		}
	}
	// Arrivals of messages already sent.
	for j := i - 1; j >= 0; j-- {
		r := &p.log.recs[j]
		if r.t < t-p.log.maxFly {
			break
		}
		if r.typ != typMsg || r.flags&flagArrives == 0 {
			continue
		}
		if a := r.t + float64(r.flight); a > t && a < best {
			best, ok = a, true
		}
	}
	return best, ok
}

// Node returns the index of a node by name.
func (p *Player) Node(name string) (int, bool) {
	i, ok := p.log.nodes.lookup(name)
	if !ok || int(i) >= len(p.head.status) || p.head.status[i] == statusAbsent {
		return 0, false
	}
	return int(i), true
}

// NodeName returns node i's name.
func (p *Player) NodeName(i int) string {
	if i < 0 || i >= len(p.log.nodes.list) {
		return ""
	}
	return p.log.nodes.list[i]
}

// NodeCount returns how many node slots the layout needs: every node that
// is ever present in the stored stream.
func (p *Player) NodeCount() int { return len(p.head.status) }

// NodeUp reports whether node i is present and alive (or suspect) now.
func (p *Player) NodeUp(i int) bool {
	return i >= 0 && i < len(p.cur.status) && isUp(p.cur.status[i])
}

// NodeNames returns the names of the nodes present now, in index order.
func (p *Player) NodeNames(upOnly bool) []string {
	var out []string
	for i, st := range p.cur.status {
		if st != statusAbsent && (!upOnly || isUp(st)) {
			out = append(out, p.log.nodes.list[i])
		}
	}
	return out
}

// Event returns stored event i in full.
func (p *Player) Event(i int) protocol.Event { return p.log.event(i) }
