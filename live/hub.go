package live

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// Hub fans one source's events out to websocket clients and a recorder.
// Create it with NewHub, pass its Emit to the source, then SetSource.
type Hub struct {
	cfg Config
	log *slog.Logger

	// Emit side: held only for an append, never while calling anyone.
	mu       sync.Mutex
	pending  []protocol.Event
	lastT    float64
	overflow int  // events Emit dropped since the last flush
	stopped  bool // Close was called: Emit keeps nothing

	// Sink side: the set of sinks, the source, and every flush. Lock order:
	// smu, then mu. The source is never called under either, so it may
	// call Emit while holding its own locks and take as long as it needs.
	smu     sync.Mutex
	src     Source
	srcName string
	sinks   map[*sink]struct{}
	buckets map[string]*bucket // command buckets by remote address
	enc     *encoder
	spare   []protocol.Event
	out     []batch
	nextID  int
	closed  bool

	// snapMu lets one joining sink at a time build its snapshot, so that
	// many joining at once cost one snapshot's memory, not many.
	snapMu sync.Mutex

	firstClient     chan struct{}
	firstClientOnce sync.Once
	done            chan struct{}
	flusherDone     chan struct{}
	writers         sync.WaitGroup

	events, hubDropped, sinkDropped       atomic.Uint64
	messages, bytes                       atomic.Uint64
	commands, commandErrors, disconnected atomic.Uint64
	evicted                               atomic.Uint64
}

// sink is one consumer of the stream: a websocket client or the recorder.
type sink struct {
	id     int
	kind   string // "client" or "record"
	remote string
	addr   string // remote's host: the unit of per-address limits
	q      *queue
	since  time.Time

	bucket *bucket      // commands, shared by the address's clients
	active atomic.Int64 // unix ns of the last command (or of joining)
	evict  func(string) // closes the client with a reason; nil for the recorder
	// evictReason is set, under smu, when the hub evicts the client.
	evictReason string
}

func (s *sink) lastActive() int64 { return s.active.Load() }

// NewHub returns a running hub; Close stops it.
func NewHub(cfg Config) *Hub {
	cfg = cfg.withDefaults()
	h := &Hub{
		cfg:         cfg,
		log:         cfg.Logger,
		sinks:       map[*sink]struct{}{},
		buckets:     map[string]*bucket{},
		enc:         newEncoder(cfg.MaxMessageBytes),
		firstClient: make(chan struct{}),
		done:        make(chan struct{}),
		flusherDone: make(chan struct{}),
	}
	go h.flusher()
	return h
}

// SetSource names the source whose events Emit receives. Clients are
// refused until it is set.
func (h *Hub) SetSource(src Source) {
	name := ""
	if src != nil {
		name = src.Header().Source
	}
	h.smu.Lock()
	defer h.smu.Unlock()
	h.src, h.srcName = src, name
}

// Emit queues one event for every sink. It is safe from any goroutine and
// never waits for a client: past MaxPending events between two flushes it
// drops (and counts) instead. It keeps T non-decreasing (see the package
// doc).
func (h *Hub) Emit(ev protocol.Event) {
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		return
	}
	if !(ev.T >= h.lastT) { // also catches NaN
		ev.T = h.lastT
		if ev.Arrive != 0 && ev.Arrive < ev.T {
			ev.Arrive = ev.T
		}
	}
	h.lastT = ev.T
	if len(h.pending) >= h.cfg.MaxPending {
		h.overflow++
		h.mu.Unlock()
		h.hubDropped.Add(1)
		return
	}
	h.pending = append(h.pending, ev)
	h.mu.Unlock()
	h.events.Add(1)
}

// Pending returns how many events wait for the next flush.
func (h *Hub) Pending() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pending)
}

// now returns the stream's current T: that of the last event emitted.
func (h *Hub) now() float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastT
}

func (h *Hub) flusher() {
	defer close(h.flusherDone)
	tick := time.NewTicker(h.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-tick.C:
			h.smu.Lock()
			h.flushLocked()
			h.smu.Unlock()
		}
	}
}

// flushLocked encodes the pending events once and queues the batches on
// every sink. The caller holds smu.
func (h *Hub) flushLocked() {
	h.mu.Lock()
	evs, over, t := h.pending, h.overflow, h.lastT
	h.pending, h.overflow = h.spare[:0], 0
	h.mu.Unlock()
	if over > 0 {
		evs = append(evs, protocol.Event{Type: protocol.TypeNote, T: t,
			Text:   fmt.Sprintf("dropped %d events: the source emitted faster than the hub could send", over),
			Params: map[string]any{"dropped": over}})
	}
	if len(evs) == 0 {
		h.spare = evs
		return
	}
	if len(h.sinks) == 0 { // nobody listens: nothing to encode
		clear(evs)
		h.spare = evs[:0]
		return
	}
	h.out = h.enc.encode(evs, h.out[:0])
	clear(evs) // drop references to params maps
	h.spare = evs[:0]
	if h.cfg.ClientWrote != nil {
		now := time.Now()
		for i := range h.out {
			h.out[i].at = now
		}
	}
	for s := range h.sinks {
		for _, b := range h.out {
			if !s.q.push(b) {
				h.sinkDropped.Add(uint64(b.events))
			}
		}
	}
	clear(h.out)
}

// addSink registers s and puts the header and a snapshot of the current
// state at the head of its queue. The source is asked for them after s is
// registered and outside the hub's locks: a source busy with a slow command
// (a node restarting) then delays only this new client, and whatever happens
// meanwhile is queued behind the snapshot, not lost. s's writer must not
// start before addSink returns, and must call h.writers.Done once it has
// written what it will (when addSink succeeds).
func (h *Hub) addSink(s *sink) error {
	h.smu.Lock()
	switch {
	case h.closed:
		h.smu.Unlock()
		return fmt.Errorf("hub is closed")
	case h.src == nil:
		h.smu.Unlock()
		return fmt.Errorf("no live source")
	}
	var evicted *sink
	if s.kind == "client" {
		var err error
		if evicted, err = h.makeRoomLocked(s.addr, time.Now()); err != nil {
			h.smu.Unlock()
			return err
		}
		s.bucket = h.bucketLocked(s.addr)
		s.active.Store(time.Now().UnixNano())
	}
	h.flushLocked() // what is pending now goes to the others, not to s
	// Counted under smu, before Close can start waiting: the caller owes
	// one writers.Done.
	h.writers.Add(1)
	src := h.src
	h.nextID++
	s.id = h.nextID
	s.since = time.Now()
	h.sinks[s] = struct{}{}
	if s.kind == "client" {
		h.firstClientOnce.Do(func() { close(h.firstClient) })
	}
	h.smu.Unlock()
	if evicted != nil {
		evicted.evict(evicted.evictReason)
	}

	h.snapMu.Lock()
	defer h.snapMu.Unlock()
	first := append([]protocol.Event{src.Header()}, src.Snapshot()...)
	// Keep T non-decreasing for s: the snapshot may not be later than the
	// first event queued behind it.
	if t, ok := s.q.firstT(); ok {
		for i := 1; i < len(first); i++ {
			first[i].T = min(first[i].T, t)
		}
	}
	// The snapshot goes ahead of the backlog limit (a client must get it),
	// so it is made to fit within that limit instead.
	bs, left := newEncoder(h.cfg.MaxMessageBytes).encodeWithin(first, s.q.limit, nil)
	if left > 0 {
		t := first[len(first)-1].T
		bs = append(bs, noteBatch(protocol.Event{Type: protocol.TypeNote, T: t,
			Text:   fmt.Sprintf("snapshot: %d state events left out to fit this client's %d-byte buffer", left, s.q.limit),
			Params: map[string]any{"left_out_states": left}}))
	}
	s.q.prepend(bs)
	return nil
}

func (h *Hub) removeSink(s *sink) {
	h.smu.Lock()
	h.dropSinkLocked(s)
	h.smu.Unlock()
	s.q.close()
}

// WaitClient returns a channel closed when the first client has joined.
func (h *Hub) WaitClient() <-chan struct{} { return h.firstClient }

// Close flushes what is pending, lets every sink drain (each bounded by
// WriteTimeout), and stops the hub. Emit after Close is harmless.
func (h *Hub) Close() error {
	h.smu.Lock()
	if h.closed {
		h.smu.Unlock()
		return nil
	}
	h.closed = true
	close(h.done)
	h.smu.Unlock()
	<-h.flusherDone
	h.smu.Lock()
	h.flushLocked()
	h.mu.Lock()
	h.stopped = true
	h.mu.Unlock()
	sinks := make([]*sink, 0, len(h.sinks))
	for s := range h.sinks {
		sinks = append(sinks, s)
	}
	h.smu.Unlock()
	for _, s := range sinks {
		h.removeSink(s)
	}
	h.writers.Wait()
	return nil
}
