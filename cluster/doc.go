// Package cluster is a memberlist peer with Alertmanager v0.27's cluster
// behaviour (cluster/cluster.go, cluster/delegate.go), over any memberlist
// Transport: real sockets (package node), or whatever carries packets
// between peers in one process.
//
// States are plugged in by key, as Alertmanager's AddState: a State has
// MarshalBinary (its full form, for push-pulls) and Merge (what a peer
// gossiped); the Channel AddState returns gossips the state's changes.
// The silence store (package silence) and the notification log (package
// nflog) are such states under wire.KeySilences and wire.KeyNflog.
//
// A peer's Membership reports node events (protocol.TypeNode) as its view
// of the cluster changes: joins and departures from memberlist's event
// delegate, suspicion and its refutation from the suspect and alive
// messages the peer sends (its transport tells Membership.Sent), since
// memberlist's events say nothing of them.
//
// The broadcast queue is memberlist's TransmitLimitedQueue without its
// allocations (queue.go); everything else is memberlist itself.
package cluster
