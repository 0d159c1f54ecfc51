package memlab

import (
	"sort"
	"time"
)

// Member is one row of a node's member table.
type Member struct {
	Name  string `json:"name"`
	State string `json:"state"` // alive, suspect, dead, left, or unknown (never in the table)
	// Incarnation is the highest incarnation number of Name this node has
	// sent or received (memberlist keeps its own without exporting it).
	Incarnation int64 `json:"incarnation"`
	Self        bool  `json:"self,omitempty"`
}

// Members returns node's member table as it stands now, in name order
// (n1, n2, ... n10), and false if node is not running.
func (l *Lab) Members(node string) ([]Member, bool) {
	l.mu.Lock()
	m, ok := l.peers[node]
	l.mu.Unlock()
	if !ok {
		return nil, false
	}
	in := map[string]bool{}
	for _, n := range m.p.Members() {
		in[n] = true
	}
	w := l.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Member, 0, len(l.names))
	for _, name := range l.names {
		r := Member{Name: name, Incarnation: w.heard[node][name], Self: name == node}
		listed := w.listed[node][name]
		switch {
		case in[name] && w.said[node][name].suspect:
			r.State = "suspect"
		case in[name]:
			r.State = "alive"
		case w.left[name]:
			r.State = "left"
		case listed:
			r.State = "dead"
		default:
			r.State = "unknown"
		}
		out = append(out, r)
	}
	return out, true
}

// Views returns how the running nodes see each node now.
func (l *Lab) Views() map[string]Split {
	l.watch.mu.Lock()
	defer l.watch.mu.Unlock()
	out := make(map[string]Split, len(l.watch.split))
	for k, v := range l.watch.split {
		out[k] = v
	}
	return out
}

// Counters are the failure-detection numbers the page shows.
type Counters struct {
	Nodes   int `json:"nodes"`
	Running int `json:"running"`
	// memberlist's formula for this cluster: a suspicion ends in death
	// after between SuspicionMinMs (k confirmations) and SuspicionMaxMs
	// (none); ProbeMs is the probe interval.
	SuspicionMinMs float64 `json:"suspicionMinMs"`
	SuspicionMaxMs float64 `json:"suspicionMaxMs"`
	Confirmations  int     `json:"confirmations"`
	ProbeMs        float64 `json:"probeMs"`
	// The settings behind them: memberlist's LAN config with every
	// interval divided by Speedup.
	SuspicionMult           int     `json:"suspicionMult"`
	SuspicionMaxTimeoutMult int     `json:"suspicionMaxTimeoutMult"`
	ProbeTimeoutMs          float64 `json:"probeTimeoutMs"`
	GossipMs                float64 `json:"gossipMs"`
	PushPullMs              float64 `json:"pushPullMs"`
	Speedup                 int     `json:"speedup"`
	Awareness               bool    `json:"awareness"`
	// Notifications are what the receiver got, in order: more than one
	// per alert group are duplicates.
	Notifications []Notification `json:"notifications"`
	// Crash is the latest crash's timing, nil before any.
	Crash *CrashTiming `json:"crash"`
	Counts
}

// CrashTiming is how long the cluster took to notice a crash; each time is
// ms after the crash, nil until it happened.
type CrashTiming struct {
	Node             string   `json:"node"`
	AtMs             float64  `json:"atMs"`
	FirstSuspicionMs *float64 `json:"firstSuspicionMs"`
	SuspectedBy      string   `json:"suspectedBy,omitempty"`
	FirstDeadMs      *float64 `json:"firstDeadMs"`
	DeadBy           string   `json:"deadBy,omitempty"`
	DeadEverywhereMs *float64 `json:"deadEverywhereMs"`
}

// Counters returns the counters now.
func (l *Lab) Counters() Counters {
	c := l.peerConfig()
	lo, hi, k := l.formula()
	msf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := Counters{Nodes: len(l.names), Running: len(l.running()), SuspicionMinMs: msf(lo),
		SuspicionMaxMs: msf(hi), Confirmations: k, ProbeMs: msf(c.ProbeInterval),
		SuspicionMult: c.SuspicionMult, SuspicionMaxTimeoutMult: maxTimeoutMult(),
		ProbeTimeoutMs: msf(c.ProbeTimeout), GossipMs: msf(c.GossipInterval), PushPullMs: msf(c.PushPullInterval),
		Speedup: l.cfg.Speedup, Awareness: !l.cfg.NoAwareness, Notifications: l.Notifications()}
	w := l.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	out.Counts = w.counts
	out.RaisedBy = make(map[string]int, len(w.counts.RaisedBy))
	for k, v := range w.counts.RaisedBy {
		out.RaisedBy[k] = v
	}
	if r := w.crash; r != nil {
		since := func(t float64) *float64 {
			if t == 0 {
				return nil
			}
			d := t - r.at
			return &d
		}
		out.Crash = &CrashTiming{Node: r.node, AtMs: r.at, FirstSuspicionMs: since(r.suspect), SuspectedBy: r.suspectBy,
			FirstDeadMs: since(r.dead), DeadBy: r.deadBy, DeadEverywhereMs: since(r.everywhere)}
	}
	return out
}

// Running returns the running nodes' names, sorted.
func (l *Lab) Running() []string {
	var out []string
	for n := range l.running() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
