package engine

import "math"

// Stats summarise a run. "Informed" means up to date: holding the newest
// version of every key. Coverage counts alive nodes only.
type Stats struct {
	Nodes    int     `json:"nodes"`    // node count at the end, joined nodes included
	Alive    int     `json:"alive"`    // alive at the end
	Informed int     `json:"informed"` // alive and up to date at the end
	Rounds   int     `json:"rounds"`   // rounds (periods) started
	Time     float64 `json:"time"`     // virtual ms reached
	// Rounds99/Rounds100: the round of the exchange that brought coverage
	// to 99% / 100% of the alive nodes since the last news (-1: never);
	// in async mode a round is the initiator's own tick count. Time99 and
	// Time100 are the instants (ms, -1: never).
	Rounds99  int     `json:"rounds_99"`
	Rounds100 int     `json:"rounds_100"`
	Time99    float64 `json:"time_99"`
	Time100   float64 `json:"time_100"`
	Sent      int64   `json:"sent"`      // messages sent
	Lost      int64   `json:"lost"`      // dropped: loss, partition or a dead receiver
	Delivered int64   `json:"delivered"` // reached an alive receiver
	// Redundant: delivered messages that carried items and taught the
	// receiver nothing (it already had those versions).
	Redundant int64 `json:"redundant"`
	// Residue is the fraction of alive nodes not up to date at the end
	// (Demers et al.'s residue for a rumor that died out).
	Residue float64 `json:"residue"`
	// Received is the number of messages delivered to each node (nil from
	// the bitset kernel, which does not count them).
	Received     []int32  `json:"-"`
	ReceivedMean float64  `json:"received_mean"`
	ReceivedMax  int32    `json:"received_max"`
	Series       []Sample `json:"series,omitempty"` // coverage at the start of every round
}

// Sample is the coverage when a round starts.
type Sample struct {
	Round    int     `json:"round"`
	T        float64 `json:"t"`
	Informed int     `json:"informed"`
	Alive    int     `json:"alive"`
}

// Stats returns the statistics so far (a copy: the caller may keep it).
func (s *Sim) Stats() Stats {
	st := s.stats()
	st.Series = append([]Sample(nil), st.Series...)
	return st
}

// stats returns the statistics; Series is shared with the simulation.
func (s *Sim) stats() Stats {
	st := Stats{
		Nodes: s.n, Alive: s.alive, Informed: s.upToDate, Rounds: s.round, Time: s.now,
		Rounds99: s.st.r99, Rounds100: s.st.r100, Time99: s.st.t99, Time100: s.st.t100,
		Sent: s.st.sent, Lost: s.st.lost, Delivered: s.st.delivered, Redundant: s.st.redundant,
		Received: s.receivedCounts(), Series: s.st.series,
	}
	if s.alive > 0 {
		st.Residue = float64(s.alive-s.upToDate) / float64(s.alive)
	}
	var sum int64
	for _, r := range st.Received {
		sum += int64(r)
		if r > st.ReceivedMax {
			st.ReceivedMax = r
		}
	}
	if s.n > 0 {
		st.ReceivedMean = float64(sum) / float64(s.n)
	}
	return st
}

func (s *Sim) receivedCounts() []int32 {
	r := make([]int32, s.n)
	for i := range s.nodes {
		r[i] = s.nodes[i].received
	}
	return r
}

// Run runs c to the end without emitting events and returns its
// statistics: the path for large N and many trials. It is the same
// simulation as New+Advance (the same seed gives the same Stats), on the
// round kernel wherever it applies (see the package doc), except for the
// classic model's scenarios that the bitset kernel takes (classic.go):
// those have the same Stats in distribution, with Received left nil.
func Run(c Config) (Stats, error) { return RunWorkers(c, 1) }

// RunWorkers is Run using up to workers goroutines within the one trial
// where the bitset kernel applies (elsewhere it runs on one). The Stats
// do not depend on workers.
func RunWorkers(c Config, workers int) (Stats, error) {
	if err := c.Validate(); err != nil {
		return Stats{}, err
	}
	if classicFits(c) {
		return runClassic(c, workers), nil
	}
	s, err := New(c)
	if err != nil {
		return Stats{}, err
	}
	s.Advance(math.Inf(1), nil)
	return s.stats(), nil
}
