package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The planner on memberlist's LAN defaults: bands in order, the median
// near the rounds the literature gives for push (log2 N + ln N at K=1;
// with K=3 the informed set quadruples early), everyone reached in most
// trials with 4 x 3 sends, Serf's curve at 50% within a few intervals of
// ours, and loss and failed nodes slowing it down.
func TestPlan(t *testing.T) {
	c := DefaultPlanConfig()
	c.Nodes = 10_000
	res, err := Plan(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v %+v %+v theory %+v", res.T50, res.T99, res.T100, res.Theory)
	if res.Limit != 20 {
		t.Errorf("sends per news %d, want 4*ceil(log10(10001)) = 20", res.Limit)
	}
	for _, b := range []Band{res.T50, res.T99, res.T100} {
		if b.P5 > b.P50 || b.P50 > b.P95 && b.P95 >= 0 {
			t.Errorf("band out of order: %+v", b)
		}
	}
	if !(res.T50.P50 < res.T99.P50 && res.T99.P50 < res.T100.P50) {
		t.Errorf("medians out of order: %+v %+v %+v", res.T50, res.T99, res.T100)
	}
	// 1 + 3 pushes: about fourfold per round until 50%: log4(5000) ~ 6.
	if r := res.T50.P50 / c.Interval; r < 5 || r > 9 {
		t.Errorf("median rounds to 50%%: %v", r)
	}
	if res.T50.Reached != c.Trials || res.T100.Reached < c.Trials*9/10 {
		t.Errorf("reached: %d and %d of %d", res.T50.Reached, res.T100.Reached, c.Trials)
	}
	if d := math.Abs(res.Theory.T50 - res.T50.P50); d > 4*c.Interval {
		t.Errorf("Serf's 50%% at %v ms, ours %v ms", res.Theory.T50, res.T50.P50)
	}
	if len(res.Curve) < 8 || res.Curve[0].P50 != 1/float64(c.Nodes) || res.Curve[len(res.Curve)-1].P5 < 0.99 {
		t.Errorf("curve: %d points, first %+v, last %+v", len(res.Curve), res.Curve[0], res.Curve[len(res.Curve)-1])
	}
	c.Loss, c.Failed = 0.3, 1000
	worse, err := Plan(c)
	if err != nil {
		t.Fatal(err)
	}
	if worse.T99.P50 <= res.T99.P50 || worse.Theory.T99 <= res.Theory.T99 {
		t.Errorf("30%% loss and 10%% failed did not slow it: %+v against %+v", worse.T99, res.T99)
	}
	// A rumor that must die out: one send per news, fan-out 1.
	c = PlanConfig{Nodes: 10_000, Interval: 100, GossipNodes: 1, RetransmitMult: 1, Trials: 200, Seed: 3}
	dead, err := Plan(c)
	if err != nil {
		t.Fatal(err)
	}
	if dead.T100.Reached != 0 || dead.T100.P50 != -1 {
		t.Errorf("4 sends per news reached everyone: %+v", dead.T100)
	}
}

func TestPlanValidate(t *testing.T) {
	for _, c := range []PlanConfig{
		{}, {Nodes: 10, Interval: 0, GossipNodes: 3, RetransmitMult: 4, Trials: 10},
		{Nodes: 10, Interval: 200, GossipNodes: 3, RetransmitMult: 4, Trials: 0},
		{Nodes: 10, Interval: 200, GossipNodes: 3, RetransmitMult: 4, Trials: 10, Loss: 2},
		{Nodes: 10, Interval: 200, GossipNodes: 3, RetransmitMult: 4, Trials: 10, Failed: 10},
		{Nodes: 10, Interval: math.NaN(), GossipNodes: 3, RetransmitMult: 4, Trials: 10},
	} {
		if _, err := Plan(c); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

// Small clusters run memberlist's own rule, distinct peers: with 9 peers
// for 9 others and 8 sends per news, n0 tells 8 of the 9 nodes in round 1
// in every trial (drawn with replacement, 8 picks would reach about 5),
// and the rest know in round 2.
func TestPlanSmallDistinct(t *testing.T) {
	res, err := Plan(PlanConfig{Nodes: 10, Interval: 100, GossipNodes: 9, RetransmitMult: 4, Trials: 500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Limit != 8 || res.T50 != (Band{100, 100, 100, 500}) || res.T100 != (Band{200, 200, 200, 500}) {
		t.Fatalf("limit %d, 50%% %+v, 100%% %+v", res.Limit, res.T50, res.T100)
	}
}

// With one peer a round, distinct and with replacement are the same rule:
// the node-by-node trials and the chain must agree (two-sample chi-square
// on rounds to 99% and 100%, never counting as a value; significance
// alpha), with loss and failed nodes.
func TestPlanSmallMatchesChain(t *testing.T) {
	c := PlanConfig{Nodes: 300, Interval: 100, GossipNodes: 1, RetransmitMult: 3, Loss: 0.1, Failed: 30, Trials: 2000, Seed: 5}
	small := newDistinctPush(c, c.chain().Limit)
	ch := c.chain()
	r := rand.NewPCG(1, 2)
	var a99, b99, a100, b100 []int
	var s []int64
	for range c.Trials {
		s = small.trial(r, s)
		a99, a100 = append(a99, ch.RoundsTo(s, 99)), append(a100, ch.RoundsTo(s, 100))
		s = ch.Trial(r, MaxPeriods, s)
		b99, b100 = append(b99, ch.RoundsTo(s, 99)), append(b100, ch.RoundsTo(s, 100))
	}
	for _, x := range []struct {
		name string
		a, b []int
	}{{"99%", a99, b99}, {"100%", a100, b100}} {
		stat, df, p := chiSquareTwoSample(x.a, x.b)
		t.Logf("rounds to %s: node by node mean %.3f, chain %.3f: chi-square %.2f on %d df, p = %.3f", x.name, mean(x.a), mean(x.b), stat, df, p)
		if df < 1 || p < alpha {
			t.Errorf("rounds to %s: chi-square %.2f on %d df, p = %.2g", x.name, stat, df, p)
		}
	}
}
