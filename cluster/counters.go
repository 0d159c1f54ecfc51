package cluster

import "sync/atomic"

// Counters are a peer's gossip counters with the meanings of Alertmanager's
// cluster metrics (its cluster/delegate.go and cluster.go): a part received
// or sent in a user message is an "update", a push-pull's state a
// "full_state", sizes in bytes of the payload. They are plain atomics so
// that this package stays free of a metrics library (it builds for the
// browser); node exports them under Alertmanager's metric names.
type Counters struct {
	ReceivedUpdate, ReceivedUpdateBytes       atomic.Uint64
	ReceivedFullState, ReceivedFullStateBytes atomic.Uint64
	SentUpdate, SentUpdateBytes               atomic.Uint64
	SentFullState, SentFullStateBytes         atomic.Uint64
	PeersJoined, PeersLeft                    atomic.Uint64
	// Reconnections and ReconnectionsFailed count the rejoin loop's
	// attempts at configured peers that are not members.
	Reconnections, ReconnectionsFailed atomic.Uint64
}

// Counters returns the peer's gossip counters (live: read them any time).
func (p *Peer) Counters() *Counters { return &p.counters }

// HealthScore is memberlist's awareness health score: 0 is healthy, higher
// means this peer has been slow to answer probes (Alertmanager's
// alertmanager_cluster_health_score).
func (p *Peer) HealthScore() int { return p.ml.GetHealthScore() }

// Queued is the number of broadcasts waiting to be piggybacked.
func (p *Peer) Queued() int { return p.queue.NumQueued() }

// FailedPeers is the number of configured peers that are not members now
// (Alertmanager's alertmanager_cluster_failed_peers: the ones its
// reconnect loop retries).
func (p *Peer) FailedPeers() int { return len(p.missingPeers()) }
