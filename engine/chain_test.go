package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// sample is one side of a comparison: per trial, the rounds until pct
// percent of the alive nodes knew (-1: never) and the informed count
// after round at.
type sample struct {
	rounds, informed []int
}

// chainSample runs trials of the count-level chain.
func chainSample(c Chain, trials int, seed uint64, pct int64, at int) sample {
	r := rand.NewPCG(seed, 99)
	var out sample
	var series []int64
	for range trials {
		series = c.Trial(r, MaxPeriods, series)
		out.rounds = append(out.rounds, c.RoundsTo(series, pct))
		inf := c.Nodes - c.Failed // finished before round at
		if at <= len(series) {
			inf = series[at-1]
		}
		out.informed = append(out.informed, int(inf))
	}
	return out
}

// nodeSample runs trials of the per-node engine (Run: the bitset kernel).
func nodeSample(t *testing.T, c Config, trials int, pct int, at int) sample {
	t.Helper()
	var out sample
	for i := range trials {
		c.Seed = uint64(i)
		st, err := Run(c)
		if err != nil {
			t.Fatal(err)
		}
		r := st.Rounds100
		if pct == 99 {
			r = st.Rounds99
		}
		out.rounds = append(out.rounds, r)
		inf := st.Informed // Series[r] is the count when round r+1 began
		if at < len(st.Series) {
			inf = st.Series[at].Informed
		}
		out.informed = append(out.informed, inf)
	}
	return out
}

// halfway is the round after which the median chain trial first had half
// of the nodes informed: where the informed count varies most.
func halfway(c Chain) int {
	s := chainSample(c, 101, 1, 50, 1)
	sorted := append([]int(nil), s.rounds...)
	slices.Sort(sorted)
	return max(1, sorted[50])
}

// The count-level chain and the per-node engine are one model: their
// distributions of rounds to 100% must agree. A two-sample chi-square
// test on the 2 x c table of rounds (values pooled until every cell
// expects 5 in each sample) at significance alpha = 0.001, 1,000 trials
// of each at N = 10,000 and 100,000, every mode, fan-out 3; with loss
// (500 trials); and memberlist's push with a retransmit limit, where 100%
// is not always reached, on rounds to 99% (never counts as a value).
// Rounds to 100% can be one value in nearly every trial (PUSH-PULL at
// N = 100,000: 8), which tells little, so the informed count after the
// round where half the nodes know is compared too, by a two-sample
// Kolmogorov-Smirnov test at the same significance (conservative on
// integers: it rejects less often than alpha under the null).
//
// Under the race detector every kernel memory access costs about ten
// times as much and these runs have no goroutines to check (Run uses one
// worker; TestClassicWorkers races the workers), so they take a fifth of
// the trials, a twentieth at N = 100,000: the same tests at less power.
// The full-power test is the plain `go test ./engine`.
func TestChainMatchesPerNode(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test: skipped with -short")
	}
	type tc struct {
		cfg    Config
		trials int
		pct    int
	}
	var cases []tc
	for _, m := range []Mode{PushPull, Push, Pull} {
		cases = append(cases,
			tc{Config{Nodes: 10_000, Mode: m, Fanout: 3, Peers: PeersRandom, Stop: StopNever}, 1000, 100},
			tc{Config{Nodes: 100_000, Mode: m, Fanout: 3, Peers: PeersRandom, Stop: StopNever}, 1000, 100})
	}
	cases = append(cases,
		tc{Config{Nodes: 10_000, Mode: PushPull, Fanout: 2, Peers: PeersRandom, Stop: StopNever, Loss: 0.2}, 500, 100},
		tc{Config{Nodes: 10_000, Mode: Pull, Fanout: 1, Peers: PeersRandom, Stop: StopNever, Loss: 0.1}, 500, 100},
		tc{Config{Nodes: 10_000, Mode: Push, Fanout: 3, Peers: PeersRandom, Stop: StopLimit, RetransmitMult: 2, Loss: 0.05}, 500, 99})
	for _, c := range cases {
		name := fmt.Sprintf("%s/N=%d/K=%d/loss=%g/stop=%s", c.cfg.Mode, c.cfg.Nodes, c.cfg.Fanout, c.cfg.Loss, c.cfg.Stop)
		t.Run(name, func(t *testing.T) {
			ch := chainFor(c.cfg)
			at := halfway(ch)
			trials := c.trials
			if raceEnabled {
				trials /= 5
				if c.cfg.Nodes > 10_000 {
					trials /= 4
				}
			}
			a := chainSample(ch, trials, uint64(c.cfg.Nodes), int64(c.pct), at)
			b := nodeSample(t, c.cfg, trials, c.pct, at)
			stat, df, p := chiSquareTwoSample(a.rounds, b.rounds)
			d, pks := ksTwoSample(a.informed, b.informed)
			t.Logf("rounds to %d%%: chain mean %.3f, per-node %.3f: chi-square %.2f on %d df, p = %.3f; "+
				"informed after round %d: chain mean %.0f, per-node %.0f: KS D = %.4f, p = %.3f",
				c.pct, mean(a.rounds), mean(b.rounds), stat, df, p, at, mean(a.informed), mean(b.informed), d, pks)
			if p < alpha {
				t.Errorf("rounds to %d%%: the chain and the per-node engine differ: chi-square %.2f on %d df, p = %.2g < %g", c.pct, stat, df, p, alpha)
			}
			if pks < alpha {
				t.Errorf("informed after round %d: the chain and the per-node engine differ: KS D = %.4f, p = %.2g < %g", at, d, pks, alpha)
			}
		})
	}
}

// chainFor is the chain of a classic Config.
func chainFor(c Config) Chain {
	ch := Chain{Nodes: int64(c.Nodes), Fanout: c.Fanout, Mode: c.Mode, Loss: c.Loss}
	if c.Stop == StopLimit {
		ch.Limit = limitFor(c.RetransmitMult, int64(c.Nodes))
	}
	return ch
}

func mean(xs []int) float64 {
	s := 0.0
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}

// The same tests tell a slightly different model apart (so they can
// fail): 5% loss in the chain against none, at N = 10,000.
func TestChainTestHasPower(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test: skipped with -short")
	}
	c := Config{Nodes: 10_000, Mode: PushPull, Fanout: 3, Peers: PeersRandom, Stop: StopNever}
	wrong := chainFor(c)
	wrong.Loss = 0.05
	at := halfway(chainFor(c))
	trials := 1000
	if raceEnabled {
		trials /= 5
	}
	a := chainSample(wrong, trials, 1, 100, at)
	b := nodeSample(t, c, trials, 100, at)
	if _, _, p := chiSquareTwoSample(a.rounds, b.rounds); p >= alpha && !raceEnabled {
		t.Errorf("rounds: 5%% loss passed for none: p = %v", p)
	}
	if _, p := ksTwoSample(a.informed, b.informed); p >= alpha {
		t.Errorf("informed after round %d: 5%% loss passed for none: p = %v", at, p)
	}
}

// A billion nodes: one trial is a few dozen rounds of O(1) and O(sqrt U)
// draws. It must reach everyone; the informed set grows about sevenfold a
// round early on (3 pushes, 3 pulls), so in about log7(N) + log2(ln N)
// rounds: 11 + 4.
func TestChainBillion(t *testing.T) {
	c := Chain{Nodes: 1_000_000_000, Fanout: 3, Mode: PushPull}
	r := rand.NewPCG(1, 2)
	t0 := time.Now()
	s := c.Trial(r, MaxPeriods, nil)
	t.Logf("N=1e9 push-pull K=3: %d rounds in %v", len(s), time.Since(t0))
	if s[len(s)-1] != c.Nodes {
		t.Fatalf("ended with %d informed", s[len(s)-1])
	}
	if n := len(s); n < 12 || n > 18 {
		t.Fatalf("%d rounds", n)
	}
}

// Chain.Validate names what is wrong.
func TestChainValidate(t *testing.T) {
	for _, c := range []Chain{
		{}, {Nodes: 1, Fanout: 1, Mode: Push}, {Nodes: 10, Fanout: 0, Mode: Push},
		{Nodes: 10, Fanout: 1, Mode: "gossip"}, {Nodes: 10, Fanout: 1, Mode: Pull, Limit: 3},
		{Nodes: 10, Fanout: 1, Mode: Push, Loss: 1.5}, {Nodes: 10, Failed: 10, Fanout: 1, Mode: Push},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	if err := (Chain{Nodes: 10, Failed: 3, Fanout: 1, Mode: Push, Limit: 4}).Validate(); err != nil {
		t.Error(err)
	}
}
