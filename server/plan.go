package server

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gossipscope/gossipscope/engine"
)

// planArg reports whether args ask for the planner (--plan or -plan,
// possibly =true), and returns them without it.
func planArg(args []string) ([]string, bool) {
	for i, a := range args {
		switch a {
		case "--plan", "-plan", "--plan=true", "-plan=true":
			return slices.Delete(slices.Clone(args), i, i+1), true
		}
	}
	return args, false
}

// runPlan is `gossipscope sim --plan`: the planner (engine.Plan) for a
// cluster size and memberlist's dissemination settings.
func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sim --plan", stdout, stderr)
	c := engine.DefaultPlanConfig()
	var asJSON bool
	fs.Int64Var(&c.Nodes, "nodes", c.Nodes, "cluster size, failed nodes included (up to 2^40)")
	fs.Float64Var(&c.Interval, "gossip-interval", c.Interval, "memberlist's GossipInterval in ms (LAN default 200)")
	fs.IntVar(&c.GossipNodes, "gossip-nodes", c.GossipNodes, "memberlist's GossipNodes: peers per interval (LAN default 3)")
	fs.IntVar(&c.RetransmitMult, "retransmit-mult", c.RetransmitMult, "memberlist's RetransmitMult: each news is sent mult*ceil(log10(N+1)) times (LAN default 4)")
	fs.Float64Var(&c.Loss, "loss", 0, "probability that a packet is lost, 0..1")
	fs.Int64Var(&c.Failed, "failed", 0, "nodes that are down (still picked as peers, never answer)")
	fs.IntVar(&c.Trials, "trials", c.Trials, "trials (exact runs: node by node up to 512 nodes, the count-level chain above)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON, with the coverage curve's bands")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope sim --plan [flags]\n\n"+
			"The planner: for a cluster size and memberlist's dissemination settings, the p5/p50/p95\n"+
			"of the time until 50%, 99% and 100% of the nodes know a piece of news.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	t0 := time.Now()
	res, err := engine.Plan(c)
	if err != nil {
		fmt.Fprintf(stderr, "gossipscope sim --plan: %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return 2
	}
	took := time.Since(t0)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "gossipscope sim --plan: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "%d nodes (%d failed), gossip interval %g ms, gossip nodes %d, retransmit mult %d (each news sent %d times), packet loss %g%%\n",
		c.Nodes, c.Failed, c.Interval, c.GossipNodes, c.RetransmitMult, res.Limit, c.Loss*100)
	fmt.Fprintf(stdout, "%d exact trials (%s) in %.2f s; time until that share of the alive nodes know:\n\n",
		c.Trials, res.Method, took.Seconds())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tp5\tp50\tp95\treached\tSerf's formula\t")
	row := func(name string, b engine.Band, theory float64, note string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f%%\t%s%s\t\n", name, ms(b.P5), ms(b.P50), ms(b.P95),
			100*float64(b.Reached)/float64(c.Trials), ms(theory), note)
	}
	row("50%", res.T50, res.Theory.T50, "")
	row("99%", res.T99, res.Theory.T99, "")
	row("100%", res.T100, res.Theory.T9999, " (99.99%)")
	tw.Flush()
	fmt.Fprintln(stdout, "\n\"never\": gossip alone did not get there in that share of the trials (memberlist's push-pull sync repairs it later).")
	return 0
}

// ms formats a time in ms for the table ("never" for -1).
func ms(t float64) string {
	switch {
	case t < 0:
		return "never"
	case t >= 10_000:
		return fmt.Sprintf("%.1f s", t/1000)
	default:
		return fmt.Sprintf("%.0f ms", t)
	}
}
