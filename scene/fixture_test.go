package scene

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

// gossip builds a stream like the simulator's for the tests: n nodes, push
// gossip of one key from n0 to k random peers per round, latency lat ms,
// every lossEvery-th message lost (0 none). It is test input, independent
// of the engine, so the scene's tests pin the scene's behaviour alone.
func gossip(n, k int, lat float64, lossEvery int, rounds int) []protocol.Event {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	name := func(i int) string { return "n" + strconv.Itoa(i) }
	evs := []protocol.Event{protocol.Header("sim", map[string]any{"nodes": n, "fanout": k, "mode": "push", "period": 1000.0})}
	for i := 0; i < n; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, Node: name(i), Status: protocol.StatusAlive})
	}
	informed := make([]bool, n)
	informed[0] = true
	evs = append(evs, protocol.Event{Type: protocol.TypeState, Node: "n0", Key: "k0", Version: 1})
	type arrival struct {
		t  float64
		to int
	}
	var pending []arrival
	msgs := 0
	for r := 1; r <= rounds; r++ {
		t := float64(r-1) * 1000
		// Deliveries due before this round.
		var keep []arrival
		for _, a := range pending {
			if a.t < t {
				if !informed[a.to] {
					informed[a.to] = true
					evs = append(evs, protocol.Event{Type: protocol.TypeState, T: a.t, Node: name(a.to), Key: "k0", Version: 1})
				}
			} else {
				keep = append(keep, a)
			}
		}
		pending = keep
		evs = append(evs, protocol.Event{Type: protocol.TypeRound, T: t, Round: r})
		var senders []int
		for i := 0; i < n; i++ {
			if informed[i] {
				senders = append(senders, i)
			}
		}
		var sends []protocol.Event
		for _, i := range senders {
			for j := 0; j < k; j++ {
				to := rng.IntN(n - 1)
				if to >= i {
					to++
				}
				msgs++
				ev := protocol.Event{Type: protocol.TypeMsg, T: t, From: name(i), To: name(to), Kind: "push", Key: "k0", Version: 1, Redundant: informed[to]}
				if lossEvery > 0 && msgs%lossEvery == 0 {
					ev.Lost = true
				} else {
					ev.Arrive = t + lat
					pending = append(pending, arrival{t + lat, to})
				}
				sends = append(sends, ev)
			}
		}
		if lat == 0 {
			// Zero latency: deliveries happen at the round's instant, after
			// the sends, as in the engine's round model.
			evs = append(evs, sends...)
			for _, a := range pending {
				if !informed[a.to] {
					informed[a.to] = true
					evs = append(evs, protocol.Event{Type: protocol.TypeState, T: a.t, Node: name(a.to), Key: "k0", Version: 1})
				}
			}
			pending = nil
			continue
		}
		evs = append(evs, sends...)
	}
	return evs
}

func load(t testing.TB, cfg Config, evs []protocol.Event) *Player {
	t.Helper()
	p := NewPlayer(cfg)
	for i := range evs {
		if err := p.Append(&evs[i]); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	p.SetDone(true)
	return p
}
