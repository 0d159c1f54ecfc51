package live

import (
	"log/slog"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// Source is a running producer of events that a Hub streams. Its events
// reach the hub through Hub.Emit; the hub asks it only for what a client
// joining late needs, and passes commands on.
type Source interface {
	// Header is the stream's first event (TypeHeader).
	Header() protocol.Event
	// Snapshot returns the current state as events at the current t, for
	// a client joining late. It may be called from any goroutine.
	Snapshot() []protocol.Event
	// Command carries out c or returns why not; a failed command must
	// change nothing.
	Command(c protocol.Command) error
}

// Config tunes a Hub. The zero value of any field means its default; see
// DefaultConfig.
type Config struct {
	// ClientWrote, when set, is told for every batch of events written to
	// a websocket client how many events it held and how long it waited
	// between the hub's flush and the end of its write: the server's
	// events-sent counter and lag histogram (a callback, so that live
	// needs no metrics library).
	ClientWrote func(events int, lag time.Duration)

	// FlushInterval is how often pending events are encoded and sent, as
	// one websocket message per client. Shorter: lower lag, more messages.
	FlushInterval time.Duration

	// ClientBuffer is how many bytes of encoded events may wait for one
	// client. When full, new batches for that client are dropped and
	// counted, and the client is told how many when it catches up.
	ClientBuffer int

	// RecordBuffer is ClientBuffer for the recorder, larger because a disk
	// stall should not cost events.
	RecordBuffer int

	// WriteTimeout bounds one websocket write; a client that does not take
	// a message within it is disconnected.
	WriteTimeout time.Duration

	// SlowClientTimeout disconnects a client that has been dropping events
	// for this long without catching up once.
	SlowClientTimeout time.Duration

	// MaxPending bounds events waiting for the next flush. Beyond it Emit
	// drops events (counted) rather than grow without limit or block the
	// source.
	MaxPending int

	// MaxMessageBytes is the size at which an outgoing batch is split into
	// several websocket messages.
	MaxMessageBytes int

	// CommandRate bounds the commands a second from one remote address,
	// however many connections it opens (with bursts of as many); more get
	// an error reply and change nothing. Restarting nodes in a tight loop
	// would otherwise starve the lab.
	CommandRate float64

	// MaxClients bounds concurrent /ws clients, and MaxClientsPerAddr
	// those from one remote address. A client past either limit takes the
	// place of the client that has sent no command for longest, if that is
	// at least ClientIdleTimeout; otherwise it gets HTTP 503.
	MaxClients        int
	MaxClientsPerAddr int
	ClientIdleTimeout time.Duration

	// OriginPatterns are extra origins allowed to open /ws, as
	// websocket.AcceptOptions.OriginPatterns (host patterns such as
	// "localhost:3000", or "scheme://host"). The server's own origin is
	// always allowed.
	OriginPatterns []string

	// Logger gets connection and error reports; nil means slog.Default.
	Logger *slog.Logger
}

// DefaultConfig returns the settings used when a field is zero: 25 ms
// flushes, 8 MiB per client, 5 s writes, 10 s of continuous dropping before
// a client is cut off, 64 clients (16 from one address; one idle for a
// minute makes room), 20 commands a second from one address.
func DefaultConfig() Config {
	return Config{
		FlushInterval:     25 * time.Millisecond,
		ClientBuffer:      8 << 20,
		RecordBuffer:      64 << 20,
		WriteTimeout:      5 * time.Second,
		SlowClientTimeout: 10 * time.Second,
		MaxPending:        1 << 18,
		MaxMessageBytes:   1 << 20,
		MaxClients:        64,
		MaxClientsPerAddr: 16,
		ClientIdleTimeout: time.Minute,
		CommandRate:       20,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.FlushInterval <= 0 {
		c.FlushInterval = d.FlushInterval
	}
	if c.ClientBuffer <= 0 {
		c.ClientBuffer = d.ClientBuffer
	}
	if c.RecordBuffer <= 0 {
		c.RecordBuffer = d.RecordBuffer
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.SlowClientTimeout <= 0 {
		c.SlowClientTimeout = d.SlowClientTimeout
	}
	if c.MaxPending <= 0 {
		c.MaxPending = d.MaxPending
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = d.MaxMessageBytes
	}
	if !(c.CommandRate > 0) {
		c.CommandRate = d.CommandRate
	}
	if c.MaxClients <= 0 {
		c.MaxClients = d.MaxClients
	}
	if c.MaxClientsPerAddr <= 0 {
		c.MaxClientsPerAddr = d.MaxClientsPerAddr
	}
	if c.ClientIdleTimeout <= 0 {
		c.ClientIdleTimeout = d.ClientIdleTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
