package scene

import "math"

// Theory returns the expected number of informed nodes after each round
// r = 0, 1, ... (starting from one informed node) for a cluster of n nodes
// where every node contacts k random peers per round, by the mean-field
// (SI epidemic) recurrence, until all but half a node know or maxRounds:
//
//	push:      each of the I informed nodes tells k of the n-1 others, so an
//	           uninformed node stays so with probability (1 - k/(n-1))^I;
//	pull:      each uninformed node asks k peers, and stays so when all k are
//	           uninformed: (1 - I/(n-1))^k;
//	push-pull: both at once: the product of the two.
//
// This is the logistic curve of the classic analysis: it doubles (k+1)-fold
// per round early on, so the rounds to inform everyone grow like
// log_(k+1) n, and the tail is faster for pull. It ignores the basic
// rules' no-resend and no-send-back (docs/gossip-rules.md) (which only help), stop rules, loss and
// faults, so a real run can be slower than the curve.
func Theory(n, k int, mode string, maxRounds int) []float64 {
	if n < 1 || k < 1 {
		return nil
	}
	N := float64(n)
	out := []float64{1}
	I := 1.0
	push := 1 - math.Min(1, float64(k)/math.Max(1, N-1))
	for r := 0; r < maxRounds && N-I >= 0.5; r++ {
		stayPush := math.Pow(push, I)
		stayPull := math.Pow(1-math.Min(1, I/math.Max(1, N-1)), float64(k))
		var stay float64
		switch mode {
		case "pull":
			stay = stayPull
		case "pushpull", "push-pull":
			stay = stayPush * stayPull
		default:
			stay = stayPush
		}
		I += (N - I) * (1 - stay)
		out = append(out, I)
	}
	return out
}

// TheoryRounds returns the rounds the mean-field curve takes to inform all
// but half a node, interpolated between rounds, and the simple estimate
// log_(k+1) n.
func TheoryRounds(n, k int, mode string) (rounds, logEstimate float64) {
	if n < 2 || k < 1 {
		return 0, 0
	}
	curve := Theory(n, k, mode, 200)
	last := len(curve) - 1
	rounds = float64(last)
	if last > 0 {
		target := float64(n) - 0.5
		a, b := curve[last-1], curve[last]
		if b > a {
			rounds = float64(last-1) + math.Min(1, (target-a)/(b-a))
		}
	}
	return rounds, math.Log(float64(n)) / math.Log(float64(k+1))
}
