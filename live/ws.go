package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/protocol"
)

// ServeHTTP upgrades a request to a websocket client of the stream: the
// handler for /ws. See the package doc for the wire format.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr := addrOf(r.RemoteAddr)
	h.smu.Lock()
	ready := h.src != nil && !h.closed
	var full error
	if ready {
		full = h.wouldAdmitLocked(addr, time.Now())
	}
	h.smu.Unlock()
	switch {
	case !ready:
		http.Error(w, "no live source: start the server with --lab N or replay a recording", http.StatusServiceUnavailable)
		return
	case full != nil:
		h.log.Info("live: websocket refused", "remote", r.RemoteAddr, "err", full)
		http.Error(w, full.Error(), http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.cfg.OriginPatterns})
	if err != nil { // Accept has answered (403 for a foreign origin, 400, 426)
		h.log.Info("live: websocket refused", "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "err", err)
		return
	}
	conn.SetReadLimit(protocol.MaxCommandBytes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &sink{kind: "client", remote: r.RemoteAddr, addr: addr, q: newQueue(h.cfg.ClientBuffer),
		evict: func(reason string) {
			h.log.Info("live: client evicted", "remote", r.RemoteAddr, "reason", reason)
			conn.Close(websocket.StatusPolicyViolation, reason)
			cancel()
		}}
	if err := h.addSink(s); err != nil {
		conn.Close(websocket.StatusTryAgainLater, err.Error())
		return
	}
	h.log.Info("live: client joined", "id", s.id, "remote", s.remote)

	go func() {
		defer cancel() // a failed writer ends the reader too
		h.write(ctx, conn, s)
	}()
	err = h.read(ctx, conn, s)
	h.removeSink(s)
	cancel()
	conn.CloseNow()
	h.log.Info("live: client left", "id", s.id, "remote", s.remote, "reason", err)
}

// read takes commands until the connection ends. Oversize messages make
// conn.Read fail, and coder/websocket closes with StatusMessageTooBig.
// While s's backlog is full, the next command waits unread: every command
// gets a reply, so a client must read its replies to send more.
func (h *Hub) read(ctx context.Context, conn *websocket.Conn, s *sink) error {
	for {
		if err := s.q.waitRoom(ctx); err != nil {
			return err
		}
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			h.commands.Add(1)
			h.reply(s, "", errors.New("commands are JSON text messages, not binary"))
			continue
		}
		h.command(s, data)
	}
}

// write sends s's queued batches, several to a message, until the queue is
// closed (drained first) or a write fails. A write that takes longer than
// WriteTimeout, or a client that has dropped events for SlowClientTimeout,
// ends the connection.
func (h *Hub) write(ctx context.Context, conn *websocket.Conn, s *sink) {
	drained := sync.OnceFunc(h.writers.Done)
	defer drained()
	var items []batch
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.q.ready:
		}
		for {
			var closed bool
			items, closed = s.q.take(h.cfg.MaxMessageBytes, items[:0])
			if len(items) == 0 {
				if closed {
					// Hub.Close waits for the drain, not for the peer's
					// answer to the close (up to 5 s if it does not read).
					drained()
					conn.Close(websocket.StatusGoingAway, "server shutting down")
					return
				}
				break
			}
			if timedOut, err := h.writeMessage(ctx, conn, items); err != nil {
				if timedOut {
					h.disconnected.Add(1)
					h.log.Info("live: client too slow, disconnected", "id", s.id, "remote", s.remote, "err", err)
				}
				return
			}
			if h.cfg.ClientWrote != nil {
				now := time.Now()
				for _, b := range items {
					if !b.at.IsZero() {
						h.cfg.ClientWrote(b.events, now.Sub(b.at))
					}
				}
			}
			clear(items)
			if d := s.q.slowFor(time.Now()); d > h.cfg.SlowClientTimeout {
				h.disconnected.Add(1)
				_, dropped, _ := s.q.counts()
				h.log.Info("live: client too slow, disconnected", "id", s.id, "remote", s.remote, "dropped", dropped)
				conn.Close(websocket.StatusPolicyViolation, fmt.Sprintf("too slow: dropped events for %v", d.Round(time.Second)))
				return
			}
		}
	}
}

// writeMessage writes items as one message; timedOut says the write took
// longer than WriteTimeout (rather than failing because the peer left).
func (h *Hub) writeMessage(ctx context.Context, conn *websocket.Conn, items []batch) (timedOut bool, err error) {
	wctx, cancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
	defer cancel()
	defer func() { timedOut = err != nil && errors.Is(wctx.Err(), context.DeadlineExceeded) }()
	w, err := conn.Writer(wctx, websocket.MessageText)
	if err != nil {
		return false, err
	}
	n := 0
	for _, b := range items {
		if _, err := w.Write(b.data); err != nil {
			w.Close()
			return false, err
		}
		n += len(b.data)
	}
	if err := w.Close(); err != nil {
		return false, err
	}
	h.messages.Add(1)
	h.bytes.Add(uint64(n))
	return false, nil
}

func sortSinks(s []SinkStats) {
	slices.SortFunc(s, func(a, b SinkStats) int { return a.ID - b.ID })
}
