package node

import (
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	dto "github.com/prometheus/client_model/go"
)

// metricValue is the value of name's series whose labels include want (a
// counter's or a gauge's), and whether there is one.
func metricValue(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

// Every lab node's API port serves Alertmanager's cluster metrics under
// Alertmanager's names, and they move as a silence gossips: the others
// receive updates and propagate the silence.
func TestLabNodesServeAlertmanagerMetrics(t *testing.T) {
	t.Parallel()
	l := startLab(t, 3, nil, nil)
	eventually(t, 10*time.Second, "3 members", func() bool { return converged(l, 3) })
	urls := map[string]string{}
	for _, nm := range l.Names() {
		urls[nm] = l.Node(nm).APIURL()
	}
	before := map[string]map[string]*dto.MetricFamily{}
	for nm, u := range urls {
		mfs := testnet.Scrape(t, u)
		before[nm] = mfs
		for name, labels := range map[string]map[string]string{
			"alertmanager_cluster_members":                           nil,
			"alertmanager_cluster_health_score":                      nil,
			"alertmanager_peer_position":                             nil,
			"alertmanager_cluster_failed_peers":                      nil,
			"alertmanager_cluster_messages_received_total":           {"msg_type": "update"},
			"alertmanager_cluster_messages_sent_total":               {"msg_type": "full_state"},
			"alertmanager_cluster_messages_pruned_total":             nil,
			"alertmanager_cluster_peers_joined_total":                nil,
			"alertmanager_silences_gossip_messages_propagated_total": nil,
			"alertmanager_nflog_gossip_messages_propagated_total":    nil,
			"alertmanager_notifications_total":                       {"integration": "webhook"},
		} {
			if _, ok := metricValue(mfs, name, labels); !ok {
				t.Errorf("%s: no %s%v", nm, name, labels)
			}
		}
		if v, _ := metricValue(mfs, "alertmanager_cluster_members", nil); v != 3 {
			t.Errorf("%s: alertmanager_cluster_members %v, want 3", nm, v)
		}
		if v, _ := metricValue(mfs, "alertmanager_cluster_peers_joined_total", nil); v < 3 {
			t.Errorf("%s: alertmanager_cluster_peers_joined_total %v, want >= 3 (itself and two)", nm, v)
		}
	}
	positions := map[float64]bool{}
	for nm := range urls {
		p, _ := metricValue(before[nm], "alertmanager_peer_position", nil)
		positions[p] = true
	}
	if len(positions) != 3 || !positions[0] || !positions[1] || !positions[2] {
		t.Errorf("peer positions %v, want 0, 1 and 2", positions)
	}

	postSilence(t, urls["n1"], "Disk", "metrics")
	for _, nm := range []string{"n2", "n3"} {
		eventually(t, 10*time.Second, nm+" propagates the silence", func() bool {
			v, _ := metricValue(testnet.Scrape(t, urls[nm]), "alertmanager_silences_gossip_messages_propagated_total", nil)
			return v >= 1
		})
		after := testnet.Scrape(t, urls[nm])
		upd := map[string]string{"msg_type": "update"}
		b, _ := metricValue(before[nm], "alertmanager_cluster_messages_received_total", upd)
		a, _ := metricValue(after, "alertmanager_cluster_messages_received_total", upd)
		bs, _ := metricValue(before[nm], "alertmanager_cluster_messages_received_size_total", upd)
		as, _ := metricValue(after, "alertmanager_cluster_messages_received_size_total", upd)
		if a <= b || as <= bs {
			t.Errorf("%s: updates received %v -> %v, bytes %v -> %v: want both to grow", nm, b, a, bs, as)
		}
	}
	b, _ := metricValue(before["n1"], "alertmanager_cluster_messages_sent_total", map[string]string{"msg_type": "update"})
	a, _ := metricValue(testnet.Scrape(t, urls["n1"]), "alertmanager_cluster_messages_sent_total", map[string]string{"msg_type": "update"})
	if a <= b {
		t.Errorf("n1: updates sent %v -> %v, want more after its silence", b, a)
	}
}
