package engine

import "github.com/gossipscope/gossipscope/protocol"

// Message kinds. The order is also the delivery order of messages due at
// the same instant: digests are answered before pushes land, so that a
// synchronous round with zero latency is the classic model (everyone acts
// on the state it had when the round began).
const (
	kindPullReq  uint8 = iota // A's digest: (key, version) of all it holds
	kindPush                  // sender's items
	kindPullResp              // B's items newer than A's digest, and B's digest
	kindPushBack              // the items of A's digest newer than B's
)

var kindNames = [...]string{
	kindPullReq: protocol.KindPullReq, kindPush: protocol.KindPush,
	kindPullResp: protocol.KindPullResp, kindPushBack: protocol.KindPushBack,
}

// Message flags.
const (
	msgSync uint8 = 1 << iota // a join's exchange: push-pull whatever the mode
)

// message is one message in flight. Its payload is 2*keys versions, inline
// in v when there is one key, else beside it (Sim.pay or fifo.pay): push
// and pullreq carry the sender's versions; pullresp carries [B's versions
// | A's digest]; pushback carries [A's digest | B's versions]. A pullresp
// or pushback carries data for key k when the first half is newer than the
// second.
type message struct {
	from, to int32
	round    int32
	kind     uint8
	flags    uint8
	v        [2]int32 // the payload when Keys == 1
}

// fifo is one kind's queue in the round scheduler: one bucket per block
// of receivers (see queue.go), each holding messages by value in send
// order with their payloads beside them. Delivering bucket by bucket is the
// order the heap defines, and it visits the node records block by block.
type fifo struct {
	buckets []bucket
}

type bucket struct {
	msgs []message
	pay  []int32 // 2*keys per message when Keys > 1
}

// out starts a message and returns its payload for the caller to fill;
// dispatch then sends it. Nothing else may send in between.
func (s *Sim) out(from, to int32, kind uint8, round int32, flags uint8) []int32 {
	m := message{from: from, to: to, round: round, kind: kind, flags: flags}
	w := 2 * s.keys
	if s.fast {
		b := s.bucketOf(kind, to)
		b.msgs = append(b.msgs, m)
		if s.keys == 1 {
			return b.msgs[len(b.msgs)-1].v[:]
		}
		b.pay = append(b.pay, make([]int32, w)...)
		return b.pay[len(b.pay)-w:]
	}
	var slot int32
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		slot = int32(len(s.msgs))
		s.msgs = append(s.msgs, message{})
		if s.keys > 1 {
			s.pay = append(s.pay, make([]int32, w)...)
		}
	}
	s.msgs[slot] = m
	s.pending = slot
	return s.slotPayload(slot)
}

// bucketOf is the round scheduler's bucket for a message of kind to node
// to; it remembers it as the pending one.
func (s *Sim) bucketOf(kind uint8, to int32) *bucket {
	q := &s.fifos[kind]
	blk := int(to >> blockShift)
	if blk >= len(q.buckets) {
		q.buckets = append(q.buckets, make([]bucket, blk+1-len(q.buckets))...)
	}
	if b := &q.buckets[blk]; b.msgs == nil {
		// A busy round sends about Fanout messages per receiver: size
		// for it once rather than by repeated doubling.
		b.msgs = make([]message, 0, min(s.n, 1<<blockShift)*s.cfg.Fanout)
	}
	s.pendingKind, s.pendingBlk = kind, int32(blk) // indices: no pointer store, no GC write barrier
	return &q.buckets[blk]
}

// slotPayload is the payload of the heap's message slot.
func (s *Sim) slotPayload(slot int32) []int32 {
	if s.keys == 1 {
		return s.msgs[slot].v[:]
	}
	w := 2 * s.keys
	return s.pay[int(slot)*w : int(slot+1)*w]
}

// dispatch sends the message out prepared at time t: decides loss and
// latency, emits it, and queues its delivery.
func (s *Sim) dispatch(t float64) {
	var m *message
	var p []int32
	w := 2 * s.keys
	if s.fast {
		b := &s.fifos[s.pendingKind].buckets[s.pendingBlk]
		m = &b.msgs[len(b.msgs)-1]
		if s.keys == 1 {
			p = m.v[:]
		} else {
			p = b.pay[len(b.pay)-w:]
		}
	} else {
		m, p = &s.msgs[s.pending], s.slotPayload(s.pending)
	}
	lost := s.loss > 0 && s.rng01() < s.loss
	if !lost && s.group != nil && s.group[m.from] != s.group[m.to] {
		lost = true // partitioned
	}
	if !lost && s.alive < s.n && !s.isAlive(m.to) {
		lost = true // nobody there (the sender cannot know)
	}
	s.st.sent++
	arrive := t
	if !lost {
		if lat := s.cfg.LatencyMin; s.cfg.LatencyMax > lat {
			arrive += lat + s.rng01()*(s.cfg.LatencyMax-lat)
		} else {
			arrive += lat
		}
	}
	if s.emit != nil {
		s.emitMsg(*m, p, t, arrive, lost)
	}
	if lost {
		s.st.lost++
		if s.fast {
			b := &s.fifos[s.pendingKind].buckets[s.pendingBlk]
			b.msgs = b.msgs[:len(b.msgs)-1]
			if s.keys > 1 {
				b.pay = b.pay[:len(b.pay)-w]
			}
		} else {
			s.free = append(s.free, s.pending)
		}
		return
	}
	s.inflight++
	if !s.fast {
		s.push(arrive, rankDeliver+uint64(m.kind), m.to, s.pending)
	}
}

// flush delivers every queued message at time t, kind by kind and, within
// a kind, block by block of receivers (see queue.go); deliveries only
// queue messages of later kinds.
func (s *Sim) flush(t float64) {
	w := 2 * s.keys
	for r := range s.fifos {
		q := &s.fifos[r]
		for k := range q.buckets {
			b := &q.buckets[k]
			if s.keys == 1 {
				for j := range b.msgs {
					m := &b.msgs[j]
					s.deliver(*m, m.v[:], t)
				}
			} else {
				for j := range b.msgs {
					s.deliver(b.msgs[j], b.pay[j*w:(j+1)*w], t)
				}
			}
			b.msgs, b.pay = b.msgs[:0], b.pay[:0]
		}
	}
}

// deliverSlot delivers the heap's message slot, freeing the slot first
// (its payload is copied out, as replies reuse the slab).
func (s *Sim) deliverSlot(slot int32, t float64) {
	copy(s.in, s.slotPayload(slot))
	s.free = append(s.free, slot)
	s.deliver(s.msgs[slot], s.in, t)
}

// hasData reports whether a pullresp or pushback payload carries an item,
// and the first such key.
func (s *Sim) hasData(p []int32) (int, bool) {
	for k := 0; k < s.keys; k++ {
		if p[k] > p[s.keys+k] {
			return k, true
		}
	}
	return 0, false
}

// deliver hands message m with payload p to its receiver at time t.
func (s *Sim) deliver(m message, p []int32, t float64) {
	s.inflight--
	nd := &s.nodes[m.to]
	if nd.flags&flagAlive == 0 { // crashed while the message was in flight
		s.st.lost++
		return
	}
	s.st.delivered++
	nd.received++
	switch m.kind {
	case kindPush:
		if !s.merge(m.to, p, m.from, m.round) {
			s.st.redundant++
			s.feedback(m.from)
		}
	case kindPullReq:
		rp := s.out(m.to, m.from, kindPullResp, m.round, m.flags)
		if s.keys == 1 {
			rp[0], rp[1] = nd.ver0, p[0]
		} else {
			s.loadVersions(rp, m.to)
			copy(rp[s.keys:], p[:s.keys])
		}
		s.dispatch(t)
	case kindPullResp:
		_, data := s.hasData(p)
		if !s.merge(m.to, p, m.from, m.round) && data {
			s.st.redundant++
		}
		if s.cfg.Mode == PushPull || m.flags&msgSync != 0 {
			rp := s.out(m.to, m.from, kindPushBack, m.round, m.flags)
			if s.keys == 1 {
				rp[0], rp[1] = p[1], p[0]
			} else {
				copy(rp[:s.keys], p[s.keys:])
				copy(rp[s.keys:], p[:s.keys])
			}
			s.dispatch(t)
		}
	case kindPushBack:
		_, data := s.hasData(p)
		if !s.merge(m.to, p, m.from, m.round) && data {
			s.st.redundant++
		}
	}
}

// merge gives node i every item of vec (its first keys entries) newer than
// its own, learned from node from; it reports whether i learned anything.
func (s *Sim) merge(i int32, vec []int32, from int32, round int32) bool {
	nd := &s.nodes[i]
	if s.keys == 1 { // the common case, without the loop
		v := vec[0]
		if v <= nd.ver0 {
			return false
		}
		nd.ver0 = v
		if v == s.latest[0] {
			nd.missing--
		}
		if s.emit != nil {
			s.emitState(i, 0)
		}
	} else {
		learned := false
		for k := 0; k < s.keys; k++ {
			v := vec[k]
			if v <= s.version(i, k) {
				continue
			}
			s.setVersion(i, k, v)
			if v == s.latest[k] {
				nd.missing--
			}
			nd.lastKey = uint8(k)
			learned = true
			if s.emit != nil {
				s.emitState(i, k)
			}
		}
		if !learned {
			return false
		}
	}
	s.news(i, from)
	if nd.missing == 0 {
		s.upToDate++
		s.checkCoverage(int(round))
	}
	return true
}

// emitMsg describes message slot, sent at t, as a protocol event. Its
// Redundant flag is judged against the receiver's state when it was sent
// (the stream is in send order); Stats count redundancy on delivery, so the
// two differ only when news arrives while a message is in flight.
func (s *Sim) emitMsg(m message, p []int32, t, arrive float64, lost bool) {
	ev := &s.ev
	*ev = protocol.Event{
		Type: protocol.TypeMsg, T: t, From: s.name(m.from), To: s.name(m.to),
		Kind: kindNames[m.kind], Round: int(m.round), Lost: lost,
	}
	if !lost {
		ev.Arrive = arrive
	}
	covered := func() bool {
		for k := 0; k < s.keys; k++ {
			if p[k] > s.version(m.to, k) {
				return false
			}
		}
		return true
	}
	const header, item, digest = 16, 24, 12
	switch m.kind {
	case kindPush:
		k := int(s.nodes[m.from].lastKey)
		ev.Key, ev.Version = keyName(k), int64(p[k])
		ev.Bytes = header + item*s.held(p)
		ev.Redundant = covered()
	case kindPullReq:
		ev.Bytes = header + digest*s.keys
	case kindPullResp, kindPushBack:
		n := 0
		for k := 0; k < s.keys; k++ {
			if p[k] > p[s.keys+k] {
				n++
			}
		}
		if k, ok := s.hasData(p); ok {
			ev.Key, ev.Version = keyName(k), int64(p[k])
			ev.Redundant = covered()
		}
		ev.Bytes = header + item*n
		if m.kind == kindPullResp {
			ev.Bytes += digest * s.keys
		}
	}
	s.emit(ev)
}

// held counts the items in a version vector.
func (s *Sim) held(p []int32) int {
	n := 0
	for k := 0; k < s.keys; k++ {
		if p[k] > 0 {
			n++
		}
	}
	return n
}

func (s *Sim) emitState(i int32, k int) {
	s.ev = protocol.Event{
		Type: protocol.TypeState, T: s.now, Node: s.name(i), Key: keyName(k),
		Version: int64(s.version(i, k)),
	}
	s.emit(&s.ev)
}

func (s *Sim) emitNode(i int32, st protocol.Status) {
	s.ev = protocol.Event{Type: protocol.TypeNode, T: s.now, Node: s.name(i), Status: st}
	s.emit(&s.ev)
}
