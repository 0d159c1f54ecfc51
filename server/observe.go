package server

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/observer"
	"github.com/gossipscope/gossipscope/protocol"
)

func init() {
	register("observe", "watch a real Alertmanager cluster (read-only) and serve the page streaming it", runObserve)
}

// minInterval keeps a mistyped --interval from hammering a production
// Alertmanager.
const minInterval = 100 * time.Millisecond

// observeOptions configure the observer of observe.
type observeOptions struct {
	urls       []string
	interval   time.Duration
	timeout    time.Duration
	maxBackoff time.Duration
	join       string
	bind       string
	label      string
	name       string
	propagated func(node string, delay time.Duration) // observer.Config.Propagated
}

func addObserveFlags(fs *flag.FlagSet, o *observeOptions) {
	fs.Func("alertmanager.url", "base URL of an Alertmanager to poll, e.g. http://127.0.0.1:9093 (repeatable, or comma-separated)", func(s string) error {
		for _, u := range strings.Split(s, ",") {
			if u = strings.TrimSpace(u); u != "" {
				if err := observer.CheckURL(u); err != nil {
					return err
				}
				o.urls = append(o.urls, strings.TrimSuffix(u, "/"))
			}
		}
		return nil
	})
	d := observer.DefaultConfig()
	fs.DurationVar(&o.interval, "interval", d.Interval, "time between two polls of one Alertmanager (status, silences, metrics); a silence's arrival on each node is known to within it")
	fs.DurationVar(&o.timeout, "timeout", d.Timeout, "bound on one HTTP request")
	fs.DurationVar(&o.maxBackoff, "max-backoff", d.MaxBackoff, "longest wait between retries of an Alertmanager that does not answer")
	fs.StringVar(&o.join, "join", "", "also join the cluster's gossip as a silent member through this gossip address (host:port, Alertmanager's --cluster.listen-address) to see the messages sent to it; it is then a member and takes a share of the gossip (see 'go doc ./observer')")
	fs.StringVar(&o.bind, "join.bind", "", "the observer's gossip address when joining (default 127.0.0.1:0 for a loopback cluster; required otherwise: an address the peers can reach)")
	fs.StringVar(&o.label, "join.label", "", "the cluster's --cluster.label, if it has one")
	fs.StringVar(&o.name, "join.name", "", "the observer's member name (default ~observer-<random>); it must sort after every peer's name, or the observer refuses to join")
}

// check reports the first flag that cannot work (exit code 2).
func (o observeOptions) check() error {
	switch {
	case len(o.urls) == 0 && o.join == "":
		return fmt.Errorf("nothing to observe: add --alertmanager.url http://host:9093 (and/or --join host:9094)")
	case o.interval < minInterval:
		return fmt.Errorf("--interval must be at least %s", minInterval)
	case o.timeout <= 0:
		return fmt.Errorf("--timeout must be positive")
	case o.maxBackoff < o.interval:
		return fmt.Errorf("--max-backoff must be at least --interval")
	case len(o.urls) > observer.MaxURLs:
		return fmt.Errorf("at most %d --alertmanager.url", observer.MaxURLs)
	}
	if o.join == "" && (o.bind != "" || o.label != "" || o.name != "") {
		return fmt.Errorf("--join.bind, --join.label and --join.name need --join")
	}
	c := o.config(func(protocol.Event) {}, nil)
	return c.Validate()
}

func (o observeOptions) config(emit func(protocol.Event), logger *slog.Logger) observer.Config {
	return observer.Config{
		URLs:       o.urls,
		Interval:   o.interval,
		Timeout:    o.timeout,
		MaxBackoff: o.maxBackoff,
		Join:       o.join,
		Bind:       o.bind,
		Label:      o.label,
		Name:       o.name,
		Emit:       emit,
		Start:      time.Now(),
		Logger:     logger,
		Propagated: o.propagated,
	}
}

// source starts the observer as the server's live source.
func (o observeOptions) source(stdout io.Writer) sourceFunc {
	return func(h *live.Hub, logger *slog.Logger) (live.Source, func(), error) {
		mode := "passive, GET requests only"
		if o.join != "" {
			mode = "joining the gossip through " + o.join
		}
		fmt.Fprintf(stdout, "gossipscope: observing %d Alertmanager(s) (%s)\n", len(o.urls), mode)
		obs, err := observer.New(o.config(h.Emit, logger))
		if err != nil {
			return nil, nil, fmt.Errorf("observe: %w", err)
		}
		if n := obs.MemberName(); n != "" {
			fmt.Fprintf(stdout, "gossipscope: joined as %s\n", n)
		}
		var peers []string
		for _, a := range obs.Names() {
			peers = append(peers, a+"="+obs.PeerName(a))
		}
		if len(peers) > 0 {
			fmt.Fprintf(stdout, "gossipscope: peers %s\n", strings.Join(peers, ", "))
		}
		stop := func() {
			if err := obs.Close(); err != nil {
				logger.Warn("observe: closing", "err", err)
			}
		}
		return obs, stop, nil
	}
}

func runObserve(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("observe", stdout, stderr)
	var o serveOptions
	var ob observeOptions
	addObserveFlags(fs.FlagSet, &ob)
	addWebFlags(fs.FlagSet, &o)
	fs.StringVar(&o.record, "record", "", "save the session to this file as JSON Lines, for 'gossipscope replay' ('-' = standard output)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope observe --alertmanager.url URL [--alertmanager.url URL ...] [flags]\n\n"+
			"Watches a real Alertmanager HA cluster without changing it and serves the page, which shows\n"+
			"it live over /ws. By default it only polls each Alertmanager's HTTP API with GET requests:\n"+
			"members (/api/v2/status), each node's silences (/api/v2/silences: when a silence reached\n"+
			"which node) and the cluster's own gossip counters (/metrics). With --join it also becomes\n"+
			"a silent gossip member to show the messages peers send it (which costs the cluster a\n"+
			"little: see 'go doc ./observer'). Commands from the page are refused: it is read-only.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	o.logger = fs.logger()
	if err := ob.check(); err != nil {
		fmt.Fprintf(stderr, "gossipscope observe: %v\n", err)
		return 2
	}
	prop := newPropagationHistogram()
	ob.propagated = func(node string, d time.Duration) { prop.WithLabelValues(node).Observe(d.Seconds()) }
	o.metrics = append(o.metrics, prop)
	o.source = ob.source(o.statusOut(stdout, stderr))
	return serveUntilSignal("observe", o, stdout, stderr)
}
