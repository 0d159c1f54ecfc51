// Package silence is one peer's silences with Alertmanager v0.27's rules
// (silence/silence.go): create, update or expire through the API, merge
// what peers gossip (last writer wins by UpdatedAt), gossip on what is new.
// A Silences is a cluster.State, so a peer of any transport carries it.
package silence
