package session

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gossipscope/gossipscope/engine"
	"github.com/gossipscope/gossipscope/protocol"
)

var errReplay = errors.New("a recording plays as it was recorded; load a scenario to try faults")

// schedule adds a at the playhead to the simulated scenario and re-runs
// the simulator to the playhead (see the package comment).
func (s *Session) schedule(a engine.Action) error {
	if s.source == SourceReplay {
		return s.fail(errReplay)
	}
	t := math.Floor(s.Playback.T) // whole ms: a tidy link, and no visible jump
	a.At = t
	cfg := s.cfg
	cfg.Schedule = append(slices.Clone(cfg.Schedule), a)
	sim, err := engine.New(cfg)
	if err != nil {
		return s.fail(fmt.Errorf("%s: %v", a.Kind, err))
	}
	s.cfg, s.sim, s.simErr = cfg, sim, nil
	if t <= 0 {
		sel, playing := s.Composer.Selected, s.Playback.Playing
		if err := s.startSim(cfg); err != nil {
			return s.fail(err)
		}
		s.Composer.Selected, s.Playback.Playing = sel, playing
		return nil
	}
	s.Player.Truncate(t)
	sim.Advance(t, s.emitFrom(t))
	if sim.Done() {
		s.Player.SetDone(true)
	}
	s.Playback.Seek(t)
	s.Player.Seek(t)
	s.lastErr = ""
	return nil
}

// nodeIndex reads a simulator node name ("n7" or "7").
func (s *Session) nodeIndex(name string) (int, error) {
	if _, ok := s.Player.Node(name); !ok {
		return 0, fmt.Errorf("no node %q", name)
	}
	i, err := strconv.Atoi(strings.TrimPrefix(name, "n"))
	if err != nil || i < 0 {
		return 0, fmt.Errorf("node %q is not a simulator node (n0, n1, ...)", name)
	}
	return i, nil
}

// Crash stops a node now.
func (s *Session) Crash(name string) error {
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdCrash, Node: name})
	}
	i, err := s.nodeIndex(name)
	if err != nil {
		return s.fail(fmt.Errorf("crash: %v", err))
	}
	return s.schedule(engine.Action{Kind: engine.ActCrash, Node: i})
}

// RestartNode brings a crashed node back now.
func (s *Session) RestartNode(name string) error {
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdRestart, Node: name})
	}
	i, err := s.nodeIndex(name)
	if err != nil {
		return s.fail(fmt.Errorf("restart: %v", err))
	}
	return s.schedule(engine.Action{Kind: engine.ActRestart, Node: i})
}

// Partition cuts the network in two halves by node order (the left and
// right halves of the circle).
func (s *Session) Partition() error {
	names := s.Player.NodeNames(false)
	if len(names) < 2 {
		return s.fail(errors.New("partition: needs at least two nodes"))
	}
	half := len(names) / 2
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{names[:half], names[half:]}})
	}
	n := len(names) // simulator nodes are n0..n(len-1)
	a, b := make([]int, 0, n/2), make([]int, 0, n-n/2)
	for i := 0; i < n; i++ {
		if i < n/2 {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	return s.schedule(engine.Action{Kind: engine.ActPartition, Groups: [][]int{a, b}})
}

// Heal heals every partition now.
func (s *Session) Heal() error {
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdHeal})
	}
	return s.schedule(engine.Action{Kind: engine.ActHeal})
}

// Join adds count new nodes now.
func (s *Session) Join(count int) error {
	if count < 1 || count > 100000 {
		return s.fail(fmt.Errorf("join: %d is not in 1..100000", count))
	}
	if s.source == SourceLive {
		return s.fail(errors.New("join: a live cluster's nodes are started by the server, not the page"))
	}
	return s.schedule(engine.Action{Kind: engine.ActJoin, Count: count})
}

// SetLoss sets the packet loss probability from now on.
func (s *Session) SetLoss(p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return s.fail(fmt.Errorf("loss: %v is not in [0, 1]", p))
	}
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdLoss, Loss: p})
	}
	return s.schedule(engine.Action{Kind: engine.ActLoss, Loss: p})
}

// Update gives a node a newer version of the news it shows now (the
// focused key); live, it creates a silence on the node.
func (s *Session) Update(name string) error {
	if s.source == SourceLive {
		return s.command(protocol.Command{Cmd: protocol.CmdSilence, Node: name, Text: "gossipscope"})
	}
	i, err := s.nodeIndex(name)
	if err != nil {
		return s.fail(fmt.Errorf("update: %v", err))
	}
	key := 0
	if k := s.Player.Counters().Key; strings.HasPrefix(k, "k") {
		if v, err := strconv.Atoi(k[1:]); err == nil {
			key = v
		}
	}
	return s.schedule(engine.Action{Kind: engine.ActUpdate, Node: i, Key: key})
}
