package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Chain is the classic model (synchronous rounds, every node picks Fanout
// peers uniformly among the other nodes, with replacement, every round)
// seen at the level of counts. By symmetry the number of informed nodes is
// a Markov chain, and one round's transition can be drawn exactly from
// the count alone:
//
//   - Pull (PULL, PUSH-PULL): each uninformed node asks Fanout peers; an
//     ask reaches an informed node with probability I/(N-1) and its answer
//     comes back with probability (1-loss)^2, independently for every
//     node, so the number that learn by pull is a binomial draw over the
//     U uninformed.
//   - Push (PUSH, PUSH-PULL's push-backs): every informed sender's
//     messages fall uniformly on the other nodes; the number that reach
//     the U' still uninformed is binomial (a push gets through with
//     probability 1-loss, a push-back after its request and answer with
//     (1-loss)^3), and those reach a uniform node among the U' each: how
//     many distinct ones learn is an occupancy draw.
//
// Both draws cost O(1) and O(sqrt(U)) (sample.go), so a trial costs about
// its number of rounds whatever N: a billion nodes in milliseconds. The
// bitset kernel (classic.go) runs the same model node by node; a test
// compares their distributions.
//
// Failed nodes are picked like the others but never answer or learn;
// coverage counts the Nodes-Failed alive ones. In PUSH, Limit is
// memberlist's retransmit limit: a node sends each news Limit times in
// all (Fanout a round, the remainder in its last round), then stops.
type Chain struct {
	Nodes  int64 // cluster size N, failed nodes included
	Failed int64 // nodes that are down
	Fanout int
	Mode   Mode
	Loss   float64
	Limit  int // PUSH: sends per news (0: never stop)
}

// MaxChainNodes bounds Chain.Nodes (the counts stay exact in float64).
const MaxChainNodes = 1 << 40

// Validate reports every problem with c.
func (c Chain) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Nodes < 2 || c.Nodes > MaxChainNodes {
		bad("nodes: %d is not in 2..%d", c.Nodes, int64(MaxChainNodes))
	}
	if c.Failed < 0 || c.Failed > c.Nodes-1 {
		bad("failed: %d is not in 0..nodes-1", c.Failed)
	}
	if c.Fanout < 1 || c.Fanout > 1000 {
		bad("fanout: %d is not in 1..1000", c.Fanout)
	}
	switch c.Mode {
	case Push, Pull, PushPull:
	default:
		bad("mode: %q is not push, pull or pushpull", c.Mode)
	}
	if !finite(c.Loss) || c.Loss < 0 || c.Loss > 1 {
		bad("loss: %v is not in [0, 1]", c.Loss)
	}
	if c.Limit < 0 || (c.Limit > 0 && c.Mode != Push) {
		bad("limit: %d: a retransmit limit applies to push mode only, and is >= 0", c.Limit)
	}
	return errors.Join(errs...)
}

// Trial runs one trial from one informed node until every alive node is
// informed, nobody can spread any more, or maxRounds rounds; it returns
// the informed count after each round, appended to series[:0].
func (c Chain) Trial(r *rand.PCG, maxRounds int, series []int64) []int64 {
	series = series[:0]
	alive := c.Nodes - c.Failed
	others := float64(c.Nodes - 1)
	k := c.Fanout
	ok1 := 1 - c.Loss
	pullOK := ok1 * ok1 // request and answer
	pushOK := ok1       // a push
	if c.Mode == PushPull {
		pushOK = ok1 * ok1 * ok1 // request, answer, push-back
	}
	informed := int64(1)
	// PUSH with a limit: the cohorts of senders by age are read back from
	// series (see cohort).
	full, rem := 0, 0
	if c.Limit > 0 {
		full, rem = c.Limit/k, c.Limit%k
	}
	for round := 1; round <= maxRounds && informed < alive; round++ {
		u := alive - informed
		var pushes int64 // messages from informed nodes that may teach
		switch c.Mode {
		case Pull:
		case PushPull:
			pushes = informed * int64(k)
		case Push:
			if c.Limit == 0 {
				pushes = informed * int64(k)
				break
			}
			// The cohort that learned in round j is in its (round-j)th
			// round of sending.
			for j := max(0, round-full-1); j < round; j++ {
				cohort := c.cohort(series, j)
				switch age := round - j; {
				case age <= full:
					pushes += cohort * int64(k)
				case age == full+1:
					pushes += cohort * int64(rem)
				}
			}
		}
		if c.Mode == Push && pushes == 0 || ok1 == 0 {
			break // nobody can teach anybody any more
		}
		learned := int64(0)
		if c.Mode != Push {
			miss := 1 - pullOK*float64(informed)/others // one ask teaches nothing
			learned = binomial(r, u, 1-math.Pow(miss, float64(k)))
		}
		if pushes > 0 {
			left := u - learned
			reach := binomial(r, pushes, pushOK*float64(left)/others)
			learned += occupancy(r, reach, left)
		}
		informed += learned
		series = append(series, informed)
	}
	return series
}

// cohort is how many nodes learned in round j (round 0: the first one).
func (c Chain) cohort(series []int64, j int) int64 {
	if j == 0 {
		return 1
	}
	if j == 1 {
		return series[0] - 1
	}
	return series[j-1] - series[j-2]
}

// RoundsTo returns the first round after which at least pct percent of
// the alive nodes were informed (-1: never), from a Trial's series; the
// same test as Stats.Rounds99 (informed*100 >= alive*99).
func (c Chain) RoundsTo(series []int64, pct int64) int {
	alive := c.Nodes - c.Failed
	need := (alive*pct + 99) / 100
	if need <= 1 {
		return 0
	}
	for i, v := range series {
		if v >= need {
			return i + 1
		}
	}
	return -1
}

// limitFor is memberlist's retransmit limit for a cluster of n nodes:
// mult * ceil(log10(n+1)) (StopLimit).
func limitFor(mult int, n int64) int {
	return mult * int(math.Ceil(math.Log10(float64(n)+1)))
}
