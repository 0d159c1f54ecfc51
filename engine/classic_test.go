package engine

import (
	"reflect"
	"testing"
)

// A seed gives the same Stats on the bitset kernel whatever the number of
// workers: blocks draw from their own streams and the round ORs and sums
// what they did. Sizes of one block and of several, a last block cut
// short, every mode, loss, and a retransmit limit. Run under -race, this
// is also the kernel's race test.
func TestClassicWorkers(t *testing.T) {
	var cases []Config
	for _, m := range []Mode{PushPull, Push, Pull} {
		for _, n := range []int{2, 63, 5000, 3*blockNodes + 77} {
			cases = append(cases, Config{Nodes: n, Mode: m, Fanout: 3, Peers: PeersRandom, Stop: StopNever, Seed: uint64(n)})
			cases = append(cases, Config{Nodes: n, Mode: m, Fanout: 2, Peers: PeersRandom, Stop: StopNever, Seed: 1, Loss: 0.1})
		}
	}
	cases = append(cases, Config{Nodes: 3*blockNodes + 5, Mode: Push, Fanout: 3, Peers: PeersRandom, Stop: StopLimit, RetransmitMult: 1, Seed: 2})
	for _, c := range cases {
		if !classicFits(c) {
			t.Fatalf("%s: not on the bitset kernel", c.Query().Encode())
		}
		one, err := RunWorkers(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 8} {
			st, _ := RunWorkers(c, w)
			if !reflect.DeepEqual(one, st) {
				t.Fatalf("%s: %d workers differ from 1:\n%+v\n%+v", c.Query().Encode(), w, st, one)
			}
		}
	}
}

// The bitset kernel's counts add up: lossless exchanges are 2 or 3
// messages per pick, every node picking K per round; delivered = sent -
// lost; redundant = messages with news - learners; the series starts each
// round with the count the last one ended with; rounds and times line up
// as the scheduler's do (round r at (r-1)*Period, Time = Rounds*Period at
// the end).
func TestClassicCounts(t *testing.T) {
	for _, c := range []Config{
		{Nodes: 20_000, Mode: PushPull, Fanout: 3, Peers: PeersRandom, Stop: StopNever, Seed: 4},
		{Nodes: 20_000, Mode: Pull, Fanout: 2, Peers: PeersRandom, Stop: StopNever, Seed: 4},
		{Nodes: 20_000, Mode: Push, Fanout: 1, Peers: PeersRandom, Stop: StopNever, Seed: 4},
		{Nodes: 20_000, Mode: PushPull, Fanout: 2, Peers: PeersRandom, Stop: StopNever, Seed: 4, Loss: 0.3},
		{Nodes: 20_000, Mode: Push, Fanout: 4, Peers: PeersRandom, Stop: StopLimit, RetransmitMult: 1, Seed: 4},
	} {
		name := c.Query().Encode()
		st, err := Run(c)
		if err != nil {
			t.Fatal(err)
		}
		per := map[Mode]int64{PushPull: 3, Pull: 2}[c.Mode]
		if c.Loss == 0 && per > 0 && st.Sent != per*int64(st.Rounds*c.Nodes*c.Fanout) {
			t.Errorf("%s: sent %d, want %d x %d rounds x %d nodes x K", name, st.Sent, per, st.Rounds, c.Nodes)
		}
		if st.Delivered != st.Sent-st.Lost || (c.Loss == 0) != (st.Lost == 0) {
			t.Errorf("%s: sent %d, lost %d, delivered %d", name, st.Sent, st.Lost, st.Delivered)
		}
		if st.Redundant < 0 || st.Redundant > st.Delivered {
			t.Errorf("%s: redundant %d of %d delivered", name, st.Redundant, st.Delivered)
		}
		if c.Mode == Push && c.Loss == 0 && st.Redundant != st.Delivered-int64(st.Informed-1) {
			t.Errorf("%s: every push but the learners' was redundant: %d, want %d", name, st.Redundant, st.Delivered-int64(st.Informed-1))
		}
		if len(st.Series) != st.Rounds {
			t.Fatalf("%s: %d samples for %d rounds", name, len(st.Series), st.Rounds)
		}
		for i, s := range st.Series {
			if s.Round != i+1 || s.T != float64(i)*1000 || (i > 0 && s.Informed < st.Series[i-1].Informed) {
				t.Fatalf("%s: sample %d: %+v", name, i, s)
			}
		}
		if c.Stop == StopLimit {
			// 4 sends per news at N = 20,000 (1 x ceil(log10(20001)) = 5:
			// 4 then 1): a rumor that dies out, with a residue.
			if st.Informed == st.Alive || st.Residue <= 0 {
				t.Errorf("%s: a limit of 5 sends informed everyone: %+v", name, st)
			}
			continue
		}
		if st.Informed != c.Nodes || st.Rounds100 != st.Rounds || st.Time100 != float64(st.Rounds-1)*1000 ||
			st.Time != float64(st.Rounds)*1000 || st.Rounds99 > st.Rounds100 || st.Received != nil {
			t.Errorf("%s: %+v", name, st)
		}
	}
}

// What the bitset kernel does not take stays where it was, and MaxTime
// cuts a run as the scheduler does.
func TestClassicFits(t *testing.T) {
	base := Config{Nodes: 100, Mode: PushPull, Peers: PeersRandom, Stop: StopNever}
	for _, c := range []Config{
		{Nodes: 100, Mode: PushPull, Peers: PeersSeed, Stop: StopNever},
		{Nodes: 100, Mode: Push, Peers: PeersRandom, Stop: StopFeedback},
		{Nodes: 100, Mode: Push, Peers: PeersRandom, Stop: StopCoin},
		{Nodes: 100, Mode: PushPull, Peers: PeersRandom, Stop: StopNever, Async: true},
		{Nodes: 100, Mode: PushPull, Peers: PeersRandom, Stop: StopNever, LatencyMax: 10},
		{Nodes: 100, Mode: PushPull, Peers: PeersRandom, Stop: StopNever, Keys: 2},
		{Nodes: 100, Mode: PushPull, Peers: PeersRandom, Stop: StopNever, Schedule: []Action{{At: 5, Kind: ActCrash, Node: 3}}},
		{Nodes: 1, Mode: PushPull, Peers: PeersRandom, Stop: StopNever},
	} {
		if classicFits(c) {
			t.Errorf("%s: on the bitset kernel", c.Query().Encode())
		}
	}
	if !classicFits(base) {
		t.Fatal("the classic model is not on the bitset kernel")
	}
	for _, mt := range []float64{1, 2500, 3000} {
		c := base
		c.MaxTime = mt
		c.Nodes = 100_000
		st, _ := Run(c)
		s := mustNew(t, c)
		s.Advance(1e18, nil)
		want := s.Stats()
		if st.Rounds != want.Rounds || st.Time != want.Time {
			t.Errorf("maxtime %v: %d rounds, time %v; the scheduler: %d rounds, time %v", mt, st.Rounds, st.Time, want.Rounds, want.Time)
		}
	}
}
