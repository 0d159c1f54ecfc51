package node

import (
	"sync"
	"sync/atomic"
)

// heldVersions indexes the version (unix ms) of each piece of state a node
// holds, by state key ("sil/<id>", "nfl/<entry key>"). Every lab node's
// transport asks it, for every user message it sends, whether the receiver
// already holds what the message carries (a redundant message). Reads are
// lock-free (sync.Map is a concurrent hash trie and versions are atomics),
// so senders never wait on the receiver's stores, which hold their locks
// while they merge, emit and queue broadcasts.
//
// The silences and nflog stores write it under their own locks, so writes
// of one key are ordered.
type heldVersions struct {
	m sync.Map // key -> *atomic.Int64
}

func newHeldVersions() *heldVersions { return &heldVersions{} }

// set records that key is now held at version.
func (h *heldVersions) set(key string, version int64) {
	if h == nil {
		return
	}
	if p, ok := h.m.Load(key); ok {
		p.(*atomic.Int64).Store(version)
		return
	}
	p := new(atomic.Int64)
	p.Store(version)
	if old, loaded := h.m.LoadOrStore(key, p); loaded {
		old.(*atomic.Int64).Store(version)
	}
}

// drop forgets key (garbage collected past its retention).
func (h *heldVersions) drop(key string) {
	if h != nil {
		h.m.Delete(key)
	}
}

// holds reports whether key is held at version or newer.
func (h *heldVersions) holds(key string, version int64) bool {
	if h == nil {
		return false
	}
	p, ok := h.m.Load(key)
	return ok && p.(*atomic.Int64).Load() >= version
}
