package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gossipscope/gossipscope"
	"github.com/gossipscope/gossipscope/internal/webguard"
	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/node"
	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	register("serve", "serve the page (and, with --lab N, a live lab cluster over /ws)", runServe)
}

// serveOptions are the settings shared by serve, lab, observe and replay.
type serveOptions struct {
	listen         string
	allowedOrigins []string
	allowedHosts   []string
	// Connection limits and keep-alive timeout; zero means webguard's
	// defaults (tests make them small).
	connsPerAddr, conns int
	idleTimeout         time.Duration
	record              string
	source              sourceFunc             // nil: the page only
	logger              *slog.Logger           // nil: warnings and errors, as logfmt on stderr
	metrics             []prometheus.Collector // the source's own, served on /metrics beside the server's
}

// sourceFunc starts the server's live source (a lab, an observer, a
// replay) streaming into the hub, and returns it with how to stop it. The
// server stops it first on Close, so that its last events (a lab's nodes
// leaving) still reach the pages and the recording.
type sourceFunc func(h *live.Hub, logger *slog.Logger) (src live.Source, stop func(), err error)

// addWebFlags adds the page and websocket flags every serving command has.
func addWebFlags(fs *flag.FlagSet, o *serveOptions) {
	fs.StringVar(&o.listen, "web.listen-address", "127.0.0.1:8080", "address to serve the page, /ws and /api/live on (loopback unless you say otherwise)")
	fs.Func("web.allowed-origin", "also let pages from this origin open /ws: a host pattern such as 'localhost:3000' or 'https://*.example.org' (repeatable, or comma-separated; default: the server's own origin only)", func(s string) error {
		for _, p := range splitList(s) {
			if p == "*" {
				return errors.New("'*' would let any web page drive the lab; name the origins")
			}
			o.allowedOrigins = append(o.allowedOrigins, p)
		}
		return nil
	})
	allowedHostsFlag(fs, &o.allowedHosts, "the server (and a lab's node APIs)")
}

// allowedHostsFlag adds --web.allowed-hosts, filling hosts; what names
// the server it guards, for the help.
func allowedHostsFlag(fs *flag.FlagSet, hosts *[]string, what string) {
	fs.Func("web.allowed-hosts", "also let "+what+" answer requests whose Host header is this name (repeatable, or comma-separated; a leading '.' allows a domain and its subdomains). By default only the listen address, IP addresses and localhost are answered, so that a web page cannot reach it through a DNS name re-pointed at it (DNS rebinding)", func(s string) error {
		list := splitList(s)
		if _, err := webguard.NewHosts("", list); err != nil {
			return err
		}
		*hosts = append(*hosts, list...)
		return nil
	})
}

// splitList splits a comma-separated flag value, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stdout, stderr)
	var o serveOptions
	var lab labOptions
	addWebFlags(fs.FlagSet, &o)
	fs.IntVar(&lab.nodes, "lab", 0, "also run a live lab cluster of this many gossip nodes and stream it over /ws (0: none)")
	addLabFlags(fs.FlagSet, &lab)
	fs.StringVar(&o.record, "record", "", "save the live session to this file as JSON Lines (needs --lab; '-' = standard output)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope serve [flags]\n\n"+
			"Serves the page. With --lab N it also runs N real gossip nodes (see 'gossipscope lab -h')\n"+
			"and streams their events to every browser over /ws; /api/live reports the stream's counters.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	o.logger = fs.logger()
	if lab.nodes < 0 || lab.nodes > node.MaxLabNodes {
		fmt.Fprintf(stderr, "gossipscope serve: --lab must be in [0, %d]\n", node.MaxLabNodes)
		return 2
	}
	if o.record != "" && lab.nodes == 0 {
		fmt.Fprintln(stderr, "gossipscope serve: --record needs a live source: add --lab N")
		return 2
	}
	if lab.nodes > 0 {
		o.withLab(lab, o.statusOut(stdout, stderr))
	}
	return serveUntilSignal("serve", o, stdout, stderr)
}

// serveUntilSignal starts the server and runs it until SIGINT or SIGTERM.
func serveUntilSignal(name string, o serveOptions, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return serveUntil(ctx, name, o, stdout, stderr)
}

// serveUntil starts the server and runs it until ctx is done.
func serveUntil(ctx context.Context, name string, o serveOptions, stdout, stderr io.Writer) int {
	s, err := startServer(o, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gossipscope %s: %v\n", name, err)
		return 1
	}
	select {
	case <-ctx.Done():
	case err = <-s.serveErr:
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "gossipscope %s: %v\n", name, err)
		return 1
	}
	return 0
}

// signalContext is done on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

// server is the page, /ws and /api/live over one listener, with the live
// source and the recording if any.
type server struct {
	ln       net.Listener
	http     *http.Server
	hub      *live.Hub
	src      live.Source // nil: the page only
	stopSrc  func()
	rec      *live.Recording
	recFile  *os.File // nil: recording to stdout
	recName  string
	serveErr chan error
	stdout   io.Writer
	log      *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// startServer listens, starts the live source and the recording when
// asked, and serves in the background.
func startServer(o serveOptions, stdout, stderr io.Writer) (*server, error) {
	recOut := stdout
	stdout = o.statusOut(stdout, stderr)
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	hosts, err := webguard.NewHosts(o.listen, o.allowedHosts)
	if err != nil {
		return nil, fmt.Errorf("--web.allowed-hosts: %w", err)
	}
	s := &server{serveErr: make(chan error, 1), stdout: stdout, log: logger}
	metrics := newServerMetrics(o.metrics)
	s.hub = live.NewHub(live.Config{OriginPatterns: o.allowedOrigins, Logger: logger, ClientWrote: metrics.clientWrote})
	metrics.watchHub(s.hub)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		s.hub.Close()
		return nil, err
	}
	s.ln = webguard.LimitListener(ln, o.connsPerAddr, o.conns)
	if o.source != nil {
		src, stop, err := o.source(s.hub, logger)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.src, s.stopSrc = src, stop
		s.hub.SetSource(src)
	}
	if o.record != "" {
		if err := s.startRecording(o.record, recOut); err != nil {
			s.Close()
			return nil, err
		}
	}

	mux := http.NewServeMux()
	mux.Handle("/", newPageHandler(gossipscope.Page))
	mux.Handle("/ws", s.hub)
	mux.Handle("/api/live", s.hub.StatsHandler())
	mux.Handle("GET /metrics", metrics.handler)
	// Container probes: healthy while the process serves, ready once the
	// live source (if any) has started, which is before we listen.
	ok := func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") }
	mux.HandleFunc("GET /-/healthy", ok)
	mux.HandleFunc("GET /-/ready", ok)
	s.http = webguard.NewServer(hosts.Handler("--web.allowed-hosts", mux), slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
	if o.idleTimeout > 0 {
		s.http.IdleTimeout = o.idleTimeout
	}
	fmt.Fprintf(stdout, "gossipscope: serving http://%s/\n", ln.Addr())
	if o.source != nil {
		// The page opens on the simulation; this link opens the live source.
		fmt.Fprintf(stdout, "gossipscope: the live cluster: http://%s/?live=1\n", ln.Addr())
	}
	go func() {
		if err := s.http.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- err
		}
	}()
	return s, nil
}

// startRecording records to path, or to stdout when path is "-".
func (s *server) startRecording(path string, stdout io.Writer) error {
	var w io.Writer = stdout
	var f *os.File
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
		w = f
	}
	rec, err := s.hub.Record(w)
	if err != nil {
		if f != nil {
			f.Close()
		}
		return fmt.Errorf("--record: %w", err)
	}
	s.rec, s.recFile, s.recName = rec, f, recordName(path)
	fmt.Fprintf(s.stdout, "gossipscope: recording to %s\n", s.recName)
	return nil
}

func recordName(path string) string {
	if path == "-" {
		return "standard output"
	}
	return path
}

// statusOut is where the server's status lines go: stdout, unless the
// recording goes there (--record -), so that it can be piped.
func (o serveOptions) statusOut(stdout, stderr io.Writer) io.Writer {
	if o.record == "-" {
		return stderr
	}
	return stdout
}

// URL is the server's base URL.
func (s *server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the live source first (a lab's nodes leaving are the
// recording's last events), then the hub and its clients, the recording,
// and the listener.
func (s *server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *server) close() error {
	var errs []error
	if s.stopSrc != nil {
		s.stopSrc()
	}
	s.hub.Close()
	if s.rec != nil {
		// Only a recording written in full is "saved": a disk that filled
		// up (or --record /dev/full) is a failure, said as one.
		recErr := s.rec.Stop()
		if s.recFile != nil {
			recErr = errors.Join(recErr, s.recFile.Close())
		}
		if recErr != nil {
			errs = append(errs, fmt.Errorf("recording to %s failed, the file is incomplete: %w", s.recName, recErr))
		} else {
			fmt.Fprintf(s.stdout, "gossipscope: recording saved to %s\n", s.recName)
		}
	}
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.http.Shutdown(ctx)
	} else if s.ln != nil {
		s.ln.Close()
	}
	return errors.Join(errs...)
}
