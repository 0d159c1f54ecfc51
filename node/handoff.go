package node

import (
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// handoff is a lab node's inbox of the plain form of compressed packets
// other lab nodes are sending it. The sender has the plain bytes (it
// compressed them); the receiver, in the same process, would otherwise
// inflate every packet again for memberlist. The packet still crosses the
// real socket: the receiver takes the plain form only for the very bytes
// it read, recognised by their XXH64 (and length), from a lab node's
// address, and inflates anything else itself. Entries whose packet never
// arrives are evicted by newer ones.
type handoff struct {
	mu    sync.Mutex
	plain map[uint64][]byte // wire hash -> what memberlist gets: label, plain payload
	ring  [handoffSlots]uint64
	next  int
	taken atomic.Int64 // packets received in plain form
}

// handoffSlots bounds an inbox: packets in flight to one node.
const handoffSlots = 256

func newHandoff() *handoff { return &handoff{plain: make(map[uint64][]byte, handoffSlots)} }

func wireKey(wire []byte) uint64 { return xxhash.Sum64(wire) ^ uint64(len(wire))<<48 }

// put offers the plain form of a packet about to be sent.
func (h *handoff) put(wire, plain []byte) {
	k := wireKey(wire)
	h.mu.Lock()
	if old := h.ring[h.next]; old != 0 {
		delete(h.plain, old)
	}
	h.ring[h.next] = k
	h.next = (h.next + 1) % handoffSlots
	h.plain[k] = plain
	h.mu.Unlock()
}

// take returns the plain form of a received packet, if its sender left it.
func (h *handoff) take(wire []byte) ([]byte, bool) {
	k := wireKey(wire)
	h.mu.Lock()
	p, ok := h.plain[k]
	if ok {
		delete(h.plain, k)
	}
	h.mu.Unlock()
	if ok {
		h.taken.Add(1)
	}
	return p, ok
}
