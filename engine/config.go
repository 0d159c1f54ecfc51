package engine

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Mode is how two nodes exchange (key, value, version) items.
type Mode string

// Exchange modes (docs/gossip-rules.md, section 2).
const (
	// Push: A sends B its items; B keeps what is newer. 1 message.
	Push Mode = "push"
	// Pull: A sends B its digest (key, version); B answers with its newer
	// items. 2 messages.
	Pull Mode = "pull"
	// PushPull: as Pull, then A sends B the items where A is newer.
	// 3 messages; one cycle makes A and B hold the same items.
	PushPull Mode = "pushpull"
)

// PeerRule is how a node picks the peers it gossips to each period.
type PeerRule string

// Peer rules.
const (
	// PeersSeed is the basic rule (docs/gossip-rules.md): random peers it has not sent to since it
	// last learned something, never the node it heard the news from. When
	// every peer has had its turn the node starts over (unless Stop is
	// StopAll).
	PeersSeed PeerRule = "seed"
	// PeersRandom is the classic model (Demers et al., Karp et al.): K
	// peers, each chosen uniformly among all other nodes (with
	// replacement), every period, with no memory.
	PeersRandom PeerRule = "random"
)

// StopRule is when a node in Push mode stops spreading news. Pull and
// PushPull exchanges are periodic anti-entropy (a node cannot know whether
// it lacks anything), so they never stop and take StopNever only.
type StopRule string

// Stop rules.
const (
	StopNever StopRule = "never" // spread until everyone is informed
	// StopAll: after it has sent to every peer (PeersSeed), or after as many
	// sends as it has peers (PeersRandom).
	StopAll StopRule = "all"
	// StopLimit is memberlist's retransmit limit: each news is sent
	// RetransmitMult * ceil(log10(N+1)) times.
	StopLimit StopRule = "limit"
	// StopFeedback is Demers et al.'s feedback with counter: a node stops
	// after FeedbackK contacts with peers that already knew.
	StopFeedback StopRule = "feedback"
	// StopCoin is Demers et al.'s feedback with coin: on each contact with a
	// peer that already knew, it stops with probability 1/FeedbackK.
	StopCoin StopRule = "coin"
)

// Config is one scenario. Zero fields take the defaults named in their
// comments, so Config{Nodes: 100} is a complete scenario; DefaultConfig
// spells them out. Times are milliseconds of virtual time.
type Config struct {
	Nodes  int      // initial node count, MinNodes..MaxNodes
	Period float64  // gossip period (default 1000: the basic rules' 1 second)
	Fanout int      // peers per period, K (default 3: the basic rules')
	Mode   Mode     // default Push: the basic rule 2 ("sends them the news")
	Peers  PeerRule // default PeersSeed
	// Stop defaults to StopAll in Push mode (the basic rules imply it: a
	// node only sends to peers it has not sent to) and StopNever otherwise.
	Stop           StopRule
	RetransmitMult int // StopLimit's multiplier (default 4, memberlist's)
	FeedbackK      int // StopFeedback's counter / StopCoin's 1/probability (default 1)
	// Async gives each node its own ticker phase, uniform in [0, Period);
	// otherwise every node ticks at the same instants (synchronous rounds).
	Async bool
	// LatencyMin..LatencyMax is each message's delay, uniform (fixed when
	// equal). Zero latency with synchronous rounds is the classic round
	// model and runs on the fast round scheduler.
	LatencyMin, LatencyMax float64
	Loss                   float64 // probability that a message is lost, 0..1
	Seed                   uint64  // random seed: same seed and Config, same history
	// Keys is the number of keys (default 1). At time 0 node j%Nodes holds
	// key j at version 1; Schedule "update" actions add newer versions.
	Keys int
	// Schedule is every fault and news at its time, applied in time order
	// (in slice order at equal times). It is the single mechanism for
	// interaction: the page appends an Action and replays from the start.
	Schedule []Action
	// MaxTime ends the run (0: run until nothing more can happen, but at
	// most MaxPeriods periods).
	MaxTime float64
}

// Limits that keep a scenario (e.g. from a URL) from exhausting memory.
const (
	MinNodes   = 1         // a scenario's initial nodes (one node: the news is everywhere at once)
	MaxNodes   = 5_000_000 // initial plus joined nodes
	MaxKeys    = 64
	MaxActions = 10_000
	MaxPeriods = 10_000 // a run with MaxTime 0 stops after this many periods
)

// DefaultConfig is the basic rules' scenario (docs/gossip-rules.md): 1 s
// period, fan-out 3, push with the basic peer rules, a node stops once it has sent to every peer. Nodes is
// set to 50 so that the result is a complete, valid scenario.
func DefaultConfig() Config {
	return Config{
		Nodes: 50, Period: 1000, Fanout: 3, Mode: Push, Peers: PeersSeed, Stop: StopAll,
		RetransmitMult: 4, FeedbackK: 1, Keys: 1,
	}
}

// normalized returns c with its zero fields set to their defaults.
func (c Config) normalized() Config {
	if c.Period == 0 {
		c.Period = 1000
	}
	if c.Fanout == 0 {
		c.Fanout = 3
	}
	if c.Mode == "" {
		c.Mode = Push
	}
	if c.Peers == "" {
		c.Peers = PeersSeed
	}
	if c.Stop == "" {
		if c.Mode == Push {
			c.Stop = StopAll
		} else {
			c.Stop = StopNever
		}
	}
	if c.RetransmitMult == 0 {
		c.RetransmitMult = 4
	}
	if c.FeedbackK == 0 {
		c.FeedbackK = 1
	}
	if c.Keys == 0 {
		c.Keys = 1
	}
	if c.LatencyMax < c.LatencyMin && c.LatencyMax == 0 {
		c.LatencyMax = c.LatencyMin // "latency=50" means fixed 50
	}
	return c
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Validate reports every problem with c (after defaults), one per line, so
// a page or a command line can show them all at once.
func (c Config) Validate() error {
	c = c.normalized()
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Nodes < MinNodes || c.Nodes > MaxNodes {
		bad("nodes: %d is not allowed: a scenario has %d to %d nodes", c.Nodes, MinNodes, MaxNodes)
	}
	if !finite(c.Period) || c.Period <= 0 {
		bad("period: %v ms must be > 0", c.Period)
	}
	if c.Fanout < 1 || c.Fanout > 1000 {
		bad("fanout: %d is not in 1..1000", c.Fanout)
	}
	switch c.Mode {
	case Push, Pull, PushPull:
	default:
		bad("mode: %q is not push, pull or pushpull", c.Mode)
	}
	switch c.Peers {
	case PeersSeed, PeersRandom:
	default:
		bad("peers: %q is not seed or random", c.Peers)
	}
	switch c.Stop {
	case StopNever, StopAll, StopLimit, StopFeedback, StopCoin:
		if c.Stop != StopNever && (c.Mode == Pull || c.Mode == PushPull) {
			bad("stop: %q applies to push mode only (pull and push-pull exchanges are periodic anti-entropy: use never)", c.Stop)
		}
	default:
		bad("stop: %q is not never, all, limit, feedback or coin", c.Stop)
	}
	if c.RetransmitMult < 1 || c.RetransmitMult > 1000 {
		bad("mult: %d is not in 1..1000", c.RetransmitMult)
	}
	if c.FeedbackK < 1 || c.FeedbackK > 1000 {
		bad("k: %d is not in 1..1000", c.FeedbackK)
	}
	if !finite(c.LatencyMin) || !finite(c.LatencyMax) || c.LatencyMin < 0 || c.LatencyMax < c.LatencyMin {
		bad("latency: need 0 <= min <= max, got %v..%v ms", c.LatencyMin, c.LatencyMax)
	}
	if !finite(c.Loss) || c.Loss < 0 || c.Loss > 1 {
		bad("loss: %v is not in [0, 1]", c.Loss)
	}
	if c.Keys < 1 || c.Keys > MaxKeys {
		bad("keys: %d is not in 1..%d", c.Keys, MaxKeys)
	}
	if !finite(c.MaxTime) || c.MaxTime < 0 {
		bad("maxtime: %v ms must be >= 0", c.MaxTime)
	}
	if len(c.Schedule) > MaxActions {
		bad("schedule: %d actions, at most %d", len(c.Schedule), MaxActions)
	} else if c.Nodes >= 1 && c.Keys >= 1 {
		errs = append(errs, c.validateSchedule()...)
	}
	return errors.Join(errs...)
}

// validateSchedule checks each action against the node count it will meet:
// joins earlier in time order make more nodes addressable.
func (c Config) validateSchedule() []error {
	var errs []error
	n := c.Nodes
	for _, i := range scheduleOrder(c.Schedule) {
		a := c.Schedule[i]
		if err := a.validate(n, c.Keys); err != nil {
			errs = append(errs, fmt.Errorf("schedule[%d] %s: %v", i, a, err))
			continue
		}
		if a.Kind == ActJoin {
			n += a.Count
			if n > MaxNodes {
				errs = append(errs, fmt.Errorf("schedule[%d] %s: more than %d nodes", i, a, MaxNodes))
				return errs
			}
		}
	}
	return errs
}

// Params describes c for a stream header: every setting, defaults filled in.
func (c Config) Params() map[string]any {
	c = c.normalized()
	p := map[string]any{
		"nodes": c.Nodes, "period": c.Period, "fanout": c.Fanout, "mode": string(c.Mode),
		"peers": string(c.Peers), "stop": string(c.Stop), "mult": c.RetransmitMult,
		"k": c.FeedbackK, "async": c.Async, "latency_min": c.LatencyMin,
		"latency_max": c.LatencyMax, "loss": c.Loss, "seed": c.Seed, "keys": c.Keys,
		"maxtime": c.MaxTime,
	}
	if len(c.Schedule) > 0 {
		s := make([]string, len(c.Schedule))
		for i, a := range c.Schedule {
			s[i] = a.String()
		}
		p["schedule"] = strings.Join(s, " ")
	}
	return p
}
