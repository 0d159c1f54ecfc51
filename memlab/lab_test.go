package memlab_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/memlab"
	"github.com/gossipscope/gossipscope/protocol"
)

type stream struct {
	mu  sync.Mutex
	evs []protocol.Event
}

func (s *stream) emit(evs []protocol.Event) {
	s.mu.Lock()
	s.evs = append(s.evs, evs...)
	s.mu.Unlock()
}

// status returns the last node event's status for name ("" if none).
func (s *stream) status(name string) protocol.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st protocol.Status
	for _, e := range s.evs {
		if e.Type == protocol.TypeNode && e.Node == name {
			st = e.Status
		}
	}
	return st
}

func (s *stream) statuses(name string) []protocol.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []protocol.Status
	for _, e := range s.evs {
		if e.Type == protocol.TypeNode && e.Node == name {
			out = append(out, e.Status)
		}
	}
	return out
}

// wasSplit reports whether a node event about name said its peers
// disagreed (two or more of alive, suspect, gone).
func (s *stream) wasSplit(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.evs {
		if e.Type != protocol.TypeNode || e.Node != name {
			continue
		}
		kinds := 0
		for _, k := range []string{"alive", "suspect", "gone"} {
			if n, _ := e.Params[k].(int); n > 0 {
				kinds++
			}
		}
		if kinds > 1 {
			return true
		}
	}
	return false
}

func (s *stream) nodeEvents(name string) []protocol.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []protocol.Event
	for _, e := range s.evs {
		if e.Type == protocol.TypeNode && e.Node == name {
			out = append(out, e)
		}
	}
	return out
}

func start(t *testing.T, cfg memlab.Config) (*memlab.Lab, *stream) {
	t.Helper()
	s := &stream{}
	cfg.Emit = s.emit
	l, err := memlab.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	// Well under a second, unless the machine starves the process past
	// its 100 ms probe timeout: then false suspicions and deaths go round
	// until the pressure drops (memnet's convergeLimit has the figures);
	// a node falsely dead is rejoined by the others' rejoin loop (2 s).
	waitFor(t, "every node alive in the majority's view", 30*time.Second, func() bool {
		for _, n := range l.Names() {
			if s.status(n) != protocol.StatusAlive {
				return false
			}
		}
		return true
	})
	return l, s
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCutSeen waits until each side of a partition holds every node of
// the other dead (gone from its member list, so out of its positions).
func waitCutSeen(t *testing.T, l *memlab.Lab, a, b []string) {
	t.Helper()
	holdsDead := func(observers, subjects []string) bool {
		for _, o := range observers {
			table, ok := l.Members(o)
			if !ok {
				return false
			}
			for _, m := range table {
				if slices.Contains(subjects, m.Name) && m.State != "dead" {
					return false
				}
			}
		}
		return true
	}
	waitFor(t, "each side holds the other dead", 30*time.Second, func() bool {
		return holdsDead(a, b) && holdsDead(b, a)
	})
}

func do(t *testing.T, l *memlab.Lab, c memlab.Command) {
	t.Helper()
	if r := l.Do(c); r.Error != "" {
		t.Fatalf("%s %s: %s", c.Cmd, c.Node, r.Error)
	}
}

func cmd(name, node string) memlab.Command {
	return memlab.Command{Command: protocol.Command{Cmd: name, Node: node}}
}

func TestCrashIsTimedAgainstTheFormulaAndShownDead(t *testing.T) {
	t.Parallel()
	l, s := start(t, memlab.Config{Nodes: 12})
	h := l.Header()
	if h.Source != memlab.Source || h.Params["nodes"] != 12 {
		t.Errorf("header %+v", h)
	}
	do(t, l, cmd(protocol.CmdCrash, "n5"))
	var c memlab.Counters
	waitFor(t, "n5 dead everywhere", 15*time.Second, func() bool {
		c = l.Counters()
		return c.Crash != nil && c.Crash.DeadEverywhereMs != nil
	})
	ct := c.Crash
	if ct.Node != "n5" || ct.FirstSuspicionMs == nil || ct.FirstDeadMs == nil {
		t.Fatalf("crash timing %+v", ct)
	}
	t.Logf("n5: suspected after %.0f ms by %s, dead after %.0f ms by %s, everywhere after %.0f ms; formula min %.0f max %.0f ms",
		*ct.FirstSuspicionMs, ct.SuspectedBy, *ct.FirstDeadMs, ct.DeadBy, *ct.DeadEverywhereMs, c.SuspicionMinMs, c.SuspicionMaxMs)
	if !(*ct.FirstSuspicionMs <= *ct.FirstDeadMs && *ct.FirstDeadMs <= *ct.DeadEverywhereMs+1) {
		t.Errorf("out of order: %+v", ct)
	}
	// The first suspect message goes out at most a gossip interval after
	// its sender started its timer (it waits in the broadcast queue).
	if d := *ct.FirstDeadMs - *ct.FirstSuspicionMs; d < c.SuspicionMinMs-c.GossipMs-5 || d > c.SuspicionMaxMs+1000 {
		t.Errorf("dead %.0f ms after the first suspicion; memberlist allows %.0f..%.0f", d, c.SuspicionMinMs, c.SuspicionMaxMs)
	}
	waitFor(t, "n5's node event says dead", 2*time.Second, func() bool { return s.status("n5") == protocol.StatusDead })
	for _, e := range s.nodeEvents("n5") {
		if e.Status == protocol.StatusDead {
			if e.From == "" || e.From == "n5" {
				t.Errorf("n5's death is not told by whom: %+v", e)
			}
			break
		}
	}
	if !s.wasSplit("n5") {
		t.Errorf("no node event showed the nodes' opinions of n5 split while the news of its death spread: %v", s.nodeEvents("n5"))
	}
	table, ok := l.Members("n1")
	if !ok || len(table) != 12 {
		t.Fatalf("n1's table: %v %v", table, ok)
	}
	for _, m := range table {
		want := "alive"
		if m.Name == "n5" {
			want = "dead"
		}
		if m.State != want || m.Self != (m.Name == "n1") {
			t.Errorf("n1's table has %+v, want state %s", m, want)
		}
	}
	if _, ok := l.Members("n5"); ok {
		t.Error("a crashed node answered with a member table")
	}
	// False suspicions are not asserted: on a loaded machine (the race
	// detector, 2 shared cores) a 100 ms probe timeout is missed now and
	// then, and memberlist suspects a healthy node, as it would on a real
	// overloaded host; the slow-node test covers those counters.

	do(t, l, cmd(protocol.CmdRestart, "n5"))
	waitFor(t, "n5 back", 10*time.Second, func() bool { return s.status("n5") == protocol.StatusAlive })
}

func TestSlowNodeRaisesFalseSuspicionsThatItRefutes(t *testing.T) {
	t.Parallel()
	l, _ := start(t, memlab.Config{Nodes: 8})
	slow := cmd(memlab.CmdSlow, "n2")
	slow.DelayMs = 150
	do(t, l, slow)
	waitFor(t, "a false suspicion refuted", 15*time.Second, func() bool {
		c := l.Counters()
		return c.FalseSuspicions > 0 && c.Refuted > 0
	})
	table, _ := l.Members("n2")
	if table[1].Incarnation == 0 {
		t.Errorf("n2's own incarnation is 0 after refuting: %+v", table[1])
	}
}

// Lifeguard's local health awareness: a slow node's own probes of healthy
// nodes time out too; with awareness it notices (its acks and nacks come
// late), slows its probing and waits longer, and accuses far fewer of
// them; without, it suspects the healthy again and again.
func TestLifeguardAwarenessKeepsASlowNodeFromAccusingTheHealthy(t *testing.T) {
	t.Parallel()
	raised := map[bool]int{}
	var mu sync.Mutex
	t.Run("both", func(t *testing.T) {
		for _, aware := range []bool{true, false} {
			t.Run(fmt.Sprintf("awareness=%v", aware), func(t *testing.T) {
				t.Parallel()
				l, _ := start(t, memlab.Config{Nodes: 8, NoAwareness: !aware})
				slow := cmd(memlab.CmdSlow, "n3")
				slow.DelayMs = 150
				do(t, l, slow)
				time.Sleep(5 * time.Second)
				mu.Lock()
				raised[aware] = l.Counters().RaisedBy["n3"]
				mu.Unlock()
			})
		}
	})
	t.Logf("suspicions raised by slow n3 in 5 s: %d with awareness, %d without", raised[true], raised[false])
	if raised[false] < 5 || raised[true]*2 >= raised[false] {
		t.Errorf("slow n3 raised %d false suspicions with awareness, %d without: want well under half with it", raised[true], raised[false])
	}
}

func TestLeaveIsShownAsLeft(t *testing.T) {
	t.Parallel()
	l, s := start(t, memlab.Config{Nodes: 5})
	do(t, l, cmd(memlab.CmdLeave, "n4"))
	waitFor(t, "n4 left", 5*time.Second, func() bool { return s.status("n4") == protocol.StatusLeft })
	for _, st := range s.statuses("n4") {
		if st == protocol.StatusSuspect || st == protocol.StatusDead {
			t.Errorf("n4 left but the majority had it %s", st)
		}
	}
}

func TestBadCommandsChangeNothing(t *testing.T) {
	t.Parallel()
	l, err := memlab.New(memlab.Config{Nodes: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bad := []memlab.Command{
		cmd(protocol.CmdCrash, "n9"),
		cmd(protocol.CmdRestart, "n1"),
		cmd(memlab.CmdSlow, "nope"),
		{Command: protocol.Command{Cmd: memlab.CmdSlow, Node: "n1"}, DelayMs: -1},
		{Command: protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{{"n1"}, {"x"}}}},
		{Command: protocol.Command{Cmd: protocol.CmdLoss, Loss: 2}},
		cmd("explode", ""),
	}
	for _, c := range bad {
		if r := l.Do(c); r.Error == "" {
			t.Errorf("%+v accepted", c)
		}
	}
	do(t, l, cmd(protocol.CmdCrash, "n2"))
	if r := l.Do(cmd(protocol.CmdCrash, "n1")); r.Error == "" {
		t.Error("the last running node crashed")
	}
	if got := l.Running(); len(got) != 1 || got[0] != "n1" {
		t.Errorf("running %v, want [n1]", got)
	}
	if _, err := memlab.New(memlab.Config{Nodes: memlab.MaxNodes + 1}); err == nil {
		t.Error("a lab over MaxNodes started")
	}
	if _, err := memlab.ParseCommand([]byte(`{"cmd":`)); err == nil {
		t.Error("bad JSON parsed")
	}
}

func TestPartitionSidesDeclareEachOtherDeadAndMergeAfterHeal(t *testing.T) {
	t.Parallel()
	l, _ := start(t, memlab.Config{Nodes: 6})
	// Every node must have every other in its own table before the cut:
	// start waits for the majority's view only, and a node that had not
	// yet heard of the far side when cut off never lists it, so it can
	// never hold it dead (its table says "unknown").
	waitFor(t, "every table lists every node alive", 30*time.Second, func() bool {
		for _, n := range l.Names() {
			table, _ := l.Members(n)
			for _, m := range table {
				if m.State != "alive" {
					return false
				}
			}
		}
		return true
	})
	p := memlab.Command{Command: protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{{"n1", "n2", "n3"}, {"n4", "n5", "n6"}}}}
	do(t, l, p)
	waitCutSeen(t, l, p.Groups[0], p.Groups[1])
	do(t, l, memlab.Command{Command: protocol.Command{Cmd: protocol.CmdHeal}})
	waitFor(t, "merged: every table all alive", 15*time.Second, func() bool {
		for _, n := range l.Names() {
			table, _ := l.Members(n)
			for _, m := range table {
				if m.State != "alive" {
					return false
				}
			}
		}
		return true
	})
}

func (s *stream) any(f func(protocol.Event) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.evs {
		if f(e) {
			return true
		}
	}
	return false
}

// holders returns the nodes that reported holding a silence whose comment
// is text (state events).
func (s *stream) holders(text string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, e := range s.evs {
		if e.Type == protocol.TypeState && e.Value == text && strings.HasPrefix(e.Key, "sil/") {
			out[e.Node] = true
		}
	}
	return out
}

func TestSilenceCreatedDuringAPartitionCrossesAfterTheHeal(t *testing.T) {
	t.Parallel()
	// A silence is gossiped a few times (3 x log10(N+1) transmissions, to
	// 3 peers each gossip interval), all lost across the cut; after the
	// heal it crosses in a push-pull (the full state), every 2 s here.
	l, s := start(t, memlab.Config{Nodes: 6, PushPullInterval: 2 * time.Second})
	left, right := []string{"n1", "n2", "n3"}, []string{"n4", "n5", "n6"}
	do(t, l, memlab.Command{Command: protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{left, right}}})
	sil := cmd(protocol.CmdSilence, "n2")
	sil.Text = "maintenance during the cut"
	if r := l.Do(sil); r.Error != "" || !strings.HasPrefix(r.Text, "silence ") {
		t.Fatalf("silence reply %+v", r)
	}
	waitFor(t, "the silence on n2's side", 5*time.Second, func() bool {
		h := s.holders(sil.Text)
		return h["n1"] && h["n2"] && h["n3"]
	})
	time.Sleep(time.Second) // its gossip is over: none of it crossed the cut
	for _, n := range right {
		if s.holders(sil.Text)[n] {
			t.Fatalf("%s got the silence across the partition", n)
		}
	}
	healed := time.Now()
	do(t, l, memlab.Command{Command: protocol.Command{Cmd: protocol.CmdHeal}})
	waitFor(t, "the silence on every node after the heal", 20*time.Second, func() bool {
		return len(s.holders(sil.Text)) == 6
	})
	t.Logf("on every node %v after the heal", time.Since(healed))
	// Every node that learns the silence gossips it on to 3 random
	// members, so some of it goes to nodes that hold it already. Before
	// the heal that hangs on a few random picks on n2's side (n2's 3 of
	// 5, half of them across the cut, then n1's and n3's), and it missed
	// in 1 run of 5; the far side's learners, after, make it certain.
	waitFor(t, "gossip of the silence to a holder marked redundant", 5*time.Second, func() bool {
		return s.any(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg && e.Kind == "user" && e.Redundant })
	})
}
