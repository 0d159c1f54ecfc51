package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/gossipscope/gossipscope/cluster"
	"github.com/gossipscope/gossipscope/internal/webguard"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
)

// Config configures one node. DefaultConfig returns Alertmanager v0.27's
// cluster settings (cluster.Create) and routing defaults; tests and labs
// shorten the timings.
type Config struct {
	// Name is the memberlist name. Default: a new ULID-like name, as
	// Alertmanager uses, so the node sorts among real peers the same way.
	Name string
	// ClusterAddr is the gossip listen address (UDP and TCP), e.g.
	// "127.0.0.1:9094"; port 0 picks a free port.
	ClusterAddr string
	// APIAddr is the HTTP API listen address ("" = no HTTP server; Handler
	// is still available).
	APIAddr string
	// AllowedHosts are host names the API answers besides its address, IP
	// literals and localhost (--web.allowed-hosts; see webguard.Hosts).
	AllowedHosts []string
	// Peers are the --cluster.peer addresses to join.
	Peers []string
	// Webhook is the URL notifications are POSTed to ("" = notifications
	// are deduplicated and logged but not sent anywhere).
	Webhook string
	// Receiver is the receiver name in the notification log, like
	// Alertmanager's route receiver ("hook" in docs/gossip-rules.md).
	Receiver string
	// PeerTimeout is --cluster.peer-timeout: a node waits position x
	// PeerTimeout before notifying.
	PeerTimeout time.Duration

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
	// max(3, len(peers)/2) and also uses it as GossipNodes. 0 = that rule.
	RetransmitMult int
	// Label is memberlist's cluster label (--cluster.label).
	Label string

	// Routing of alerts, as one Alertmanager route with one receiver.
	GroupBy        []string
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	ResolveTimeout time.Duration
	// Retention is how long expired silences and nflog entries are kept.
	Retention time.Duration

	// Emit is called, from any goroutine, for every event; it must not
	// block long. nil = events are dropped.
	Emit func(protocol.Event)
	// Start is t=0 of the event stream: events carry T = ms since Start.
	Start time.Time
	// LabNet is the network of the lab the node is part of (nil: none).
	LabNet *LabNet
	Logger *slog.Logger

	// emitAll, set by a Lab, takes the events of one packet at once (one
	// lock for the lab's ordering instead of one per event).
	emitAll func([]protocol.Event)
}

// Alertmanager's default ports: --cluster.listen-address and
// --web.listen-address. A single node takes them; a lab's first node takes
// LabGossipPort and LabAPIPort, Alertmanager's plus 10000, so that a lab
// runs beside a real Alertmanager on its well-known ports.
const (
	GossipPort    = 9094
	APIPort       = 9093
	LabGossipPort = 19094
	LabAPIPort    = 19093
)

// DefaultConfig returns Alertmanager v0.27's settings: gossip on
// 127.0.0.1:9094, API on 127.0.0.1:9093 (loopback rather than all
// interfaces, to be safe by default), peer timeout 15 s, GossipInterval
// 200 ms, PushPullInterval 60 s, ProbeInterval 1 s, ProbeTimeout 500 ms,
// TCPTimeout 10 s, and the default route's group_wait 30 s,
// group_interval 5 m, repeat_interval 4 h, resolve_timeout 5 m.
func DefaultConfig() Config {
	p, r := cluster.DefaultConfig(), notify.DefaultConfig()
	return Config{
		ClusterAddr:      net.JoinHostPort("127.0.0.1", strconv.Itoa(GossipPort)),
		APIAddr:          net.JoinHostPort("127.0.0.1", strconv.Itoa(APIPort)),
		Receiver:         r.Receiver,
		PeerTimeout:      r.PeerTimeout,
		GossipInterval:   p.GossipInterval,
		PushPullInterval: p.PushPullInterval,
		ProbeInterval:    p.ProbeInterval,
		ProbeTimeout:     p.ProbeTimeout,
		TCPTimeout:       p.TCPTimeout,
		SuspicionMult:    p.SuspicionMult,
		GroupBy:          r.GroupBy,
		GroupWait:        r.GroupWait,
		GroupInterval:    r.GroupInterval,
		RepeatInterval:   r.RepeatInterval,
		ResolveTimeout:   r.ResolveTimeout,
		Retention:        silence.DefaultRetention,
	}
}

// FastConfig returns DefaultConfig with timings shortened for tests and
// labs on loopback: gossip every 50 ms, probes every 200 ms, push-pull every
// 2 s, group_wait 200 ms, peer timeout 1 s. Membership and replication then
// settle within a second or two instead of tens of seconds.
func FastConfig() Config {
	c := DefaultConfig()
	c.ClusterAddr = "127.0.0.1:0"
	c.APIAddr = "127.0.0.1:0"
	c.PeerTimeout = time.Second
	c.GossipInterval = 50 * time.Millisecond
	c.PushPullInterval = 2 * time.Second
	c.ProbeInterval = 200 * time.Millisecond
	c.ProbeTimeout = 100 * time.Millisecond
	c.TCPTimeout = 2 * time.Second
	c.SuspicionMult = 2
	c.GroupWait = 200 * time.Millisecond
	c.GroupInterval = 5 * time.Second
	c.RepeatInterval = time.Hour
	return c
}

// ErrConfig marks errors in a Config (as opposed to failures to listen or
// join): errors.Is(err, ErrConfig).
var ErrConfig = errors.New("invalid configuration")

// durations lists c's durations, to default and check them alike.
func (c *Config) durations() []struct {
	p  *time.Duration
	nm string
} {
	return []struct {
		p  *time.Duration
		nm string
	}{
		{&c.PeerTimeout, "peer timeout"}, {&c.GossipInterval, "gossip interval"},
		{&c.PushPullInterval, "push-pull interval"}, {&c.ProbeInterval, "probe interval"},
		{&c.ProbeTimeout, "probe timeout"}, {&c.TCPTimeout, "TCP timeout"},
		{&c.GroupWait, "group wait"}, {&c.GroupInterval, "group interval"},
		{&c.RepeatInterval, "repeat interval"}, {&c.ResolveTimeout, "resolve timeout"},
		{&c.Retention, "retention"},
	}
}

// withDefaults fills zero fields from DefaultConfig (as live's and
// observer's Configs do).
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Name == "" {
		c.Name = cluster.NewULID(time.Now())
	}
	if c.ClusterAddr == "" {
		c.ClusterAddr = d.ClusterAddr
	}
	if c.Receiver == "" {
		c.Receiver = d.Receiver
	}
	ds := d.durations()
	for i, x := range c.durations() {
		if *x.p == 0 {
			*x.p = *ds[i].p
		}
	}
	if c.SuspicionMult <= 0 {
		c.SuspicionMult = d.SuspicionMult
	}
	if c.RetransmitMult <= 0 {
		c.RetransmitMult = max(3, len(c.Peers)/2) // Alertmanager's rule
	}
	if len(c.GroupBy) == 0 {
		c.GroupBy = d.GroupBy
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first setting that cannot work, as an ErrConfig.
func (c *Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return nil
}

func (c *Config) validate() error {
	if len(c.Name) > 128 {
		return fmt.Errorf("name longer than 128 bytes")
	}
	if _, _, err := splitHostPort(c.ClusterAddr); err != nil {
		return fmt.Errorf("cluster address %q: %w", c.ClusterAddr, err)
	}
	if c.APIAddr != "" {
		if _, err := net.ResolveTCPAddr("tcp", c.APIAddr); err != nil {
			return fmt.Errorf("API address %q: %w", c.APIAddr, err)
		}
	}
	if _, err := webguard.NewHosts(c.APIAddr, c.AllowedHosts); err != nil {
		return err
	}
	for _, p := range c.Peers {
		if _, _, err := net.SplitHostPort(p); err != nil {
			return fmt.Errorf("peer %q: %w", p, err)
		}
	}
	if c.Webhook != "" {
		u, err := url.Parse(c.Webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("webhook %q: not an http(s) URL", c.Webhook)
		}
	}
	for _, x := range c.durations() {
		if *x.p < 0 {
			return fmt.Errorf("%s %v is negative", x.nm, *x.p)
		}
	}
	return nil
}

func splitHostPort(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := net.LookupPort("tcp", port)
	if err != nil {
		return "", 0, err
	}
	if host == "" {
		host = "0.0.0.0"
	}
	if net.ParseIP(host) == nil {
		ips, err := net.LookupIP(host)
		if err != nil || len(ips) == 0 {
			return "", 0, fmt.Errorf("cannot resolve host %q", host)
		}
		host = ips[0].String()
	}
	return host, p, nil
}
