package node

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/gossipscope/gossipscope/notify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// nodeCounters are what a node counts beyond its peer's gossip counters,
// with Alertmanager's meanings: versions of silences and notification-log
// entries taken from gossip (and so gossiped on), and notifications sent.
type nodeCounters struct {
	silPropagated, nflPropagated atomic.Uint64
	notifications, notifyFailed  atomic.Uint64
}

// metricsHandler serves the node's /metrics: Alertmanager's cluster,
// silences-gossip, nflog-gossip and notification metric names and
// meanings, so that a Prometheus scraping Alertmanagers and their
// dashboards read a node (or each lab node, on its API port) as one. Each
// node has its own registry: a lab runs many in one process.
func metricsHandler(n *Node) http.Handler {
	r := prometheus.NewRegistry()
	c := n.peer.Counters()
	counter := func(name, help string, labels prometheus.Labels, v *atomic.Uint64) {
		r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(v.Load()) }))
	}
	gauge := func(name, help string, f func() float64) {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	update, full := prometheus.Labels{"msg_type": "update"}, prometheus.Labels{"msg_type": "full_state"}
	const (
		recv, recvSize = "Total number of cluster messages received.", "Total size of cluster messages received."
		sent, sentSize = "Total number of cluster messages sent.", "Total size of cluster messages sent."
	)
	counter("alertmanager_cluster_messages_received_total", recv, update, &c.ReceivedUpdate)
	counter("alertmanager_cluster_messages_received_total", recv, full, &c.ReceivedFullState)
	counter("alertmanager_cluster_messages_received_size_total", recvSize, update, &c.ReceivedUpdateBytes)
	counter("alertmanager_cluster_messages_received_size_total", recvSize, full, &c.ReceivedFullStateBytes)
	counter("alertmanager_cluster_messages_sent_total", sent, update, &c.SentUpdate)
	counter("alertmanager_cluster_messages_sent_total", sent, full, &c.SentFullState)
	counter("alertmanager_cluster_messages_sent_size_total", sentSize, update, &c.SentUpdateBytes)
	counter("alertmanager_cluster_messages_sent_size_total", sentSize, full, &c.SentFullStateBytes)
	var never atomic.Uint64 // the broadcast queue keeps what memberlist's keeps; it never prunes
	counter("alertmanager_cluster_messages_pruned_total", "Total number of cluster messages pruned.", nil, &never)
	counter("alertmanager_cluster_peers_joined_total", "A counter of the number of peers that have joined.", nil, &c.PeersJoined)
	counter("alertmanager_cluster_peers_left_total", "A counter of the number of peers that have left.", nil, &c.PeersLeft)
	counter("alertmanager_cluster_reconnections_total", "A counter of the number of cluster peer reconnections.", nil, &c.Reconnections)
	counter("alertmanager_cluster_reconnections_failed_total", "A counter of the number of failed cluster peer reconnection attempts.", nil, &c.ReconnectionsFailed)
	counter("alertmanager_silences_gossip_messages_propagated_total", "Number of received gossip messages that have been further gossiped.", nil, &n.counters.silPropagated)
	counter("alertmanager_nflog_gossip_messages_propagated_total", "Number of received gossip messages that have been further gossiped.", nil, &n.counters.nflPropagated)
	webhook := prometheus.Labels{"integration": "webhook"}
	counter("alertmanager_notifications_total", "The total number of attempted notifications.", webhook, &n.counters.notifications)
	counter("alertmanager_notifications_failed_total", "The total number of failed notifications.", webhook, &n.counters.notifyFailed)

	gauge("alertmanager_cluster_enabled", "Indicates whether the clustering is enabled or not.", func() float64 { return 1 })
	gauge("alertmanager_cluster_members", "Number indicating current number of members in cluster.", func() float64 { return float64(n.peer.NumMembers()) })
	gauge("alertmanager_cluster_health_score", "Health score of the cluster. Lower values are better and zero means 'totally healthy'.", func() float64 { return float64(n.peer.HealthScore()) })
	gauge("alertmanager_cluster_failed_peers", "Number indicating the current number of failed peers in the cluster.", func() float64 { return float64(n.peer.FailedPeers()) })
	gauge("alertmanager_cluster_messages_queued", "Number of cluster messages which are queued.", func() float64 { return float64(n.peer.Queued()) })
	gauge("alertmanager_peer_position", "Position the Alertmanager instance believes it's in. The position determines a peer's behavior in the cluster.", func() float64 { return float64(n.peer.Position()) })
	r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "alertmanager_cluster_peer_info", Help: "A metric with a constant '1' value labeled by peer name.",
		ConstLabels: prometheus.Labels{"peer": n.cfg.Name},
	}, func() float64 { return 1 }))
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{})
}

// countingSender counts a node's notification attempts and failures as
// Alertmanager's alertmanager_notifications{,_failed}_total.
type countingSender struct {
	notify.Sender
	c *nodeCounters
}

func (s countingSender) Send(ctx context.Context, m *notify.Message) (string, error) {
	s.c.notifications.Add(1)
	status, err := s.Sender.Send(ctx, m)
	if err != nil {
		s.c.notifyFailed.Add(1)
	}
	return status, err
}
