package memlab

import (
	"sync"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// watcher turns what the nodes say and send into node events and counters.
// Messages come from memnet (any goroutine); member tables are read by the
// lab's ticker.
type watcher struct {
	mu    sync.Mutex
	names []string

	shown  map[string]shownView // the majority status and view last emitted
	seen   map[string]bool      // a majority has had it alive once
	split  map[string]Split     // the last look's opinions, by subject
	heard  map[string]map[string]int64
	said   map[string]map[string]said // observer -> subject -> what it last gossiped
	listed map[string]map[string]bool // observer -> subjects it has had in its table
	down   map[string]bool            // crashed or left: not running
	left   map[string]bool            // down by a leave
	crash  *crashRecord               // the latest crash
	raised map[suspicion]float64
	by     map[string]string // subject -> who raised the latest suspicion or death of it
	counts Counts
}

// suspicion is one suspicion of a running node: its subject and the
// incarnation it was raised against.
type suspicion struct {
	node string
	inc  int64
}

type crashRecord struct {
	node                      string
	at                        float64
	suspect, dead, everywhere float64 // absolute ms; 0: not yet
	suspectBy, deadBy         string
}

// Counts are the false-suspicion counters.
type Counts struct {
	// FalseSuspicions counts suspicions of running nodes (a node and the
	// incarnation it was suspected at), Refuted those the node answered
	// with a higher incarnation, FalseDeaths dead messages about running
	// nodes from others.
	FalseSuspicions int `json:"falseSuspicions"`
	Refuted         int `json:"refuted"`
	FalseDeaths     int `json:"falseDeaths"`
	// RaisedBy counts false suspicions by the node that raised them (the
	// suspect message's origin): a slow node without Lifeguard's
	// awareness accuses the healthy.
	RaisedBy map[string]int `json:"raisedBy"`
}

// said is the last membership news a node gossiped about another: what it
// believes. memberlist exports no node's suspect state (Members gives the
// alive and the suspect alike), but a node gossips only what it accepted,
// within a gossip interval, so its own messages tell.
type said struct {
	suspect bool
	inc     int64
}

// tell records that node gossiped kind about subject at incarnation inc,
// by memberlist's rules: a suspicion counts at the incarnation it knows or
// newer, an alive only when newer than the suspicion (a refutation); w.mu
// held.
func (w *watcher) tell(node, subject, kind string, inc int64) {
	m := w.said[node]
	if m == nil {
		m = map[string]said{}
		w.said[node] = m
	}
	cur, ok := m[subject]
	switch kind {
	case wire.KindSuspect:
		if !ok || inc >= cur.inc {
			m[subject] = said{suspect: true, inc: inc}
		}
	case wire.KindAlive:
		if !ok || inc > cur.inc || !cur.suspect {
			m[subject] = said{inc: max(inc, cur.inc)}
		}
	case wire.KindDead:
		delete(m, subject) // gone from its table: Members tells
	}
}

type shownView struct {
	status protocol.Status
	split  Split
}

// Split is how the running nodes see one node in one look.
type Split struct {
	Alive   int `json:"alive"`
	Suspect int `json:"suspect"`
	Gone    int `json:"gone"` // dead, left, or not (yet) in the table
}

func newWatcher(names []string) *watcher {
	return &watcher{names: names, shown: map[string]shownView{}, seen: map[string]bool{},
		split: map[string]Split{}, heard: map[string]map[string]int64{}, said: map[string]map[string]said{}, listed: map[string]map[string]bool{}, down: map[string]bool{},
		left: map[string]bool{}, raised: map[suspicion]float64{}, by: map[string]string{}, counts: Counts{RaisedBy: map[string]int{}}}
}

func (w *watcher) started(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.down, name)
	delete(w.left, name)
	delete(w.heard, name) // a restarted process remembers nothing
	delete(w.listed, name)
	delete(w.said, name)
}

func (w *watcher) crashed(name string, at float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.down[name] = true
	w.crash = &crashRecord{node: name, at: at}
}

func (w *watcher) leaving(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.down[name], w.left[name] = true, true
}

// hear notes that node heard of subject at incarnation inc; w.mu held.
func (w *watcher) hear(node, subject string, inc int64) {
	h := w.heard[node]
	if h == nil {
		h = map[string]int64{}
		w.heard[node] = h
	}
	if inc > h[subject] {
		h[subject] = inc
	}
}

// messages reads membership messages: incarnations heard, the first
// suspicion and death of a crashed node, false suspicions and refutations.
func (w *watcher) messages(evs []protocol.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range evs {
		e := &evs[i]
		if e.Type != protocol.TypeMsg || e.Key == "" {
			continue
		}
		switch e.Kind {
		case wire.KindAlive, wire.KindSuspect, wire.KindDead:
		default:
			continue
		}
		w.hear(e.From, e.Key, e.Version)
		w.tell(e.From, e.Key, e.Kind, e.Version)
		if !e.Lost {
			w.hear(e.To, e.Key, e.Version)
		}
		if (e.Kind == wire.KindSuspect || e.Kind == wire.KindDead) && e.Value != "" {
			w.by[e.Key] = e.Value
		}
		c := w.crash
		crashed := c != nil && c.node == e.Key && w.down[e.Key] && e.T >= c.at
		switch e.Kind {
		case wire.KindSuspect:
			if crashed && c.suspect == 0 {
				c.suspect, c.suspectBy = e.T, e.Value
			}
			if s := (suspicion{e.Key, e.Version}); !w.down[e.Key] {
				if _, ok := w.raised[s]; !ok {
					w.raised[s] = e.T
					w.counts.FalseSuspicions++
					if e.Value != "" {
						w.counts.RaisedBy[e.Value]++
					}
				}
			}
		case wire.KindDead:
			if crashed && c.dead == 0 {
				c.dead, c.deadBy = e.T, e.Value
			}
			if !w.down[e.Key] && e.Value != e.Key && e.Value != "" {
				w.counts.FalseDeaths++
			}
		case wire.KindAlive:
			if e.From != e.Key {
				continue
			}
			for s, at := range w.raised {
				if s.node == e.Key && s.inc < e.Version && at >= 0 {
					w.raised[s] = -1 // refuted
					w.counts.Refuted++
				}
			}
		}
	}
}

// look takes every running node's member list and returns node events
// for the subjects whose majority view changed.
func (w *watcher) look(now float64, tables map[string]map[string]bool) []protocol.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	for observer, t := range tables {
		l := w.listed[observer]
		if l == nil {
			l = map[string]bool{}
			w.listed[observer] = l
		}
		for subject := range t {
			l[subject] = true
		}
	}
	var out []protocol.Event
	for _, subject := range w.names {
		var sp Split
		for observer, t := range tables {
			if observer == subject {
				continue
			}
			switch {
			case !t[subject]:
				sp.Gone++
			case w.said[observer][subject].suspect:
				sp.Suspect++
			default:
				sp.Alive++
			}
		}
		w.split[subject] = sp
		st := majority(sp, w.left[subject])
		if st == protocol.StatusAlive {
			w.seen[subject] = true
		}
		if !w.seen[subject] || w.shown[subject] == (shownView{st, sp}) {
			continue
		}
		// From names who raised a suspicion or a death (the narration's
		// "suspected by n1"); the counts go along, so that the page can
		// ring a node whose peers disagree (scene/membership.go).
		var from string
		if was := w.shown[subject].status; st != was && (st == protocol.StatusSuspect || st == protocol.StatusDead) {
			from = w.by[subject]
		}
		w.shown[subject] = shownView{st, sp}
		out = append(out, protocol.Event{Type: protocol.TypeNode, T: now, Node: subject, Status: st, From: from,
			Params: map[string]any{"alive": sp.Alive, "suspect": sp.Suspect, "gone": sp.Gone}})
	}
	if c := w.crash; c != nil && c.everywhere == 0 && w.down[c.node] {
		if sp := w.split[c.node]; sp.Alive == 0 && sp.Suspect == 0 {
			c.everywhere = now
		}
	}
	return out
}

// majority is the status most running nodes give a node (alive wins a tie
// with suspect, suspect one with gone: the benefit of the doubt).
func majority(sp Split, left bool) protocol.Status {
	switch {
	case sp.Alive >= sp.Suspect && sp.Alive >= sp.Gone:
		return protocol.StatusAlive
	case sp.Suspect >= sp.Gone:
		return protocol.StatusSuspect
	case left:
		return protocol.StatusLeft
	}
	return protocol.StatusDead
}
