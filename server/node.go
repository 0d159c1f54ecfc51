package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
)

func init() {
	register("node", "run one gossip node speaking Alertmanager's cluster protocol, with its v2 API", runNode)
}

// nodeFlags are Alertmanager's own flag names where they exist, so the
// walkthrough of docs/gossip-rules.md works with 'gossipscope node' in place of
// './alertmanager'.
type nodeFlags struct {
	cfg    node.Config
	events string
}

func runNode(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return runNodeContext(ctx, args, stdout, stderr)
}

// runNodeContext runs a node until ctx ends, then leaves the cluster.
func runNodeContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("node", stdout, stderr)
	o := nodeFlags{cfg: node.DefaultConfig()}
	c := &o.cfg
	fs.StringVar(&c.APIAddr, "web.listen-address", c.APIAddr, "address of the Alertmanager v2 API subset (loopback unless you say otherwise)")
	allowedHostsFlag(fs.FlagSet, &c.AllowedHosts, "the API")
	fs.StringVar(&c.ClusterAddr, "cluster.listen-address", c.ClusterAddr, "gossip listen address (UDP and TCP)")
	fs.Func("cluster.peer", "initial peer host:port to join (repeatable)", func(s string) error {
		c.Peers = append(c.Peers, s)
		return nil
	})
	fs.StringVar(&c.Name, "cluster.peer-name", "", "memberlist name (default: a new ULID, as Alertmanager)")
	fs.DurationVar(&c.PeerTimeout, "cluster.peer-timeout", c.PeerTimeout, "time to wait between peers to send notifications (position x this)")
	fs.DurationVar(&c.GossipInterval, "cluster.gossip-interval", c.GossipInterval, "interval between gossip messages")
	fs.DurationVar(&c.PushPullInterval, "cluster.pushpull-interval", c.PushPullInterval, "interval between full state syncs")
	fs.DurationVar(&c.ProbeInterval, "cluster.probe-interval", c.ProbeInterval, "interval between random node probes")
	fs.DurationVar(&c.ProbeTimeout, "cluster.probe-timeout", c.ProbeTimeout, "timeout to wait for an ack from a probed node")
	fs.DurationVar(&c.TCPTimeout, "cluster.tcp-timeout", c.TCPTimeout, "timeout for TCP connections (push-pull, reliable sends)")
	fs.StringVar(&c.Label, "cluster.label", "", "memberlist label: only peers with the same label talk")
	fs.StringVar(&c.Webhook, "webhook", "", "URL to POST notifications to, in Alertmanager's webhook format (default: none, notifications are only logged)")
	fs.StringVar(&c.Receiver, "receiver", c.Receiver, "receiver name recorded in the notification log")
	fs.DurationVar(&c.GroupWait, "group-wait", c.GroupWait, "route group_wait")
	fs.DurationVar(&c.GroupInterval, "group-interval", c.GroupInterval, "route group_interval")
	fs.DurationVar(&c.RepeatInterval, "repeat-interval", c.RepeatInterval, "route repeat_interval")
	fs.StringVar(&o.events, "events", "", "write this node's events as JSON Lines to this file ('-' = stdout)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope node [flags]\n\n"+
			"Runs one real gossip node: hashicorp/memberlist speaking Alertmanager v0.27's cluster wire\n"+
			"format (silences and notification log), with an Alertmanager v2 API subset for amtool and curl.\n"+
			"It can join real Alertmanagers and other gossipscope nodes:\n\n"+
			"  gossipscope node\n"+
			"  gossipscope node --web.listen-address 127.0.0.1:9095 --cluster.listen-address 127.0.0.1:9096 \\\n"+
			"      --cluster.peer 127.0.0.1:9094\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	c.Logger = fs.logger()
	c.Start = time.Now()

	var ew *eventWriter
	if o.events != "" {
		w := stdout
		if o.events != "-" {
			f, err := os.Create(o.events)
			if err != nil {
				fmt.Fprintf(stderr, "gossipscope node: --events: %v\n", err)
				return 1
			}
			defer f.Close()
			w = f
		}
		ew = &eventWriter{enc: protocol.NewEncoder(w)}
		ew.write(protocol.Header(protocol.SourceNode, map[string]any{"cluster_addr": c.ClusterAddr, "peers": c.Peers}))
		c.Emit = ew.write
	}

	n, err := node.New(*c)
	if err != nil {
		fmt.Fprintf(stderr, "gossipscope node: %v\n", err)
		if errors.Is(err, node.ErrConfig) {
			return 2
		}
		return 1
	}
	c.Logger.Info("node started", "name", n.Name(), "cluster", n.Addr(), "api", n.APIURL(), "peers", strings.Join(c.Peers, ","))
	<-ctx.Done()
	c.Logger.Info("leaving the cluster")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = n.Shutdown(sctx)
	if ew != nil {
		ew.close()
	}
	if err != nil {
		c.Logger.Warn("shutdown", "err", err)
	}
	return 0
}

// eventWriter serialises events from the node's goroutines into one stream.
type eventWriter struct {
	mu     sync.Mutex
	enc    *protocol.Encoder
	closed bool
}

func (w *eventWriter) write(e protocol.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	_ = w.enc.Encode(&e)
	_ = w.enc.Flush()
}

func (w *eventWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	_ = w.enc.Flush()
}
