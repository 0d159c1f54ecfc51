package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The planner: for a memberlist cluster's size and dissemination settings,
// the spread of the time until 50%, 99% and 100% of the alive nodes know a
// piece of news, from many exact trials of the count-level chain, with the
// single curve of Serf's convergence simulator beside it.
//
// The model is memberlist's gossip as the chain runs it: every
// GossipInterval each node that holds the news sends it to GossipNodes
// random peers, RetransmitMult*ceil(log10(N+1)) times in all, then drops it;
// packets are lost with probability Loss; Failed nodes are still picked
// (memberlist gossips to dead nodes for a while) but never answer. Rounds
// are synchronous, a round taking one interval. The chain picks peers with
// replacement where memberlist picks distinct ones: the same for large N,
// so up to planNodeByNode nodes the planner runs memberlist's distinct
// picks node by node instead (plan_small.go). memberlist's
// periodic push-pull sync, which eventually repairs a rumor that died out,
// is not part of it: "never" means gossip alone did not reach everyone.

// PlanConfig is a cluster and memberlist's dissemination settings.
type PlanConfig struct {
	Nodes          int64   `json:"nodes"`
	Interval       float64 `json:"gossip_interval_ms"` // memberlist's GossipInterval (LAN: 200 ms)
	GossipNodes    int     `json:"gossip_nodes"`       // memberlist's GossipNodes (LAN: 3)
	RetransmitMult int     `json:"retransmit_mult"`    // memberlist's RetransmitMult (LAN: 4)
	Loss           float64 `json:"packet_loss"`        // 0..1
	Failed         int64   `json:"failed_nodes"`
	Trials         int     `json:"trials"`
	Seed           uint64  `json:"seed"`
}

// DefaultPlanConfig is memberlist's DefaultLANConfig at 1,000 nodes.
func DefaultPlanConfig() PlanConfig {
	return PlanConfig{Nodes: 1000, Interval: 200, GossipNodes: 3, RetransmitMult: 4, Trials: 1000, Seed: 1}
}

// MaxPlanTrials bounds PlanConfig.Trials.
const MaxPlanTrials = 100_000

// Band is a spread over trials, in ms: the 5th, 50th and 95th percentiles
// (-1: that share of the trials never got there), and how many trials got
// there at all.
type Band struct {
	P5      float64 `json:"p5"`
	P50     float64 `json:"p50"`
	P95     float64 `json:"p95"`
	Reached int     `json:"reached"`
}

// CurvePoint is the coverage (fraction of the alive nodes) at time T over
// the trials, and Serf's formula at T.
type CurvePoint struct {
	T      float64 `json:"t"`
	P5     float64 `json:"p5"`
	P50    float64 `json:"p50"`
	P95    float64 `json:"p95"`
	Theory float64 `json:"theory"`
}

// PlanResult is the planner's answer.
type PlanResult struct {
	Config PlanConfig `json:"config"`
	Limit  int        `json:"sends_per_news"` // RetransmitMult*ceil(log10(N+1))
	// Method is how the trials ran: "node by node" (memberlist's distinct
	// peers, up to planNodeByNode nodes) or "count-level chain".
	Method string `json:"method"`
	T50    Band   `json:"time_50"`
	T99    Band   `json:"time_99"`
	T100   Band   `json:"time_100"`
	// Theory is Serf's convergence simulator's formula, the logistic
	// 1/(1 + (N+1) exp(-F(1-loss)(1-failed/N)/2 * rounds)), at 50%, 99%
	// and 99.99% (where its curve stops: it never reaches 100%), in ms.
	Theory struct {
		T50   float64 `json:"time_50"`
		T99   float64 `json:"time_99"`
		T9999 float64 `json:"time_99_99"`
	} `json:"theory_serf"`
	Curve []CurvePoint `json:"curve"`
}

// Validate reports every problem with c.
func (c PlanConfig) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !finite(c.Interval) || c.Interval <= 0 {
		bad("gossip interval: %v ms must be > 0", c.Interval)
	}
	if c.RetransmitMult < 1 || c.RetransmitMult > 1000 {
		bad("retransmit mult: %d is not in 1..1000", c.RetransmitMult)
	}
	if c.Trials < 1 || c.Trials > MaxPlanTrials {
		bad("trials: %d is not in 1..%d", c.Trials, MaxPlanTrials)
	}
	if c.Nodes < 2 || c.Nodes > MaxChainNodes {
		bad("nodes: %d is not in 2..%d", c.Nodes, int64(MaxChainNodes))
	}
	if c.Failed < 0 || c.Failed > c.Nodes-1 {
		bad("failed nodes: %d is not in 0..nodes-1", c.Failed)
	}
	if c.GossipNodes < 1 || c.GossipNodes > 1000 {
		bad("gossip nodes: %d is not in 1..1000", c.GossipNodes)
	}
	if !finite(c.Loss) || c.Loss < 0 || c.Loss > 1 {
		bad("packet loss: %v is not in [0, 1]", c.Loss)
	}
	return errors.Join(errs...)
}

func (c PlanConfig) chain() Chain {
	ch := Chain{Nodes: c.Nodes, Failed: c.Failed, Fanout: c.GossipNodes, Mode: Push, Loss: c.Loss}
	if c.Nodes >= 1 && c.RetransmitMult >= 1 {
		ch.Limit = limitFor(c.RetransmitMult, c.Nodes)
	}
	return ch
}

// Plan runs c.Trials trials and summarizes them.
func Plan(c PlanConfig) (PlanResult, error) {
	if err := c.Validate(); err != nil {
		return PlanResult{}, err
	}
	ch := c.chain()
	res := PlanResult{Config: c, Limit: ch.Limit}
	r := rand.NewPCG(c.Seed, c.Seed^0x2545f4914f6cdd1d)
	var t50, t99, t100 []float64
	var runs [][]int64
	var series []int64
	longest := 0
	var small *distinctPush
	res.Method = "count-level chain"
	if c.Nodes <= planNodeByNode {
		small = newDistinctPush(c, ch.Limit)
		res.Method = "node by node"
	}
	for range c.Trials {
		if small != nil {
			series = small.trial(r, series)
		} else {
			series = ch.Trial(r, MaxPeriods, series)
		}
		at := func(pct int64) float64 {
			if n := ch.RoundsTo(series, pct); n >= 0 {
				return float64(n) * c.Interval
			}
			return math.Inf(1)
		}
		t50, t99, t100 = append(t50, at(50)), append(t99, at(99)), append(t100, at(100))
		runs = append(runs, slices.Clone(series))
		longest = max(longest, len(series))
	}
	res.T50, res.T99, res.T100 = band(t50), band(t99), band(t100)
	alive := float64(c.Nodes - c.Failed)
	rate := float64(c.GossipNodes) * (1 - c.Loss) * (1 - float64(c.Failed)/float64(c.Nodes)) / 2
	serf := func(f float64) float64 { // rounds to fraction f
		return math.Log(float64(c.Nodes+1)*f/(1-f)) / rate * c.Interval
	}
	if rate > 0 {
		res.Theory.T50, res.Theory.T99, res.Theory.T9999 = serf(0.5), serf(0.99), serf(0.9999)
	} else {
		res.Theory.T50, res.Theory.T99, res.Theory.T9999 = -1, -1, -1
	}
	// The curve: coverage after each round, over the trials (a trial that
	// ended keeps its last count).
	cov := make([]float64, len(runs))
	for round := 0; round <= longest; round++ {
		for i, s := range runs {
			switch {
			case round == 0:
				cov[i] = 1 / alive
			case round <= len(s):
				cov[i] = float64(s[round-1]) / alive
			case len(s) > 0:
				cov[i] = float64(s[len(s)-1]) / alive
			default:
				cov[i] = 1 / alive
			}
		}
		slices.Sort(cov)
		theory := 1 / (1 + float64(c.Nodes+1)*math.Exp(-rate*float64(round)))
		res.Curve = append(res.Curve, CurvePoint{T: float64(round) * c.Interval,
			P5: quantile(cov, 0.05), P50: quantile(cov, 0.5), P95: quantile(cov, 0.95), Theory: theory})
	}
	return res, nil
}

// band is the 5/50/95th percentiles of times (+Inf: never), as a Band.
func band(ts []float64) Band {
	slices.Sort(ts)
	b := Band{P5: quantile(ts, 0.05), P50: quantile(ts, 0.5), P95: quantile(ts, 0.95)}
	for _, t := range ts {
		if !math.IsInf(t, 1) {
			b.Reached++
		}
	}
	for _, p := range []*float64{&b.P5, &b.P50, &b.P95} {
		if math.IsInf(*p, 1) {
			*p = -1
		}
	}
	return b
}

// quantile is the nearest-rank q-quantile of sorted xs.
func quantile(xs []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}
