package engine

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
	"testing"
)

// runWith runs c to the end on the given scheduler, in steps of step ms
// (0: one step), without emitting, and returns the simulation.
func runWith(t *testing.T, c Config, sched int, step float64) *Sim {
	t.Helper()
	s, err := newSim(c, sched)
	if err != nil {
		t.Fatal(err)
	}
	if step == 0 {
		s.Advance(math.Inf(1), nil)
		return s
	}
	for tm := 0.0; !s.Done(); tm += step {
		s.Advance(tm, nil)
	}
	return s
}

// agree fails unless the kernel and the round scheduler give c the same
// history: identical Stats (per-node received counts and the coverage
// series included), time and round. It returns the kernel's rounds.
func agree(t *testing.T, c Config, step float64) int {
	t.Helper()
	fast := runWith(t, c, schedAuto, step)
	slow := runWith(t, c, schedRounds, step)
	name := c.Query().Encode()
	if slow.k != nil {
		t.Fatalf("%s: the round scheduler ran the kernel", name)
	}
	a, b := fast.Stats(), slow.Stats()
	if !reflect.DeepEqual(a, b) {
		a.Received, b.Received = nil, nil
		t.Fatalf("%s: kernel and round scheduler differ (received counts equal: %v):\n%+v\n%+v",
			name, reflect.DeepEqual(fast.receivedCounts(), slow.receivedCounts()), a, b)
	}
	if fast.Now() != slow.Now() || fast.Round() != slow.Round() || fast.Done() != slow.Done() {
		t.Fatalf("%s: kernel ends at %v (round %d), scheduler at %v (round %d)", name,
			fast.Now(), fast.Round(), slow.Now(), slow.Round())
	}
	if fast.k == nil {
		return 0
	}
	return fast.k.rounds
}

// stopsFor lists the stop rules that apply to mode m.
func stopsFor(m Mode) []StopRule {
	if m == Push {
		return []StopRule{StopNever, StopAll, StopLimit, StopFeedback, StopCoin}
	}
	return []StopRule{StopNever}
}

// The kernel must compute exactly what the round scheduler computes: every
// mode, peer rule and stop rule, fan-outs from 1 to more than the peers
// there are, node counts from 1 to several blocks of receivers (the order
// in which answers arrive depends on blocks), several seeds.
func TestKernelMatchesRoundScheduler(t *testing.T) {
	sizes := []int{1, 2, 3, 5, 40, 301, 2<<blockShift + 77}
	for _, m := range []Mode{Push, Pull, PushPull} {
		for _, p := range []PeerRule{PeersSeed, PeersRandom} {
			for _, st := range stopsFor(m) {
				for _, n := range sizes {
					for _, k := range []int{1, 2, 3, 7} {
						if n > 1000 && k != 3 {
							continue // the block order needs one fan-out; small n try them all
						}
						for seed := uint64(0); seed < 4; seed++ {
							if n > 1000 && seed > 1 {
								continue
							}
							// Odd seeds lose messages: the kernel must draw
							// as the scheduler does, in its order.
							loss := []float64{0, 0.3, 0, 0.05}[seed]
							c := Config{Nodes: n, Mode: m, Peers: p, Stop: st, Fanout: k, Seed: seed, FeedbackK: 1 + int(seed%3), Loss: loss}
							rounds := agree(t, c, 0)
							want := n > 1
							if want && rounds == 0 {
								t.Fatalf("%s: the kernel did not run", c.Query().Encode())
							}
							if !want && rounds > 0 {
								t.Fatalf("%s: the kernel ran %d rounds", c.Query().Encode(), rounds)
							}
						}
					}
				}
			}
		}
	}
}

// Loss from none to total, at sizes of one block and several.
func TestKernelLoss(t *testing.T) {
	for _, m := range []Mode{Push, Pull, PushPull} {
		for _, loss := range []float64{0.01, 0.5, 0.9, 1} {
			for _, n := range []int{50, 2<<blockShift + 9} {
				c := Config{Nodes: n, Mode: m, Peers: PeersSeed, Stop: StopNever, Fanout: 2, Seed: 3, Loss: loss, MaxTime: 30_000}
				if agree(t, c, 0) == 0 && loss < 1 {
					t.Fatalf("%s: the kernel did not run", c.Query().Encode())
				}
			}
		}
	}
}

// Scenarios that start on the scheduler (faults, loss, a newer version,
// joins) and hand over to the kernel once nothing is left to apply and the
// state fits it; and runs advanced in steps, as a page steps, and cut off
// by MaxTime.
func TestKernelTakesOver(t *testing.T) {
	schedules := [][]Action{
		{{At: 1000, Kind: ActCrash, Node: 3}, {At: 3000, Kind: ActRestart, Node: 3}},
		{{At: 0, Kind: ActLoss, Loss: 0.3}, {At: 2500, Kind: ActLoss, Loss: 0}},
		{{At: 1500, Kind: ActLoss, Loss: 0.6}},
		{{At: 500, Kind: ActPartition, Groups: [][]int{{0, 1, 2, 3, 4, 5, 6, 7}}}, {At: 3000, Kind: ActHeal}},
		{{At: 1000, Kind: ActJoin, Count: 5}, {At: 2000, Kind: ActJoin, Count: 1}},
		{{At: 2000, Kind: ActJoin, Count: 3}}, // a join at a round's instant: its exchange rides with the round
		{{At: 1500, Kind: ActUpdate, Node: 9}},
		{{At: 6000, Kind: ActUpdate, Node: 2}},
	}
	handed := 0
	for _, m := range []Mode{Push, Pull, PushPull} {
		for _, p := range []PeerRule{PeersSeed, PeersRandom} {
			for _, st := range stopsFor(m) {
				for i, sch := range schedules {
					c := Config{Nodes: 60, Mode: m, Peers: p, Stop: st, Fanout: 2, Seed: uint64(i), Schedule: sch}
					if agree(t, c, 0) > 0 {
						handed++
					} else if st != StopCoin {
						t.Logf("no hand-over: %s", c.Query().Encode())
					}
				}
				for _, step := range []float64{700, 1000, 2500} {
					agree(t, Config{Nodes: 500, Mode: m, Peers: p, Stop: st, Seed: 4}, step)
				}
				for _, mt := range []float64{1, 2000, 2500, 4000} {
					agree(t, Config{Nodes: 500, Mode: m, Peers: p, Stop: st, Seed: 5, MaxTime: mt}, 0)
				}
			}
		}
	}
	if total := 2 * (5 + 1 + 1) * len(schedules); handed < total/2 {
		t.Errorf("the kernel took over in only %d of %d scenarios with faults", handed, total)
	}
}

// A cell counts up to 127 picks, then carries 128 into the node's record
// (hit): a node picked more often than that in one round must still count
// every message.
func TestKernelManyHits(t *testing.T) {
	for _, m := range []Mode{Push, Pull, PushPull} {
		c := Config{Nodes: 400, Mode: m, Peers: PeersRandom, Stop: StopNever, Fanout: 300, Seed: 1}
		if agree(t, c, 0) == 0 {
			t.Fatalf("%s: the kernel did not run", m)
		}
		// The scenario does carry: in round 1 (pull modes: every node asks
		// 300 peers) or 2 (push: n0's 300 peers push), some node is picked
		// more than 128 times.
		s := mustNew(t, c)
		until, want := 0.0, int32(300+128) // its 300 answers, 128 requests
		switch m {
		case Push:
			until, want = 1000, 128
		case PushPull:
			want = 300 + 2*128 // and 128 push-backs
		}
		s.Advance(until, nil)
		if got := s.Stats().ReceivedMax; got < want {
			t.Fatalf("%s: the most messages any node got is %d, want a node picked > 128 times (%d)", m, got, want)
		}
	}
}

// pickSeed's unrolled loop must pick what the plain walk (nextSeedPeer,
// start-overs in pickSeedSlow) picks, and leave the same state, through
// many ticks: across start-overs, with a heard-from node, after joins.
func TestPickSeedIsTheWalk(t *testing.T) {
	for _, c := range []Config{
		{Nodes: 2, Mode: Pull}, {Nodes: 3, Mode: PushPull, Fanout: 5}, {Nodes: 17, Mode: Pull, Fanout: 3},
		{Nodes: 17, Mode: Push, Stop: StopAll, Fanout: 4}, {Nodes: 1000, Mode: PushPull, Fanout: 7},
	} {
		a, b := mustNew(t, c), mustNew(t, c)
		for _, s := range []*Sim{a, b} {
			s.grow(s.n + 3) // joined nodes: older nodes' permutations cover fewer
			for i := range s.nodes {
				s.nodes[i].heard = int32((i * 7) % s.n)
				s.nodes[i].flags |= flagActive
			}
		}
		// Enough ticks to spend every permutation twice (start-overs).
		for tick := 0; tick < 2*(c.Nodes+3)/c.normalized().Fanout+3; tick++ {
			for i := int32(0); i < int32(a.n); i++ {
				a.pickSeed(i, c.normalized().Fanout)
				b.picks = b.picks[:0]
				b.pickSeedSlow(i, c.normalized().Fanout)
				if !reflect.DeepEqual(a.picks, b.picks) || a.cursor[i] != b.cursor[i] ||
					a.permKey[i] != b.permKey[i] || a.domain[i] != b.domain[i] || a.nodes[i] != b.nodes[i] {
					t.Fatalf("%s: tick %d node %d: picks %v, walk %v", c.Query().Encode(), tick, i, a.picks, b.picks)
				}
			}
		}
	}
}

// lossThreshold must decide exactly as rng01() < loss does, at the edges.
func TestLossThreshold(t *testing.T) {
	for _, loss := range []float64{1e-9, 0.1, 1.0 / 3, 0.5, 0.999999, 1} {
		thr := lossThreshold(loss)
		for _, x := range []uint64{0, thr - 1, thr, thr + 1, 1<<53 - 1} {
			if x >= 1<<53 {
				continue
			}
			if want := float64(x)*0x1p-53 < loss; (x < thr) != want {
				t.Errorf("loss %v, draw %d: threshold %d says %v, rng01 says %v", loss, x, thr, x < thr, want)
			}
		}
	}
}

// Advancing without events (the kernel) and then with them (the round
// scheduler) continues the same history: the events after the switch are
// those of a run that emitted from the start.
func TestKernelThenEvents(t *testing.T) {
	for _, c := range []Config{
		{Nodes: 300, Mode: PushPull, Seed: 1},
		{Nodes: 300, Mode: Pull, Peers: PeersRandom, Loss: 0.2, Seed: 2},
		{Nodes: 300, Mode: Push, Stop: StopCoin, FeedbackK: 2, Peers: PeersRandom, Seed: 3},
	} {
		const switchAt = 2000
		all := mustNew(t, c)
		whole, _ := trace(t, all, math.Inf(1))
		s := mustNew(t, c)
		s.Advance(switchAt, nil)
		if s.k == nil || s.k.rounds != 3 {
			t.Fatalf("%s: the kernel did not run the first 3 rounds", c.Query().Encode())
		}
		rest, n := trace(t, s, math.Inf(1))
		if n < 100 {
			t.Fatalf("%s: only %d events after %d ms", c.Query().Encode(), n, switchAt)
		}
		next := []byte("|round|" + strconv.Itoa(switchAt+1000) + "|")
		if !bytes.HasPrefix(rest, next) {
			t.Fatalf("%s: after the switch the stream starts with %s", c.Query().Encode(), rest[:bytes.IndexByte(rest, '\n')])
		}
		if tail := whole[bytes.Index(whole, append([]byte("\n"), next...))+1:]; !bytes.Equal(tail, rest) {
			t.Fatalf("%s: the events after the switch differ from a run that emitted from the start:\n%s",
				c.Query().Encode(), firstDiff(tail, rest))
		}
		if !reflect.DeepEqual(s.Stats(), all.Stats()) {
			t.Fatalf("%s: stats differ:\n%+v\n%+v", c.Query().Encode(), s.Stats(), all.Stats())
		}
	}
}
