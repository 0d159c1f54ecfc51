package scene

import "math"

// noVersion marks "does not hold this key" in state.hold.
const noVersion = math.MaxUint32

// state is the cumulative effect of the first idx events of the log. The
// player keeps two: one at the horizon (everything received, used for the
// chart and for "will this node ever send again?") and one at the playhead.
// Snapshots are clones of the horizon state every few thousand events.
type state struct {
	idx int     // events applied
	t   float64 // time of the last applied event

	status   []uint8     // per node: statusAbsent, statusAlive, ...
	group    []int16     // per node: partition group, -1 when not partitioned
	hold     [][]uint32  // [key][node] version code held, noVersion if none
	gained   [][]float32 // [key][node] when it got the version it holds
	lastSend []float32   // per node: last time it sent a message
	lastMsg  float64     // last time anybody sent one
	sent     []int32     // per node: messages sent
	recv     []int32     // per node: messages addressed to it (not lost)
	views    []View      // per node: how many nodes see it alive, suspect, gone

	newest    []uint32  // per key: newest version code seen
	newestAt  []float64 // per key: when its newest version first appeared
	holders   []int32   // per key: live nodes holding the newest version
	holdAny   []int32   // per key: live nodes holding any version
	firstNews float64   // when the first news appeared (-1 before)

	joined   []float32 // per node: when it joined (-1: from the start)
	lastJoin float64   // when the last node joined (-1: none after the start)
	// The arrangement on screen changes when the network is cut or healed
	// and when nodes join: arrEpoch counts those changes, arrT is the last.
	arrEpoch int
	arrT     float64

	present, alive, dead int // nodes: ever joined, alive or suspect, dead or left
	groups               int // partition groups in force (0 = none)
	loss                 float64

	round                     int
	roundT                    float64
	msgs, redundant, lost     int
	roundMsgs, roundRedundant int // at the start of the current round
	roundLost                 int

	// The last fault, for the narration.
	faultT    float64
	faultKind uint8 // faultNone, faultCrash, ...
	faultNode int32
	faultLast int32 // the last of several nodes that joined at once
	faultN    int
	faultBy   int32 // who reported it (a node event's From), -1 unknown
}

const (
	faultNone uint8 = iota
	faultCrash
	faultRestart
	faultJoin
	faultPartition
	faultHeal
	faultLoss
	faultLeave
	faultSuspect
	faultRefute // a suspect node is alive after all
)

func newState() *state {
	return &state{firstNews: -1, faultT: -1, faultNode: -1, faultBy: -1, lastJoin: -1, arrT: -1}
}

// grow makes room for node index n and key index k.
func (s *state) grow(n int32, k int) {
	for int(n) >= len(s.status) {
		s.status = append(s.status, statusAbsent)
		s.group = append(s.group, -1)
		s.lastSend = append(s.lastSend, -1)
		s.sent = append(s.sent, 0)
		s.recv = append(s.recv, 0)
		s.joined = append(s.joined, -1)
		s.views = append(s.views, View{})
		for i := range s.hold {
			s.hold[i] = append(s.hold[i], noVersion)
			s.gained[i] = append(s.gained[i], 0)
		}
	}
	for k >= len(s.hold) {
		h := make([]uint32, len(s.status))
		for i := range h {
			h[i] = noVersion
		}
		s.hold = append(s.hold, h)
		s.gained = append(s.gained, make([]float32, len(s.status)))
		s.newest = append(s.newest, noVersion)
		s.newestAt = append(s.newestAt, -1)
		s.holders = append(s.holders, 0)
		s.holdAny = append(s.holdAny, 0)
	}
}

// join marks node n present and alive if it was absent, as of time t (-1:
// from the start, no arrival to show).
func (s *state) join(n int32, t float64) {
	if s.status[n] == statusAbsent {
		s.status[n] = statusAlive
		s.present++
		s.alive++
		s.joinedAt(n, t)
	}
}

func (s *state) joinedAt(n int32, t float64) {
	s.joined[n] = float32(t)
	if t >= 0 {
		s.lastJoin = t
	}
	s.arrEpoch++
	s.arrT = t
}

func isUp(st uint8) bool { return st == statusAlive || st == statusSuspect }

// apply adds one event; l holds what the compact record points to (names,
// version values, the extra fields of partitions and params).
func (s *state) apply(r *rec, l *log) {
	s.idx++
	s.t = r.t
	switch r.typ {
	case typMsg:
		s.applyMsg(r)
	case typState:
		s.applyState(r, l)
	case typNode:
		s.applyNode(r)
	case typRound:
		s.round = int(r.a)
		s.roundT = r.t
		s.roundMsgs, s.roundRedundant, s.roundLost = s.msgs, s.redundant, s.lost
	case typPartition:
		s.applyPartition(r, l)
	case typHeal:
		s.regroup(r.t, nil, l)
		s.fault(r.t, faultHeal, -1)
	case typParam:
		if v, ok := num(l.extra[r.a].Params["loss"]); ok {
			s.loss = v
			s.fault(r.t, faultLoss, -1)
		}
	case typHeader:
		if v, ok := num(l.extra[r.a].Params["loss"]); ok {
			s.loss = v
		}
	}
}

// applyMsg counts a message from r.a to r.b.
func (s *state) applyMsg(r *rec) {
	s.grow(max(r.a, r.b), 0)
	s.join(r.a, r.t)
	s.join(r.b, r.t)
	s.msgs++
	s.sent[r.a]++
	if r.flags&flagLost != 0 {
		s.lost++
	} else {
		s.recv[r.b]++
	}
	if r.flags&flagRedundant != 0 {
		s.redundant++
	}
	s.lastSend[r.a] = float32(r.t)
	s.lastMsg = r.t
}

// applyState records that node r.a holds key r.key at version r.ver.
func (s *state) applyState(r *rec, l *log) {
	k := int(r.key)
	s.grow(r.a, k)
	s.join(r.a, r.t)
	n := r.a
	old := s.hold[k][n]
	if old != noVersion && old != r.ver && l.vers.value(r.ver) < l.vers.value(old) {
		return // a source may repeat an older version; a node keeps the newer
	}
	s.hold[k][n] = r.ver
	if old != r.ver {
		s.gained[k][n] = float32(r.t)
	}
	up := isUp(s.status[n])
	if old == noVersion && up {
		s.holdAny[k]++
	}
	if s.firstNews < 0 {
		s.firstNews = r.t
	}
	switch {
	case s.newest[k] == noVersion || l.vers.value(r.ver) > l.vers.value(s.newest[k]):
		s.newest[k] = r.ver
		s.newestAt[k] = r.t
		s.holders[k] = 0
		if up {
			s.holders[k] = 1
		}
	case r.ver == s.newest[k] && old != r.ver && up:
		s.holders[k]++
	}
}

// applyNode records node r.a's new status r.kind (seen by r.b): the
// counts, what it holds counting or not, and the fault it tells.
func (s *state) applyNode(r *rec) {
	s.grow(r.a, 0)
	n := r.a
	was, now := s.status[n], r.kind
	switch {
	case was == statusAbsent:
		s.present++
		if s.faultKind == faultJoin && s.faultT == r.t {
			s.faultN++ // joined together: told as one
			s.faultLast = n
		} else {
			s.fault(r.t, faultJoin, n)
		}
		s.joinedAt(n, r.t)
	case isUp(was):
		s.alive--
	default:
		s.dead--
	}
	s.status[n] = now
	if r.flags&flagView != 0 {
		s.views[n] = unpackView(r)
	}
	if isUp(now) {
		s.alive++
	} else {
		s.dead++
	}
	if isUp(was) != isUp(now) {
		s.countHolds(n, isUp(now))
	}
	if was != statusAbsent {
		if kind, ok := statusFault(was, now); ok {
			s.fault(r.t, kind, n)
		}
	}
	if s.faultNode == n && s.faultT == r.t {
		s.faultBy = r.b
	}
}

// countHolds counts what node n holds in (up) or out of the holders.
func (s *state) countHolds(n int32, up bool) {
	d := int32(-1)
	if up {
		d = 1
	}
	for k := range s.hold {
		if v := s.hold[k][n]; v != noVersion {
			s.holdAny[k] += d
			if v == s.newest[k] {
				s.holders[k] += d
			}
		}
	}
}

// statusFault is the fault a known node's change of status tells.
func statusFault(was, now uint8) (uint8, bool) {
	switch {
	case now == statusDead && was != statusDead:
		return faultCrash, true
	case now == statusLeft:
		return faultLeave, true
	case now == statusSuspect && was == statusAlive:
		return faultSuspect, true
	case now == statusAlive && !isUp(was):
		return faultRestart, true
	case now == statusAlive && was == statusSuspect:
		return faultRefute, true
	}
	return 0, false
}

// applyPartition puts each node in its group.
func (s *state) applyPartition(r *rec, l *log) {
	groups := l.extra[r.a].Groups
	s.regroup(r.t, groups, l)
	s.fault(r.t, faultPartition, -1)
	s.faultN = len(groups)
}

// regroup sets the partition groups in force at t (nil: healed).
func (s *state) regroup(t float64, groups [][]string, l *log) {
	for i := range s.group {
		s.group[i] = -1
	}
	for g, members := range groups {
		for _, name := range members {
			if n, ok := l.nodes.lookup(name); ok && int(n) < len(s.group) {
				s.group[n] = int16(min(g, math.MaxInt16))
			}
		}
	}
	s.groups = len(groups)
	s.arrEpoch++
	s.arrT = t
}

func (s *state) fault(t float64, kind uint8, n int32) {
	s.faultT, s.faultKind, s.faultNode, s.faultLast, s.faultN, s.faultBy = t, kind, n, n, 1, -1
}

// copyFrom makes s an independent copy of o, reusing s's memory.
func (s *state) copyFrom(o *state) {
	status, group, lastSend, sent, recv, joined, views := s.status, s.group, s.lastSend, s.sent, s.recv, s.joined, s.views
	hold, gained, newest, newestAt, holders, holdAny := s.hold, s.gained, s.newest, s.newestAt, s.holders, s.holdAny
	*s = *o
	s.holdAny = append(holdAny[:0], o.holdAny...)
	s.joined = append(joined[:0], o.joined...)
	s.newestAt = append(newestAt[:0], o.newestAt...)
	s.status = append(status[:0], o.status...)
	s.group = append(group[:0], o.group...)
	s.lastSend = append(lastSend[:0], o.lastSend...)
	s.sent = append(sent[:0], o.sent...)
	s.recv = append(recv[:0], o.recv...)
	s.views = append(views[:0], o.views...)
	s.newest = append(newest[:0], o.newest...)
	s.holders = append(holders[:0], o.holders...)
	hold = hold[:min(len(hold), len(o.hold))]
	gained = gained[:min(len(gained), len(o.gained))]
	for k := range o.hold {
		if k < len(hold) {
			hold[k] = append(hold[k][:0], o.hold[k]...)
			gained[k] = append(gained[k][:0], o.gained[k]...)
		} else {
			hold = append(hold, append([]uint32(nil), o.hold[k]...))
			gained = append(gained, append([]float32(nil), o.gained[k]...))
		}
	}
	s.hold, s.gained = hold, gained
}

func (s *state) clone() *state {
	c := &state{}
	c.copyFrom(s)
	return c
}

// num reads a JSON or Go number.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
