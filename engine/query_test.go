package engine

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestQueryRoundTrip(t *testing.T) {
	for _, c := range []Config{
		busy(77),
		{Nodes: 3},
		{Nodes: 1000, Period: 250.5, Fanout: 1, Mode: Push, Peers: PeersRandom, Stop: StopCoin, FeedbackK: 3,
			LatencyMin: 0.1, LatencyMax: 1.0 / 3, Loss: 0.123456789, Seed: 1<<64 - 1, MaxTime: 12345.678},
	} {
		want := c.normalized()
		got, err := ParseQuery(c.Query())
		if err != nil {
			t.Fatalf("%s: %v", c.Query().Encode(), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", got, want)
		}
		// Through a real URL string too.
		u, err := url.Parse("http://x/?" + c.Query().Encode() + "&view=graph")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseQuery(u.Query()); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("via URL: %v\n%+v", err, got)
		}
	}
}

func TestParseQueryDefaultsAndErrors(t *testing.T) {
	c, err := ParseQuery(url.Values{"nodes": {"20"}})
	if err != nil || c.Nodes != 20 || c.Period != 1000 || c.Fanout != 3 || c.Mode != Push || c.Stop != StopAll {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = ParseQuery(url.Values{"nodes": {"20"}, "mode": {"push-pull"}, "latency": {"40"}})
	if err != nil || c.Mode != PushPull || c.Stop != StopNever || c.LatencyMin != 40 || c.LatencyMax != 40 {
		t.Fatalf("%+v %v", c, err)
	}
	bad := url.Values{
		"nodes": {"many"}, "period": {"-5"}, "mode": {"shout"}, "loss": {"1.5"}, "latency": {"9,3"},
		"async": {"perhaps"}, "seed": {"-1"}, "do": {"crash@soon:3", "heal@100"},
	}
	_, err = ParseQuery(bad)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, field := range []string{"nodes", "latency", "async", "seed", "do"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %q: %v", field, err)
		}
	}
	// Once the parse errors are fixed, the range errors show up, by name.
	_, err = ParseQuery(url.Values{"nodes": {"10"}, "period": {"-5"}, "mode": {"shout"}, "loss": {"1.5"}})
	for _, field := range []string{"period", "mode", "loss"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("error does not name %q: %v", field, err)
		}
	}
}

func TestActionText(t *testing.T) {
	for _, s := range []string{
		"update@3000:7", "update@3000:7:2", "crash@1500:3", "restart@2000.5:3",
		"partition@2000:0-4,9/5-8", "heal@6000", "join@4000:5", "loss@1000:0.25",
	} {
		a, err := ParseAction(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if a.String() != s {
			t.Fatalf("%s came back as %s", s, a.String())
		}
	}
	a, err := ParseAction("crash@10:n4")
	if err != nil || a.Node != 4 {
		t.Fatalf("%+v %v", a, err)
	}
	if a, _ := ParseAction("partition@0:1,2,3/7"); !reflect.DeepEqual(a.Groups, [][]int{{1, 2, 3}, {7}}) {
		t.Fatalf("%+v", a.Groups)
	}
	for _, s := range []string{"", "crash", "crash@", "crash@-1:2", "crash@5", "crash@5:x", "boom@5",
		"partition@1:3/3", "partition@1:5-2", "loss@1:2", "join@1:0", "heal@1:2", "update@1:2:3:4"} {
		if _, err := ParseAction(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}

func TestParams(t *testing.T) {
	p := busy(5).Params()
	if p["nodes"] != 60 || p["mode"] != "pushpull" || p["seed"] != uint64(5) ||
		!strings.Contains(p["schedule"].(string), "crash@1500:7") {
		t.Fatalf("%v", p)
	}
	if !IsQueryField("do") || IsQueryField("view") {
		t.Fatal("IsQueryField")
	}
}
