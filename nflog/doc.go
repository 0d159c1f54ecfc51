// Package nflog is one peer's notification log with Alertmanager v0.27's
// rules (nflog/nflog.go): which group was notified to which receiver, with
// which alerts, when; merged from gossip (last writer wins by Timestamp)
// and gossiped on, so that HA peers deduplicate their notifications. A Log
// is a cluster.State, so a peer of any transport carries it.
package nflog
