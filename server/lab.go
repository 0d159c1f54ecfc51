package server

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
)

func init() {
	register("lab", "run N real gossip nodes on loopback and serve the page streaming them (= serve --lab N)", runLab)
}

// labOptions configure the lab cluster of serve --lab and lab.
type labOptions struct {
	nodes       int
	gossipPort  int
	apiPort     int
	randomPorts bool
	fast        bool
	peerTimeout time.Duration
	webhook     string
	// The server's --web.allowed-hosts, answered by the nodes' APIs too
	// (serveOptions.withLab).
	allowedHosts []string
}

func addLabFlags(fs *flag.FlagSet, o *labOptions) {
	fs.IntVar(&o.gossipPort, "lab.gossip-port", node.LabGossipPort, "gossip port of the first lab node; node i uses this + 2i")
	fs.IntVar(&o.apiPort, "lab.api-port", node.LabAPIPort, "Alertmanager API port of the first lab node; node i uses this + 2i (the defaults keep clear of Alertmanager's own 9093/9094)")
	fs.BoolVar(&o.randomPorts, "lab.random-ports", false, "let the OS pick every lab port (to run several labs side by side)")
	fs.BoolVar(&o.fast, "lab.fast", false, "shorten Alertmanager's timings (gossip 50 ms, probes 200 ms, peer timeout 1 s) so things happen quickly")
	fs.DurationVar(&o.peerTimeout, "lab.peer-timeout", 0, "--cluster.peer-timeout of every node (default Alertmanager's 15s, or 1s with --lab.fast)")
	fs.StringVar(&o.webhook, "lab.webhook", "", "URL the nodes POST HA notifications to (default: notifications are deduplicated and shown, not sent)")
}

// config turns the options into a node.LabConfig streaming into emit. The
// lab's t=0 is now: events carry ms since the lab started.
func (o labOptions) config(emit func(protocol.Event), logger *slog.Logger) node.LabConfig {
	c := node.LabConfig{
		Nodes:          o.nodes,
		BaseGossipPort: o.gossipPort,
		BaseAPIPort:    o.apiPort,
		RandomPorts:    o.randomPorts,
		PeerTimeout:    o.peerTimeout,
		Webhook:        o.webhook,
		AllowedHosts:   o.allowedHosts,
		Emit:           emit,
		Start:          time.Now(),
		Logger:         logger,
	}
	if o.fast {
		t := node.FastConfig()
		c.Template = &t
	}
	return c
}

// source starts the lab as the server's live source.
func (o labOptions) source(stdout io.Writer) sourceFunc {
	return func(h *live.Hub, logger *slog.Logger) (live.Source, func(), error) {
		fmt.Fprintf(stdout, "gossipscope: starting a lab of %d nodes\n", o.nodes)
		lab, err := node.NewLab(o.config(h.Emit, logger))
		if err != nil {
			return nil, nil, err
		}
		// One line a node: the addresses amtool, Prometheus or a real
		// Alertmanager (--cluster.peer) need.
		p := lab.Header().Params
		gossip, _ := p["gossip_addrs"].([]string)
		apis, _ := p["api_urls"].([]string)
		for i, name := range lab.Names() {
			line := "gossipscope: lab node " + name
			if i < len(apis) {
				line += " api " + apis[i]
			}
			if i < len(gossip) {
				line += " gossip " + gossip[i]
			}
			fmt.Fprintln(stdout, line)
		}
		stop := func() {
			// A node that could not say goodbye is worth a word, not a
			// failure: the others will find it dead.
			if err := lab.Close(); err != nil {
				logger.Warn("lab: not every node left cleanly", "err", err)
			}
		}
		return lab, stop, nil
	}
}

func runLab(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lab", stdout, stderr)
	var o serveOptions
	var lab labOptions
	fs.IntVar(&lab.nodes, "nodes", 5, fmt.Sprintf("number of gossip nodes, 1 to %d", node.MaxLabNodes))
	addLabFlags(fs.FlagSet, &lab)
	addWebFlags(fs.FlagSet, &o)
	fs.StringVar(&o.record, "record", "", "save the session to this file as JSON Lines, for 'gossipscope replay' ('-' = standard output)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope lab [flags]\n\n"+
			"Runs a lab cluster: N real hashicorp/memberlist nodes in this process, on loopback,\n"+
			"speaking Alertmanager's cluster wire format, each with an Alertmanager v2 API subset.\n"+
			"It also serves the page, which shows the cluster live over /ws and can crash, restart,\n"+
			"partition and silence nodes. 'gossipscope lab --nodes N' is 'gossipscope serve --lab N'.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	o.logger = fs.logger()
	if lab.nodes < 1 || lab.nodes > node.MaxLabNodes {
		fmt.Fprintf(stderr, "gossipscope lab: --nodes must be in [1, %d]\n", node.MaxLabNodes)
		return 2
	}
	o.withLab(lab, o.statusOut(stdout, stderr))
	return serveUntilSignal("lab", o, stdout, stderr)
}

// withLab makes the lab the server's live source, printing its nodes'
// addresses to status. The nodes' APIs answer the host names the server
// does (--web.allowed-hosts): a user who serves the page on a name reaches
// the lab's APIs by that name too.
func (o *serveOptions) withLab(lab labOptions, status io.Writer) {
	lab.allowedHosts = o.allowedHosts
	o.source = lab.source(status)
}
