package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// stream runs s to until and returns its JSON Lines, header first, and the
// decoded events; it fails on an invalid or out-of-order event.
func stream(t *testing.T, s *Sim, until float64) ([]byte, []protocol.Event) {
	t.Helper()
	var buf bytes.Buffer
	enc := protocol.NewEncoder(&buf)
	h := s.Header()
	if err := enc.Encode(&h); err != nil {
		t.Fatal(err)
	}
	var evs []protocol.Event
	last := 0.0
	s.Advance(until, func(e *protocol.Event) {
		if err := e.Validate(); err != nil {
			t.Fatalf("invalid event %+v: %v", *e, err)
		}
		if e.T < last {
			t.Fatalf("event at %v after one at %v", e.T, last)
		}
		last = e.T
		cp := *e
		evs = append(evs, cp)
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	})
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), evs
}

// trace runs s to until and returns every field of every event, one event
// a line, checking that each is valid and in time order. It is stream
// without JSON, for comparing the histories of big scenarios: the JSON
// Lines are a function of these fields (TestSameSeedSameStream checks
// their bytes), and encoding them costs 50 times the simulation under the
// race detector. Rare events (header, param, partition: maps and nested
// slices) go in as JSON.
func trace(t *testing.T, s *Sim, until float64) (text []byte, events int) {
	t.Helper()
	if n := reflect.TypeFor[protocol.Event]().NumField(); n != 21 {
		t.Fatalf("protocol.Event has %d fields, trace writes 21: update it", n)
	}
	b := make([]byte, 0, 1<<16)
	last := 0.0
	f := func(x float64) { b = strconv.AppendFloat(append(b, '|'), x, 'g', -1, 64) }
	i := func(x int64) { b = strconv.AppendInt(append(b, '|'), x, 10) }
	str := func(x string) { b = append(append(b, '|'), x...) }
	flag := func(x bool) { b = strconv.AppendBool(append(b, '|'), x) }
	s.Advance(until, func(e *protocol.Event) {
		if err := e.Validate(); err != nil {
			t.Fatalf("invalid event %+v: %v", *e, err)
		}
		if e.T < last {
			t.Fatalf("event at %v after one at %v", e.T, last)
		}
		last = e.T
		events++
		str(string(e.Type))
		f(e.T)
		if e.Params != nil || e.Groups != nil {
			j, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			b = append(append(b, '|'), j...)
		}
		str(e.Source)
		str(e.Node)
		str(string(e.Status))
		str(e.From)
		str(e.To)
		str(e.Kind)
		str(e.Key)
		i(e.Version)
		str(e.Value)
		i(int64(e.Bytes))
		f(e.Arrive)
		flag(e.Lost)
		flag(e.Redundant)
		i(int64(e.Round))
		str(e.Text)
		str(e.ID)
		str(e.Error)
		b = append(b, '\n')
	})
	return b, events
}

func mustNew(t *testing.T, c Config) *Sim {
	t.Helper()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// busy is a scenario that uses every feature at once.
func busy(seed uint64) Config {
	return Config{
		Nodes: 60, Fanout: 2, Mode: PushPull, Peers: PeersSeed, Async: true,
		LatencyMin: 5, LatencyMax: 120, Loss: 0.05, Seed: seed, Keys: 3,
		Schedule: []Action{
			{At: 1500, Kind: ActCrash, Node: 7},
			{At: 2000, Kind: ActPartition, Groups: [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}},
			{At: 2500, Kind: ActUpdate, Node: 20, Key: 1},
			{At: 3000, Kind: ActJoin, Count: 3},
			{At: 4000, Kind: ActLoss, Loss: 0.2},
			{At: 6000, Kind: ActHeal},
			{At: 6500, Kind: ActRestart, Node: 7},
		},
	}
}

func TestSameSeedSameStream(t *testing.T) {
	for _, c := range []Config{busy(1), {Nodes: 200, Seed: 1}, {Nodes: 300, Mode: Pull, Loss: 0.1, Seed: 1}} {
		a, evs := stream(t, mustNew(t, c), math.Inf(1))
		b, _ := stream(t, mustNew(t, c), math.Inf(1))
		if !bytes.Equal(a, b) {
			t.Fatalf("%v: two runs of the same scenario differ", c.Query().Encode())
		}
		if len(evs) < 100 {
			t.Fatalf("only %d events", len(evs))
		}
		c.Seed = 2
		other, _ := stream(t, mustNew(t, c), math.Inf(1))
		if bytes.Equal(a, other) {
			t.Fatalf("seeds 1 and 2 give the same stream")
		}
	}
}

// Stepping frame by frame, as the page does, gives the same stream as one
// big step.
func TestAdvanceIsIncremental(t *testing.T) {
	c := busy(3)
	whole, _ := stream(t, mustNew(t, c), math.Inf(1))
	s := mustNew(t, c)
	var buf bytes.Buffer
	enc := protocol.NewEncoder(&buf)
	h := s.Header()
	enc.Encode(&h)
	for tm := 0.0; !s.Done(); tm += 16.7 {
		s.Advance(tm, func(e *protocol.Event) { enc.Encode(e) })
		if s.Now() != tm && !s.Done() {
			t.Fatalf("Now() = %v after Advance(%v)", s.Now(), tm)
		}
	}
	enc.Flush()
	if !bytes.Equal(whole, buf.Bytes()) {
		t.Fatal("frame-by-frame stream differs from the one-step stream")
	}
}

// The round scheduler and the event heap must give the same history for
// every synchronous zero-latency scenario.
func TestRoundSchedulerMatchesHeap(t *testing.T) {
	faults := []Action{
		{At: 1000, Kind: ActCrash, Node: 3},
		{At: 1500, Kind: ActPartition, Groups: [][]int{{0, 1, 2, 3, 4, 5}, {6, 7, 8}}},
		{At: 2000, Kind: ActUpdate, Node: 9, Key: 1},
		{At: 2000, Kind: ActJoin, Count: 2},
		{At: 2500, Kind: ActJoin, Count: 1},
		{At: 3000, Kind: ActLoss, Loss: 0.3},
		{At: 4000, Kind: ActHeal},
		{At: 4500, Kind: ActRestart, Node: 3},
	}
	var cases []Config
	for _, m := range []Mode{Push, Pull, PushPull} {
		for _, p := range []PeerRule{PeersSeed, PeersRandom} {
			stops := []StopRule{StopNever}
			if m == Push {
				stops = []StopRule{StopNever, StopAll, StopLimit, StopFeedback, StopCoin}
			}
			for _, st := range stops {
				cases = append(cases,
					Config{Nodes: 40, Mode: m, Peers: p, Stop: st, Fanout: 2, Seed: 5, Keys: 2, Schedule: faults},
					Config{Nodes: 300, Mode: m, Peers: p, Stop: st, Seed: 6, Loss: 0.1})
			}
			// More nodes than one block of receivers (queue.go), so ties
			// at an instant are ordered across blocks.
			if p == PeersSeed && m != Pull {
				cases = append(cases, Config{Nodes: 3<<blockShift + 5, Mode: m, Peers: p, Seed: 7, Loss: 0.05, MaxTime: 3000,
					Schedule: []Action{{At: 2000, Kind: ActCrash, Node: 9000}, {At: 2500, Kind: ActJoin, Count: 3}}})
			}
		}
	}
	for _, c := range cases {
		name := c.Query().Encode()
		fast := mustNew(t, c)
		if !fast.fast {
			t.Fatalf("%s: expected the round scheduler", name)
		}
		heap, err := newSim(c, schedHeap)
		if err != nil {
			t.Fatal(err)
		}
		a, events := trace(t, fast, math.Inf(1))
		b, _ := trace(t, heap, math.Inf(1))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: round scheduler and heap differ:\n%s", name, firstDiff(a, b))
		}
		if !reflect.DeepEqual(fast.Stats(), heap.Stats()) {
			t.Fatalf("%s: stats differ:\n%+v\n%+v", name, fast.Stats(), heap.Stats())
		}
		if events < 20 {
			t.Fatalf("%s: only %d events", name, events)
		}
	}
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(la), len(lb))
}

// Run is the same simulation as New+Advance with events.
func TestRunMatchesAdvance(t *testing.T) {
	for _, c := range []Config{busy(9), {Nodes: 500, Mode: PushPull, Seed: 9}, {Nodes: 500, Async: true, LatencyMax: 300, Seed: 9}} {
		st, err := Run(c)
		if err != nil {
			t.Fatal(err)
		}
		s := mustNew(t, c)
		_, evs := stream(t, s, math.Inf(1))
		if !reflect.DeepEqual(st, s.Stats()) {
			t.Fatalf("Run and Advance disagree:\n%+v\n%+v", st, s.Stats())
		}
		// The stream accounts for every message the stats count.
		var sent, lost int64
		for _, e := range evs {
			if e.Type == protocol.TypeMsg {
				sent++
				if e.Lost {
					lost++
				}
			}
		}
		if sent != st.Sent || lost > st.Lost {
			t.Fatalf("stream has %d messages (%d lost), stats %d (%d lost)", sent, lost, st.Sent, st.Lost)
		}
	}
}

// A page crashes a node at time t by appending to the Schedule and
// replaying: the history before t must not change.
func TestScheduleReplayKeepsThePast(t *testing.T) {
	c := busy(4)
	_, before := stream(t, mustNew(t, c), math.Inf(1))
	c.Schedule = append(append([]Action(nil), c.Schedule...), Action{At: 2222, Kind: ActCrash, Node: 30})
	_, after := stream(t, mustNew(t, c), math.Inf(1))
	i := 0
	for ; i < len(before) && before[i].T < 2222; i++ {
		if !reflect.DeepEqual(before[i], after[i]) {
			t.Fatalf("event %d before the new action changed:\n%+v\n%+v", i, before[i], after[i])
		}
	}
	if e := after[i]; e.Type != protocol.TypeNode || e.Node != "n30" || e.Status != protocol.StatusDead {
		t.Fatalf("expected n30's crash at 2222, got %+v", e)
	}
}

// kinds tallies a stream's messages by kind.
func kinds(evs []protocol.Event) map[string]int {
	n := map[string]int{}
	for _, e := range evs {
		if e.Type == protocol.TypeMsg {
			n[e.Kind]++
		}
	}
	return n
}

// Messages per exchange: PUSH 1, PULL 2, PUSH-PULL 3 (without loss every
// request is answered).
func TestMessagesPerExchange(t *testing.T) {
	for _, m := range []Mode{Push, Pull, PushPull} {
		s := mustNew(t, Config{Nodes: 200, Mode: m, Seed: 2})
		_, evs := stream(t, s, math.Inf(1))
		k := kinds(evs)
		switch m {
		case Push:
			if k["push"] == 0 || len(k) != 1 {
				t.Errorf("push: %v", k)
			}
		case Pull:
			if k["pullreq"] == 0 || k["pullresp"] != k["pullreq"] || len(k) != 2 {
				t.Errorf("pull: %v", k)
			}
		case PushPull:
			if k["pullreq"] == 0 || k["pullresp"] != k["pullreq"] || k["pushback"] != k["pullreq"] || len(k) != 3 {
				t.Errorf("pushpull: %v", k)
			}
		}
		if st := s.Stats(); st.Informed != 200 || st.Residue != 0 || st.Time100 < 0 {
			t.Errorf("%s: not converged: %+v", m, st)
		}
	}
}

// The basic peer rules (docs/gossip-rules.md), read back from the stream: between two pieces of
// news a node never sends to the same peer twice, never to the node it
// heard from, and with StopAll it sends to each of the N-1 (or N-2) others
// exactly once.
// TestSeedPeerRules checks those rules, including tiny clusters where
// the fan-out reaches every peer in one tick (a node that has sent to all
// its peers must still have sent to them before it stops).
func TestSeedPeerRules(t *testing.T) {
	for _, tc := range []struct{ n, fanout int }{{30, 3}, {3, 3}, {2, 1}, {4, 5}, {5, 4}} {
		t.Run(fmt.Sprintf("n%d-k%d", tc.n, tc.fanout), func(t *testing.T) { checkSeedPeerRules(t, tc.n, tc.fanout) })
	}
}

func checkSeedPeerRules(t *testing.T, n, fanout int) {
	s := mustNew(t, Config{Nodes: n, Mode: Push, Peers: PeersSeed, Stop: StopAll, Fanout: fanout, Seed: 8, MaxTime: 60_000})
	_, evs := stream(t, s, math.Inf(1))
	heard := map[string]string{}
	sent := map[string]map[string]bool{}
	// With zero latency a push is delivered at its send time; the state
	// event that follows names the receiver, so track "heard from" by the
	// last push each receiver got before it changed state.
	lastFrom := map[string]string{}
	for _, e := range evs {
		switch e.Type {
		case protocol.TypeMsg:
			if sent[e.From] == nil {
				sent[e.From] = map[string]bool{}
			}
			if sent[e.From][e.To] {
				t.Fatalf("%s sent to %s twice", e.From, e.To)
			}
			if heard[e.From] == e.To {
				t.Fatalf("%s sent back to %s, which it heard from", e.From, e.To)
			}
			sent[e.From][e.To] = true
			if !e.Redundant {
				lastFrom[e.To] = e.From
			}
		case protocol.TypeState:
			heard[e.Node] = lastFrom[e.Node]
			sent[e.Node] = nil
		}
	}
	st := s.Stats()
	if st.Informed != n {
		t.Fatalf("not converged: %+v", st)
	}
}

func TestStopLimitIsMemberlists(t *testing.T) {
	const n, mult = 500, 2
	limit := mult * int(math.Ceil(math.Log10(n+1))) // 6
	s := mustNew(t, Config{Nodes: n, Mode: Push, Peers: PeersRandom, Stop: StopLimit, RetransmitMult: mult, Fanout: 4, Seed: 1})
	_, evs := stream(t, s, math.Inf(1))
	per := map[string]int{}
	for _, e := range evs {
		if e.Type == protocol.TypeMsg {
			per[e.From]++
		}
	}
	for node, c := range per {
		if c > limit {
			t.Fatalf("%s sent %d pushes, limit %d", node, c, limit)
		}
	}
	if len(per) < n/2 {
		t.Fatalf("only %d nodes sent", len(per))
	}
}

// A crashed node receives nothing and is not counted; a partition lets no
// message through until it heals; a joined node and an update reach
// everyone in the end.
func TestFaults(t *testing.T) {
	c := Config{Nodes: 50, Mode: PushPull, Fanout: 2, Seed: 3, LatencyMin: 10, LatencyMax: 50,
		Schedule: []Action{
			{At: 0, Kind: ActPartition, Groups: [][]int{{0, 1, 2, 3, 4}}},
			{At: 0, Kind: ActCrash, Node: 49},
			{At: 5000, Kind: ActJoin, Count: 2},
			{At: 30000, Kind: ActHeal}, // by then n0..n4 have each tried all 49 peers
			{At: 31000, Kind: ActUpdate, Node: 10},
		}}
	s := mustNew(t, c)
	_, evs := stream(t, s, math.Inf(1))
	side := func(name string) bool {
		var i int
		fmt.Sscanf(name, "n%d", &i)
		return i < 5
	}
	informedBeforeHeal := 0
	for _, e := range evs {
		switch e.Type {
		case protocol.TypeMsg:
			if e.To == "n49" && !e.Lost {
				t.Fatalf("a message to the crashed n49 was not lost: %+v", e)
			}
			if e.T < 30000 && side(e.From) != side(e.To) && !e.Lost {
				t.Fatalf("a message crossed the partition: %+v", e)
			}
		case protocol.TypeState:
			if e.T < 30000 && !side(e.Node) {
				t.Fatalf("%s learned across the partition at %v", e.Node, e.T)
			}
			if e.T < 30000 && side(e.Node) {
				informedBeforeHeal++
			}
		}
	}
	if informedBeforeHeal != 5 { // n0 at t=0 and n1..n4 by gossip
		t.Errorf("%d state events inside the partition, want 5", informedBeforeHeal)
	}
	st := s.Stats()
	if st.Nodes != 52 || st.Alive != 51 || st.Informed != 51 || st.Time100 < 31000 {
		t.Fatalf("want all 51 alive nodes (2 joined) on the update after 31000: %+v", st)
	}
}

// With total loss nothing is delivered and the run still ends.
func TestTotalLossEnds(t *testing.T) {
	st, err := Run(Config{Nodes: 100, Mode: PushPull, Loss: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st.Delivered != 0 || st.Informed != 1 || st.Residue != 0.99 || st.Rounds100 != -1 {
		t.Fatalf("%+v", st)
	}
	if st.Rounds >= MaxPeriods {
		t.Fatalf("ran %d rounds: it should see that nothing can progress", st.Rounds)
	}
}

// In Push mode with StopAll, a rumor whose only holder crashed stops.
func TestNobodyCanSpreadEnds(t *testing.T) {
	st, err := Run(Config{Nodes: 100, Mode: Push, Schedule: []Action{{At: 0, Kind: ActCrash, Node: 0}}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 0 || st.Informed != 0 || st.Alive != 99 || st.Residue != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestMaxTime(t *testing.T) {
	s := mustNew(t, Config{Nodes: 1000, Mode: Push, Fanout: 1, Peers: PeersRandom, Stop: StopNever, MaxTime: 3500})
	s.Advance(math.Inf(1), nil)
	if !s.Done() || s.Now() != 3500 || s.Round() != 4 {
		t.Fatalf("done %v now %v round %d", s.Done(), s.Now(), s.Round())
	}
}

// Redundancy: delivered messages that taught nothing are counted, and a
// node gets the same news many times (gossip's stated weakness: redundancy).
// (New+Advance: Run's bitset kernel does not count messages per node.)
func TestRedundancyCounted(t *testing.T) {
	s := mustNew(t, Config{Nodes: 1000, Mode: Push, Peers: PeersRandom, Stop: StopNever, Fanout: 3, Seed: 1})
	s.Advance(math.Inf(1), nil)
	st := s.Stats()
	// Everyone but n0 learned once; every other delivered push was redundant.
	if st.Redundant != st.Delivered-999 {
		t.Fatalf("redundant %d, delivered %d", st.Redundant, st.Delivered)
	}
	if st.ReceivedMax < 2 {
		t.Fatalf("max received %d", st.ReceivedMax)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []Config{
		{}, {Nodes: -1}, {Nodes: 10, Mode: "gossip"}, {Nodes: 10, Loss: 2}, {Nodes: 10, Period: -1},
		{Nodes: 10, Mode: Pull, Stop: StopLimit}, {Nodes: 10, LatencyMin: 5, LatencyMax: 1},
		{Nodes: 10, Keys: 100}, {Nodes: 10, Schedule: []Action{{Kind: ActCrash, Node: 10}}},
		{Nodes: 10, Schedule: []Action{{Kind: "explode"}}}, {Nodes: 10, Period: math.NaN()},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	// A joined node may be addressed after its join, not before.
	ok := Config{Nodes: 2, Schedule: []Action{{At: 5, Kind: ActJoin, Count: 1}, {At: 6, Kind: ActCrash, Node: 2}}}
	if _, err := New(ok); err != nil {
		t.Errorf("crash of a joined node: %v", err)
	}
	ok.Schedule[1].At = 4
	if _, err := New(ok); err == nil {
		t.Errorf("crash of a node before it joins: accepted")
	}
}
