package cluster

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// Config configures a peer. DefaultConfig returns Alertmanager v0.27's
// cluster settings (cluster.Create); zero fields of a Config given to New
// take those defaults.
type Config struct {
	// Name is the memberlist name. Default: a new ULID, as Alertmanager
	// names its peers, so the peer sorts among real ones the same way.
	Name string
	// BindAddr and BindPort are where the transport listens, as memberlist
	// is told (it uses the port for peers given without one).
	BindAddr string
	BindPort int
	// AdvertiseAddr and AdvertisePort are passed to the transport's
	// FinalAdvertiseAddr ("" lets the transport choose).
	AdvertiseAddr string
	AdvertisePort int
	// Label is memberlist's cluster label (--cluster.label).
	Label string

	// memberlist timings (Alertmanager's cluster.Create defaults).
	GossipInterval   time.Duration
	PushPullInterval time.Duration
	ProbeInterval    time.Duration
	ProbeTimeout     time.Duration
	TCPTimeout       time.Duration
	// SuspicionMult scales how long a suspect stays suspect before it is
	// declared dead (memberlist's LAN default 4).
	SuspicionMult int
	// RetransmitMult bounds how often a broadcast is sent; Alertmanager uses
	// max(3, len(peers)/2) and also uses it as GossipNodes. Default 3.
	RetransmitMult int
	// AwarenessMaxMultiplier is memberlist's bound on Lifeguard's local
	// health awareness (how far a peer that misses acks slows its own
	// probing); 0 keeps memberlist's 8, 1 turns awareness off.
	AwarenessMaxMultiplier int

	// Membership is the view the peer feeds; nil: New makes one from Name,
	// Start and Emit. Give one when the transport needs it too.
	Membership *Membership
	// Emit takes the peer's node events (when New makes the Membership).
	Emit func(protocol.Event)
	// Start is t=0 of the event stream. Default: now.
	Start  time.Time
	Logger *slog.Logger
}

// DefaultConfig returns Alertmanager v0.27's settings: GossipInterval
// 200 ms, PushPullInterval 60 s, ProbeInterval 1 s, ProbeTimeout 500 ms,
// TCPTimeout 10 s, memberlist's SuspicionMult 4, RetransmitMult 3.
func DefaultConfig() Config {
	return Config{
		GossipInterval:   200 * time.Millisecond,
		PushPullInterval: 60 * time.Second,
		ProbeInterval:    time.Second,
		ProbeTimeout:     500 * time.Millisecond,
		TCPTimeout:       10 * time.Second,
		SuspicionMult:    4,
		RetransmitMult:   3,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Name == "" {
		c.Name = NewULID(time.Now())
	}
	for _, x := range []struct{ p, def *time.Duration }{
		{&c.GossipInterval, &d.GossipInterval}, {&c.PushPullInterval, &d.PushPullInterval},
		{&c.ProbeInterval, &d.ProbeInterval}, {&c.ProbeTimeout, &d.ProbeTimeout},
		{&c.TCPTimeout, &d.TCPTimeout},
	} {
		if *x.p == 0 {
			*x.p = *x.def
		}
	}
	if c.SuspicionMult <= 0 {
		c.SuspicionMult = d.SuspicionMult
	}
	if c.RetransmitMult <= 0 {
		c.RetransmitMult = d.RetransmitMult
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Membership == nil {
		c.Membership = NewMembership(c.Name, c.Start, c.Emit, nil)
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if len(c.Name) > 128 {
		return fmt.Errorf("name longer than 128 bytes")
	}
	for _, d := range []time.Duration{c.GossipInterval, c.PushPullInterval, c.ProbeInterval, c.ProbeTimeout, c.TCPTimeout} {
		if d < 0 {
			return fmt.Errorf("negative duration %v", d)
		}
	}
	return nil
}
