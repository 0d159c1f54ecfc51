package live

import (
	"bufio"
	"io"
	"sync"
)

// Recording is a hub's stream being written to a file: see Hub.Record.
type Recording struct {
	h    *Hub
	s    *sink
	done chan struct{}

	mu  sync.Mutex
	err error
}

// Record writes the stream from now on to w as JSON Lines: the header and
// a snapshot of the current state first, then every event, and a note
// wherever events had to be dropped (the disk fell RecordBuffer bytes
// behind). A write error stops the recording, not the hub; Stop reports it.
func (h *Hub) Record(w io.Writer) (*Recording, error) {
	r := &Recording{h: h, done: make(chan struct{}),
		s: &sink{kind: "record", remote: "", q: newQueue(h.cfg.RecordBuffer)}}
	if err := h.addSink(r.s); err != nil {
		return nil, err
	}
	go func() {
		defer h.writers.Done()
		defer close(r.done)
		r.write(w)
	}()
	return r, nil
}

func (r *Recording) write(w io.Writer) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var items []batch
	for range r.s.q.ready {
		for {
			var closed bool
			items, closed = r.s.q.take(1<<20, items[:0])
			for _, b := range items {
				if _, err := bw.Write(b.data); err != nil {
					r.fail(err)
					return
				}
			}
			clear(items)
			if len(items) == 0 {
				if err := bw.Flush(); err != nil {
					r.fail(err)
					return
				}
				if closed {
					return
				}
				break
			}
		}
	}
}

func (r *Recording) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.h.log.Error("live: recording stopped", "err", err)
	r.h.removeSink(r.s)
}

// Stop ends the recording after writing every event emitted before it
// (those still waiting for the hub's next flush are flushed now), and
// returns the first write error, if any. It does not close the underlying
// writer.
func (r *Recording) Stop() error {
	r.h.smu.Lock()
	r.h.flushLocked()
	r.h.smu.Unlock()
	r.h.removeSink(r.s)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
