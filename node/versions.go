package node

import "sync"

// heldVersions indexes the version (unix ms) of each piece of state a node
// holds, by state key ("sil/<id>", "nfl/<entry key>"). Every lab node's
// transport asks it, for every user message it sends, whether the receiver
// already holds what the message carries (a redundant message). It has its
// own lock, held only for one map access, so senders never wait on the
// receiver's stores, which hold their locks while they merge, emit and
// queue broadcasts. (A sync.Map, lock-free, cost twice as much per lookup
// in a lab of 50: its hash trie is a chain of cache misses.)
//
// The silences and nflog stores write it under their own locks, so writes
// of one key are ordered.
type heldVersions struct {
	mu sync.RWMutex
	m  map[string]int64
}

func newHeldVersions() *heldVersions { return &heldVersions{m: map[string]int64{}} }

// Set records that key is now held at version.
func (h *heldVersions) Set(key string, version int64) {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.m[key] = version
	h.mu.Unlock()
}

// Drop forgets key (garbage collected past its retention).
func (h *heldVersions) Drop(key string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	delete(h.m, key)
	h.mu.Unlock()
}

// holds reports whether key is held at version or newer.
func (h *heldVersions) holds(key string, version int64) bool {
	if h == nil {
		return false
	}
	h.mu.RLock()
	v, ok := h.m[key]
	h.mu.RUnlock()
	return ok && v >= version
}
