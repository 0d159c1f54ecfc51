package engine

import "math/rand/v2"

// Small clusters, node by node. memberlist picks a round's GossipNodes
// peers distinct (kRandomNodes), where the chain picks with replacement;
// the two differ by at most K^2/(2(N-1)) a sender and round, which matters
// in the clusters of a few dozen nodes memberlist often runs. Up to
// planNodeByNode nodes the planner runs memberlist's rule itself: each
// round every node holding the news picks min(GossipNodes, N-1) distinct
// peers among the others and sends to each while its retransmit budget
// lasts (memberlist counts a transmit per peer it packs the news for).

// planNodeByNode is the largest cluster the planner runs node by node.
const planNodeByNode = 512

// distinctPush is one small cluster's state, reused across trials. Nodes
// 0..alive-1 are up, the rest failed; node 0 has the news.
type distinctPush struct {
	n, alive, k, limit int
	loss               float64
	informed           []bool
	spent              []int
	learners, picks    []int
}

func newDistinctPush(c PlanConfig, limit int) *distinctPush {
	n := int(c.Nodes)
	return &distinctPush{n: n, alive: n - int(c.Failed), k: min(c.GossipNodes, n-1), limit: limit,
		loss: c.Loss, informed: make([]bool, n), spent: make([]int, n)}
}

// trial runs one trial and returns the informed count after each round,
// as Chain.Trial does.
func (d *distinctPush) trial(r *rand.PCG, series []int64) []int64 {
	series = series[:0]
	clear(d.informed)
	clear(d.spent)
	d.informed[0] = true
	count := 1
	others := uint64(d.n - 1)
	for round := 1; round <= MaxPeriods && count < d.alive; round++ {
		d.learners = d.learners[:0]
		active := false
		for i := 0; i < d.n; i++ {
			if !d.informed[i] || d.spent[i] >= d.limit {
				continue
			}
			active = true
			d.picks = d.picks[:0]
			for len(d.picks) < d.k { // k distinct others (k is small)
				p := int(intN(r, others))
				if p >= i {
					p++
				}
				if !containsInt(d.picks, p) {
					d.picks = append(d.picks, p)
				}
			}
			for _, p := range d.picks {
				if d.spent[i] >= d.limit {
					break
				}
				d.spent[i]++
				if uniform01(r) < d.loss || p >= d.alive || d.informed[p] {
					continue
				}
				d.learners = append(d.learners, p)
			}
		}
		if !active || d.loss >= 1 {
			break
		}
		for _, p := range d.learners {
			if !d.informed[p] {
				d.informed[p] = true
				count++
			}
		}
		series = append(series, int64(count))
	}
	return series
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// intN is a uniform draw in [0, n), n > 0, from a PCG (Lemire).
func intN(r *rand.PCG, n uint64) uint64 {
	hi, lo := mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = mul64(r.Uint64(), n)
		}
	}
	return hi
}
