package engine

import (
	"math"
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
