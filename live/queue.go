package live

import (
	"context"
	"sync"
	"time"
)

// batch is one flush's events encoded as JSON Lines. Its data is shared,
// read-only, by every sink's queue.
type batch struct {
	data   []byte
	events int
	t      float64   // T of the first event, for a drop note put before it
	at     time.Time // when the hub queued it (zero for notes and snapshots), for Config.ClientWrote
}

// queue is one sink's bounded backlog of batches. The hub pushes, the sink's
// writer takes; neither waits for the other.
type queue struct {
	limit int
	ready chan struct{} // holds a token when something was queued or it closed
	room  chan struct{} // holds a token when take made room

	mu       sync.Mutex
	items    []batch
	bytes    int
	gap      int       // events dropped since the last note was queued
	lastT    float64   // T of the last dropped batch, for its note
	dropping time.Time // start of the current run of drops; zero when none
	dropped  uint64    // events dropped, in total
	sent     uint64    // events handed to the writer
	closed   bool
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, ready: make(chan struct{}, 1), room: make(chan struct{}, 1)}
}

// waitRoom returns once the backlog is under its limit (or the queue is
// closed), or ctx's error. A client's reader calls it before taking the
// next command, so that replies, which are never dropped, cannot pile up
// for a client that sends commands and does not read.
func (q *queue) waitRoom(ctx context.Context) error {
	for {
		q.mu.Lock()
		full := q.bytes >= q.limit && !q.closed
		q.mu.Unlock()
		if !full {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-q.room:
		}
	}
}

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// push queues b, or drops it (and remembers the gap) when the backlog is at
// its limit. An empty queue always takes a batch, however large.
func (q *queue) push(b batch) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	if q.bytes > 0 && q.bytes+len(b.data) > q.limit {
		q.gap += b.events
		q.dropped += uint64(b.events)
		q.lastT = b.t
		if q.dropping.IsZero() {
			q.dropping = time.Now()
		}
		return false
	}
	if q.gap > 0 {
		n := noteBatch(dropNote(q.gap, b.t))
		q.items = append(q.items, n)
		q.bytes += len(n.data)
		q.gap = 0
	}
	q.items = append(q.items, b)
	q.bytes += len(b.data)
	q.signal()
	return true
}

// pushAlways queues b whatever the backlog: for replies, which a client
// must get. The backlog stays bounded because a client's commands are not
// read while its backlog is full (see waitRoom).
func (q *queue) pushAlways(b batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.items = append(q.items, b)
	q.bytes += len(b.data)
	q.signal()
}

// prepend puts bs before everything queued, whatever the backlog: the
// header and snapshot a new sink must get first.
func (q *queue) prepend(bs []batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.items = append(bs, q.items...)
	for _, b := range bs {
		q.bytes += len(b.data)
	}
	q.signal()
}

// firstT returns the T of the first queued batch.
func (q *queue) firstT() (float64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, false
	}
	return q.items[0].t, true
}

// take removes and returns queued batches adding up to about max bytes
// (at least one), and whether the queue is closed. When it empties the
// queue, the current run of drops is over: the reader caught up.
func (q *queue) take(max int, out []batch) ([]batch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n, size := 0, 0
	for n < len(q.items) && (n == 0 || size+len(q.items[n].data) <= max) {
		size += len(q.items[n].data)
		n++
	}
	out = append(out, q.items[:n]...)
	for i := range n {
		q.sent += uint64(q.items[i].events)
	}
	clear(q.items[:n])
	q.items = q.items[n:]
	q.bytes -= size
	if n > 0 {
		select {
		case q.room <- struct{}{}:
		default:
		}
	}
	if len(q.items) == 0 {
		q.items = nil
		// The reader caught up: the gap, if any, is behind everything it
		// has been handed, so the note goes last.
		if q.gap > 0 {
			out = append(out, noteBatch(dropNote(q.gap, q.lastT)))
			q.gap = 0
		}
		q.dropping = time.Time{}
	}
	return out, q.closed
}

// slowFor says how long this sink has been dropping without catching up.
func (q *queue) slowFor(now time.Time) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dropping.IsZero() {
		return 0
	}
	return now.Sub(q.dropping)
}

// close stops the queue taking batches; its writer drains what is left.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
	select {
	case q.room <- struct{}{}:
	default:
	}
}

// counts returns the bytes waiting, events dropped and events sent.
func (q *queue) counts() (queued int, dropped, sent uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes, q.dropped, q.sent
}
