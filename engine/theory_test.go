package engine

import (
	"math"
	"testing"
)

// The classic model: synchronous rounds, uniform random peers, fan-out 1,
// nobody stops, one node informed at round 0. "Rounds" is the round whose
// exchanges informed the last node.
func classicConfig(n int, m Mode, seed uint64) Config {
	return Config{Nodes: n, Mode: m, Fanout: 1, Peers: PeersRandom, Stop: StopNever, Seed: seed}
}

// roundsToAll returns the mean and the standard error of the mean of the
// rounds to inform all n nodes over trials runs.
func roundsToAll(t *testing.T, n int, m Mode, trials int) (mean, se float64) {
	t.Helper()
	var sum, sq float64
	for i := 0; i < trials; i++ {
		st, err := Run(classicConfig(n, m, uint64(1000*n+i)))
		if err != nil {
			t.Fatal(err)
		}
		if st.Informed != n {
			t.Fatalf("%s N=%d seed %d: only %d informed", m, n, i, st.Informed)
		}
		x := float64(st.Rounds100)
		sum += x
		sq += x * x
	}
	mean = sum / float64(trials)
	sd := math.Sqrt((sq - float64(trials)*mean*mean) / float64(trials-1))
	return mean, sd / math.Sqrt(float64(trials))
}

func log2(x float64) float64 { return math.Log2(x) }
func log3(x float64) float64 { return math.Log(x) / math.Log(3) }

// TestClassicRounds checks the mean rounds to inform everyone against the
// literature, at N = 1,000 and 10,000:
//
//   - PUSH: log2 N + ln N + O(1) (Pittel 1987; Frieze and Grimmett 1985).
//     The informed set doubles until about N/2 (log2 N rounds); then each
//     uninformed node is missed by all pushes with probability about 1/e
//     per round, a coupon collector that takes ln N rounds plus a Gumbel
//     term of mean Euler's gamma (0.58). So the O(1) term is positive, of
//     the order of one round: we allow [-0.5, 2] rounds.
//   - PULL: log2 N + log2 ln N + O(1): the same doubling start (each
//     informed node is asked by one node per round on average), then the
//     uninformed fraction squares every round (it stays uninformed only by
//     asking an uninformed node), which takes log2 ln N rounds. We allow
//     [-1, 2] rounds for the O(1) term.
//   - PUSH-PULL: log3 N + O(log log N) (Karp, Schindelhauer, Shenker and
//     Voecking 2000): the informed set triples per round (each informed
//     node pushes one, and is pulled by one), and the end phase squares the
//     uninformed fraction as in PULL, so we take the O(log log N) term as
//     log2 ln N and allow [-1, 1] for what remains.
//
// The sharper test is the growth from N = 1,000 to 10,000: the O(1) terms
// cancel (up to their slow oscillation in log2 N), so the measured
// difference must match the formula's within 4 standard errors of the
// difference (sampling: a false failure about once in 15,000 runs) plus
// 0.25 rounds for that oscillation.
func TestClassicRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test: skipped with -short")
	}
	cases := []struct {
		mode    Mode
		formula func(n float64) float64
		lo, hi  float64 // allowed O(1) term: mean - formula
	}{
		{Push, func(n float64) float64 { return log2(n) + math.Log(n) }, -0.5, 2},
		{Pull, func(n float64) float64 { return log2(n) + log2(math.Log(n)) }, -1, 2},
		{PushPull, func(n float64) float64 { return log3(n) + log2(math.Log(n)) }, -1, 1},
	}
	for _, c := range cases {
		t.Run(string(c.mode), func(t *testing.T) {
			m3, se3 := roundsToAll(t, 1_000, c.mode, 200)
			m4, se4 := roundsToAll(t, 10_000, c.mode, 60)
			f3, f4 := c.formula(1e3), c.formula(1e4)
			t.Logf("N=1000: mean %.2f (se %.2f), formula %.2f; N=10000: mean %.2f (se %.2f), formula %.2f",
				m3, se3, f3, m4, se4, f4)
			for _, x := range []struct{ n, mean, f float64 }{{1e3, m3, f3}, {1e4, m4, f4}} {
				if d := x.mean - x.f; d < c.lo || d > c.hi {
					t.Errorf("N=%g: mean %.2f rounds is %.2f from the formula's %.2f; the O(1) term should be in [%g, %g]",
						x.n, x.mean, d, x.f, c.lo, c.hi)
				}
			}
			got, want := m4-m3, f4-f3
			tol := 4*math.Hypot(se3, se4) + 0.25
			if math.Abs(got-want) > tol {
				t.Errorf("rounds(10000) - rounds(1000) = %.2f, formula says %.2f (tolerance %.2f)", got, want, tol)
			}
			if got <= 0 {
				t.Errorf("rounds do not grow with N: %.2f then %.2f", m3, m4)
			}
		})
	}
}

// demersResidue solves s = exp(-(k+1)(1-s)) for s in (0, 1) by fixed-point
// iteration from 0 (it converges to the smaller root, the residue).
func demersResidue(k int) float64 {
	s := 0.0
	for i := 0; i < 1000; i++ {
		s = math.Exp(-float64(k+1) * (1 - s))
	}
	return s
}

// TestDemersResidue checks push rumor mongering with feedback (Demers et
// al. 1987): the fraction of nodes that never hear the rumor, s, solves
// s = exp(-(k+1)(1-s)): 0.203 for k=1, 0.060 for k=2. The formula is the
// large-N limit; at N = 10,000 one run's residue fluctuates by about
// sqrt(s(1-s)/N) < 0.005, so the mean of 20 runs is well within the 0.015
// we allow, which still tells k=1 from k=2 and from no feedback at all.
// Both of Demers' variants are checked: counter (stop after k contacts
// with nodes that knew) and coin (stop with probability 1/k at each).
func TestDemersResidue(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test: skipped with -short")
	}
	for _, stop := range []StopRule{StopFeedback, StopCoin} {
		for _, k := range []int{1, 2} {
			want := demersResidue(k)
			var sum float64
			const trials = 20
			for i := 0; i < trials; i++ {
				st, err := Run(Config{Nodes: 10_000, Mode: Push, Fanout: 1, Peers: PeersRandom,
					Stop: stop, FeedbackK: k, Seed: uint64(i)})
				if err != nil {
					t.Fatal(err)
				}
				if st.Informed == st.Alive {
					t.Fatalf("%s k=%d seed %d: everyone informed; a rumor with feedback should leave a residue", stop, k, i)
				}
				sum += st.Residue
			}
			got := sum / trials
			t.Logf("%s k=%d: residue %.4f, formula %.4f", stop, k, got, want)
			if math.Abs(got-want) > 0.015 {
				t.Errorf("%s k=%d: residue %.4f, Demers' formula gives %.4f", stop, k, got, want)
			}
		}
	}
	if r1, r2 := demersResidue(1), demersResidue(2); math.Abs(r1-0.2032) > 0.001 || math.Abs(r2-0.0595) > 0.001 {
		t.Errorf("the solver is wrong: %.4f, %.4f", r1, r2)
	}
}
