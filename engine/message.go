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

// message is one message in flight. Its payload is 2*keys versions in
// Sim.pay at slot*2*keys: push and pullreq carry the sender's versions;
// pullresp carries [B's versions | A's digest]; pushback carries
// [A's digest | B's versions]. For pullresp and pushback the message
// carries data for key k when the first half is newer than the second.
type message struct {
	from, to int32
	round    int32
	kind     uint8
	flags    uint8
}

// alloc takes a message slot; its payload is to be filled by the caller.
func (s *Sim) alloc(from, to int32, kind uint8, round int32) int32 {
	var slot int32
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		slot = int32(len(s.msgs))
		s.msgs = append(s.msgs, message{})
		s.pay = append(s.pay, make([]int32, 2*s.keys)...)
	}
	s.msgs[slot] = message{from: from, to: to, round: round, kind: kind}
	return slot
}

func (s *Sim) payload(slot int32) []int32 {
	w := 2 * s.keys
	return s.pay[int(slot)*w : int(slot+1)*w]
}

// dispatch sends a filled message at time t: decides loss and latency,
// emits it, and queues its delivery.
func (s *Sim) dispatch(slot int32, t float64) {
	m := &s.msgs[slot]
	lost := s.loss > 0 && s.rng01() < s.loss
	if !lost && s.group != nil && s.group[m.from] != s.group[m.to] {
		lost = true // partitioned
	}
	if !lost && !s.isAlive(m.to) {
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
		s.emitMsg(slot, t, arrive, lost)
	}
	if lost {
		s.st.lost++
		s.free = append(s.free, slot)
		return
	}
	s.inflight++
	rank := rankDeliver + uint64(m.kind)
	if s.fast {
		s.rounds[m.kind] = append(s.rounds[m.kind], slot)
	} else {
		s.push(arrive, rank, slot)
	}
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

// deliver hands message slot to its receiver at time t.
func (s *Sim) deliver(slot int32, t float64) {
	s.inflight--
	m := s.msgs[slot]
	if !s.isAlive(m.to) { // crashed while the message was in flight
		s.st.lost++
		s.free = append(s.free, slot)
		return
	}
	s.st.delivered++
	s.received[m.to]++
	p := s.payload(slot)
	switch m.kind {
	case kindPush:
		if !s.merge(m.to, p, m.from, t, m.round) {
			s.st.redundant++
			s.feedback(m.from)
		}
	case kindPullReq:
		r := s.alloc(m.to, m.from, kindPullResp, m.round)
		s.msgs[r].flags = m.flags
		p = s.payload(slot) // alloc may have moved the slab
		rp := s.payload(r)
		b := int(m.to) * s.keys
		copy(rp[:s.keys], s.ver[b:b+s.keys])
		copy(rp[s.keys:], p[:s.keys])
		s.dispatch(r, t)
	case kindPullResp:
		_, data := s.hasData(p)
		if !s.merge(m.to, p, m.from, t, m.round) && data {
			s.st.redundant++
		}
		if s.cfg.Mode == PushPull || m.flags&msgSync != 0 {
			r := s.alloc(m.to, m.from, kindPushBack, m.round)
			p = s.payload(slot)
			rp := s.payload(r)
			copy(rp[:s.keys], p[s.keys:])
			copy(rp[s.keys:], p[:s.keys])
			s.dispatch(r, t)
		}
	case kindPushBack:
		_, data := s.hasData(p)
		if !s.merge(m.to, p, m.from, t, m.round) && data {
			s.st.redundant++
		}
	}
	s.free = append(s.free, slot)
}

// merge gives node i every item of vec (its first keys entries) newer than
// its own, learned from node from; it reports whether i learned anything.
func (s *Sim) merge(i int32, vec []int32, from int32, t float64, round int32) bool {
	b := int(i) * s.keys
	learned := false
	for k := 0; k < s.keys; k++ {
		v := vec[k]
		if v <= s.ver[b+k] {
			continue
		}
		s.ver[b+k] = v
		if v == s.latest[k] {
			s.missing[i]--
		}
		s.lastKey[i] = uint8(k)
		learned = true
		if s.emit != nil {
			s.emitState(i, k)
		}
	}
	if !learned {
		return false
	}
	s.news(i, from)
	if s.missing[i] == 0 {
		s.upToDate++
		s.checkCoverage(int(round))
	}
	return true
}

// emitMsg describes message slot, sent at t, as a protocol event. Its
// Redundant flag is judged against the receiver's state when it was sent
// (the stream is in send order); Stats count redundancy on delivery, so the
// two differ only when news arrives while a message is in flight.
func (s *Sim) emitMsg(slot int32, t, arrive float64, lost bool) {
	m := s.msgs[slot]
	p := s.payload(slot)
	ev := &s.ev
	*ev = protocol.Event{
		Type: protocol.TypeMsg, T: t, From: s.name(m.from), To: s.name(m.to),
		Kind: kindNames[m.kind], Round: int(m.round), Lost: lost,
	}
	if !lost {
		ev.Arrive = arrive
	}
	have := s.ver[int(m.to)*s.keys : int(m.to+1)*s.keys]
	covered := func() bool {
		for k := 0; k < s.keys; k++ {
			if p[k] > have[k] {
				return false
			}
		}
		return true
	}
	const header, item, digest = 16, 24, 12
	switch m.kind {
	case kindPush:
		k := int(s.lastKey[m.from])
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
		Version: int64(s.ver[int(i)*s.keys+k]),
	}
	s.emit(&s.ev)
}

func (s *Sim) emitNode(i int32, st protocol.Status) {
	s.ev = protocol.Event{Type: protocol.TypeNode, T: s.now, Node: s.name(i), Status: st}
	s.emit(&s.ev)
}
