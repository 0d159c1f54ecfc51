package engine

// Ranks order what happens at the same instant: scheduled actions first
// (they are not in the heap; see runHeap), then the round marker, the
// ticks, and deliveries by message kind. Within a rank, events go by the
// block of the node they happen at (node>>blockShift), then by the order
// they were scheduled (seq), so the order is total and a run is a pure
// function of its Config. Grouping by block is for speed: the round
// scheduler delivers a round block by block, so a million nodes' records
// are visited 80 KB at a time instead of at random.
const (
	rankRound   uint64 = 1
	rankTick    uint64 = 2
	rankDeliver uint64 = 3 // + message kind
	rankShift          = 56
	blockShift         = 12
	blockBits          = 44 // seq < 2^44
)

// entry is one scheduled event: a round marker, a node's tick (idx: node)
// or a delivery (idx: message slot).
type entry struct {
	t   float64
	ord uint64 // rank<<rankShift | block<<blockBits | seq
	idx int32
}

func (a *entry) before(b *entry) bool {
	return a.t < b.t || (a.t == b.t && a.ord < b.ord)
}

// eventHeap is a binary min-heap of entries, without container/heap's
// interface calls.
type eventHeap []entry

// push schedules an event at time t for node (its block orders ties).
func (s *Sim) push(t float64, rank uint64, node, idx int32) {
	s.seq++
	ord := rank<<rankShift | uint64(node>>blockShift)<<blockBits | s.seq
	h := append(s.queue, entry{t: t, ord: ord, idx: idx})
	i := len(h) - 1
	e := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	s.queue = h
}

func (h *eventHeap) pop() entry {
	q := *h
	top := q[0]
	n := len(q) - 1
	e := q[n]
	q = q[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q[c+1].before(&q[c]) {
			c++
		}
		if !q[c].before(&e) {
			break
		}
		q[i] = q[c]
		i = c
	}
	if n > 0 {
		q[i] = e
	}
	*h = q
	return top
}
