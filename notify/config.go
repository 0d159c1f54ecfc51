package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
)

// Config is one route with one receiver, as Alertmanager's, and what the
// pipeline consults. Zero durations take DefaultConfig's.
type Config struct {
	Name     string // the peer's name, in notes
	Receiver string // the receiver's name in the notification log; default "hook"
	GroupBy  []string
	// group_wait, group_interval, repeat_interval, resolve_timeout.
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	ResolveTimeout time.Duration
	// PeerTimeout is --cluster.peer-timeout: a peer waits position x
	// PeerTimeout before notifying.
	PeerTimeout time.Duration

	// Position is the peer's position among the members sorted by name
	// (cluster.Peer.Position); nil: 0, a lone peer.
	Position func() int
	// Silences mute alerts (silence.Silences).
	Silences interface {
		Mutes(labels map[string]string) []string
	}
	// Log is the gossiped notification log (nflog.Log).
	Log NotificationLog
	// Sender delivers notifications; nil: they are deduplicated and
	// logged but sent nowhere.
	Sender Sender
	// ExternalURL is the message's externalURL (the API's URL).
	ExternalURL string

	// Emit takes the pipeline's notes ("<name>: sent webhook ...",
	// "skipped notification ...", "webhook attempt failed ..."), T in ms
	// since Start. nil: none.
	Emit   func(protocol.Event)
	Start  time.Time
	Logger *slog.Logger
}

// NotificationLog is what the pipeline asks of the notification log.
type NotificationLog interface {
	Query(groupKey string, r *nflogpb.Receiver) (*nflogpb.Entry, error)
	Log(r *nflogpb.Receiver, groupKey string, firing, resolved []uint64, expiry time.Duration) error
}

// Sender delivers one group's notification (one attempt; the pipeline
// retries) and describes the answer ("200 OK").
type Sender interface {
	Send(ctx context.Context, m *Message) (status string, err error)
}

// DefaultConfig returns Alertmanager v0.27's defaults: receiver "hook",
// group_by [alertname], group_wait 30 s, group_interval 5 m,
// repeat_interval 4 h, resolve_timeout 5 m, peer timeout 15 s.
func DefaultConfig() Config {
	return Config{
		Receiver:       "hook",
		GroupBy:        []string{"alertname"},
		GroupWait:      30 * time.Second,
		GroupInterval:  5 * time.Minute,
		RepeatInterval: 4 * time.Hour,
		ResolveTimeout: 5 * time.Minute,
		PeerTimeout:    15 * time.Second,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Receiver == "" {
		c.Receiver = d.Receiver
	}
	if len(c.GroupBy) == 0 {
		c.GroupBy = d.GroupBy
	}
	for _, x := range []struct{ p, def *time.Duration }{
		{&c.GroupWait, &d.GroupWait}, {&c.GroupInterval, &d.GroupInterval},
		{&c.RepeatInterval, &d.RepeatInterval}, {&c.ResolveTimeout, &d.ResolveTimeout},
		{&c.PeerTimeout, &d.PeerTimeout},
	} {
		if *x.p == 0 {
			*x.p = *x.def
		}
	}
	if c.Position == nil {
		c.Position = func() int { return 0 }
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c *Config) t() float64 { return float64(time.Since(c.Start).Microseconds()) / 1000 }
