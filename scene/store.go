package scene

import (
	"cmp"
	"math"
	"slices"

	"github.com/gossipscope/gossipscope/protocol"
)

// rec is one stored event. A 10,000-node PUSH-PULL run is about a million
// events, so the log keeps 32 bytes per event instead of protocol.Event's
// few hundred: names, keys, kinds and large versions are interned, and the
// rare events that carry more (partition groups, params, notes) keep their
// full form in a side table.
type rec struct {
	t      float64 // ms since stream start
	flight float32 // msg: arrive - t (0 = unknown or instant)
	a      int32   // msg: sender; node/state: node; round: round; rare: extra index
	b      int32   // msg: receiver
	ver    uint32  // version code (see versions)
	key    uint16  // key index
	typ    uint8   // event type (typ* constants)
	kind   uint8   // msg: kind index; node: status
	flags  uint8   // flagLost, flagRedundant, flagArrives
}

const (
	flagLost      = 1 << 0
	flagRedundant = 1 << 1
	flagArrives   = 1 << 2 // Arrive was given (flight may be 0 and still known)
	flagView      = 1 << 3 // node: ver and key hold a View (membership.go)
)

// Event types as stored.
const (
	typHeader uint8 = iota
	typNode
	typMsg
	typState
	typRound
	typParam
	typPartition
	typHeal
	typNote
	typReply
)

var typOf = map[protocol.Type]uint8{
	protocol.TypeHeader: typHeader, protocol.TypeNode: typNode, protocol.TypeMsg: typMsg,
	protocol.TypeState: typState, protocol.TypeRound: typRound, protocol.TypeParam: typParam,
	protocol.TypePartition: typPartition, protocol.TypeHeal: typHeal, protocol.TypeNote: typNote,
	protocol.TypeReply: typReply,
}

// Node statuses as stored; statusAbsent means not (yet) part of the cluster.
const (
	statusAbsent uint8 = iota
	statusAlive
	statusSuspect
	statusDead
	statusLeft
)

func statusOf(s protocol.Status) uint8 {
	switch s {
	case protocol.StatusAlive:
		return statusAlive
	case protocol.StatusSuspect:
		return statusSuspect
	case protocol.StatusDead:
		return statusDead
	case protocol.StatusLeft:
		return statusLeft
	}
	return statusAlive
}

// Kinds known up front, so the common ones have fixed small indices.
const (
	kindPush uint8 = iota
	kindPullReq
	kindPullResp
	kindPushBack
)

// How a message kind is drawn.
const (
	catData    uint8 = iota // carries state: push, pull answers, memberlist user messages
	catRequest              // a digest asking for news (pullreq)
	catProbe                // memberlist failure detection: ping, ack, ...
	catMember               // memberlist membership news: alive, suspect, dead
	catSync                 // memberlist push-pull: a full state exchange over TCP
)

func kindCategory(kind string) uint8 {
	switch kind {
	case protocol.KindPullReq:
		return catRequest
	case "ping", "indirectping", "ack", "nack", "err":
		return catProbe
	case "alive", "suspect", "dead":
		return catMember
	case "pushpull":
		return catSync
	}
	return catData
}

// names interns strings into dense indices.
type names struct {
	idx  map[string]int32
	list []string
}

func (n *names) id(s string) int32 {
	if i, ok := n.idx[s]; ok {
		return i
	}
	if n.idx == nil {
		n.idx = map[string]int32{}
	}
	i := int32(len(n.list))
	n.idx[s] = i
	n.list = append(n.list, s)
	return i
}

func (n *names) lookup(s string) (int32, bool) {
	i, ok := n.idx[s]
	return i, ok
}

// versions encodes int64 versions in 31 bits when they fit (the usual
// case: 1, 2, 3...) and interns the rest; codes compare equal exactly when
// versions do.
type versions struct {
	big  []int64
	bigI map[int64]uint32
}

const bigVersion = 1 << 31

func (v *versions) code(x int64) uint32 {
	if x >= 0 && x < bigVersion {
		return uint32(x)
	}
	if c, ok := v.bigI[x]; ok {
		return c
	}
	if v.bigI == nil {
		v.bigI = map[int64]uint32{}
	}
	c := bigVersion | uint32(len(v.big))
	v.big = append(v.big, x)
	v.bigI[x] = c
	return c
}

func (v *versions) value(c uint32) int64 {
	if c&bigVersion == 0 {
		return int64(c)
	}
	i := int(c &^ bigVersion)
	if i < len(v.big) {
		return v.big[i]
	}
	return math.MinInt64
}

// log is the stored stream.
type log struct {
	recs  []rec
	extra []protocol.Event // rare events in full (header, partition, param, note, reply)
	nodes names
	keys  names
	kinds names
	vers  versions
	// keyVers lists per key the distinct versions nodes came to hold, by
	// value, so that a version can be told by its rank ("version 2") even
	// when its value is a timestamp.
	keyVers [][]uint32
	keyInfo []keyInfo // per key: comment and first holder
	kindCat []uint8   // per kind: cat* (how its messages are drawn)
	// memberlist: the stream has memberlist's kinds (a live lab or a real
	// cluster), so the legend lists those.
	memberlist bool
	rounds     []float64 // times of the round markers, in order
	maxFly     float64   // longest flight seen, bounds the in-flight scan
	sumFly     float64   // for the typical flight of lost messages
	nFly       int
}

func newLog() *log {
	l := &log{}
	for _, k := range []string{protocol.KindPush, protocol.KindPullReq, protocol.KindPullResp, protocol.KindPushBack} {
		l.kinds.id(k)
	}
	return l
}

// encode turns an event into a rec; the caller has validated it.
func (l *log) encode(ev *protocol.Event) rec {
	r := rec{t: ev.T, typ: typOf[ev.Type], a: -1, b: -1}
	switch ev.Type {
	case protocol.TypeMsg:
		r.a = l.nodes.id(ev.From)
		r.b = l.nodes.id(ev.To)
		r.kind = uint8(min(l.kinds.id(ev.Kind), 255))
		for len(l.kindCat) < len(l.kinds.list) {
			c := kindCategory(l.kinds.list[len(l.kindCat)])
			l.kindCat = append(l.kindCat, c)
			if c >= catProbe {
				l.memberlist = true
			}
		}
		if ev.Key != "" {
			r.key = l.keyID(ev.Key)
		} else {
			r.key = math.MaxUint16 // carries no key (a digest or a probe)
		}
		r.ver = l.vers.code(ev.Version)
		if ev.Lost {
			r.flags |= flagLost
		}
		if ev.Redundant {
			r.flags |= flagRedundant
		}
		if ev.Arrive > 0 && !ev.Lost {
			r.flags |= flagArrives
			r.flight = float32(ev.Arrive - ev.T)
		}
	case protocol.TypeNode:
		r.a = l.nodes.id(ev.Node)
		r.kind = statusOf(ev.Status)
		if ev.From != "" {
			r.b = l.nodes.id(ev.From) // whose view it is: "suspected by n1"
		}
		if v, ok := viewOf(ev); ok {
			packView(&r, v)
		}
	case protocol.TypeState:
		r.a = l.nodes.id(ev.Node)
		r.key = l.keyID(ev.Key)
		r.ver = l.vers.code(ev.Version)
		l.seeVersion(r.key, r.ver)
		l.noteKey(r.key, r.a, r.t, ev.Value)
	case protocol.TypeRound:
		r.a = int32(ev.Round)
	default:
		r.a = int32(len(l.extra))
		l.extra = append(l.extra, *ev)
	}
	return r
}

// seeVersion adds version code v of key k to keyVers (usually at the end:
// newer versions come later).
func (l *log) seeVersion(k uint16, v uint32) {
	for int(k) >= len(l.keyVers) {
		l.keyVers = append(l.keyVers, nil)
	}
	vs := l.keyVers[k]
	x := l.vers.value(v)
	i := len(vs)
	for i > 0 && l.vers.value(vs[i-1]) > x {
		i--
	}
	if i > 0 && vs[i-1] == v {
		return
	}
	l.keyVers[k] = slices.Insert(vs, i, v)
}

// versionRank is the rank of version code v among key k's versions, 1 for
// the oldest; 0 if unknown.
func (l *log) versionRank(k int, v uint32) int {
	if k < 0 || k >= len(l.keyVers) || v == noVersion {
		return 0
	}
	x := l.vers.value(v)
	i, found := slices.BinarySearchFunc(l.keyVers[k], x, func(c uint32, x int64) int {
		return cmp.Compare(l.vers.value(c), x)
	})
	if !found {
		return 0
	}
	return i + 1
}

// keyID interns a key; past 65,534 distinct keys they share the last index
// rather than wrap around.
func (l *log) keyID(k string) uint16 {
	if i, ok := l.keys.lookup(k); ok {
		return uint16(i)
	}
	if len(l.keys.list) >= math.MaxUint16-1 {
		return math.MaxUint16 - 1
	}
	return uint16(l.keys.id(k))
}

func (l *log) typicalFlight(minShow float64) float64 {
	if l.nFly == 0 {
		return minShow
	}
	return math.Max(l.sumFly/float64(l.nFly), minShow)
}

// roundsIn counts the round markers with t0 <= t <= t1.
func (l *log) roundsIn(t0, t1 float64) int {
	lo, _ := slices.BinarySearch(l.rounds, t0)
	hi, found := slices.BinarySearch(l.rounds, t1)
	for found && hi < len(l.rounds) && l.rounds[hi] == t1 {
		hi++
	}
	return max(0, hi-lo)
}

// search returns the index of the first rec with t > at.
func (l *log) search(at float64) int {
	lo, hi := 0, len(l.recs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.recs[m].t <= at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// event rebuilds the protocol event for stored rec i (for details and
// export; not on the per-frame path).
func (l *log) event(i int) protocol.Event {
	r := &l.recs[i]
	ev := protocol.Event{T: r.t}
	switch r.typ {
	case typMsg:
		ev.Type = protocol.TypeMsg
		ev.From, ev.To = l.nodes.list[r.a], l.nodes.list[r.b]
		ev.Kind = l.kinds.list[r.kind]
		if r.key != math.MaxUint16 {
			ev.Key = l.keys.list[r.key]
		}
		ev.Version = l.vers.value(r.ver)
		ev.Lost = r.flags&flagLost != 0
		ev.Redundant = r.flags&flagRedundant != 0
		if r.flags&flagArrives != 0 {
			ev.Arrive = r.t + float64(r.flight)
		}
	case typNode:
		ev.Type = protocol.TypeNode
		ev.Node = l.nodes.list[r.a]
		ev.Status = [...]protocol.Status{"", protocol.StatusAlive, protocol.StatusSuspect, protocol.StatusDead, protocol.StatusLeft}[r.kind]
	case typState:
		ev.Type = protocol.TypeState
		ev.Node = l.nodes.list[r.a]
		ev.Key = l.keys.list[r.key]
		ev.Version = l.vers.value(r.ver)
	case typRound:
		ev.Type = protocol.TypeRound
		ev.Round = int(r.a)
	default:
		ev = l.extra[r.a]
	}
	return ev
}
