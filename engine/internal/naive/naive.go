// Package naive is the baseline the engine's speed is measured against:
// the classic gossip model written the obvious way, as anyone would first
// write it. A []bool per node, math/rand/v2's PCG, and every round: copy
// the state, every node draws K peers with replacement, push and pull.
// It is kept deliberately plain; do not optimize it.
package naive

import "math/rand/v2"

// Mode is "push", "pull" or "pushpull".
type Mode string

// Run spreads one piece of news from node 0 among n nodes, each picking k
// peers uniformly among the others every round, until everyone knows or
// maxRounds; it returns the rounds it took (-1: not everyone knew).
func Run(n, k int, mode Mode, seed uint64, maxRounds int) int {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	informed := make([]bool, n)
	next := make([]bool, n)
	informed[0] = true
	count := 1
	for round := 1; round <= maxRounds; round++ {
		copy(next, informed)
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				p := rng.IntN(n - 1)
				if p >= i {
					p++
				}
				if informed[i] && mode != "pull" {
					next[p] = true // push
				}
				if informed[p] && mode != "push" {
					next[i] = true // pull
				}
			}
		}
		informed, next = next, informed
		count = 0
		for _, b := range informed {
			if b {
				count++
			}
		}
		if count == n {
			return round
		}
	}
	return -1
}
