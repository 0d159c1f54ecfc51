package node

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
)

// startLab starts a fast lab on OS-chosen loopback ports.
func startLab(t *testing.T, nodes int, rec *recorder, mod func(*LabConfig)) *Lab {
	t.Helper()
	tmpl := FastConfig()
	cfg := LabConfig{Nodes: nodes, RandomPorts: true, Template: &tmpl}
	if rec != nil {
		cfg.Emit = rec.emit
	}
	if mod != nil {
		mod(&cfg)
	}
	l, err := NewLab(cfg)
	if err != nil {
		t.Fatalf("NewLab: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func converged(l *Lab, want int) bool {
	for _, nm := range l.Names() {
		n := l.Node(nm)
		if n == nil || len(n.Members()) != want {
			return false
		}
	}
	return true
}

func TestLabConverges(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 5, rec, nil)
	eventually(t, 10*time.Second, "5 nodes each seeing 5 members", func() bool { return converged(l, 5) })
	alive := map[string]bool{}
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeNode }) {
		if e.Status == protocol.StatusAlive {
			alive[e.Node] = true
		}
	}
	if len(alive) != 5 {
		t.Fatalf("alive node events for %v, want all 5", alive)
	}
	h := l.Header()
	if h.Type != protocol.TypeHeader || h.Source != "lab" || h.Params["nodes"] != 5 {
		t.Fatalf("header %+v", h)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	// Every event the lab emitted is valid for a player, in time order.
	all := rec.all()
	for i, e := range all {
		if err := e.Validate(); err != nil {
			t.Fatalf("invalid event %+v: %v", e, err)
		}
		if i > 0 && e.T < all[i-1].T {
			t.Fatalf("event %d at t=%v after one at t=%v", i, e.T, all[i-1].T)
		}
	}
	// Gossip is visible: pings, acks, alive broadcasts and push-pulls (the
	// joins), between named lab nodes.
	eventually(t, 5*time.Second, "ping, ack, alive and pushpull messages", func() bool {
		k := kinds(rec.all())
		return k[wire.KindPing] > 0 && k[wire.KindAck] > 0 && k[wire.KindPushPull] > 0 && k[wire.KindAlive] > 0
	})
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg }) {
		if !strings.HasPrefix(e.From, "n") || !strings.HasPrefix(e.To, "n") {
			t.Fatalf("message between unnamed peers: %+v", e)
		}
	}
}

func TestLabSilenceReachesAllInOrder(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 5, rec, nil)
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 5) })
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n2", Text: "DiskFull"}); err != nil {
		t.Fatal(err)
	}
	var id string
	for _, s := range l.Node("n2").Silences() {
		id = s.Id
	}
	if id == "" {
		t.Fatal("n2 holds no silence after the command")
	}
	key := "sil/" + id
	eventually(t, 10*time.Second, "state events from all 5 nodes", func() bool {
		return len(rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeState && e.Key == key })) >= 5
	})
	st := rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeState && e.Key == key })
	if st[0].Node != "n2" {
		t.Fatalf("first holder %s, want n2 (the origin)", st[0].Node)
	}
	seen := map[string]bool{}
	for i, e := range st {
		if seen[e.Node] {
			t.Fatalf("node %s reported the same version twice: %+v", e.Node, st)
		}
		seen[e.Node] = true
		if e.Version != st[0].Version || e.Value != "DiskFull" {
			t.Fatalf("event %d: version %d value %q, want %d %q", i, e.Version, e.Value, st[0].Version, "DiskFull")
		}
		if i > 0 && e.T < st[i-1].T {
			t.Fatalf("state events out of time order: %+v", st)
		}
	}
	// Messages carrying it are marked redundant exactly when the receiver
	// already held it: always, once every node does.
	last := st[len(st)-1].T
	time.Sleep(300 * time.Millisecond) // retransmits go on for a few gossip rounds
	var fresh, late, lateRedundant int
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg && e.Key == key }) {
		if !e.Redundant {
			fresh++
		}
		if e.T > last {
			late++
			if e.Redundant {
				lateRedundant++
			}
		}
	}
	if fresh == 0 || late != lateRedundant {
		t.Fatalf("%d messages brought news; %d of %d sent after all held it were marked redundant", fresh, lateRedundant, late)
	}
	t.Logf("silence messages: %d brought news, %d redundant after convergence", fresh, late)
	// Each node's API shows it too.
	for _, nm := range l.Names() {
		if silenceIDs(t, l.Node(nm).APIURL())[id] != "DiskFull" {
			t.Fatalf("%s's API does not list the silence", nm)
		}
	}
	// The snapshot holds it for every node.
	n := 0
	for _, e := range l.Snapshot() {
		if e.Type == protocol.TypeState && e.Key == key {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("snapshot has %d state events for the silence, want 5", n)
	}
}

func TestLabCrashSuspectDeadRestart(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 5, rec, nil)
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 5) })
	mark := len(rec.all())
	if err := l.Command(protocol.Command{Cmd: protocol.CmdCrash, Node: "n3"}); err != nil {
		t.Fatal(err)
	}
	if l.Node("n3") != nil {
		t.Fatal("n3 still running after crash")
	}
	others := []string{"n1", "n2", "n4", "n5"}
	eventually(t, 15*time.Second, "every other node sees n3 dead", func() bool {
		for _, nm := range others {
			if s, _ := l.Node(nm).MemberStatus("n3"); s != protocol.StatusDead {
				return false
			}
		}
		return true
	})
	var seq []protocol.Status
	for _, e := range rec.all()[mark:] {
		if e.Type == protocol.TypeNode && e.Node == "n3" {
			seq = append(seq, e.Status)
		}
	}
	if len(seq) < 2 || seq[0] != protocol.StatusSuspect || seq[len(seq)-1] != protocol.StatusDead {
		t.Fatalf("n3's status events after the crash: %v, want suspect ... dead", seq)
	}
	// A silence made while n3 is down reaches it by push-pull on restart.
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n1", Text: "WhileDown"}); err != nil {
		t.Fatal(err)
	}
	mark = len(rec.all())
	if err := l.Command(protocol.Command{Cmd: protocol.CmdRestart, Node: "n3"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "n3 back in every view", func() bool { return converged(l, 5) })
	eventually(t, 10*time.Second, "n3 holds the silence made while it was down", func() bool {
		for _, s := range l.Node("n3").Silences() {
			if s.Comment == "WhileDown" {
				return true
			}
		}
		return false
	})
	backAlive := false
	for _, e := range rec.all()[mark:] {
		backAlive = backAlive || (e.Type == protocol.TypeNode && e.Node == "n3" && e.Status == protocol.StatusAlive)
	}
	if !backAlive {
		t.Fatal("no alive event for n3 after restart")
	}
}

// Closing a lab: every running node leaves (reported left, never suspect
// or dead), within a few gossip rounds, without error; a crashed node stays
// dead. Gossip here is too slow for memberlist to send each leave to its
// full retransmit limit (48 sends, 6 peers a round every 500 ms) before
// the peers are gone, as in a lab of 50 with Alertmanager's timings.
func TestLabCloseLeavesQuietly(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 8, rec, func(c *LabConfig) {
		c.Template.GossipInterval = 500 * time.Millisecond
		c.Template.RetransmitMult = 24
	})
	eventually(t, 15*time.Second, "convergence", func() bool { return converged(l, 8) })
	if err := l.Command(protocol.Command{Cmd: protocol.CmdCrash, Node: "n8"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "n8 dead in the lab's stream", func() bool {
		return len(rec.filter(func(e protocol.Event) bool {
			return e.Type == protocol.TypeNode && e.Node == "n8" && e.Status == protocol.StatusDead
		})) > 0
	})
	mark := len(rec.all())
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v", d)
	}
	// A node falsely suspected on a loaded machine just before Close (its
	// probe answered late) is forwarded before closing began: stamped
	// before closeT, it is not Close's doing. What Close itself reports,
	// stamped from closeT on, must be left and only left.
	l.stMu.Lock()
	closeT := l.closeT
	l.stMu.Unlock()
	last := map[string]protocol.Status{}
	for _, e := range rec.all()[mark:] {
		if e.Type != protocol.TypeNode {
			continue
		}
		if e.Status != protocol.StatusLeft {
			if e.T < closeT {
				continue
			}
			t.Fatalf("while closing the lab reported %s %s at T=%.3f ms (closing began at %.3f)", e.Node, e.Status, e.T, closeT)
		}
		last[e.Node] = e.Status
	}
	for _, nm := range names("n", 7) {
		if last[nm] != protocol.StatusLeft {
			t.Fatalf("%s not reported left on Close (events %v)", nm, last)
		}
	}
	if _, ok := last["n8"]; ok {
		t.Fatal("crashed n8 reported left on Close")
	}
	for _, nm := range names("n", 8) {
		if l.Node(nm) != nil && !l.Node(nm).down {
			t.Fatalf("%s still running after Close", nm)
		}
	}
}

func TestLabCommandsRejectBadInput(t *testing.T) {
	t.Parallel()
	l := startLab(t, 3, nil, nil)
	bad := []protocol.Command{
		{Cmd: "explode"},
		{Cmd: protocol.CmdSilence},
		{Cmd: protocol.CmdSilence, Node: "n9"},
		{Cmd: protocol.CmdAlert, Node: "nope"},
		{Cmd: protocol.CmdCrash, Node: "n9"},
		{Cmd: protocol.CmdRestart, Node: "n1"}, // running
		{Cmd: protocol.CmdPartition, Groups: [][]string{{"n1"}, {"zz"}}},
		{Cmd: protocol.CmdPartition, Groups: [][]string{{"n1"}}},
		{Cmd: protocol.CmdLoss, Loss: 1.5},
		{Cmd: protocol.CmdLoss, Loss: -0.1},
	}
	for _, c := range bad {
		if err := l.Command(c); err == nil {
			t.Errorf("command %+v accepted", c)
		}
	}
	if g := l.Net().Groups(); g != nil {
		t.Fatalf("a rejected partition changed the filter: %v", g)
	}
	if p := l.Net().Loss(); p != 0 {
		t.Fatalf("a rejected loss changed the filter: %v", p)
	}
	for _, nm := range l.Names() {
		if l.Node(nm) == nil || len(l.Node(nm).Silences()) != 0 {
			t.Fatalf("rejected commands changed node %s", nm)
		}
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdCrash, Node: "n2"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdCrash, Node: "n2"}); err == nil || !strings.Contains(err.Error(), "already crashed") {
		t.Fatalf("crashing a crashed node: %v", err)
	}
}

func TestLabPartitionAndHeal(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 4, rec, nil)
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 4) })
	if err := l.Command(protocol.Command{Cmd: protocol.CmdPartition, Groups: [][]string{{"n1", "n2"}, {"n3", "n4"}}}); err != nil {
		t.Fatal(err)
	}
	mark := len(rec.all())
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n1", Text: "SplitBrain"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "n2 holds the silence", func() bool { return len(l.Node("n2").Silences()) == 1 })
	// Gossip across the cut is attempted and reported lost, and does not arrive.
	eventually(t, 5*time.Second, "a lost message across the partition", func() bool {
		for _, e := range rec.all()[mark:] {
			if e.Type == protocol.TypeMsg && e.Lost && e.From == "n1" && (e.To == "n3" || e.To == "n4") {
				return true
			}
		}
		return false
	})
	for _, e := range rec.all()[mark:] {
		if e.Type == protocol.TypeMsg && !e.Lost && (e.From == "n1" || e.From == "n2") && (e.To == "n3" || e.To == "n4") {
			t.Fatalf("message crossed the partition: %+v", e)
		}
	}
	if len(l.Node("n3").Silences())+len(l.Node("n4").Silences()) != 0 {
		t.Fatal("the silence crossed the partition")
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdHeal}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the silence reaches n3 and n4 after healing", func() bool {
		return len(l.Node("n3").Silences()) == 1 && len(l.Node("n4").Silences()) == 1
	})
	eventually(t, 20*time.Second, "membership healed", func() bool { return converged(l, 4) })
}

// Loss 1 drops every UDP packet (reported lost). TCP is not subject to
// loss, so memberlist's TCP fallback pings keep everyone alive and
// push-pull (anti-entropy over TCP) still spreads a silence whose gossip
// broadcasts are all lost.
//
// The probes keep Alertmanager's timings: memberlist gives a TCP fallback
// ping what is left of the probe interval after the UDP probe timed out,
// and with FastConfig's 200 ms interval a loaded, race-instrumented run
// missed that now and then. One missed fallback is fatal here: the suspect
// message, and the refutation, would travel by UDP, which is all lost.
func TestLabTotalLoss(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 3, rec, func(c *LabConfig) {
		d := DefaultConfig()
		c.Template.ProbeInterval, c.Template.ProbeTimeout = d.ProbeInterval, d.ProbeTimeout
	})
	eventually(t, 10*time.Second, "convergence", func() bool { return converged(l, 3) })
	mark := len(rec.all())
	if err := l.Command(protocol.Command{Cmd: protocol.CmdLoss, Loss: 1}); err != nil {
		t.Fatal(err)
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n1", Text: "Lossy"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the silence on every node by push-pull", func() bool {
		for _, nm := range l.Names() {
			if len(l.Node(nm).Silences()) != 1 {
				return false
			}
		}
		return true
	})
	evs := rec.all()[mark:]
	var lostUser, param int
	for _, e := range evs {
		switch {
		case e.Type == protocol.TypeParam && e.Params["loss"] == 1.0:
			param++
		case e.Type != protocol.TypeMsg:
		case e.Lost && e.Kind == wire.KindUser:
			lostUser++
		case !e.Lost && e.Kind == wire.KindUser:
			t.Fatalf("a broadcast got through under loss 1: %+v", e)
		}
	}
	if lostUser == 0 || param != 1 {
		t.Fatalf("%d lost broadcasts, %d loss param events; want some and 1", lostUser, param)
	}
	eventually(t, 5*time.Second, "a TCP fallback ping", func() bool {
		for _, e := range rec.all()[mark:] {
			if e.Type == protocol.TypeMsg && e.Kind == wire.KindPing && !e.Lost {
				return true
			}
		}
		return false
	})
	if !converged(l, 3) {
		t.Fatal("members lost despite TCP fallback pings")
	}
	if err := l.Command(protocol.Command{Cmd: protocol.CmdLoss, Loss: 0}); err != nil {
		t.Fatal(err)
	}
	if p := l.Net().Loss(); p != 0 {
		t.Fatalf("loss %v after setting 0", p)
	}
}

// The lab's view never steps back: once one observer reported a node dead
// (or left), a slower observer's suspicion of it is not forwarded; a
// restart (alive) is, and a later suspicion again. This is what made
// TestLabCloseLeavesQuietly fail under load ("reported n8 suspect").
func TestLabForwardsNoStepBack(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	l := &Lab{cfg: LabConfig{Emit: rec.emit}, status: map[string]protocol.Status{}, byName: map[string]*labNode{}}
	for i, st := range []protocol.Status{protocol.StatusAlive, protocol.StatusSuspect, protocol.StatusDead,
		protocol.StatusSuspect, protocol.StatusAlive, protocol.StatusSuspect, protocol.StatusLeft, protocol.StatusSuspect} {
		l.emit(protocol.Event{Type: protocol.TypeNode, T: float64(i), Node: "n8", Status: st, From: "n" + strconv.Itoa(i%3+1)})
	}
	var got []protocol.Status
	for _, e := range rec.all() {
		got = append(got, e.Status)
	}
	want := []protocol.Status{protocol.StatusAlive, protocol.StatusSuspect, protocol.StatusDead,
		protocol.StatusAlive, protocol.StatusSuspect, protocol.StatusLeft}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("forwarded %v, want %v", got, want)
	}
}
