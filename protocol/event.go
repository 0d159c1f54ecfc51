// Package protocol is the contract between every source of gossip (the
// simulator, real memberlist nodes, an Alertmanager observer, a recording)
// and the page that draws it: a stream of events, one JSON object per line.
//
// It knows nobody; everybody else knows it. See docs/protocol.md.
package protocol

import "fmt"

// FormatVersion is the version of the event stream format written in every
// header. Decoders accept streams with an equal or lower version.
const FormatVersion = 1

// Type names what an event says.
type Type string

// Event types. A stream starts with a header; the rest may come in any mix.
const (
	TypeHeader    Type = "header"    // stream version, source and parameters
	TypeNode      Type = "node"      // membership: a node's status changed
	TypeMsg       Type = "msg"       // one message from one node to another
	TypeState     Type = "state"     // a node now holds Key at Version ("infected")
	TypeRound     Type = "round"     // the simulator started round Round
	TypeParam     Type = "param"     // a running source changed a parameter (Params)
	TypePartition Type = "partition" // the network is cut into Groups
	TypeHeal      Type = "heal"      // every partition is healed
	TypeNote      Type = "note"      // free text for people (e.g. "dropped 12 events")
	TypeReply     Type = "reply"     // the answer to a Command with the same ID
)

// Status is a node's membership status.
type Status string

// Node statuses. A crashed node is dead; a restarted or joining one is alive.
const (
	StatusAlive   Status = "alive"
	StatusSuspect Status = "suspect"
	StatusDead    Status = "dead"
	StatusLeft    Status = "left"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusAlive, StatusSuspect, StatusDead, StatusLeft:
		return true
	}
	return false
}

// Message kinds used by the simulator. Real memberlist nodes use memberlist's
// own names ("ping", "ack", "alive", "pushpull", "user", ...).
const (
	KindPush     = "push"     // (key, value, version) sent unasked
	KindPullReq  = "pullreq"  // (key, version) digest asking for newer items
	KindPullResp = "pullresp" // the newer items a digest asked for
	KindPushBack = "pushback" // PUSH-PULL's third message: items where the asker is newer
)

// Event is one thing that happened at time T. It is a single flat struct
// rather than one type per event so that decoding is one allocation-free
// step and the page can keep millions of them in a slice; each Type uses the
// fields its comment names and leaves the rest zero (and out of the JSON).
type Event struct {
	Type Type `json:"type"`
	// T is milliseconds since the stream's start: virtual time for the
	// simulator, wall time for live sources.
	T float64 `json:"t"`

	// Header: Version is the format version; Source names the producer
	// (one of the Source constants); Params its settings.
	// Param events carry the changed settings in Params.
	Source string         `json:"source,omitempty"`
	Params map[string]any `json:"params,omitempty"`

	// Node: Node and Status. State: Node, Key, Version, Value.
	Node   string `json:"node,omitempty"`
	Status Status `json:"status,omitempty"`

	// Msg: From, To, Kind, and for data-carrying messages Key and Version.
	// Arrive is when it reaches To (0 if lost or unknown); Lost says it never
	// will; Redundant says To already held that Key at that Version.
	From      string  `json:"from,omitempty"`
	To        string  `json:"to,omitempty"`
	Kind      string  `json:"kind,omitempty"`
	Key       string  `json:"key,omitempty"`
	Version   int64   `json:"version,omitempty"`
	Value     string  `json:"value,omitempty"`
	Bytes     int     `json:"bytes,omitempty"`
	Arrive    float64 `json:"arrive,omitempty"`
	Lost      bool    `json:"lost,omitempty"`
	Redundant bool    `json:"redundant,omitempty"`

	// Round: the round number (simulator, synchronous or nominal period).
	Round int `json:"round,omitempty"`

	// Partition: the groups that can talk among themselves only.
	Groups [][]string `json:"groups,omitempty"`

	// Note and Reply: human-readable text; Reply: the command's ID and,
	// when it failed, Error.
	Text  string `json:"text,omitempty"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error,omitempty"`
}

// Validate reports the first thing that makes e unusable by a player.
// Unknown types are not invalid: they are the decoder's business (skipped
// and counted), so that old pages can play newer streams.
func (e *Event) Validate() error {
	if e.T < 0 {
		return fmt.Errorf("%s event: negative time %v", e.Type, e.T)
	}
	switch e.Type {
	case TypeHeader:
		if e.Version < 1 {
			return fmt.Errorf("header: missing format version")
		}
		if e.Version > FormatVersion {
			return fmt.Errorf("header: format version %d is newer than this reader's %d", e.Version, FormatVersion)
		}
	case TypeNode:
		if e.Node == "" {
			return fmt.Errorf("node event: missing node")
		}
		if !e.Status.Valid() {
			return fmt.Errorf("node event: unknown status %q", e.Status)
		}
	case TypeMsg:
		if e.From == "" || e.To == "" {
			return fmt.Errorf("msg event: missing from or to")
		}
		if e.Arrive != 0 && e.Arrive < e.T {
			return fmt.Errorf("msg event: arrives (%v) before it is sent (%v)", e.Arrive, e.T)
		}
	case TypeState:
		if e.Node == "" || e.Key == "" {
			return fmt.Errorf("state event: missing node or key")
		}
	case TypePartition:
		if len(e.Groups) < 2 {
			return fmt.Errorf("partition event: needs at least two groups")
		}
	}
	return nil
}

// Known reports whether t is an event type this version understands.
func (t Type) Known() bool {
	switch t {
	case TypeHeader, TypeNode, TypeMsg, TypeState, TypeRound, TypeParam,
		TypePartition, TypeHeal, TypeNote, TypeReply:
		return true
	}
	return false
}

// Stream sources: what a header's Source says produced the stream.
const (
	SourceSim          = "sim"          // the simulator (engine)
	SourceLab          = "lab"          // real memberlist nodes on loopback (node.Lab)
	SourceNode         = "node"         // one real node (gossipscope node)
	SourceAlertmanager = "alertmanager" // a real Alertmanager cluster, observed (observer)
	SourceReplay       = "replay"       // a recording played back (live.Replay)
	SourceMemberlist   = "memberlist"   // memberlist nodes in the page (memlab)
)

// Header returns a header event for a stream from source with params.
func Header(source string, params map[string]any) Event {
	return Event{Type: TypeHeader, Version: FormatVersion, Source: source, Params: params}
}
