package live

import (
	"encoding/json"
	"net/http"
	"time"
)

// Stats is a summary of the hub's work, served as JSON at /api/live.
type Stats struct {
	Source        string      `json:"source"`         // the header's source ("lab", "replay"), "" when none
	Clients       int         `json:"clients"`        // websocket clients connected now
	Events        uint64      `json:"events"`         // events emitted into the hub
	Dropped       uint64      `json:"dropped"`        // events some sink missed, plus those Emit dropped
	Messages      uint64      `json:"messages"`       // websocket messages written
	Bytes         uint64      `json:"bytes"`          // bytes written to clients
	Commands      uint64      `json:"commands"`       // commands received
	CommandErrors uint64      `json:"command_errors"` // commands answered with an error
	Disconnected  uint64      `json:"disconnected"`   // clients cut off for being too slow
	Evicted       uint64      `json:"evicted"`        // idle clients closed to make room
	Sinks         []SinkStats `json:"sinks"`
}

// SinkStats describes one client or the recorder.
type SinkStats struct {
	ID      int     `json:"id"`
	Kind    string  `json:"kind"` // "client" or "record"
	Remote  string  `json:"remote,omitempty"`
	Seconds float64 `json:"seconds"` // connected for
	Queued  int     `json:"queued"`  // bytes waiting
	Sent    uint64  `json:"sent"`    // events handed to the writer
	Dropped uint64  `json:"dropped"` // events dropped
}

// Stats returns the hub's counters now.
func (h *Hub) Stats() Stats {
	h.smu.Lock()
	st := Stats{Source: h.srcName}
	for s := range h.sinks {
		q, d, sent := s.q.counts()
		st.Sinks = append(st.Sinks, SinkStats{ID: s.id, Kind: s.kind, Remote: s.remote,
			Seconds: time.Since(s.since).Seconds(), Queued: q, Sent: sent, Dropped: d})
		if s.kind == "client" {
			st.Clients++
		}
	}
	h.smu.Unlock()
	sortSinks(st.Sinks)
	st.Events = h.events.Load()
	st.Dropped = h.hubDropped.Load() + h.sinkDropped.Load()
	st.Messages = h.messages.Load()
	st.Bytes = h.bytes.Load()
	st.Commands = h.commands.Load()
	st.CommandErrors = h.commandErrors.Load()
	st.Disconnected = h.disconnected.Load()
	st.Evicted = h.evicted.Load()
	return st
}

// StatsHandler serves Stats as JSON.
func (h *Hub) StatsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(h.Stats())
	})
}
