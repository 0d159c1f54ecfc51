package server

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/gossipscope/gossipscope/engine"
	"github.com/gossipscope/gossipscope/protocol"
)

func init() {
	register("sim", "simulate the basic gossip rules (docs/gossip-rules.md): a JSON summary of one or many trials, and the event stream", runSim)
}

// actionFlag collects repeated scheduling flags (--crash T:NODE, ...) as
// engine actions, parsed as they come so a bad one is reported by flag.
type actionFlag struct {
	kind string
	acts *[]engine.Action
	conv func(kind, v string) (string, error) // flag text -> action text
}

func (f actionFlag) String() string { return "" }

func (f actionFlag) Set(v string) error {
	text, err := f.conv(f.kind, v)
	if err != nil {
		return err
	}
	a, err := engine.ParseAction(text)
	if err != nil {
		return err
	}
	*f.acts = append(*f.acts, a)
	return nil
}

// timeArgs turns "T:ARGS" into the action text "kind@T:ARGS".
func timeArgs(kind, v string) (string, error) {
	if !strings.Contains(v, ":") && kind != engine.ActHeal && kind != engine.ActJoin {
		return "", fmt.Errorf("want TIME:ARG, e.g. 1500:3")
	}
	return kind + "@" + v, nil
}

// simSummary is the JSON the sim command prints.
type simSummary struct {
	Scenario  string         `json:"scenario"` // URL query of the first trial (the page replays it; for the classic model, whose trials run on the bitset kernel, with the same distribution rather than the same draws)
	Params    map[string]any `json:"params"`
	Trials    int            `json:"trials"`
	Seeds     [2]uint64      `json:"seeds"`     // first and last seed used
	Converged int            `json:"converged"` // trials that reached 100% coverage
	Rounds100 spread         `json:"rounds_100"`
	Rounds99  spread         `json:"rounds_99"`
	Time100   spread         `json:"time_100_ms"`
	Messages  spread         `json:"messages"`
	Lost      spread         `json:"lost"`
	Redundant spread         `json:"redundant"`
	// Redundancy is redundant / delivered: the share of messages that
	// taught their receiver nothing.
	Redundancy  spread `json:"redundancy"`
	Residue     spread `json:"residue"`
	ReceivedMax spread `json:"received_max"`
	Events      string `json:"events,omitempty"` // the file written, and its event count
	EventCount  int    `json:"event_count,omitempty"`
}

// spread is mean, min and max over trials; trials where the value does not
// exist (e.g. rounds to 100% in a run that never got there) are left out,
// and N says how many counted. In JSON its figures are rounded (see tidy).
type spread struct {
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
	sum  float64
}

func (s *spread) add(x float64) {
	if s.N == 0 || x < s.Min {
		s.Min = x
	}
	if s.N == 0 || x > s.Max {
		s.Max = x
	}
	// The mean as sum/N: counts add up exactly, so 30 trials of 4050
	// messages give 4050, not 4049.999999999999.
	s.sum += x
	s.N++
	s.Mean = s.sum / float64(s.N)
}

func (s spread) MarshalJSON() ([]byte, error) {
	type plain spread // the fields without this method
	return json.Marshal(plain{Mean: tidy(s.Mean), Min: tidy(s.Min), Max: tidy(s.Max), N: s.N})
}

// tidy rounds a summary figure for people: to 3 decimals, and below 1 to 3
// significant digits (a residue of 0.0595 stays 0.0595, a redundancy of
// 2/3 becomes 0.667). Means over trials are not more precise than that.
func tidy(x float64) float64 {
	a := math.Abs(x)
	if a == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	d := 3
	if a < 1 {
		d = max(3, 2-int(math.Floor(math.Log10(a))))
	}
	if d > 15 {
		return x
	}
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

func runSim(args []string, stdout, stderr io.Writer) int {
	if rest, ok := planArg(args); ok {
		return runPlan(rest, stdout, stderr)
	}
	fs := newFlagSet("sim", stdout, stderr)
	def := engine.DefaultConfig()
	var fl engine.Config // the flags' values; read back as text into the query below
	var latency, scenario, events string
	var mode, peers, stop string
	var trials int
	var acts []engine.Action
	var halves [][2]float64
	fs.IntVar(&fl.Nodes, "nodes", 1000, "number of nodes")
	fs.IntVar(&fl.Fanout, "fanout", def.Fanout, "peers each node gossips to per period (K)")
	fs.Float64Var(&fl.Period, "period", def.Period, "gossip period in ms")
	fs.StringVar(&mode, "mode", string(def.Mode), "exchange: push (1 message), pull (2) or pushpull (3)")
	fs.StringVar(&peers, "peers", string(def.Peers), "peer choice: seed (no resend, no send-back) or random (uniform)")
	fs.StringVar(&stop, "stop", "", "push mode: when a node stops spreading: never, all, limit, feedback or coin (default all in push, never otherwise)")
	fs.IntVar(&fl.RetransmitMult, "mult", def.RetransmitMult, "--stop limit: memberlist's retransmit multiplier (sends = mult*ceil(log10(N+1)))")
	fs.IntVar(&fl.FeedbackK, "k", def.FeedbackK, "--stop feedback/coin: Demers' counter k (stop after k redundant contacts, or with probability 1/k at each)")
	fs.BoolVar(&fl.Async, "async", false, "each node ticks on its own phase instead of synchronous rounds")
	fs.StringVar(&latency, "latency", "0", "message latency in ms: MIN (fixed) or MIN,MAX (uniform)")
	fs.Float64Var(&fl.Loss, "loss", 0, "probability that a message is lost, 0..1")
	fs.Uint64Var(&fl.Seed, "seed", 1, "random seed of the first trial (trial i uses seed+i)")
	fs.IntVar(&fl.Keys, "keys", 1, "number of keys; key j starts on node j")
	fs.Float64Var(&fl.MaxTime, "maxtime", 0, "stop at this virtual time in ms (0: when nothing more can happen)")
	fs.IntVar(&trials, "trials", 1, "number of runs, with seeds seed, seed+1, ...")
	fs.StringVar(&events, "events", "", "write the first trial's event stream (JSON Lines) to this file (\"-\": standard output, and the summary to standard error)")
	fs.Bool("plan", false, "the planner instead: the spread of the time until 50/99/100% know, for memberlist's settings (gossip-interval, gossip-nodes, retransmit-mult, loss, failed; see sim --plan --help)")
	fs.StringVar(&scenario, "scenario", "", "a scenario as a URL query or page URL (nodes=..&mode=..&do=crash@1500:3); flags given explicitly override it")
	fs.Var(actionFlag{engine.ActCrash, &acts, timeArgs}, "crash", "crash node NODE at TIME ms: TIME:NODE (repeatable)")
	fs.Var(actionFlag{engine.ActRestart, &acts, timeArgs}, "restart", "restart node NODE at TIME ms: TIME:NODE (repeatable)")
	fs.Var(actionFlag{engine.ActUpdate, &acts, timeArgs}, "update", "node NODE writes a newer version of KEY at TIME: TIME:NODE[:KEY] (repeatable)")
	fs.Var(actionFlag{engine.ActJoin, &acts, timeArgs}, "join", "COUNT new nodes join at TIME: TIME[:COUNT] (repeatable)")
	fs.Var(halvesFlag{&halves}, "partition", "cut the nodes into two halves at TIME, heal at HEAL: TIME:HEAL (repeatable)")
	fs.Var(actionFlag{"", &acts, func(_, v string) (string, error) { return v, nil }}, "do", "any scheduled action KIND@TIME[:ARGS], e.g. partition@2000:0-4/5-9 (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope sim [flags]\n\n"+
			"Runs the gossip simulator (the page's engine) without a browser and prints a JSON summary\n"+
			"of the trials: rounds and time until everyone knows, messages, redundancy. --events FILE\n"+
			"writes the first trial's event stream for the page to replay; 'gossipscope sim --plan'\n"+
			"is the planner for memberlist's settings (see 'gossipscope sim --plan --help').\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "gossipscope sim: "+format+"\n", a...)
		return 2
	}
	// The scenario and the flags become one query for the engine's own
	// ParseQuery: a scenario field unless its flag was given, so one parser
	// names every bad field and flags override the scenario field by field.
	q := url.Values{}
	if scenario != "" {
		var err error
		if q, err = scenarioQuery(scenario); err != nil {
			return bad("--scenario: %v", err)
		}
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "do" || !engine.IsQueryField(f.Name) {
			return
		}
		if explicit[f.Name] || (scenario == "" && f.Value.String() != "") {
			q.Set(f.Name, f.Value.String())
		}
	})
	c, err := engine.ParseQuery(q)
	if err != nil {
		return bad("%s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	c.Schedule = append(c.Schedule, acts...)
	for _, h := range halves {
		var low []int
		for i := 0; i < max(1, c.Nodes/2); i++ {
			low = append(low, i)
		}
		c.Schedule = append(c.Schedule,
			engine.Action{At: h[0], Kind: engine.ActPartition, Groups: [][]int{low}},
			engine.Action{At: h[1], Kind: engine.ActHeal})
	}
	if trials < 1 || trials > 1_000_000 {
		return bad("--trials %d is not in 1..1000000", trials)
	}
	if err := c.Validate(); err != nil { // again: the fault flags added actions
		return bad("%s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}

	sum := simSummary{Scenario: c.Query().Encode(), Params: c.Params(), Trials: trials,
		Seeds: [2]uint64{c.Seed, c.Seed + uint64(trials-1)}}
	summaryOut := stdout
	if events == "-" {
		summaryOut = stderr // the stream owns stdout, so it can be piped
	}
	if events != "" {
		n, err := writeEvents(events, c, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "gossipscope sim: --events: %v\n", err)
			return 1
		}
		sum.Events, sum.EventCount = events, n
	}
	for _, st := range runTrials(c, trials) {
		if st.Time100 >= 0 {
			sum.Converged++
			sum.Rounds100.add(float64(st.Rounds100))
			sum.Time100.add(st.Time100)
		}
		if st.Rounds99 >= 0 {
			sum.Rounds99.add(float64(st.Rounds99))
		}
		sum.Messages.add(float64(st.Sent))
		sum.Lost.add(float64(st.Lost))
		sum.Redundant.add(float64(st.Redundant))
		if st.Delivered > 0 {
			sum.Redundancy.add(float64(st.Redundant) / float64(st.Delivered))
		}
		sum.Residue.add(st.Residue)
		if st.ReceivedMax >= 0 { // -1: the bitset kernel does not count them
			sum.ReceivedMax.add(float64(st.ReceivedMax))
		}
	}
	enc := json.NewEncoder(summaryOut)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sum); err != nil {
		fmt.Fprintf(stderr, "gossipscope sim: %v\n", err)
		return 1
	}
	return 0
}

// halvesFlag collects --partition TIME:HEAL values; they become actions
// once --nodes is known.
type halvesFlag struct{ times *[][2]float64 }

func (f halvesFlag) String() string { return "" }

func (f halvesFlag) Set(v string) error {
	at, heal, ok := strings.Cut(v, ":")
	t1, err1 := strconv.ParseFloat(at, 64)
	t2, err2 := strconv.ParseFloat(heal, 64)
	if !ok || err1 != nil || err2 != nil || !(t1 >= 0) || !(t2 >= t1) || math.IsInf(t2, 0) {
		return fmt.Errorf("want TIME:HEAL in ms with 0 <= TIME <= HEAL, e.g. 2000:6000")
	}
	*f.times = append(*f.times, [2]float64{t1, t2})
	return nil
}

// scenarioQuery reads a scenario from a query string or a page URL.
func scenarioQuery(s string) (url.Values, error) {
	if i := strings.Index(s, "?"); i >= 0 {
		s = s[i+1:]
	}
	return url.ParseQuery(s)
}

// runTrials runs trials with seeds c.Seed, c.Seed+1, ... on every core:
// many trials side by side, or one trial on all of them where the engine
// can split one (engine.RunWorkers). The result is in seed order and the
// same for any number of cores.
func runTrials(c engine.Config, trials int) []engine.Stats {
	out := make([]engine.Stats, trials)
	if trials == 1 {
		st, err := engine.RunWorkers(c, runtime.GOMAXPROCS(0))
		if err != nil { // validated already: cannot happen
			panic(err)
		}
		out[0] = summaryStats(st)
		return out
	}
	workers := min(runtime.GOMAXPROCS(0), trials)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ci := c
				ci.Seed = c.Seed + uint64(i)
				st, err := engine.Run(ci)
				if err != nil { // validated already: cannot happen
					panic(err)
				}
				out[i] = summaryStats(st)
			}
		}()
	}
	for i := 0; i < trials; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// summaryStats drops what the summary does not use; a ReceivedMax that
// was not counted (no Received) becomes -1.
func summaryStats(st engine.Stats) engine.Stats {
	if st.Received == nil {
		st.ReceivedMax = -1
	}
	st.Received, st.Series = nil, nil
	return st
}

// writeEvents writes c's event stream to path and returns the event count.
func writeEvents(path string, c engine.Config, stdout io.Writer) (int, error) {
	s, err := engine.New(c)
	if err != nil {
		return 0, err
	}
	var out io.Writer = stdout
	closeOut := func() error { return nil }
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		out, closeOut = f, f.Close
	}
	enc := protocol.NewEncoder(out)
	h := s.Header()
	werr := enc.Encode(&h)
	n := 1
	s.Advance(math.Inf(1), func(e *protocol.Event) {
		if werr == nil {
			werr = enc.Encode(e)
			n++
		}
	})
	werr = errors.Join(werr, enc.Flush(), closeOut())
	return n, werr
}
