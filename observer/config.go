package observer

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// Config says which Alertmanagers to observe and how. The zero value of a
// tuning field means its default (DefaultConfig).
type Config struct {
	// URLs are the Alertmanagers' HTTP base URLs (http://host:9093), each
	// polled with GET requests only. At least one, unless Join is set.
	URLs []string

	// Interval between two polls of one Alertmanager (1 s). Arrival times
	// of a silence are known to within this.
	Interval time.Duration
	// Timeout bounds one HTTP request (2 s).
	Timeout time.Duration
	// MaxBackoff bounds the wait between retries of an Alertmanager that
	// does not answer; the wait doubles from Interval up to it (30 s).
	MaxBackoff time.Duration
	// MaxConcurrent bounds HTTP requests in flight over all URLs (4).
	MaxConcurrent int
	// MaxResponseBytes bounds one response body read (32 MiB).
	MaxResponseBytes int64

	// Join, when set, makes the observer a memberlist member of the
	// cluster through this gossip address (host:port), to see the
	// messages sent to it. See the package doc for what that costs the
	// cluster.
	Join string
	// Bind is the observer's gossip address when joining (host:port, port
	// 0 = any). Default: 127.0.0.1:0 for a loopback Join; otherwise it
	// must be set to an address the real peers can reach.
	Bind string
	// Label is the cluster's memberlist label (Alertmanager's
	// --cluster.label), if it has one.
	Label string
	// Name is the observer's member name; default "~observer-" and a
	// random suffix. It must sort after every real peer's name (checked
	// before and after joining).
	Name string
	// LeaveTimeout bounds the wait for the leave message on Close (5 s).
	LeaveTimeout time.Duration

	// Emit receives every event; it must not block for long. Required.
	Emit func(protocol.Event)
	// Start is the stream's t=0 (default: when New is called).
	Start time.Time
	// Propagated, when set, is told each time a node is first seen holding
	// a silence version made after the observer started: the node's alias
	// and how long after the silence's updatedAt that was (to within the
	// poll interval). The server's propagation histogram; must be quick.
	Propagated func(node string, delay time.Duration)
	// Logger gets what is not worth an event; nil means slog.Default.
	Logger *slog.Logger
	// Transport is the HTTP transport under the observer's GET-only
	// client (nil: a clone of http.DefaultTransport).
	Transport http.RoundTripper
}

// DefaultConfig returns the tuning defaults.
func DefaultConfig() Config {
	return Config{
		Interval:         time.Second,
		Timeout:          2 * time.Second,
		MaxBackoff:       30 * time.Second,
		MaxConcurrent:    4,
		MaxResponseBytes: 32 << 20,
		LeaveTimeout:     5 * time.Second,
	}
}

// MaxURLs bounds how many Alertmanagers one observer polls.
const MaxURLs = 64

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Interval <= 0 {
		c.Interval = d.Interval
	}
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = d.MaxBackoff
	}
	c.MaxBackoff = max(c.MaxBackoff, c.Interval)
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = d.MaxConcurrent
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = d.MaxResponseBytes
	}
	if c.LeaveTimeout <= 0 {
		c.LeaveTimeout = d.LeaveTimeout
	}
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c *Config) Validate() error {
	if len(c.URLs) == 0 && c.Join == "" {
		return errors.New("nothing to observe: give at least one Alertmanager URL, or a gossip address to join")
	}
	if len(c.URLs) > MaxURLs {
		return fmt.Errorf("%d Alertmanager URLs; at most %d", len(c.URLs), MaxURLs)
	}
	seen := map[string]bool{}
	for _, u := range c.URLs {
		if err := CheckURL(u); err != nil {
			return err
		}
		if seen[u] {
			return fmt.Errorf("alertmanager URL %s given twice", u)
		}
		seen[u] = true
	}
	if c.Emit == nil {
		return errors.New("observer: Config.Emit is required")
	}
	if c.Join != "" {
		if _, _, err := net.SplitHostPort(c.Join); err != nil {
			return fmt.Errorf("join address %q: want host:port (%v)", c.Join, err)
		}
		if c.Bind != "" {
			h, _, err := net.SplitHostPort(c.Bind)
			if err != nil {
				return fmt.Errorf("bind address %q: want ip:port (%v)", c.Bind, err)
			}
			if net.ParseIP(h) == nil {
				return fmt.Errorf("bind address %q: want an IP address, not a name", c.Bind)
			}
		} else if !isLoopback(c.Join) {
			return fmt.Errorf("joining %s, which is not on loopback: say which address the real peers can reach the observer on (bind address)", c.Join)
		}
	}
	return nil
}

// CheckURL reports whether u is an http(s) base URL of an Alertmanager.
func CheckURL(u string) error {
	if !strings.Contains(u, "://") {
		return fmt.Errorf("alertmanager URL %q: want http://host:port", u)
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("alertmanager URL %q: %v", u, err)
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return fmt.Errorf("alertmanager URL %q: want http:// or https://", u)
	}
	if p.Host == "" {
		return fmt.Errorf("alertmanager URL %q: missing host", u)
	}
	if p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("alertmanager URL %q: want a base URL without query or fragment", u)
	}
	return nil
}

// isLoopback reports whether hostport's host is a loopback address or
// "localhost".
func isLoopback(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
