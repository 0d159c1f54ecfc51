package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/gossipscope/gossipscope/protocol"
)

// Node flags.
const (
	flagAlive  = 1 << iota
	flagActive // spreading news (Push mode); cleared by the stop rule
)

// node is the per-node record.
type node struct {
	ver0     int32 // version of key 0 (0: not held)
	received int32 // messages delivered to it
	heard    int32 // node it last learned from (-1: none)
	spent    int32 // sends (StopLimit, StopAll) or redundant contacts (StopFeedback) since its news
	flags    uint8
	missing  uint8 // keys it holds older than the newest
	lastKey  uint8 // the key it learned last: the headline of its pushes
}

// Sim is one running scenario. Its state is a struct of arrays indexed by
// node (node i is named "n<i>"), so a million nodes cost tens of bytes each
// and no goroutines; messages live in a reused slab. It is not safe for
// concurrent use.
type Sim struct {
	cfg   Config
	rng   rand.PCG
	n     int // nodes, including joined ones
	keys  int
	loss  float64
	limit int32 // StopLimit's sends per news, for the current n

	// Per node. The fields touched when a message reaches a random node
	// share one record, so a delivery costs one cache miss, not five.
	nodes []node
	vers  []int32 // keys 1..Keys-1 of each node (key 0 is in its record)
	group []int32 // partition group (nil: no partition)
	// PeersSeed: each node walks a pseudo-random permutation of the
	// domain[i] nodes that existed when it started over (see peers.go).
	permKey []uint64
	cursor  []uint32
	domain  []uint32
	// Async: each node's ticker phase and its own tick count.
	phase     []float64
	tickCount []int32

	latest   []int32 // newest version of each key anywhere
	alive    int
	upToDate int // alive nodes with missing == 0

	// Messages in flight: for the heap, a slab of slots reused through a
	// free list; for the round scheduler, FIFO queues by kind.
	msgs        []message
	pay         []int32 // 2*keys per message slot
	free        []int32
	fifos       [4]fifo
	pending     int32 // the heap slot that out filled last
	pendingKind uint8 // the round scheduler's bucket that out filled last
	pendingBlk  int32
	in          []int32 // scratch: the payload being delivered
	inflight    int

	// Scheduling: actions in time order; the fast round scheduler for
	// synchronous zero-latency runs, else a (time, rank, seq) heap.
	acts    []Action
	nextAct int
	fast    bool
	noKern  bool    // tests: the round scheduler even where the kernel fits
	k       *kernel // the round kernel's state (kernel.go), once it has run
	queue   eventHeap
	seq     uint64
	round   int // rounds started
	now     float64
	started bool
	done    bool

	st    counters
	emit  func(*protocol.Event)
	ev    protocol.Event
	names []string
	picks []int32 // scratch: peers picked this tick
}

// counters are the running statistics (see Stats).
type counters struct {
	sent, lost, delivered, redundant int64
	t99, t100                        float64
	r99, r100                        int
	series                           []Sample
}

// New checks c and returns a simulation at time 0. Memory grows with the
// node count only: a small scenario costs little, so the page can rebuild
// one for every replay.
func New(c Config) (*Sim, error) { return newSim(c, schedAuto) }

// Schedulers, for tests that check that they agree exactly.
const (
	schedAuto   = iota // the fastest that fits
	schedRounds        // the round scheduler, not the kernel
	schedHeap          // the general event heap
)

// newSim is New with a choice of scheduler: schedRounds and schedHeap
// make it use a more general one even where a faster one applies.
func newSim(c Config, sched int) (*Sim, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.normalized()
	s := &Sim{cfg: c, keys: c.Keys, loss: c.Loss}
	s.rng.Seed(c.Seed, c.Seed^0x9e3779b97f4a7c15)
	s.fast = !c.Async && c.LatencyMax == 0 && sched != schedHeap
	s.noKern = sched != schedAuto
	s.latest = make([]int32, c.Keys)
	s.in = make([]int32, 2*c.Keys)
	for _, i := range scheduleOrder(c.Schedule) {
		s.acts = append(s.acts, c.Schedule[i])
	}
	s.st = counters{t99: -1, t100: -1, r99: -1, r100: -1}
	s.grow(c.Nodes)
	// The initial news: node j%N holds key j at version 1.
	for k := 0; k < c.Keys; k++ {
		s.latest[k] = 1
	}
	for i := range s.nodes {
		s.nodes[i].missing = uint8(c.Keys)
	}
	for k := 0; k < c.Keys; k++ {
		i := int32(k % s.n)
		s.setVersion(i, k, 1)
		s.nodes[i].missing--
		s.nodes[i].lastKey = uint8(k)
		s.news(i, -1)
	}
	for i := range s.nodes {
		if s.nodes[i].missing == 0 {
			s.upToDate++
		}
	}
	if !s.fast {
		s.push(0, rankRound, 0, 0)
		for i := 0; i < s.n; i++ {
			s.push(s.phaseOf(i), rankTick, int32(i), int32(i))
		}
	}
	return s, nil
}

// grow adds nodes up to total n, alive and empty.
func (s *Sim) grow(n int) {
	old := s.n
	add := n - old
	s.nodes = append(s.nodes, make([]node, add)...)
	s.vers = append(s.vers, make([]int32, add*(s.keys-1))...)
	if s.group != nil {
		s.group = append(s.group, make([]int32, add)...)
	}
	if s.cfg.Peers == PeersSeed {
		s.permKey = append(s.permKey, make([]uint64, add)...)
		s.cursor = append(s.cursor, make([]uint32, add)...)
		s.domain = append(s.domain, make([]uint32, add)...)
	}
	if s.cfg.Async {
		s.phase = append(s.phase, make([]float64, add)...)
		s.tickCount = append(s.tickCount, make([]int32, add)...)
	}
	s.n = n
	var miss uint8
	for k := 0; k < s.keys; k++ {
		if s.latest[k] > 0 {
			miss++
		}
	}
	for i := old; i < n; i++ {
		s.nodes[i] = node{flags: flagAlive, heard: -1, missing: miss}
		if s.cfg.Peers == PeersSeed {
			s.permKey[i] = mix64(s.cfg.Seed ^ uint64(i)*0x9e3779b97f4a7c15)
			s.domain[i] = uint32(n)
		}
		if s.cfg.Async {
			s.phase[i] = s.now + s.rng01()*s.cfg.Period
		}
	}
	s.alive += add
	s.limit = int32(s.cfg.RetransmitMult) * int32(math.Ceil(math.Log10(float64(n)+1)))
}

// version is node i's version of key k (0: not held).
func (s *Sim) version(i int32, k int) int32 {
	if k == 0 {
		return s.nodes[i].ver0
	}
	return s.vers[int(i)*(s.keys-1)+k-1]
}

func (s *Sim) setVersion(i int32, k int, v int32) {
	if k == 0 {
		s.nodes[i].ver0 = v
	} else {
		s.vers[int(i)*(s.keys-1)+k-1] = v
	}
}

// loadVersions copies node i's versions into dst[:keys].
func (s *Sim) loadVersions(dst []int32, i int32) {
	dst[0] = s.nodes[i].ver0
	if s.keys > 1 { // copy is a call to memmove: skip it for one key
		copy(dst[1:s.keys], s.vers[int(i)*(s.keys-1):int(i+1)*(s.keys-1)])
	}
}

// phaseOf is node i's first tick time.
func (s *Sim) phaseOf(i int) float64 {
	if s.cfg.Async {
		return s.phase[i]
	}
	return float64(s.round) * s.cfg.Period
}

// news resets node i's gossip state when it learns something: it has news
// to tell everyone again, and it will not send it back to from.
func (s *Sim) news(i, from int32) {
	nd := &s.nodes[i]
	nd.heard = from
	nd.spent = 0
	if s.cfg.Mode == Push {
		nd.flags |= flagActive
	}
	if s.permKey != nil {
		s.startOver(i)
	}
}

func (s *Sim) isAlive(i int32) bool { return s.nodes[i].flags&flagAlive != 0 }

// Config returns the scenario with its defaults filled in.
func (s *Sim) Config() Config { return s.cfg }

// Header is the stream's first event: format version, source "sim" and
// the scenario's Params.
func (s *Sim) Header() protocol.Event { return protocol.Header(protocol.SourceSim, s.cfg.Params()) }

// Now is the virtual time Advance has reached (ms).
func (s *Sim) Now() float64 { return s.now }

// Round is the number of rounds (periods) started so far.
func (s *Sim) Round() int { return s.round }

// Nodes is the current node count, joined nodes included.
func (s *Sim) Nodes() int { return s.n }

// Done reports that nothing more will happen: every alive node holds the
// newest version of every key (more messages could only be redundant),
// nobody can spread anything any more, or MaxTime (MaxPeriods) was reached.
func (s *Sim) Done() bool { return s.done }

// Name is node i's name in events.
func Name(i int) string { return "n" + strconv.Itoa(i) }

func (s *Sim) name(i int32) string {
	for len(s.names) <= int(i) {
		s.names = append(s.names, Name(len(s.names)))
	}
	return s.names[i]
}

func keyName(k int) string { return "k" + strconv.Itoa(k) }

// Advance runs every simulated event with time <= until (ms) in time
// order, calling emit (which may be nil) with each protocol event. The
// event passed to emit is reused: copy it to keep it. Calling Advance
// again continues from where it stopped, so a page can step frame by frame.
func (s *Sim) Advance(until float64, emit func(*protocol.Event)) {
	s.emit = emit
	defer func() { s.emit = nil }()
	if !s.started {
		s.started = true
		s.begin()
	}
	limit := until
	if s.cfg.MaxTime > 0 && limit > s.cfg.MaxTime {
		limit = s.cfg.MaxTime
	}
	if s.fast {
		s.runRounds(limit)
	} else {
		s.runHeap(limit)
	}
	if !s.done && limit > s.now {
		s.now = limit
	}
	if !s.done && s.cfg.MaxTime > 0 && s.now >= s.cfg.MaxTime {
		s.done = true
	}
}

// begin emits the initial membership and items at time 0.
func (s *Sim) begin() {
	if s.emit != nil {
		for i := 0; i < s.n; i++ {
			s.emitNode(int32(i), protocol.StatusAlive)
		}
		for k := 0; k < s.keys; k++ {
			s.emitState(int32(k%s.n), k)
		}
	}
	s.checkCoverage(0)
}

// runRounds is the fast scheduler for synchronous rounds with zero latency:
// every round happens at one instant, so instead of a heap it ticks every
// node in order and then delivers FIFO queues kind by kind, the same order
// (time, rank, sequence) the heap would produce.
func (s *Sim) runRounds(limit float64) {
	kern := !s.noKern && s.emit == nil && s.keys == 1
	for !s.done {
		// The kernel's other conditions change with actions and as old
		// news dies out: check at every round (a pass over the nodes,
		// small beside a round).
		if kern && s.nextAct == len(s.acts) && s.kernelFits() {
			s.runKernel(limit)
			return
		}
		tr := float64(s.round) * s.cfg.Period
		if ta, ok := s.nextActionTime(); ok && ta <= tr {
			if ta > limit {
				return
			}
			s.now = ta
			s.applyAction()
			if next, ok := s.nextActionTime(); ta < tr && (!ok || next != ta) {
				s.flush(ta)
			}
			continue
		}
		if tr > limit {
			return
		}
		s.now = tr
		if !s.startRound(tr) {
			return
		}
		for i := int32(0); i < int32(s.n); i++ {
			s.tick(i, tr)
		}
		s.flush(tr)
	}
}

// runHeap is the general scheduler: asynchronous tickers, latency.
func (s *Sim) runHeap(limit float64) {
	for !s.done {
		te := math.Inf(1)
		if len(s.queue) > 0 {
			te = s.queue[0].t
		}
		if ta, ok := s.nextActionTime(); ok && ta <= te {
			if ta > limit {
				return
			}
			s.now = ta
			s.applyAction()
			continue
		}
		if te > limit {
			return
		}
		e := s.queue.pop()
		s.now = e.t
		switch rank := e.ord >> rankShift; rank {
		case rankRound:
			if !s.startRound(e.t) {
				return
			}
			s.push(float64(s.round)*s.cfg.Period, rankRound, 0, 0)
		case rankTick:
			i := e.idx
			s.tick(i, e.t)
			next := float64(s.round) * s.cfg.Period
			if s.cfg.Async {
				next = s.phase[i] + float64(s.tickCount[i])*s.cfg.Period
			}
			s.push(next, rankTick, i, i)
		default:
			s.deliverSlot(e.idx, e.t)
		}
	}
}

// startRound begins round s.round+1 at time t, unless the run is over.
func (s *Sim) startRound(t float64) bool {
	if s.finished() || (s.cfg.MaxTime == 0 && s.round >= MaxPeriods) {
		s.done = true
		return false
	}
	s.beginRound(t)
	return true
}

// beginRound starts round s.round+1 at time t.
func (s *Sim) beginRound(t float64) {
	s.round++
	s.st.series = append(s.st.series, Sample{Round: s.round, T: t, Informed: s.upToDate, Alive: s.alive})
	if s.emit != nil {
		s.ev = protocol.Event{Type: protocol.TypeRound, T: t, Round: s.round}
		s.emit(&s.ev)
	}
}

func (s *Sim) nextActionTime() (float64, bool) {
	if s.nextAct < len(s.acts) {
		return s.acts[s.nextAct].At, true
	}
	return 0, false
}

// tick is node i's gossip period: pick peers and open exchanges with them.
func (s *Sim) tick(i int32, t float64) {
	round := int32(s.round)
	if s.cfg.Async {
		s.tickCount[i]++
		round = s.tickCount[i]
	}
	nd := &s.nodes[i]
	if nd.flags&flagAlive == 0 {
		return
	}
	if s.cfg.Mode == Push {
		if nd.flags&flagActive == 0 {
			return
		}
		s.pickPeers(i)
		for _, p := range s.picks {
			if !s.stillSending(i) {
				break
			}
			s.loadVersions(s.out(i, p, kindPush, round, 0), i)
			s.dispatch(t)
			if s.cfg.Stop == StopLimit || s.cfg.Stop == StopAll {
				s.nodes[i].spent++
			}
		}
		s.stillSending(i)
		return
	}
	s.pickPeers(i)
	for _, p := range s.picks {
		s.loadVersions(s.out(i, p, kindPullReq, round, 0), i)
		s.dispatch(t)
	}
}

// stillSending applies the send-count stop rules: it clears the active flag
// once node i has used up its sends and reports whether it may send more.
func (s *Sim) stillSending(i int32) bool {
	nd := &s.nodes[i]
	switch s.cfg.Stop {
	case StopLimit:
		if nd.spent >= s.limit {
			nd.flags &^= flagActive
		}
	case StopAll:
		if s.cfg.Peers == PeersRandom && nd.spent >= int32(s.n-1) {
			nd.flags &^= flagActive
		}
	}
	return nd.flags&flagActive != 0
}

// feedback tells sender i that its push reached a node that already knew
// (Demers' feedback; modelled as free, riding on the connection).
func (s *Sim) feedback(i int32) {
	nd := &s.nodes[i]
	switch s.cfg.Stop {
	case StopFeedback:
		nd.spent++
		if nd.spent >= int32(s.cfg.FeedbackK) {
			nd.flags &^= flagActive
		}
	case StopCoin:
		if s.intN(uint64(s.cfg.FeedbackK)) == 0 {
			nd.flags &^= flagActive
		}
	}
}

// finished reports whether nothing more can happen.
func (s *Sim) finished() bool {
	if s.nextAct < len(s.acts) {
		return false
	}
	if s.upToDate == s.alive {
		return true
	}
	if s.inflight > 0 {
		return false
	}
	return !s.canProgress()
}

// canProgress reports whether some alive node could still give another
// alive node in its partition group something newer: an active node in
// Push mode, anyone in the pull modes.
func (s *Sim) canProgress() bool {
	if s.loss >= 1 {
		return false
	}
	groups := 1
	for _, g := range s.group {
		if int(g)+1 > groups {
			groups = int(g) + 1
		}
	}
	maxSrc := make([]int32, groups*s.keys)
	minAll := make([]int32, groups*s.keys)
	for j := range minAll {
		minAll[j] = math.MaxInt32
	}
	for i := range s.nodes {
		nd := &s.nodes[i]
		if nd.flags&flagAlive == 0 {
			continue
		}
		g := 0
		if s.group != nil {
			g = int(s.group[i])
		}
		src := s.cfg.Mode != Push || nd.flags&flagActive != 0
		for k := 0; k < s.keys; k++ {
			v := s.version(int32(i), k)
			if src && v > maxSrc[g*s.keys+k] {
				maxSrc[g*s.keys+k] = v
			}
			if v < minAll[g*s.keys+k] {
				minAll[g*s.keys+k] = v
			}
		}
	}
	for j := range maxSrc {
		if maxSrc[j] > minAll[j] && minAll[j] != math.MaxInt32 {
			return true
		}
	}
	return false
}

// checkCoverage records when coverage first reaches 99% and 100% of the
// alive nodes since the last news; round is the exchange that got it there.
func (s *Sim) checkCoverage(round int) {
	if s.st.t99 < 0 && s.upToDate*100 >= s.alive*99 {
		s.st.t99, s.st.r99 = s.now, round
	}
	if s.st.t100 < 0 && s.upToDate == s.alive {
		s.st.t100, s.st.r100 = s.now, round
	}
}

// Random numbers: PCG from math/rand/v2, used directly (no interface call).
func (s *Sim) rng01() float64 { return float64(s.rng.Uint64()>>11) * 0x1p-53 }

// intN is uniform in [0, n) for n > 0 (Lemire's method, unbiased).
func (s *Sim) intN(n uint64) uint64 {
	hi, lo := mul64(s.rng.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = mul64(s.rng.Uint64(), n)
		}
	}
	return hi
}

func (s *Sim) String() string {
	return fmt.Sprintf("sim{n=%d t=%v round=%d informed=%d/%d}", s.n, s.now, s.round, s.upToDate, s.alive)
}
