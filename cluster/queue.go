package cluster

import (
	"math"
	"sync"

	"github.com/google/btree"
)

// broadcastQueue is memberlist's TransmitLimitedQueue (queue.go), which
// Alertmanager uses for its delegate's broadcasts, for broadcasts that
// invalidate nothing (all of ours), with the same algorithm: the same
// order (fewest transmits first, then the longest, then the newest), the
// same greedy fill of each packet tier by tier, the same retransmit limit.
// memberlist's stores interfaces in its btree and allocates two search
// keys per tier on every call, and every packet a node sends calls it (in
// a lab of 50 it was a fifth of all allocation); this one stores values
// and searches with keys on the stack.
type broadcastQueue struct {
	numNodes func() int
	mult     int

	mu    sync.Mutex
	tq    *btree.BTreeG[queuedBroadcast]
	idGen int64
	again []queuedBroadcast // reinserted after a GetBroadcasts pass
}

type queuedBroadcast struct {
	transmits int
	msgLen    int64
	id        int64
	msg       []byte
}

// queuedBefore is memberlist's limitedBroadcast.Less.
func queuedBefore(a, b queuedBroadcast) bool {
	if a.transmits != b.transmits {
		return a.transmits < b.transmits
	}
	if a.msgLen != b.msgLen {
		return a.msgLen > b.msgLen
	}
	return a.id > b.id
}

// retransmitLimit is memberlist's: mult x ceil(log10(n+1)).
func retransmitLimit(mult, n int) int {
	return mult * int(math.Ceil(math.Log10(float64(n+1))))
}

func (q *broadcastQueue) init() {
	if q.tq == nil {
		q.tq = btree.NewG(32, queuedBefore)
	}
}

// QueueBroadcast queues msg to be gossiped.
func (q *broadcastQueue) QueueBroadcast(msg []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.init()
	if q.idGen == math.MaxInt64 {
		q.idGen = 1
	} else {
		q.idGen++
	}
	q.tq.ReplaceOrInsert(queuedBroadcast{msgLen: int64(len(msg)), id: q.idGen, msg: msg})
}

func (q *broadcastQueue) delete(b queuedBroadcast) {
	q.tq.Delete(b)
	if q.tq.Len() == 0 {
		q.idGen = 0 // at idle, as memberlist
	}
}

// GetBroadcasts returns messages to piggyback, at most limit bytes counting
// overhead bytes for each (memberlist's GetBroadcasts, step by step).
func (q *broadcastQueue) GetBroadcasts(overhead, limit int) [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.tq == nil || q.tq.Len() == 0 {
		return nil
	}
	transmitLimit := retransmitLimit(q.mult, q.numNodes())
	var toSend [][]byte
	used := 0
	lo, _ := q.tq.Min()
	hi, _ := q.tq.Max()
	for transmits := lo.transmits; transmits <= hi.transmits; {
		free := int64(limit - used - overhead)
		if free <= 0 {
			break
		}
		// The first message of this tier that fits.
		var keep queuedBroadcast
		found := false
		q.tq.AscendRange(queuedBroadcast{transmits: transmits, msgLen: free, id: math.MaxInt64},
			queuedBroadcast{transmits: transmits + 1, msgLen: math.MaxInt64, id: math.MaxInt64},
			func(b queuedBroadcast) bool {
				if b.msgLen > free {
					return true
				}
				keep, found = b, true
				return false
			})
		if !found {
			transmits++
			continue
		}
		toSend = append(toSend, keep.msg)
		used += overhead + len(keep.msg)
		q.delete(keep)
		if keep.transmits+1 < transmitLimit {
			keep.transmits++
			q.again = append(q.again, keep) // after the pass, or it would be met again
		}
	}
	for _, b := range q.again {
		q.tq.ReplaceOrInsert(b)
	}
	clear(q.again)
	q.again = q.again[:0]
	return toSend
}

// NumQueued returns the number of queued messages.
func (q *broadcastQueue) NumQueued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.tq == nil {
		return 0
	}
	return q.tq.Len()
}
