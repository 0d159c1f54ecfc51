package observer

import (
	"strings"
	"testing"
)

func TestParseMetricsKeepsFigures(t *testing.T) {
	text := `# HELP alertmanager_cluster_messages_received_total Total number of cluster messages received.
# TYPE alertmanager_cluster_messages_received_total counter
alertmanager_cluster_messages_received_total{msg_type="full_state"} 4
alertmanager_cluster_messages_received_total{msg_type="update"} 17
alertmanager_cluster_messages_received_total{msg_type="upd\"ate",x="a,b}"} 1000
alertmanager_notifications_total{integration="email"} 2
alertmanager_notifications_total{integration="webhook"} 3 1700000000000
alertmanager_peer_position 1
alertmanager_cluster_health_score NaN
alertmanager_cluster_members{broken 3
go_goroutines 42
`
	sc, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"received_update": 17, "received_full_state": 4, "notifications": 5, "position": 1}
	for k, v := range want {
		if sc.val[k] != v {
			t.Errorf("%s = %v, want %v", k, sc.val[k], v)
		}
	}
	if _, ok := sc.val["members"]; ok {
		t.Error("a malformed line was read")
	}
	if _, err := parseMetrics(strings.NewReader("")); err == nil {
		t.Error("an empty body is not a scrape")
	}
}

func TestParseSampleLabels(t *testing.T) {
	name, labels, v, ok := parseSample(`m{a="x\\y",b="line\nnext", c="q\"q"} -1.5e3`)
	if !ok || name != "m" || v != -1500 || labels["a"] != `x\y` || labels["b"] != "line\nnext" || labels["c"] != `q"q` {
		t.Fatalf("%q %v %v %v", name, labels, v, ok)
	}
	for _, bad := range []string{`m{a="x"`, `m{a=x} 1`, `m`, `{a="b"} 1`, `m{a="b"} one`} {
		if _, _, _, ok := parseSample(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
